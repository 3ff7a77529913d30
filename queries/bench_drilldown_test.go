package queries_test

import (
	"context"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/fixtures"
	"github.com/origen-analytics/origen/fixtures/pgtest"
	"github.com/origen-analytics/origen/queries"
)

// BenchmarkFactsPass times the one pass (facts.sql) of the demo's report
// on 100,000 generated registrations in PostgreSQL, with the mapping of
// before the drill-down (channel and campaign only) and with source,
// medium and two declared dimensions mapped (docs/PERFORMANCE.md,
// "Drill-down"). Run the first case on the commit before the drill-down
// for the ratio.
func BenchmarkFactsPass(b *testing.B) {
	db, err := sqlx.Open("postgres", pgtest.NewDatabase(b))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	cfg := fixtures.DemoConfig()
	cfg.Registrations = 100_000
	b.Logf("generator seed %d", cfg.Seed)
	if err := fixtures.LoadPostgres(context.Background(), db.DB, "bench", cfg); err != nil {
		b.Fatal(err)
	}
	cols := func(names ...string) map[string]string {
		m := map[string]string{}
		for _, n := range names {
			m[n] = n
		}
		return m
	}
	base := queries.Mapping{
		Registrations: queries.Source{Table: "bench.registrations", Columns: cols("user_id", "registered_at", "channel", "campaign")},
		Purchases:     queries.Source{Table: "bench.purchases"},
	}
	drill := base
	drill.Registrations.Columns = cols("user_id", "registered_at", "channel", "campaign", "source", "medium")
	drill.Registrations.Dimensions = []string{"country", "device"}
	for _, tc := range []struct {
		name string
		m    queries.Mapping
	}{{"channel_and_campaign", base}, {"with_source_medium_and_2_dimensions", drill}} {
		b.Run(tc.name, func(b *testing.B) { benchFacts(b, db, tc.m) })
	}
}

func benchFacts(b *testing.B, db *sqlx.DB, m queries.Mapping) {
	ctx := context.Background()
	loc, _ := time.LoadLocation(fixtures.DemoTimezone)
	fr := attribution.ReportFacts(fixtures.DemoPeriod(), fixtures.DemoAsOf, loc, 30, attribution.DefaultHorizonDays, false)
	fr.OnProspect = func(*attribution.Facts, attribution.OpenRegistration) error { return nil }
	for b.Loop() {
		snap, err := queries.Open(ctx, db, queries.SnapshotOptions{Dialect: queries.Postgres, Mapping: m, Timezone: fixtures.DemoTimezone})
		if err != nil {
			b.Fatal(err)
		}
		f, err := snap.ReadFacts(ctx, fr)
		snap.Close()
		if err != nil {
			b.Fatal(err)
		}
		if len(f.Cohort) == 0 {
			b.Fatal("no cohort")
		}
	}
}
