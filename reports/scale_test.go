package reports

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/origen-analytics/origen/attribution"
)

// scaleOptions shape a synthetic report for the scale tests and
// benchmarks.
type scaleOptions struct {
	Channels      int // distinct channel labels with registrations
	Registrations int // at least Channels
	// Days is the length of the period, ending 2026-11-01; AsOf is
	// 2026-11-20 (Europe/Berlin), so the last weeks are immature.
	Days  int
	Grain attribution.CohortGrain
	// SpendOnly adds channels with spend and no registrations.
	SpendOnly int
	Seed      uint64
}

// scaleReport builds a report the way cmd/origen does — attribution.Compute
// over aggregated cohort rows, curves, the projection, cohorts and the
// weekly trend, prospects, a backtest, a previous period and targets —
// from registrations drawn with a fixed seed (logged): channel sizes follow
// a Zipf law (a few large channels, a long tail of one-registration
// labels, as dirty UTM data gives), conversion in the first weeks after
// registering with a channel's own rate.
func scaleReport(tb testing.TB, o scaleOptions) attribution.Report {
	tb.Helper()
	tb.Logf("scale report: %d channels, %d registrations, %d days, %s cohorts, seed %d", o.Channels, o.Registrations, o.Days, o.Grain, o.Seed)
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		tb.Fatal(err)
	}
	const w = 30
	to := attribution.Date{Year: 2026, Month: 11, Day: 1}
	period := attribution.Period{From: to.AddDays(-o.Days), To: to}
	asOf := time.Date(2026, 11, 20, 6, 0, 0, 0, loc)
	rng := rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))
	name := func(i int) string {
		switch {
		case i == 0:
			return "Paid Search"
		case i == 1:
			return "Social"
		case i%97 == 0:
			return fmt.Sprintf("<b>utm %d</b> & co", i) // markup in a label
		case i%89 == 0:
			return fmt.Sprintf("=campaign-%d", i) // a leading "="
		}
		return fmt.Sprintf("utm_source=partner-%04d", i)
	}
	build := func(period attribution.Period, rng *rand.Rand) (attribution.Inputs, []attribution.DailyRow, []attribution.DailySpendRow, []attribution.CurveRow) {
		type ckey struct {
			ch       string
			days     int
			immature bool
		}
		type dkey struct {
			ch   string
			date attribution.Date
		}
		type vkey struct {
			ch  string
			day int
		}
		cohort := map[ckey]*attribution.CohortRow{}
		daily := map[dkey]*attribution.DailyRow{}
		curves := map[vkey]*attribution.CurveRow{}
		zipf := rand.NewZipf(rng, 1.3, 2, uint64(o.Channels-1))
		start, end := period.Bounds(loc)
		span := end.Sub(start)
		for i := range max(o.Registrations, o.Channels) {
			c := i // one registration for each channel first
			if i >= o.Channels {
				c = int(zipf.Uint64())
			}
			ch := name(c)
			at := start.Add(time.Duration(rng.Int64N(int64(span))))
			rate := 0.04 + 0.12*float64(c%7)/6
			days := -1
			if rng.Float64() < rate*1.4 {
				days = int(rng.ExpFloat64() * 9)
			}
			bought := days >= 0 && !at.Add(time.Duration(days)*24*time.Hour).After(asOf)
			if !bought {
				days = -1
			}
			customer := days >= 0 && days < w
			immature := at.Add(w * 24 * time.Hour).After(asOf)
			k := ckey{ch, -1, immature}
			if customer {
				k.days = days
			}
			row := cohort[k]
			if row == nil {
				row = &attribution.CohortRow{Channel: ch, ChannelValid: true, Days: k.days, Immature: immature}
				cohort[k] = row
			}
			row.Count++
			var revenue attribution.Money
			if customer {
				revenue = attribution.Money(2000+rng.Int64N(9000)) * attribution.MoneyScale / 100
				row.Revenue += revenue
			}
			d := attribution.DateOf(at.In(loc))
			dr := daily[dkey{ch, d}]
			if dr == nil {
				dr = &attribution.DailyRow{Channel: ch, ChannelValid: true, Date: d}
				daily[dkey{ch, d}] = dr
			}
			dr.Registrations++
			if customer {
				dr.Customers++
				dr.Revenue += revenue
			}
			if immature {
				dr.Immature++
			}
			for j, n := range attribution.CohortDays() {
				if days >= 0 && days < n {
					dr.ConvertedBy[j]++
				}
			}
			// Curves: an event on the day of a first purchase inside the
			// window, else censored at the registration's age (or W).
			age := min(int(asOf.Sub(at)/(24*time.Hour)), w)
			vk := vkey{ch, age}
			if customer {
				vk.day = days
			}
			cr := curves[vk]
			if cr == nil {
				cr = &attribution.CurveRow{Channel: ch, ChannelValid: true, Day: vk.day}
				curves[vk] = cr
			}
			if customer {
				cr.Converted++
			} else {
				cr.Censored++
				if immature {
					cr.Open++
				}
			}
		}
		var in attribution.Inputs
		in.Period, in.AsOf, in.Timezone, in.WindowDays = period, asOf, "Europe/Berlin", w
		in.Currency = attribution.Currency{Code: "EUR", Digits: 2}
		for _, r := range cohort {
			in.Cohort = append(in.Cohort, *r)
		}
		var days []attribution.DailyRow
		for _, r := range daily {
			days = append(days, *r)
		}
		var spend []attribution.DailySpendRow
		spender := func(ch string, every int, amount attribution.Money) {
			var sum attribution.Money
			var rows int64
			for d := period.From; d.Before(period.To); d = d.AddDays(every) {
				spend = append(spend, attribution.DailySpendRow{Channel: ch, ChannelValid: true, Date: d, Amount: amount})
				sum += amount
				rows++
			}
			in.Spend = append(in.Spend, attribution.SpendRow{Channel: ch, ChannelValid: true, Amount: sum, Rows: rows})
		}
		for c := range min(o.Channels, 40) {
			spender(name(c), 1, attribution.Money(50+rng.Int64N(400))*attribution.MoneyScale)
		}
		for i := range o.SpendOnly {
			spender(fmt.Sprintf("spend only %03d", i), 7, attribution.Money(10+rng.Int64N(90))*attribution.MoneyScale)
		}
		var curveRows []attribution.CurveRow
		for _, r := range curves {
			curveRows = append(curveRows, *r)
		}
		return in, days, spend, curveRows
	}

	in, days, spend, curveRows := build(period, rng)
	r := attribution.Compute(in)
	prevPeriod := attribution.Period{From: period.From.AddDays(-o.Days), To: period.From}
	prevIn, _, _, _ := build(prevPeriod, rand.New(rand.NewPCG(o.Seed+1, o.Seed)))
	prev := attribution.Compute(prevIn)
	r.Previous = &prev
	r.Version = "v0.0.0-scale"
	cacMax, rateMin := attribution.Money(60*attribution.MoneyScale), 0.05
	r.Targets = attribution.Targets{Default: attribution.Thresholds{CACMax: &cacMax, ConversionRateMin: &rateMin}}

	set, err := attribution.BuildCurves(curveRows, w)
	if err != nil {
		tb.Fatal(err)
	}
	r.CurvePeriod = period
	r.Curves, r.CurvesTotal = set.Channels, set.All
	attribution.Project(&r, set)

	ci := attribution.CohortInputs{Period: period, Grain: o.Grain, Location: loc, AsOf: asOf, WindowDays: w}
	for _, m := range r.Channels {
		ci.Order = append(ci.Order, m.Channel)
	}
	r.CohortGrain = o.Grain
	r.Cohorts, r.CohortTotals = attribution.Cohorts(days, spend, ci)
	ci.Grain = attribution.CohortWeek
	r.Trend, r.TrendTotals = attribution.Cohorts(days, spend, ci)

	r.ProspectsHorizonDays = 7
	r.ProspectsScored = int64(o.Registrations / 10)
	for i := range 100 {
		r.Prospects = append(r.Prospects, attribution.Prospect{
			UserID: fmt.Sprintf("user-%06d", i), Channel: r.Channels[i%len(r.Channels)].Channel, Campaign: attribution.NoCampaign,
			RegisteredAt: asOf.Add(-time.Duration(i) * time.Hour), AgeDays: i / 24, Probability: 0.3 / math.Sqrt(float64(i+1)), Basis: attribution.ScoreChannel,
		})
	}
	var groups []attribution.ScoredGroup
	for i := range 20 {
		score := 0.2 / float64(1+i)
		users := int64(50 + 3*i)
		groups = append(groups, attribution.ScoredGroup{Score: score, Users: users, Converted: int64(score*float64(users)*1.1 + 0.3)})
	}
	bt := attribution.EvaluateBacktest(groups, 100)
	bt.HorizonDays, bt.AsOf, bt.OutcomeEnd = 7, asOf.Add(-7*24*time.Hour), asOf
	r.Backtest = &bt
	return r
}

