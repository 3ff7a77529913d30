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
	// Months is the span of the registrations: whole months before the
	// demo's as-of month, plus that month up to the as-of instant.
	Months int
	// Indexes adds the DBA indexes (fixtures.LoadOptions.DBAIndexes).
	Indexes   bool
	ConfigOut string
	// Driver is postgres (default) or clickhouse; Cluster names the
	// ClickHouse cluster to spread the rows over (fixtures_clickhouse.go).
	Driver  string
	Cluster string
}

const fixturesLoadUsage = "origen fixtures load --dsn DSN --schema NAME --registrations N [--months 12] [--indexes] --seed S --config-out FILE"

// config returns the generator configuration of o, or a usage error naming
// the flag that is out of range.
func (o fixturesLoadOptions) config() (fixtures.Config, error) {
	if o.Registrations < 1 {
		return fixtures.Config{}, usageErr("origen fixtures load: --registrations %d: want at least 1", o.Registrations)
	}
	if o.Months < 1 || o.Months > fixtures.MaxDemoMonths {
		return fixtures.Config{}, usageErr("origen fixtures load: --months %d: want a whole number of months from 1 to %d", o.Months, fixtures.MaxDemoMonths)
	}
	cfg, err := fixtures.DemoConfigMonths(o.Months)
	if err != nil { // unreachable after the check above
		return fixtures.Config{}, usageErr("origen fixtures load: --months: %v", err)
	}
	cfg.Seed = o.Seed
	cfg.Registrations = o.Registrations
	return cfg, nil
}

// cmdFixtures dispatches origen fixtures subcommands.
func (e env) cmdFixtures(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "load" {
		return usageErr("origen fixtures: want '%s'", fixturesLoadUsage)
	}
	o, err := e.parseFixturesLoad(args[1:])
	if err != nil {
		return err
	}
	cfg, err := o.config()
	if err != nil {
		return err
	}
	if o.Driver == "clickhouse" {
		return e.loadClickHouseFixtures(ctx, o, cfg)
	}
	if o.Driver != "postgres" {
		return usageErr("origen fixtures load: --driver %q: want postgres or clickhouse", o.Driver)
	}
	log := e.logger()
	log.Info("loading fixtures", "schema", o.Schema, "registrations", o.Registrations, "months", o.Months,
		"from", cfg.Start.Format(time.RFC3339), "indexes", o.Indexes, "seed", o.Seed)
	db, err := sql.Open("postgres", o.DSN)
	if err != nil {
		return usageErr("--dsn %s: %v", redactDSN(o.DSN), err)
	}
	defer db.Close()
	started := time.Now()
	if err := fixtures.LoadPostgresWith(ctx, db, o.Schema, cfg, fixtures.LoadOptions{DBAIndexes: o.Indexes}); err != nil {
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
	indexes := "user_id indexes"
	if o.Indexes {
		indexes = "user_id and DBA indexes"
	}
	fmt.Fprintf(e.stdout, "loaded %s registrations over %d months (%s to %s) into schema %s, with %s\nconfig: %s\ntry:    origen report --config %s --from %s --to %s --as-of %s\n",
		strconv.Itoa(o.Registrations), o.Months, cfg.Start.Format(time.RFC3339), cfg.End.Format(time.RFC3339),
		o.Schema, indexes, o.ConfigOut, o.ConfigOut, p.From, p.To, fixtures.DemoAsOf.Format(time.RFC3339))
	return nil
}

// parseFixturesLoad parses the flags of origen fixtures load.
func (e env) parseFixturesLoad(args []string) (fixturesLoadOptions, error) {
	var o fixturesLoadOptions
	fs := e.newFlags("fixtures load")
	fs.StringVar(&o.DSN, "dsn", "", "PostgreSQL `DSN` to load into (libpq PG* variables fill what it leaves out)")
	fs.StringVar(&o.Schema, "schema", "", "schema `NAME` to create the tables in (they must not exist yet)")
	fs.IntVar(&o.Registrations, "registrations", 100000, "number of registrations to generate")
	fs.Uint64Var(&o.Seed, "seed", 1, "generator seed; the same seed gives the same data")
	fs.IntVar(&o.Months, "months", fixtures.DemoMonths,
		"spread the registrations over `N` months before the as-of month 2026-11 (and its days to the as-of instant); every span holds the report month 2026-10")
	fs.BoolVar(&o.Indexes, "indexes", false,
		"also create the indexes a DBA would add: registrations (registered_at), registrations (user_id, registered_at), purchases (user_id, purchased_at)")
	fs.StringVar(&o.Driver, "driver", "postgres", "`DRIVER` of the database: postgres or clickhouse (then --schema is the database)")
	fs.StringVar(&o.Cluster, "cluster", "", "clickhouse: spread the rows over the shards of cluster `NAME` (its remote_servers): local tables on every shard behind Distributed tables")
	fs.StringVar(&o.ConfigOut, "config-out", "", "write a ready Origen config for the loaded data to `FILE`")
	if err := parse(fs, args); err != nil {
		return o, err
	}
	return o, requireFlags("fixtures load", map[string]string{"schema": o.Schema, "config-out": o.ConfigOut})
}
