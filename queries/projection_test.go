package queries_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/fixtures"
)

// A projection made early lands within its interval of the value observed
// once the same registrations have matured, on most channels. Three seeds
// × two periods × four early as-ofs (local midnight 3, 12 and 25 days after
// the period's start, and 5 days after its end) × the demo's channels and
// the Total; the later value is the customers of the registrations that
// existed at the early as-of, observed when all are W days old. Tolerance: the
// intervals are approximate 95% prediction intervals, so at least 85% of
// the projections must hit.
func TestProjectionLandsWithinItsInterval(t *testing.T) {
	finalAsOf := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	hits, cases := 0, 0
	t.Run("seeds", func(t *testing.T) {
		for _, seed := range []uint64{20261120, 1, 2} {
			t.Run(fmt.Sprint(seed), func(t *testing.T) {
				t.Parallel()
				cfg := fixtures.DemoConfig()
				cfg.Seed = seed
				e := generatedSQLite(t, cfg)
				for _, month := range []string{"2026-08", "2026-09"} {
					period := mustPeriod(t, month+"-01", map[string]string{"2026-08": "2026-09-01", "2026-09": "2026-10-01"}[month])
					loc, _ := time.LoadLocation(fixtures.DemoTimezone)
					for _, days := range []int{3, 12, 25, period.Days() + 5} {
						// The early as-of is a local midnight, so the registrations
						// that exist then are exactly those of [From, cut).
						asOf := period.From.AddDays(days).In(loc)
						cut := attribution.Period{From: period.From, To: period.From.AddDays(min(days, period.Days()))}
						// Once every registration is mature, the curve's events are
						// exactly the customers of METRICS.md (and far cheaper to
						// read than a report).
						cs, ce := cut.Bounds(loc)
						final := readCurves(t, e, fixtures.DemoTimezone, 30, attribution.CurveSpec{AsOf: finalAsOf,
							PopulationStart: cs, PopulationEnd: ce, OpenStart: ce, OpenEnd: ce})
						if final.All.AtRisk[29]+final.All.Events[29] == 0 || final.All.Censored[29] != 0 {
							t.Fatalf("%s is not mature at the final as-of", cut)
						}
						observed := map[string]int64{"Total": final.All.Conversions}
						for _, c := range final.Channels {
							observed[c.Channel] = c.Conversions
						}
						rep := runReport(t, e, period, fixtures.DemoTimezone, asOf)
						for _, m := range append(rep.Channels, rep.Total) {
							if m.Registrations < 50 {
								continue // (none): a handful of dirty labels
							}
							if !m.ProjectedCustomers.Valid {
								t.Errorf("seed %d %s as of %s: %s has no projection (%q)", seed, month, asOf.Format(time.DateOnly), m.Channel, m.ProjectionCurve)
								continue
							}
							got := float64(observed[m.Channel])
							hit := m.ProjectedCustomersLow.Value <= got && got <= m.ProjectedCustomersHigh.Value
							mu.Lock()
							cases++
							if hit {
								hits++
							}
							mu.Unlock()
							t.Logf("seed %d %s as of %s %-14s observed %4d then, projected %7.1f [%7.1f, %7.1f], finally %4.0f hit=%v",
								seed, month, asOf.Format(time.DateOnly), m.Channel, m.Customers, m.ProjectedCustomers.Value,
								m.ProjectedCustomersLow.Value, m.ProjectedCustomersHigh.Value, got, hit)
						}
					}
				}
			})
		}
	})
	t.Logf("projection hit rate: %d/%d (%.1f%%)", hits, cases, 100*float64(hits)/float64(cases))
	if cases < 150 || 100*hits < 85*cases {
		t.Errorf("projections within their interval: %d/%d, want >= 85%%", hits, cases)
	}
}
