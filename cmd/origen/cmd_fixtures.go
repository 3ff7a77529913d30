package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/origen-analytics/origen/fixtures"
)

// fixturesLoadOptions are the flags of origen fixtures load.
type fixturesLoadOptions struct {
	// Driver is postgres (default), mysql or clickhouse; Cluster names the
	// ClickHouse cluster to spread the rows over (fixtures_clickhouse.go).
	Driver        string
	Cluster       string
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
}

const fixturesLoadUsage = "origen fixtures load [--driver postgres|mysql|clickhouse] [--cluster NAME] --dsn DSN --schema NAME --registrations N [--months 12] [--indexes] --seed S --config-out FILE"

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
	log := e.logger()
	log.Info("loading fixtures", "schema", o.Schema, "registrations", o.Registrations, "months", o.Months,
		"from", cfg.Start.Format(time.RFC3339), "indexes", o.Indexes, "seed", o.Seed)
	db, err := openFixturesDB(o)
	if err != nil {
		return usageErr("--dsn %s: %v", redactDSN(o.DSN), newRedactor(o.DSN).Text(err.Error()))
	}
	defer db.Close()
	started := time.Now()
	load := fixtures.LoadPostgresWith
	if o.Driver == "mysql" {
		load = fixtures.LoadMySQL
	}
	if err := load(ctx, db, o.Schema, cfg, fixtures.LoadOptions{DBAIndexes: o.Indexes}); err != nil {
		return newRedactor(o.DSN).Err(fmt.Errorf("load fixtures into %s: %w", redactDSN(o.DSN), err))
	}
	log.Info("fixtures loaded", "schema", o.Schema, "duration", time.Since(started).Round(time.Millisecond))
	err = writeFileAtomically(ctx, o.ConfigOut, func(w io.Writer) error {
		_, err := io.WriteString(w, fixtures.ConfigTOML(o.Driver, o.DSN, o.Schema))
		return err
	})
	if err != nil {
		return err
	}
	p := fixtures.DemoPeriod()
	indexes := "user_id indexes"
	if o.Driver == "mysql" {
		indexes = "(user_id, time) indexes"
	}
	if o.Indexes {
		indexes = "user_id and DBA indexes"
	}
	fmt.Fprintf(e.stdout, "loaded %s registrations over %d months (%s to %s) into %s schema %s, with %s\nconfig: %s\ntry:    origen report --config %s --from %s --to %s --as-of %s\n",
		strconv.Itoa(o.Registrations), o.Months, cfg.Start.Format(time.RFC3339), cfg.End.Format(time.RFC3339),
		o.Driver, o.Schema, indexes, o.ConfigOut, o.ConfigOut, p.From, p.To, fixtures.DemoAsOf.Format(time.RFC3339))
	return nil
}

// parseFixturesLoad parses the flags of origen fixtures load.
func (e env) parseFixturesLoad(args []string) (fixturesLoadOptions, error) {
	var o fixturesLoadOptions
	fs := e.newFlags("fixtures load")
	fs.StringVar(&o.Driver, "driver", "postgres", "database `DRIVER`: postgres, mysql (MySQL 8.0+, MariaDB 10.5+) or clickhouse (then --schema is the database)")
	fs.StringVar(&o.DSN, "dsn", "", "`DSN` to load into: PostgreSQL's (libpq PG* variables fill what it leaves out), or for mysql user:password@tcp(host:3306)/db or mysql://user:password@host:3306/db")
	fs.StringVar(&o.Schema, "schema", "", "schema `NAME` to create the tables in (on mysql a database, created if needed; the tables must not exist yet)")
	fs.IntVar(&o.Registrations, "registrations", 100000, "number of registrations to generate")
	fs.Uint64Var(&o.Seed, "seed", 1, "generator seed; the same seed gives the same data")
	fs.IntVar(&o.Months, "months", fixtures.DemoMonths,
		"spread the registrations over `N` months before the as-of month 2026-11 (and its days to the as-of instant); every span holds the report month 2026-10")
	fs.BoolVar(&o.Indexes, "indexes", false,
		"also create the indexes a DBA would add: registrations (registered_at), registrations (user_id, registered_at), purchases (user_id, purchased_at)")
	fs.StringVar(&o.Cluster, "cluster", "", "clickhouse: spread the rows over the shards of cluster `NAME` (its remote_servers): local tables on every shard behind Distributed tables")
	fs.StringVar(&o.ConfigOut, "config-out", "", "write a ready Origen config for the loaded data to `FILE`")
	if err := parse(fs, args); err != nil {
		return o, err
	}
	if o.Driver != "postgres" && o.Driver != "mysql" && o.Driver != "clickhouse" {
		return o, usageErr("origen fixtures load: --driver %q: want postgres, mysql or clickhouse", o.Driver)
	}
	return o, requireFlags("fixtures load", map[string]string{"schema": o.Schema, "config-out": o.ConfigOut})
}

// openFixturesDB opens the database fixtures load writes to.
func openFixturesDB(o fixturesLoadOptions) (*sql.DB, error) {
	if o.Driver != "mysql" {
		return sql.Open("postgres", o.DSN)
	}
	c, err := mysqlConfig(o.DSN)
	if err != nil {
		return nil, err
	}
	c.MultiStatements, c.AllowAllFiles = false, false
	conn, err := mysql.NewConnector(c)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(conn), nil
}
