package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/origen-analytics/origen/fixtures"
)

// demoOptions are the flags of origen demo.
type demoOptions struct {
	Out string
}

// cmdDemo builds the embedded demo database (pure-Go SQLite, no server)
// from the deterministic generator, writes a config for it, and writes the
// reports of its last full month.
func (e env) cmdDemo(ctx context.Context, args []string) error {
	var o demoOptions
	fs := e.newFlags("demo")
	fs.StringVar(&o.Out, "out", "origen-demo", "output `DIR` for the database, its config and the reports")
	if err := parse(fs, args); err != nil {
		return err
	}
	log := e.logger()
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", o.Out, err)
	}
	dbPath := filepath.Join(o.Out, "demo.sqlite")
	started := time.Now()
	if err := buildDemoDB(ctx, dbPath); err != nil {
		return err
	}
	log.Info("demo database built", "path", dbPath, "duration", time.Since(started).Round(time.Millisecond))
	cfgPath := filepath.Join(o.Out, "origen.toml")
	err := writeFileAtomically(ctx, cfgPath, func(w io.Writer) error {
		_, err := io.WriteString(w, fixtures.DemoConfigTOML("sqlite", "demo.sqlite", "")+demoTargets+demoChannels)
		return err
	})
	if err != nil {
		return err
	}
	cfg, err := loadConfig(cfgPath, e.getenv)
	if err != nil {
		return fmt.Errorf("demo config: %w", err)
	}
	// Origen built the file and nobody writes it: its reads may run side
	// by side (queries.SnapshotOptions.Unwritten).
	cfg.unwritten = true
	paths, err := e.runReport(ctx, cfg, fixtures.DemoPeriod(), fixtures.DemoAsOf, o.Out, log)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "demo database: %s\nconfig:        %s\n", dbPath, cfgPath)
	for _, p := range paths {
		fmt.Fprintf(e.stdout, "report:        %s\n", p)
	}
	p := fixtures.DemoPeriod()
	fmt.Fprintf(e.stdout, "rerun with:    origen report --config %s --from %s --to %s --as-of %s --out %s\n",
		cfgPath, p.From, p.To, fixtures.DemoAsOf.Format(time.RFC3339), o.Out)
	return nil
}

// demoTargets are the demo business's targets, so that its reports show
// channels on and off target.
const demoTargets = `
[targets]
cac_max = 60
conversion_rate_min = 0.08

[targets.channel."Paid Search"]
cac_max = 75
roas_min = 1.0
`

// demoChannels names the demo's channels whose small spend (email tools,
// SEO, partner fees) is not media buying, so paid CAC covers the bought
// channels only.
const demoChannels = `
[channels]
unpaid = ["Email", "Organic Search", "Referral"]
`

// buildDemoDB writes the demo database to a temporary file and renames it
// into place, so an interrupted build never leaves a half-built database.
func buildDemoDB(ctx context.Context, path string) (err error) {
	tmp := path + ".tmp"
	os.Remove(tmp)
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()
	db, err := sql.Open("sqlite", tmp)
	if err != nil {
		return fmt.Errorf("create demo database: %w", err)
	}
	// The demo database is generated data that every origen demo builds
	// anew (an error removes the temporary file; a crash, even one that
	// loses the unsynced pages, is repaired by the next demo). So it needs
	// neither a rollback journal nor syncs (one connection, so that the
	// pragmas hold for the build's transaction).
	db.SetMaxOpenConns(1)
	for _, p := range []string{"PRAGMA journal_mode = OFF", "PRAGMA synchronous = OFF"} {
		if _, err := db.ExecContext(ctx, p); err != nil {
			db.Close()
			return fmt.Errorf("create demo database: %s: %w", p, err)
		}
	}
	if err := fixtures.BuildSQLite(ctx, db, fixtures.DemoConfig()); err != nil {
		db.Close()
		return fmt.Errorf("build demo database: %w", err)
	}
	if err := db.Close(); err != nil {
		return fmt.Errorf("close demo database: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("move demo database into place: %w", err)
	}
	return nil
}
