package queries_test

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/fixtures"
	"github.com/origen-analytics/origen/fixtures/mysqltest"
	"github.com/origen-analytics/origen/fixtures/pgtest"
	"github.com/origen-analytics/origen/queries"
)

// generated loads the same generated data into SQLite, PostgreSQL and
// MariaDB (or MySQL).
func generated(t *testing.T, cfg fixtures.Config) []edgeDB {
	t.Helper()
	t.Logf("generator seed %d, %d registrations", cfg.Seed, cfg.Registrations)
	ctx := context.Background()
	sq, err := sqlx.Open("sqlite", filepath.Join(t.TempDir(), "gen.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sq.Close() })
	if err := fixtures.BuildSQLite(ctx, sq.DB, cfg); err != nil {
		t.Fatal(err)
	}
	pg, err := sqlx.Open("postgres", pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Close() })
	if err := fixtures.LoadPostgres(ctx, pg.DB, "gen", cfg); err != nil {
		t.Fatal(err)
	}
	my, err := sqlx.Open("mysql", mysqltest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { my.Close() })
	if err := fixtures.LoadMySQL(ctx, my.DB, "", cfg, fixtures.LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	mapping := func(prefix string) queries.Mapping {
		cols := func(names ...string) map[string]string {
			m := map[string]string{}
			for _, n := range names {
				m[n] = n
			}
			return m
		}
		return queries.Mapping{
			Registrations: queries.Source{Table: prefix + "registrations", Columns: cols("user_id", "registered_at", "channel", "campaign")},
			Purchases:     queries.Source{Table: prefix + "purchases", Columns: cols("user_id", "purchased_at", "amount")},
			Spend:         &queries.Source{Table: prefix + "spend", Columns: cols("date", "channel", "amount")},
		}
	}
	return []edgeDB{{sq, queries.SQLite, mapping("")}, {pg, queries.Postgres, mapping("gen.")}, {my, queries.MySQL, mapping("")}}
}

func smallConfig(seed uint64) fixtures.Config {
	cfg := fixtures.DemoConfig()
	cfg.Seed = seed
	cfg.Registrations = 6000
	return cfg
}

// The same data gives the same numbers on PostgreSQL, SQLite and MariaDB,
// in every period, time zone and as-of tried.
func TestPostgresAndSQLiteAgree(t *testing.T) {
	dbs := generated(t, smallConfig(7))
	cases := []struct {
		from, to, tz string
		asOf         time.Time
	}{
		{"2026-10-01", "2026-11-01", "Europe/Berlin", fixtures.DemoAsOf},
		{"2026-03-01", "2026-04-01", "UTC", fixtures.DemoAsOf},
		{"2026-03-25", "2026-03-31", "America/New_York", time.Date(2026, 4, 10, 13, 0, 0, 0, time.UTC)},
		{"2025-11-01", "2026-11-01", "Asia/Tokyo", fixtures.DemoAsOf},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s_%s_%s", c.from, c.to, c.tz), func(t *testing.T) {
			p := mustPeriod(t, c.from, c.to)
			a := runReport(t, dbs[0], p, c.tz, c.asOf)
			if a.Total.Registrations == 0 || a.Total.Customers == 0 {
				t.Fatalf("degenerate data: %s", row(a.Total))
			}
			for _, other := range dbs[1:] {
				b := runReport(t, other, p, c.tz, c.asOf)
				if !reflect.DeepEqual(a, b) {
					for i := range a.Channels {
						if i < len(b.Channels) && row(a.Channels[i]) != row(b.Channels[i]) {
							t.Errorf("sqlite   %s\n%-8s %s", row(a.Channels[i]), other.dialect, row(b.Channels[i]))
						}
					}
					t.Fatalf("reports differ:\nsqlite   %+v\n%-8s %+v", a.Total, other.dialect, b.Total)
				}
			}
		})
	}
}

// Splitting a period never changes a user's cohort: the counts and money
// of two adjacent periods add up to those of the whole period, per channel.
func TestSplittingAPeriodKeepsCohorts(t *testing.T) {
	dbs := generated(t, smallConfig(11))
	for _, db := range dbs {
		t.Run(string(db.dialect), func(t *testing.T) {
			for _, split := range []string{"2026-03-02", "2026-03-15", "2026-03-29", "2026-03-31"} {
				whole := runReport(t, db, mustPeriod(t, "2026-03-01", "2026-04-01"), "Europe/Berlin", fixtures.DemoAsOf)
				a := runReport(t, db, mustPeriod(t, "2026-03-01", split), "Europe/Berlin", fixtures.DemoAsOf)
				b := runReport(t, db, mustPeriod(t, split, "2026-04-01"), "Europe/Berlin", fixtures.DemoAsOf)
				sum := map[string][4]int64{}
				for _, r := range []attribution.Report{a, b} {
					for _, m := range r.Channels {
						s := sum[m.Channel]
						s[0] += m.Registrations
						s[1] += m.Customers
						s[2] += int64(m.Revenue)
						s[3] += m.Immature
						sum[m.Channel] = s
					}
				}
				for _, m := range whole.Channels {
					want := [4]int64{m.Registrations, m.Customers, int64(m.Revenue), m.Immature}
					if sum[m.Channel] != want {
						t.Errorf("split at %s, channel %s: parts sum to %v, whole period has %v", split, m.Channel, sum[m.Channel], want)
					}
				}
			}
		})
	}
}

func mustPeriod(t *testing.T, from, to string) attribution.Period {
	t.Helper()
	f, err := attribution.ParseDate(from)
	if err != nil {
		t.Fatal(err)
	}
	e, err := attribution.ParseDate(to)
	if err != nil {
		t.Fatal(err)
	}
	return attribution.Period{From: f, To: e}
}
