package queries_test

import (
	"context"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/fixtures"
	"github.com/origen-analytics/origen/queries"
)

// BenchmarkLTVMillion reads and computes the lifetime-value section on the
// data of `origen fixtures load --registrations 1000000 --schema ltv1m`
// in the PostgreSQL database ORIGEN_LTV_BENCH_DSN (docs/PERFORMANCE.md,
// "Lifetime value"): the two grouped statements, then the fits, timed
// apart, with the Go heap's peak.
//
//	ORIGEN_LTV_BENCH_DSN=postgres://postgres@127.0.0.1/ltvbench?sslmode=disable \
//	  go test ./queries -run X -bench LTVMillion -benchtime=1x
func BenchmarkLTVMillion(b *testing.B) {
	dsn := os.Getenv("ORIGEN_LTV_BENCH_DSN")
	if dsn == "" {
		b.Skip("ORIGEN_LTV_BENCH_DSN is not set")
	}
	db, err := sqlx.Open("postgres", dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	m := queries.Mapping{
		Registrations: queries.Source{Table: "ltv1m.registrations", Columns: map[string]string{"user_id": "user_id", "registered_at": "registered_at", "channel": "channel"}},
		Purchases:     queries.Source{Table: "ltv1m.purchases", Columns: map[string]string{"user_id": "user_id", "purchased_at": "purchased_at", "amount": "amount"}},
	}
	loc, _ := time.LoadLocation(fixtures.DemoTimezone)
	for i := 0; i < b.N; i++ {
		s, err := queries.Open(context.Background(), db, queries.SnapshotOptions{Dialect: queries.Postgres, Mapping: m, Timezone: fixtures.DemoTimezone})
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		var peak uint64
		done := make(chan struct{})
		go func() {
			var ms runtime.MemStats
			for {
				select {
				case <-done:
					return
				case <-time.After(20 * time.Millisecond):
					runtime.ReadMemStats(&ms)
					peak = max(peak, ms.HeapInuse)
				}
			}
		}()
		t0 := time.Now()
		f, err := s.ReadLTV(context.Background(), attribution.LTVRequestFor(fixtures.DemoAsOf, loc, 24))
		if err != nil {
			b.Fatal(err)
		}
		read := time.Since(t0)
		t1 := time.Now()
		l, err := attribution.BuildLTV(attribution.LTVInputs{AsOf: fixtures.DemoAsOf, Location: loc, CohortMonths: 24, GrossMargin: 1, Facts: f})
		if err != nil {
			b.Fatal(err)
		}
		fit := time.Since(t1)
		close(done)
		s.Close()
		var customers int64
		for _, r := range f.Summaries {
			customers += r.Customers
		}
		b.Logf("read %s (%d cohort rows, %d month rows, %d summary rows, %d spend rows; %d customers), compute and fit %s, %d channels; Go heap peak %.1f MiB",
			read.Round(time.Millisecond), len(f.Cohorts), len(f.Months), len(f.Summaries), len(f.Spend), customers,
			fit.Round(time.Millisecond), len(l.Channels), float64(peak)/(1<<20))
	}
}
