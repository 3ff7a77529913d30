package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/origen-analytics/origen/fixtures"
	"github.com/origen-analytics/origen/fixtures/pgtest"
)

// Without --months and --indexes, fixtures load generates what it always
// did: DemoConfig over twelve months with the given seed and count.
func TestFixturesLoadDefaults(t *testing.T) {
	e := env{getenv: func(string) string { return "" }, stderr: &strings.Builder{}}
	o, err := e.parseFixturesLoad([]string{"--schema", "s", "--config-out", "c.toml", "--registrations", "5000", "--seed", "9"})
	if err != nil {
		t.Fatal(err)
	}
	if o.Months != 12 || o.Indexes {
		t.Errorf("defaults: --months %d, --indexes %t; want 12, false", o.Months, o.Indexes)
	}
	got, err := o.config()
	if err != nil {
		t.Fatal(err)
	}
	want := fixtures.DemoConfig()
	want.Seed, want.Registrations = 9, 5000
	if !reflect.DeepEqual(got, want) {
		t.Errorf("config %+v\nwant %+v", got, want)
	}
}

// Bad values of the new flags are usage errors (exit 2) that name the flag,
// refused before any connection is tried (the DSN points nowhere).
func TestFixturesLoadBadFlags(t *testing.T) {
	base := []string{"fixtures", "load", "--dsn", "postgres://x@127.0.0.1:1/none?connect_timeout=1",
		"--schema", "s", "--config-out", filepath.Join(t.TempDir(), "c.toml")}
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"zero months", []string{"--months", "0"}, []string{"--months 0", "from 1 to 1200"}},
		{"negative months", []string{"--months", "-12"}, []string{"--months -12", "from 1 to 1200"}},
		{"too many months", []string{"--months", "1201"}, []string{"--months 1201", "from 1 to 1200"}},
		{"months not a number", []string{"--months", "ten"}, []string{"-months", "ten"}},
		{"fractional months", []string{"--months", "1.5"}, []string{"-months", "1.5"}},
		{"indexes with a value", []string{"--indexes=maybe"}, []string{"-indexes", "maybe"}},
		{"indexes followed by an argument", []string{"--indexes", "yes"}, []string{`unexpected argument "yes"`}},
		{"no registrations", []string{"--registrations", "0"}, []string{"--registrations 0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := runCLI(t, nil, append(slices.Clone(base), tc.args...)...)
			if code != 2 {
				t.Fatalf("exit %d, want 2; stderr:\n%s", code, stderr)
			}
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			last := lines[len(lines)-1] // the flag package prints its usage first
			for _, w := range tc.want {
				if !strings.Contains(last, w) {
					t.Errorf("error line %q does not contain %q", last, w)
				}
			}
		})
	}
}

// fixtures load --months 120 --indexes against the real PostgreSQL: ten
// years of registrations with the DBA indexes, and a report on the demo
// month that finds its registrations; the default load next to it spans
// twelve months with only the user_id indexes.
func TestFixturesLoadMonthsAndIndexes(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dir := t.TempDir()
	type load struct {
		schema  string
		args    []string
		start   time.Time
		months  int
		indexes int
	}
	for _, l := range []load{
		{"tenyears", []string{"--months", "120", "--indexes"}, time.Date(2016, 11, 1, 0, 0, 0, 0, time.UTC), 121, 5},
		{"oneyear", nil, time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC), 13, 2},
	} {
		t.Run(l.schema, func(t *testing.T) {
			cfg := filepath.Join(dir, l.schema+".toml")
			args := append([]string{"fixtures", "load", "--dsn", dsn, "--schema", l.schema,
				"--registrations", "6000", "--seed", "7", "--config-out", cfg}, l.args...)
			stdout, stderr, code := runCLI(t, nil, args...)
			if code != 0 {
				t.Fatalf("exit %d; stderr:\n%s", code, stderr)
			}
			if want := fmt.Sprintf("over %d months", l.months-1); !strings.Contains(stdout, want) {
				t.Errorf("stdout does not say %q:\n%s", want, stdout)
			}

			var first time.Time
			var months, indexes, dba int
			if err := db.QueryRow(`SELECT min(registered_at),
				count(DISTINCT date_trunc('month', registered_at AT TIME ZONE 'Europe/Berlin')),
				(SELECT count(*) FROM pg_indexes WHERE schemaname = $1),
				(SELECT count(*) FROM pg_indexes WHERE schemaname = $1 AND indexname IN
					('registrations_registered_at', 'registrations_user_id_registered_at', 'purchases_user_id_purchased_at'))
				FROM `+l.schema+`.registrations`, l.schema).Scan(&first, &months, &indexes, &dba); err != nil {
				t.Fatal(err)
			}
			if first.Before(l.start) || first.Sub(l.start) > 7*24*time.Hour || months != l.months {
				t.Errorf("first registration %s in %d local months, want from %s in %d", first, months, l.start, l.months)
			}
			if indexes != l.indexes || (l.indexes == 5) != (dba == 3) {
				t.Errorf("%d indexes, %d of them the DBA ones; want %d", indexes, dba, l.indexes)
			}

			out := filepath.Join(dir, l.schema)
			_, stderr, code = runCLI(t, nil, "report", "--config", cfg, "--from", "2026-10-01", "--to", "2026-11-01",
				"--as-of", "2026-11-20T00:00:00Z", "--out", out)
			if code != 0 {
				t.Fatalf("report: exit %d; stderr:\n%s", code, stderr)
			}
			raw, err := os.ReadFile(filepath.Join(out, "origen_2026-10-01_2026-11-01.json"))
			if err != nil {
				t.Fatal(err)
			}
			var doc jsonDoc
			if err := json.Unmarshal(raw, &doc); err != nil {
				t.Fatal(err)
			}
			// October's share of the span's registrations, give or take.
			span := fixtures.DemoAsOf.Sub(l.start).Hours() / 24
			exp := 6000 * 31 / span
			if r := float64(doc.Total.Registrations); r < 0.7*exp || r > 1.3*exp {
				t.Errorf("October report has %d registrations, want about %.0f", doc.Total.Registrations, exp)
			}
			if doc.Total.Customers == 0 || doc.Total.Spend == "0.00" {
				t.Errorf("October report has %d customers and spend %s", doc.Total.Customers, doc.Total.Spend)
			}
		})
	}
}
