package reports

import (
	"strings"
	"testing"
	"time"

	"github.com/origen-analytics/origen/attribution"
)

// Prospect ids and campaigns chosen for the edge cases of spreadsheets and
// pages: formulas, a leading zero, a negative number, markup.
const (
	idFormula  = `=HYPERLINK("http://evil.example","click")`
	idZero     = "0012"
	idNegative = "-5"
	idScript   = "</script><script>alert(2)</script>"
	campPlus   = "+cmd|' /C calc'!A0"
	campAt     = "@SUM(A1:A9)"
)

// maturityReport is sampleReport with what cmd/origen adds about
// registration quality over time: conversion curves (complete,
// incomplete and missing ones) with the projection they give, weekly
// cohorts whose later day-N columns are not mature yet, the weekly trend,
// prospects with hostile ids and a backtest. The numbers are made up but
// consistent with the attribution package's rules.
func maturityReport(t *testing.T) attribution.Report {
	t.Helper()
	r := sampleReport(t)
	w := r.WindowDays
	loc, err := time.LoadLocation(r.Timezone)
	if err != nil {
		t.Fatal(err)
	}

	// Curves: per channel, events per day and the survivors censored at
	// the end of the window (mature) or at their age (open).
	var rows []attribution.CurveRow
	curve := func(ch string, n int64, hazard func(d int) float64, follow int, open map[int]int64) {
		atRisk := n
		for d := 0; d < follow && d < w; d++ {
			e := int64(float64(atRisk)*hazard(d) + 0.5)
			atRisk -= e
			rows = append(rows, attribution.CurveRow{Channel: ch, ChannelValid: true, Day: d, Converted: e})
		}
		for a, k := range open {
			rows = append(rows, attribution.CurveRow{Channel: ch, ChannelValid: true, Day: a, Censored: k, Open: k})
			atRisk -= k
		}
		rows = append(rows, attribution.CurveRow{Channel: ch, ChannelValid: true, Day: min(follow, w), Censored: atRisk})
	}
	decay := func(h0 float64) func(int) float64 {
		return func(d int) float64 { return h0 / float64(1+d) }
	}
	open := map[int]int64{}
	for a := 0; a < 10; a++ {
		open[a] = 3
	}
	curve(chSearch, 4000, decay(0.03), w, open)
	curve(chSocial, 900, decay(0.02), 20, map[int]int64{2: 6, 5: 4})                 // incomplete: the pooled curve projects it
	curve(chScript, 300, func(int) float64 { return 0.004 }, w, map[int]int64{1: 5}) // few conversions: a wide band
	curve(chFormula, 150, decay(0.05), w, nil)                                       // all mature: observed
	curve(chGone, 500, decay(0.04), w, nil)                                          // registered before the period only
	curve(hostileNames[2], 200, decay(0.04), w, nil)                                 // go-echarts' marker for raw JavaScript
	set, err := attribution.BuildCurves(rows, w)
	if err != nil {
		t.Fatal(err)
	}
	r.CurvePeriod = attribution.ReportCurvePeriod(r.Period, w)
	byName := map[string]attribution.Curve{}
	for _, c := range set.Channels {
		byName[c.Channel] = c
	}
	for _, m := range r.Channels {
		if c, ok := byName[m.Channel]; ok {
			r.Curves = append(r.Curves, c)
			delete(byName, m.Channel)
		}
	}
	r.Curves = append(r.Curves, byName[chGone], byName[hostileNames[2]])
	r.CurvesTotal = set.All
	attribution.Project(&r, set)

	// Cohorts and trend: daily rows over March.
	var days []attribution.DailyRow
	var spend []attribution.DailySpendRow
	for d := r.Period.From; d.Before(r.Period.To); d = d.AddDays(1) {
		i := int64(d.Day)
		for _, ch := range []struct {
			name string
			regs int64
			conv [attribution.NumCohortDays]int64
		}{
			{chSearch, 40 + i%5, [4]int64{2, 3, 4, 4}},
			{chSocial, 12 + i%3, [4]int64{0, 1, 1, 2}},
			{chScript, 1, [4]int64{}},
			{chFormula, 1 + i%2, [4]int64{i % 2, i % 2, i % 2, i % 2}},
		} {
			customers := ch.conv[2]
			var immature int64
			if d.Day > 10 {
				immature = ch.regs - customers
			}
			days = append(days, attribution.DailyRow{Channel: ch.name, ChannelValid: true, Date: d, Registrations: ch.regs,
				Customers: customers, Immature: immature, Revenue: attribution.Money(customers * 41 * attribution.MoneyScale), ConvertedBy: ch.conv})
		}
		spend = append(spend,
			attribution.DailySpendRow{Channel: chSearch, ChannelValid: true, Date: d, Amount: 398 * attribution.MoneyScale},
			attribution.DailySpendRow{Channel: chKanji, ChannelValid: true, Date: d, Amount: 32 * attribution.MoneyScale})
	}
	in := attribution.CohortInputs{Period: r.Period, Grain: attribution.CohortWeek, Location: loc, AsOf: r.AsOf, WindowDays: w}
	for _, m := range r.Channels {
		in.Order = append(in.Order, m.Channel)
	}
	r.CohortGrain = attribution.CohortWeek
	r.Cohorts, r.CohortTotals = attribution.Cohorts(days, spend, in)
	r.Trend, r.TrendTotals = attribution.Cohorts(days, spend, in)

	// Prospects, best first, and the backtest of the same scores.
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	r.ProspectsHorizonDays = 7
	r.ProspectsScored = 2070
	r.Prospects = []attribution.Prospect{
		{UserID: idFormula, Channel: chScript, Campaign: campPlus, RegisteredAt: at("2026-04-09T21:59:00Z"), AgeDays: 0, Probability: 0.2354, Basis: attribution.ScoreCampaign},
		{UserID: idZero, Channel: chSearch, Campaign: campAt, RegisteredAt: at("2026-03-29T01:30:00Z"), AgeDays: 11, Probability: 0.1021, Basis: attribution.ScoreChannel},
		{UserID: idNegative, Channel: chSocial, Campaign: attribution.NoCampaign, RegisteredAt: at("2026-04-05T10:00:00Z"), AgeDays: 4, Probability: 0.05, Basis: attribution.ScoreAllChannels},
		{UserID: idScript, Channel: chImg, Campaign: "<b>spring</b>", RegisteredAt: at("2026-04-01T12:00:00Z"), AgeDays: 8, Probability: 0.011, Basis: attribution.ScoreChannel},
	}
	var groups []attribution.ScoredGroup
	for i := 0; i < 20; i++ {
		score := 0.2 / float64(1+i)
		users := int64(50 + 3*i)
		groups = append(groups, attribution.ScoredGroup{Score: score, Users: users, Converted: int64(score*float64(users)*1.1 + 0.3)})
	}
	bt := attribution.EvaluateBacktest(groups, 100)
	bt.HorizonDays = 7
	bt.AsOf = r.AsOf.Add(-7 * 24 * time.Hour)
	bt.OutcomeEnd = r.AsOf
	r.Backtest = &bt
	return r
}

