package queries_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/fixtures"
)

// readProspects returns the open registrations at asOf as sorted lines
// "user channel campaign age".
func readProspects(t *testing.T, e edgeDB, asOf time.Time) []string {
	t.Helper()
	var out []string
	_, err := e.snapshot(t, "UTC").ReadFacts(context.Background(), attribution.FactsRequest{AsOf: asOf, Location: time.UTC, WindowDays: 30,
		OnProspect: func(_ *attribution.Facts, o attribution.OpenRegistration) error {
			age := int(asOf.Sub(o.RegisteredAt) / (24 * time.Hour))
			out = append(out, fmt.Sprintf("%s|%s|%s|%d", o.UserID, attribution.NormalizeChannel(o.Channel, o.ChannelValid),
				attribution.NormalizeCampaign(o.Campaign, o.CampaignValid), age))
			return nil
		}})
	if err != nil {
		t.Fatalf("read prospects: %v", err)
	}
	sort.Strings(out)
	return out
}

// Prospects of the edge-case data at 2026-03-31 11:00 UTC, by hand: inside
// the window means registered after 03-01 11:00 (u2, registered exactly
// then, is mature); u3 converted, u4 was a customer before, u17 registers
// after as_of. u14's purchase comes after as_of, so it is still a prospect.
func TestProspectsByHand(t *testing.T) {
	want := "14|Search||29 16|Search||29 5|Social||29"
	for _, e := range openReportEdgeDBs(t) {
		t.Run(string(e.dialect), func(t *testing.T) {
			if got := strings.Join(readProspects(t, e, edgeAsOf), " "); got != want {
				t.Errorf("prospects = %s, want %s", got, want)
			}
		})
	}
}

// The prospects streamed one by one are exactly the open registrations the
// curves query counts (so the backtest, which works on those counts,
// measures the same people), and all databases agree.
func TestProspectsMatchCurveCounts(t *testing.T) {
	dbs := generated(t, smallConfig(7))
	asOf := time.Date(2026, 9, 14, 15, 30, 0, 0, time.UTC)
	lists := make([][]string, len(dbs))
	for i, e := range dbs {
		lists[i] = readProspects(t, e, asOf)
		set := readCurves(t, e, "UTC", 30, attribution.ProspectCurveSpec(asOf, time.Time{}, 30))
		counts := map[string]int64{}
		for _, line := range lists[i] {
			_, rest, _ := strings.Cut(line, "|")
			counts[rest]++
		}
		var open int64
		for _, c := range set.Campaigns {
			for a, n := range c.Open {
				if n != 0 {
					key := fmt.Sprintf("%s|%s|%d", c.Channel, c.Campaign, a)
					if counts[key] != n {
						t.Errorf("%s %s: %d prospects, curves count %d open", e.dialect, key, counts[key], n)
					}
					open += n
				}
			}
		}
		if open != int64(len(lists[i])) || open < 100 {
			t.Errorf("%s: %d prospects, %d open in the curves", e.dialect, len(lists[i]), open)
		}
	}
	for i := 1; i < len(dbs); i++ {
		if strings.Join(lists[0], "\n") != strings.Join(lists[i], "\n") {
			t.Errorf("sqlite and %s prospects differ: %d vs %d", dbs[i].dialect, len(lists[0]), len(lists[i]))
		}
	}
}

// Backtest on generated data with known propensities (each channel's
// TrueCDF): scores made 7 days before several as-ofs, measured on what
// happened in those 7 days. Better than random: the best-scored decile
// converts more than twice as often as all prospects (lift > 2).
// Calibration: the user-weighted mean gap between predicted and observed
// rate over the deciles is at most 0.01 (one percentage point; observed
// 7-day rates are 0–20%) and no decile is off by more than 0.05.
func TestBacktestOnGeneratedData(t *testing.T) {
	cfg := fixtures.DemoConfig()
	e := generatedSQLite(t, cfg)
	const horizon = 7
	var all []attribution.ScoredGroup
	for _, asOf := range []time.Time{
		time.Date(2026, 6, 10, 9, 0, 0, 0, time.UTC),
		time.Date(2026, 8, 20, 18, 0, 0, 0, time.UTC),
		fixtures.DemoAsOf.Add(-horizon * 24 * time.Hour),
	} {
		set := readCurves(t, e, "UTC", 30, attribution.ProspectCurveSpec(asOf, asOf.Add(horizon*24*time.Hour), 30))
		groups := attribution.BacktestGroups(set, attribution.NewScorer(set, horizon))
		b := attribution.EvaluateBacktest(groups, 100)
		t.Logf("scored at %s: %s", asOf.Format(time.RFC3339), backtestSummary(b))
		for _, d := range b.Deciles {
			t.Logf("  decile %2d: %6.1f users, predicted %.4f, observed %.4f", d.Decile, d.Users, d.MeanScore, d.ObservedRate)
		}
		if !b.TopDecileLift.Valid || b.TopDecileLift.Value <= 2 {
			t.Errorf("scored at %s: top-decile lift %+v, want > 2", asOf.Format(time.DateOnly), b.TopDecileLift)
		}
		all = append(all, groups...)
	}
	b := attribution.EvaluateBacktest(all, 300)
	t.Logf("pooled: %s", backtestSummary(b))
	if b.CalibrationError.Value > 0.01 || b.MaxCalibrationGap.Value > 0.05 || b.TopDecileLift.Value <= 2 {
		t.Errorf("pooled backtest out of tolerance: %s", backtestSummary(b))
	}
}

func backtestSummary(b attribution.Backtest) string {
	return fmt.Sprintf("%d prospects, %d bought in the horizon (base %.4f); precision in top %d %.4f; top-decile rate %.4f, lift %.2f; calibration error %.4f (max %.4f)",
		b.Users, b.Converted, b.BaseRate.Value, b.TopN, b.PrecisionAtN.Value, b.TopDecileRate.Value, b.TopDecileLift.Value,
		b.CalibrationError.Value, b.MaxCalibrationGap.Value)
}