func TestScaleReport(t *testing.T) {
	r := scaleReport(t, scaleOptions{Channels: 300, Registrations: 20000, Days: 365, Grain: attribution.CohortWeek, SpendOnly: 5, Seed: 1})
	if len(r.Channels) != 305 {
		t.Errorf("%d channels, want 305", len(r.Channels))
	}
	if r.Total.Registrations != 20000 || r.Total.Customers == 0 || r.Total.Immature == 0 {
		t.Errorf("total = %+v", r.Total)
	}
	var na int
	for _, c := range r.Cohorts {
		for _, v := range c.ConversionByDay() {
			if !v.Valid {
				na++
			}
		}
	}
	if na == 0 || len(r.CohortTotals) < 52 || len(r.Curves) != 300 {
		t.Errorf("%d n/a day-N cells, %d cohorts, %d curves", na, len(r.CohortTotals), len(r.Curves))
	}
}

// BenchmarkWorkbookScale writes the workbook of a year of weekly cohorts
// at 100,000 registrations over more and more channels: the cost of its
// cell notes (every undefined cell of Channels, Cohorts and Trend says
// why, and when a day-N conversion will be filled) must grow linearly.
func BenchmarkWorkbookScale(b *testing.B) {
	for _, n := range []int{250, 500, 1000, 2000} {
		b.Run(fmt.Sprintf("channels=%d", n), func(b *testing.B) {
			r := scaleReport(b, scaleOptions{Channels: n, Registrations: 100000, Days: 365, Grain: attribution.CohortWeek, SpendOnly: 10, Seed: 7})
			var out bytes.Buffer
			for b.Loop() {
				out.Reset()
				if err := WriteWorkbook(&out, r); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(out.Len())/(1<<20), "MiB/file")
			f, err := excelize.OpenReader(&out)
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			var explained int
			for _, sheet := range []string{sheetChannels, sheetCohorts, sheetTrend} {
				explained += len(inputMessages(b, f, sheet)) + len(commentsOf(b, f, sheet))
			}
			b.ReportMetric(float64(explained), "na-cells")
		})
	}
}

// commentsOf returns the notes of sheet, by cell.
func commentsOf(tb testing.TB, f *excelize.File, sheet string) map[string]string {
	tb.Helper()
	list, err := f.GetComments(sheet)
	if err != nil {
		tb.Fatal(err)
	}
	m := map[string]string{}
	for _, c := range list {
		m[c.Cell] = c.Text
	}
	return m
}
