package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/origen-analytics/origen/fixtures"
)

// fixturesLoadOptions are the flags of origen fixtures load.
type fixturesLoadOptions struct {
	DSN           string
	Schema        string
	Registrations int
	Seed          uint64
	ConfigOut     string
}

// cmdFixtures dispatches origen fixtures subcommands.
func (e env) cmdFixtures(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "load" {
		return usageErr("origen fixtures: want 'origen fixtures load --dsn DSN --schema NAME --registrations N --seed S --config-out FILE'")
	}
	var o fixturesLoadOptions
	fs := e.newFlags("fixtures load")
	fs.StringVar(&o.DSN, "dsn", "", "PostgreSQL `DSN` to load into (libpq PG* variables fill what it leaves out)")
	fs.StringVar(&o.Schema, "schema", "", "schema `NAME` to create the tables in (they must not exist yet)")
	fs.IntVar(&o.Registrations, "registrations", 100000, "number of registrations to generate")
	fs.Uint64Var(&o.Seed, "seed", 1, "generator seed; the same seed gives the same data")
	fs.StringVar(&o.ConfigOut, "config-out", "", "write a ready Origen config for the loaded data to `FILE`")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if err := requireFlags("fixtures load", map[string]string{"schema": o.Schema, "config-out": o.ConfigOut}); err != nil {
		return err
	}
	if o.Registrations < 1 {
		return usageErr("origen fixtures load: --registrations %d: want at least 1", o.Registrations)
	}
	cfg := fixtures.DemoConfig()
	cfg.Seed = o.Seed
	cfg.Registrations = o.Registrations
	log := e.logger()
	log.Info("loading fixtures", "schema", o.Schema, "registrations", o.Registrations, "seed", o.Seed)
	db, err := sql.Open("postgres", o.DSN)
	if err != nil {
		return usageErr("--dsn %s: %v", redactDSN(o.DSN), err)
	}
	defer db.Close()
	started := time.Now()
	if err := fixtures.LoadPostgres(ctx, db, o.Schema, cfg); err != nil {
		return fmt.Errorf("load fixtures into %s: %w", redactDSN(o.DSN), err)
	}
	log.Info("fixtures loaded", "schema", o.Schema, "duration", time.Since(started).Round(time.Millisecond))
	err = writeFileAtomically(ctx, o.ConfigOut, func(w io.Writer) error {
		_, err := io.WriteString(w, fixtures.ConfigTOML("postgres", o.DSN, o.Schema))
		return err
	})
	if err != nil {
		return err
	}
	p := fixtures.DemoPeriod()
	fmt.Fprintf(e.stdout, "loaded %s registrations into schema %s\nconfig: %s\ntry:    origen report --config %s --from %s --to %s --as-of %s\n",
		strconv.Itoa(o.Registrations), o.Schema, o.ConfigOut, o.ConfigOut, p.From, p.To, fixtures.DemoAsOf.Format(time.RFC3339))
	return nil
}
