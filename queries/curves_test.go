package queries_test

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/fixtures"
	"github.com/origen-analytics/origen/queries"
)

// curveLine prints the non-zero per-day counts of a curve.
func curveLine(c attribution.Curve) string {
	var parts []string
	for d := 0; d <= c.WindowDays; d++ {
		if c.Events[d] != 0 {
			parts = append(parts, fmt.Sprintf("e%d=%d", d, c.Events[d]))
		}
		if c.Censored[d] != 0 {
			parts = append(parts, fmt.Sprintf("c%d=%d", d, c.Censored[d]))
		}
		if c.Open[d] != 0 {
			parts = append(parts, fmt.Sprintf("o%d=%d", d, c.Open[d]))
		}
		if c.OpenNext[d] != 0 {
			parts = append(parts, fmt.Sprintf("n%d=%d", d, c.OpenNext[d]))
		}
	}
	return c.Channel + ": " + strings.Join(parts, " ")
}

// The curves query on the edge-case data, computed by hand. as_of is
// 2026-03-31 11:00 UTC, W = 30; the population is 2026-02-01 to 2026-03-02
// (UTC), the open registrations are those of 1 March.
//
//	u1  Search 03-01 10:00, buys at registering          -> event day 0
//	u2  Search 03-01 11:00, buys at exactly +30 d        -> censored at 30 (age exactly 30 d)
//	u3  " Search" 03-01 12:00, buys 03-05 12:00           -> event day 4 (age 29 d 23 h)
//	u4  Social, bought before registering                -> left out
//	u5  Social 03-01 23:30, no purchase, age 29 d 11.5 h  -> censored at 29, open at 29
//	u6  Email (duplicate under Search ignored)           -> censored at 30
//	u7, u8 (none); u9 =1+1; u12 <script>                 -> censored at 30
//	u11 Email, zero purchase then one on day 3           -> event day 3
//	u13 Réseaux sociaux, buys 1 s before the window ends -> event day 29
//	u14 Search 03-01 20:00, buys after as_of (03-31 12:00) -> censored at 29, open at 29;
//	    with outcome_end one day later it bought next    -> n29 = 1
//	u15 Search 02-28 23:59:59 (before the period, inside the population) -> censored at 30
//	u16 registers on 03-02: outside; u17 after as_of: outside.
func TestCurvesByHand(t *testing.T) {
	march1 := attribution.Period{From: attribution.Date{Year: 2026, Month: 3, Day: 1}, To: attribution.Date{Year: 2026, Month: 3, Day: 2}}
	want := []string{
		"(none): c30=2",
		"<script>alert(1)</script>: c30=1",
		"=1+1: c30=1",
		"Email: e3=1 c30=1",
		"Réseaux sociaux: e29=1",
		"Search: e0=1 e4=1 c29=1 o29=1 n29=1 c30=2",
		"Social: c29=1 o29=1",
	}
	for _, e := range openReportEdgeDBs(t) {
		t.Run(string(e.dialect), func(t *testing.T) {
			p := reportCurveSpec(march1, time.UTC, edgeAsOf, 30)
			if got := p.PopulationStart.Format(time.DateOnly); got != "2025-12-01" {
				t.Fatalf("population starts %s, want 3 windows before 2026-03-01", got)
			}
			p.PopulationStart = time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
			p.OutcomeEnd = edgeAsOf.Add(24 * time.Hour)
			set := readCurves(t, e, "UTC", 30, p)
			var got []string
			for _, c := range set.Channels {
				got = append(got, curveLine(c))
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("curves:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
			}
			// Search: n0 = 2 events + 3 censored = 5, h0 = 1/5; n4 = 4, h4 = 1/4;
			// F(30) = 1 − 0.8·0.75 = 0.4. Its open registration (age 29)
			// converts by day 30 with probability 0 (no event after day 4).
			s, _ := set.Channel("Search")
			if s.AtRisk[0] != 5 || s.AtRisk[4] != 4 || s.AtRisk[29] != 2 || math.Abs(s.F[30]-0.4) > 1e-12 {
				t.Errorf("Search KM: n0=%d n4=%d n29=%d F(30)=%v", s.AtRisk[0], s.AtRisk[4], s.AtRisk[29], s.F[30])
			}
			if len(set.Campaigns) != 0 {
				t.Errorf("campaign curves without a campaign column: %d", len(set.Campaigns))
			}
			// Without a later outcome end, nothing after as_of is seen.
			p.OutcomeEnd = time.Time{}
			s2, _ := readCurves(t, e, "UTC", 30, p).Channel("Search")
			if s2.OpenNext[29] != 0 {
				t.Errorf("purchase after as_of counted without a backtest outcome end")
			}
		})
	}
}

// generatedSQLite builds generated data into SQLite only (fast).
func generatedSQLite(t testing.TB, cfg fixtures.Config) edgeDB {
	t.Helper()
	t.Logf("generator seed %d, %d registrations", cfg.Seed, cfg.Registrations)
	sq, err := sqlx.Open("sqlite", filepath.Join(t.TempDir(), "gen.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sq.Close() })
	if err := fixtures.BuildSQLite(context.Background(), sq.DB, cfg); err != nil {
		t.Fatal(err)
	}
	cols := func(names ...string) map[string]string {
		m := map[string]string{}
		for _, n := range names {
			m[n] = n
		}
		return m
	}
	return edgeDB{sq, queries.SQLite, queries.Mapping{
		Registrations: queries.Source{Table: "registrations", Columns: cols("user_id", "registered_at", "channel", "campaign")},
		Purchases:     queries.Source{Table: "purchases", Columns: cols("user_id", "purchased_at", "amount")},
		Spend:         &queries.Source{Table: "spend", Columns: cols("date", "channel", "amount")},
	}}
}

// The same data gives the same curves on PostgreSQL and SQLite.
func TestCurvesAgreeAcrossDatabases(t *testing.T) {
	dbs := generated(t, smallConfig(7))
	loc, _ := time.LoadLocation("Europe/Berlin")
	for _, c := range []struct {
		from, to string
		asOf     time.Time
	}{
		{"2026-10-01", "2026-11-01", fixtures.DemoAsOf},
		{"2026-03-25", "2026-03-31", time.Date(2026, 4, 10, 13, 0, 0, 0, time.UTC)},
	} {
		t.Run(c.from, func(t *testing.T) {
			p := reportCurveSpec(mustPeriod(t, c.from, c.to), loc, c.asOf, 30)
			p.OutcomeEnd = c.asOf.Add(-24 * time.Hour) // before as_of: ignored
			a := readCurves(t, dbs[0], "Europe/Berlin", 30, p)
			b := readCurves(t, dbs[1], "Europe/Berlin", 30, p)
			if a.All.Conversions == 0 || len(a.Campaigns) == 0 {
				t.Fatalf("degenerate curves: %s", curveLine(a.All))
			}
			if !reflect.DeepEqual(a, b) {
				for i := range a.Channels {
					if i < len(b.Channels) && curveLine(a.Channels[i]) != curveLine(b.Channels[i]) {
						t.Errorf("sqlite   %s\npostgres %s", curveLine(a.Channels[i]), curveLine(b.Channels[i]))
					}
				}
				t.Fatalf("curves differ: sqlite %s / postgres %s", curveLine(a.All), curveLine(b.All))
			}
		})
	}
}

// demoChannels maps the demo's channel names to their generator channels,
// whose TrueCDF is the truth the curves estimate.
func demoChannels(cfg fixtures.Config) map[string]fixtures.Channel {
	m := map[string]fixtures.Channel{}
	for _, c := range cfg.Channels {
		m[c.Name] = c
	}
	return m
}

// On generated data the Kaplan–Meier curve's 95% band contains the true
// F(d) = P(first purchase within d days) of the generator at most days d of
// most channels. Three seeds × three disjoint four-month populations × 7
// channels give 63 independent curves. Tolerance: the bands are pointwise
// 95%, but the 30 days of one curve are strongly correlated (a curve that
// is off is off for many days), so at least 90% of all points must be
// covered, and at least 85% of the curves must cover 2/3 of their days.
func TestCurvesContainTheTruth(t *testing.T) {
	covered, points, goodCurves, curves := 0, 0, 0, 0
	for _, seed := range []uint64{20261120, 1, 2} {
		cfg := fixtures.DemoConfig()
		cfg.Seed = seed
		e := generatedSQLite(t, cfg)
		truth := demoChannels(cfg)
		for _, months := range [][2]time.Time{
			{time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)},
			{time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)},
			{time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)},
		} {
			start, end := months[0], months[1]
			set := readCurves(t, e, "UTC", 30, attribution.CurveSpec{AsOf: fixtures.DemoAsOf,
				PopulationStart: start, PopulationEnd: end, OpenStart: end, OpenEnd: end})
			for _, c := range set.Channels {
				ch, ok := truth[c.Channel]
				if !ok {
					continue // (none): dirty labels have no single truth
				}
				in := 0
				var misses []string
				for d := 1; d <= 30; d++ {
					f := ch.TrueCDF(float64(d))
					if c.Low[d] <= f && f <= c.High[d] {
						in++
					} else {
						misses = append(misses, fmt.Sprintf("d%d", d))
					}
				}
				covered += in
				points += 30
				curves++
				if 3*in >= 2*30 {
					goodCurves++
				}
				t.Logf("seed %d %s–%s %-14s n=%5d conv=%4d F(30)=%.4f [%.4f, %.4f] truth %.4f covered %d/30 %s",
					seed, start.Format("2006-01"), end.Format("2006-01"), c.Channel, c.Registrations, c.Conversions,
					c.F[30], c.Low[30], c.High[30], ch.TrueCDF(30), in, strings.Join(misses, " "))
			}
		}
	}
	rate := float64(covered) / float64(points)
	t.Logf("KM 95%% band coverage of the true curve: %d/%d points (%.1f%%), %d/%d curves cover >= 2/3 of their days",
		covered, points, 100*rate, goodCurves, curves)
	if curves != 63 {
		t.Fatalf("%d channel curves, want 63", curves)
	}
	if rate < 0.90 || 100*goodCurves < 85*curves {
		t.Errorf("band coverage too low: %.3f of points, %d/%d curves", rate, goodCurves, curves)
	}
}
