package queries_test

import (
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/fixtures"
	"github.com/origen-analytics/origen/queries"
)

// BenchmarkLTVDemo reads and computes the lifetime-value section of the
// demo business on SQLite (what `origen demo` adds for it,
// docs/PERFORMANCE.md "Lifetime value"), the read and the fits timed
// apart.
//
//	go test ./queries -run '^$' -bench LTVDemo -benchtime 5x
func BenchmarkLTVDemo(b *testing.B) {
	db := generatedSQLite(b, fixtures.DemoConfig())
	loc, _ := time.LoadLocation(fixtures.DemoTimezone)
	var read, fit time.Duration
	for i := 0; i < b.N; i++ {
		s, err := queries.Open(context.Background(), db.db, queries.SnapshotOptions{Dialect: queries.SQLite, Mapping: db.mapping, Timezone: fixtures.DemoTimezone})
		if err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		f, err := s.ReadLTV(context.Background(), attribution.LTVRequestFor(fixtures.DemoAsOf, loc, 24))
		s.Close()
		if err != nil {
			b.Fatal(err)
		}
		read += time.Since(t0)
		if p := os.Getenv("ORIGEN_LTV_DUMP"); p != "" && i == 0 {
			j, _ := json.Marshal(f)
			os.WriteFile(p, j, 0o644)
		}
		t1 := time.Now()
		if _, err := attribution.BuildLTV(attribution.LTVInputs{AsOf: fixtures.DemoAsOf, Location: loc, CohortMonths: 24, GrossMargin: 1, Facts: f}); err != nil {
			b.Fatal(err)
		}
		fit += time.Since(t1)
	}
	b.ReportMetric(float64(read.Milliseconds())/float64(b.N), "read-ms/op")
	b.ReportMetric(float64(fit.Milliseconds())/float64(b.N), "fit-ms/op")
}
