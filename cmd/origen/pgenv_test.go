package main

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/origen-analytics/origen/fixtures"
	"github.com/origen-analytics/origen/fixtures/pgtest"
)

// libpq's PG* variables fill what the DSN leaves out, and the report from
// PostgreSQL equals the report from the embedded SQLite demo for the same
// generated data.
func TestPostgresFromEnvironmentMatchesSQLite(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := fixtures.LoadPostgres(context.Background(), db, "shop", fixtures.DemoConfig()); err != nil {
		t.Fatal(err)
	}
	// Keep only dbname in the config; host, port and user come from PG*.
	var dbname string
	for _, f := range strings.Fields(dsn) {
		k, v, _ := strings.Cut(f, "=")
		switch k {
		case "dbname":
			dbname = v
		case "host":
			t.Setenv("PGHOST", v)
		case "port":
			t.Setenv("PGPORT", v)
		case "user":
			t.Setenv("PGUSER", v)
		case "sslmode":
			t.Setenv("PGSSLMODE", v)
		}
	}
	cfg := writeFile(t, t.TempDir(), "pg.toml", fixtures.ConfigTOML("postgres", "dbname="+dbname, "shop"))
	pgOut, liteOut := t.TempDir(), runDemo(t)
	args := []string{"report", "--config", cfg, "--from", "2026-10-01", "--to", "2026-11-01", "--as-of", "2026-11-20T00:00:00Z", "--out", pgOut}
	if _, stderr, code := runCLI(t, nil, args...); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	pg, lite := readJSON(t, pgOut+"/origen_2026-10-01_2026-11-01.json"), readJSON(t, liteOut+"/origen_2026-10-01_2026-11-01.json")
	if len(pg.Channels) != len(lite.Channels) {
		t.Fatalf("%d channels from PostgreSQL, %d from SQLite", len(pg.Channels), len(lite.Channels))
	}
	for i := range pg.Channels {
		compareJSONRows(t, pg.Channels[i], lite.Channels[i])
	}
	compareJSONRows(t, pg.Total, lite.Total)
}

func compareJSONRows(t *testing.T, a, b jsonRowDoc) {
	t.Helper()
	s := func(p *string) string {
		if p == nil {
			return "null"
		}
		return *p
	}
	f := func(p *float64) any { return deref(p) }
	ka := []any{a.Channel, a.Registrations, a.Customers, a.Spend, a.Revenue, s(a.CostPerRegistration), s(a.CostPerCustomer), f(a.ConversionRate), f(a.ROAS), f(a.Median), a.Immature}
	kb := []any{b.Channel, b.Registrations, b.Customers, b.Spend, b.Revenue, s(b.CostPerRegistration), s(b.CostPerCustomer), f(b.ConversionRate), f(b.ROAS), f(b.Median), b.Immature}
	for i := range ka {
		if ka[i] != kb[i] {
			t.Errorf("PostgreSQL %v\n    SQLite %v", ka, kb)
			return
		}
	}
}