// TestMaturityReportCoversEdgeCases guards the fixture: the writers'
// tests rely on these shapes.
func TestMaturityReportCoversEdgeCases(t *testing.T) {
	r := maturityReport(t)
	tests := []struct {
		name string
		ok   bool
	}{
		{"own curve", channel(t, r, chSearch).ProjectionCurve == attribution.ProjectionChannel},
		{"pooled curve", channel(t, r, chSocial).ProjectionCurve == attribution.ProjectionAllChannels},
		{"observed", channel(t, r, chFormula).ProjectionCurve == attribution.ProjectionObserved},
		{"no projection without registrations", channel(t, r, chKanji).ProjectionCurve == attribution.ProjectionNone && !channel(t, r, chKanji).ProjectedConversionRate.Valid},
		{"projected total", r.Total.ProjectedCostPerCustomer.Valid},
		{"projection adds customers", channel(t, r, chSearch).ProjectedCustomers.Value > float64(channel(t, r, chSearch).Customers)},
		{"curve of a channel outside the period", r.Curves[len(r.Curves)-2].Channel == chGone},
		{"several cohorts per channel", len(r.Cohorts) > 2*len(r.CohortTotals)},
		{"mature day 7", r.CohortTotals[0].ConversionDay7.Valid},
		{"immature day 60", !r.CohortTotals[0].ConversionDay60.Valid},
		{"cohort with spend only", func() bool {
			for _, c := range r.Cohorts {
				if c.Channel == chKanji && c.Registrations == 0 && c.Spend > 0 {
					return true
				}
			}
			return false
		}()},
		{"backtest deciles", r.Backtest != nil && len(r.Backtest.Deciles) == 10 && r.Backtest.TopDecileLift.Value > 1},
		{"hostile prospect ids", strings.HasPrefix(r.Prospects[0].UserID, "=")},
	}
	for _, tt := range tests {
		if !tt.ok {
			t.Errorf("fixture lacks: %s", tt.name)
		}
	}
}
