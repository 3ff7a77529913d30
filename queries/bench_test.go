package queries_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/fixtures"
	"github.com/origen-analytics/origen/fixtures/mysqltest"
	"github.com/origen-analytics/origen/fixtures/pgtest"
	"github.com/origen-analytics/origen/queries"
)

// BenchmarkReadPostgres measures a whole report read (snapshot, quality
// counts, cohort and spend aggregation, Compute) on generated data of two
// sizes. Memory target: B/op and the peak heap stay the same order for
// 100k and 1M registrations, because aggregation happens in SQL.
func BenchmarkReadPostgres(b *testing.B) {
	for _, tc := range []struct {
		n     int
		dense bool // all registrations in the report's month
	}{{100_000, false}, {1_000_000, false}, {100_000, true}} {
		n := tc.n
		name := fmt.Sprintf("registrations=%d", n)
		if tc.dense {
			name = fmt.Sprintf("registrations=%d_in_the_period", n)
		}
		b.Run(name, func(b *testing.B) {
			db, err := sqlx.Open("postgres", pgtest.NewDatabase(b))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			cfg := fixtures.DemoConfig()
			cfg.Registrations = n
			if tc.dense {
				cfg.Start = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
			}
			started := time.Now()
			if err := fixtures.LoadPostgres(context.Background(), db.DB, "bench", cfg); err != nil {
				b.Fatal(err)
			}
			b.Logf("loaded %d registrations in %v", n, time.Since(started).Round(time.Millisecond))
			mapping := queries.Mapping{
				Registrations: queries.Source{Table: "bench.registrations"},
				Purchases:     queries.Source{Table: "bench.purchases"},
				Spend:         &queries.Source{Table: "bench.spend"},
			}
			benchRead(b, db, queries.Postgres, mapping)
		})
	}
}

func benchRead(b *testing.B, db *sqlx.DB, d queries.Dialect, m queries.Mapping) {
	b.Helper()
	ctx := context.Background()
	loc, _ := time.LoadLocation(fixtures.DemoTimezone)
	req := attribution.ReportRequest{Period: fixtures.DemoPeriod(), Location: loc, Timezone: fixtures.DemoTimezone,
		AsOf: fixtures.DemoAsOf, WindowDays: 30}
	var peak uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { // sample the live heap while the benchmark runs
		defer close(done)
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
		}
	}()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		snap, err := queries.Open(ctx, db, queries.SnapshotOptions{Dialect: d, Mapping: m, Timezone: fixtures.DemoTimezone})
		if err != nil {
			b.Fatal(err)
		}
		rep, err := attribution.BuildReport(ctx, snap, req)
		snap.Close()
		if err != nil {
			b.Fatal(err)
		}
		if rep.Total.Registrations == 0 {
			b.Fatal("no registrations in the period")
		}
	}
	b.StopTimer()
	close(stop)
	<-done
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// BenchmarkReadMySQL is BenchmarkReadPostgres on MariaDB (or MySQL), the
// data loaded by fixtures.LoadMySQL (with its (user_id, time) indexes):
// a report's time next to PostgreSQL's on the same machine is in
// docs/PERFORMANCE.md.
func BenchmarkReadMySQL(b *testing.B) {
	for _, n := range []int{100_000} {
		b.Run(fmt.Sprintf("registrations=%d", n), func(b *testing.B) {
			db, err := sqlx.Open("mysql", mysqltest.NewDatabase(b))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			cfg := fixtures.DemoConfig()
			cfg.Registrations = n
			started := time.Now()
			if err := fixtures.LoadMySQL(context.Background(), db.DB, "", cfg, fixtures.LoadOptions{}); err != nil {
				b.Fatal(err)
			}
			b.Logf("loaded %d registrations in %v", n, time.Since(started).Round(time.Millisecond))
			mapping := queries.Mapping{
				Registrations: queries.Source{Table: "registrations"},
				Purchases:     queries.Source{Table: "purchases"},
				Spend:         &queries.Source{Table: "spend"},
			}
			benchRead(b, db, queries.MySQL, mapping)
		})
	}
}
