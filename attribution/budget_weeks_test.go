package attribution

import (
	"math"
	"strings"
	"testing"
	"time"
)

func mustDate(t *testing.T, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestBudgetLookback(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		from, to string
		asOf     time.Time
		weeks    int
		want     string
	}{
		// 2026-03-01 is a Sunday, 2026-03-02 a Monday.
		{"period ends on a Monday", "2026-02-01", "2026-03-02", time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), 4, "2026-02-02 – 2026-03-01"},
		{"period ends mid-week: the partial week is left out", "2026-02-01", "2026-03-05", time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), 1, "2026-02-23 – 2026-03-01"},
		// As-of Monday 2 March 10:00 local: Sunday's week is complete.
		{"as-of on a Monday", "2026-03-01", "2026-04-01", time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 1, "2026-02-23 – 2026-03-01"},
		{"as-of on a Saturday", "2026-03-01", "2026-04-01", time.Date(2026, 3, 7, 9, 0, 0, 0, time.UTC), 1, "2026-02-23 – 2026-03-01"},
		// As-of Sunday 1 March 23:30 local (22:30 UTC): as-of's own date
		// counts, as its spend does (METRICS.md, "Time"), so the week does.
		{"as-of on a Sunday evening", "2026-03-01", "2026-04-01", time.Date(2026, 3, 1, 22, 30, 0, 0, time.UTC), 1, "2026-02-23 – 2026-03-01"},
		{"as-of in the first minutes of Monday local", "2026-03-01", "2026-04-01", time.Date(2026, 3, 1, 23, 30, 0, 0, time.UTC), 1, "2026-02-23 – 2026-03-01"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := BudgetLookback(Period{From: mustDate(t, c.from), To: mustDate(t, c.to)}, c.asOf, berlin, c.weeks)
			if got.String() != c.want || got.From.In(time.UTC).Weekday() != time.Monday {
				t.Errorf("lookback %s, want %s", got, c.want)
			}
		})
	}
}

// BudgetInputs by hand on a 4-day window. Channel A's curve: 10
// registrations, 2 buy on day 0 and 2 on day 2, 6 followed through the
// window: hazards 0.2, 0, 0.25, 0, so q(1) = P(buy on day 1..3 | not by
// day 1) = 0.25. A's week 2 has 4 open registrations aged 1 day: projected
// = 1 + 4·0.25 = 2. B has no curve of its own: the pooled curve (A's) gives
// its 2 open registrations 0.5. For revenue, A earns 45.00 from 3
// customers, 15.00 each, so week 2's outcome is 15.00 + 1·15.00 = 30.
func TestBudgetInputsByHand(t *testing.T) {
	set, err := BuildCurves([]CurveRow{
		{Channel: "A", ChannelValid: true, Day: 0, Converted: 2},
		{Channel: "A", ChannelValid: true, Day: 2, Converted: 2},
		{Channel: "A", ChannelValid: true, Day: 4, Censored: 6},
	}, 4)
	if err != nil {
		t.Fatal(err)
	}
	weeks := Period{From: mustDate(t, "2026-02-23"), To: mustDate(t, "2026-03-09")}
	w1, w2 := weeks.From, weeks.From.AddDays(7)
	spend := []DailySpendRow{
		{Channel: "A", ChannelValid: true, Date: mustDate(t, "2026-02-24"), Amount: 60 * MoneyScale},
		{Channel: " A ", ChannelValid: true, Date: mustDate(t, "2026-03-01"), Amount: 40 * MoneyScale},
		{Channel: "A", ChannelValid: true, Date: mustDate(t, "2026-03-02"), Amount: 50 * MoneyScale},
		{Channel: "B", ChannelValid: true, Date: mustDate(t, "2026-03-08"), Amount: 10 * MoneyScale},
		{Channel: "C", ChannelValid: true, Date: mustDate(t, "2026-03-03"), Amount: 0},
		{Channel: "D", ChannelValid: true, Date: mustDate(t, "2026-03-09"), Amount: 99 * MoneyScale}, // after the lookback
	}
	rows := []BudgetWeekRow{
		{Channel: "A", ChannelValid: true, Week: w1, OpenDay: -1, Registrations: 5, Customers: 2, Revenue: 30 * MoneyScale},
		{Channel: "A", ChannelValid: true, Week: w2, OpenDay: -1, Registrations: 2, Customers: 1, Revenue: 15 * MoneyScale},
		{Channel: "A", ChannelValid: true, Week: w2, OpenDay: 1, Registrations: 4},
		{Channel: "B", ChannelValid: true, Week: w2, OpenDay: 1, Registrations: 2},
		{Channel: "C", ChannelValid: true, Week: w2, OpenDay: -1, Registrations: 9, Customers: 9},
	}
	req := DefaultBudgetRequest()
	req.Limits = map[string]BudgetLimits{"A": {Min: 10 * MoneyScale, HasMin: true}, "Z": {Max: MoneyScale, HasMax: true}}
	in, data, notes := BudgetInputs(req, weeks, spend, rows, set, nil)
	if len(in) != 2 || in[0].Channel != "A" || in[1].Channel != "B" {
		t.Fatalf("paid channels %+v", in)
	}
	if !in[0].HasMin || in[0].Min != 10*MoneyScale || in[1].HasMin {
		t.Errorf("limits %+v %+v", in[0], in[1])
	}
	check := func(name string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-12 {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	a := data[0].Weeks
	if a[0].Spend != 100*MoneyScale || a[1].Spend != 50*MoneyScale || a[1].Open != 4 || a[1].Registrations != 6 || data[0].Projection != ProjectionChannel {
		t.Errorf("A's weeks %+v (%s)", a, data[0].Projection)
	}
	check("A week 1 outcome", in[0].Weeks[0].Outcome, 2)
	check("A week 2 outcome", in[0].Weeks[1].Outcome, 2)
	check("B week 2 outcome", in[1].Weeks[1].Outcome, 0.5)
	if data[1].Projection != ProjectionAllChannels {
		t.Errorf("B's projection %q", data[1].Projection)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], `[budget.channel."Z"]`) {
		t.Errorf("notes %q", notes)
	}
	req.Objective = BudgetObjectiveRevenue
	in, _, _ = BudgetInputs(req, weeks, spend, rows, set, nil)
	check("A week 1 revenue", in[0].Weeks[0].Outcome, 30)
	check("A week 2 revenue", in[0].Weeks[1].Outcome, 30)
	check("B week 2 revenue", in[1].Weeks[1].Outcome, 0)
}
