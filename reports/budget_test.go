package reports

import (
	"math"
	"testing"

	"github.com/origen-analytics/origen/attribution"
)

// budgetReport is the sample report with a budget plan on 26 weeks of
// made-up history: Search on a power curve (room to grow), Réseaux
// sociaux saturated, <script> with flat spend and =1+1 with only 5 weeks
// of spend (both insufficient data). The noise is a fixed sine, so the
// outputs are the same on every run.
func budgetReport(t *testing.T) attribution.Report {
	t.Helper()
	r := sampleReport(t)
	start := attribution.Date{Year: 2025, Month: 10, Day: 27} // a Monday
	const n = 26
	type ch struct {
		name  string
		level float64
		mu    func(float64) float64
		spend func(i int, level float64) float64
	}
	varied := func(phase float64) func(int, float64) float64 {
		return func(i int, level float64) float64 { return level * (1 + 0.4*math.Sin(1.7*float64(i)+phase)) }
	}
	chs := []ch{
		{chSearch, 2000, func(s float64) float64 { return 1.118 * math.Sqrt(s) }, varied(0)},
		{chSocial, 8000, func(s float64) float64 { return 178.5 * -math.Expm1(-s/4000) }, varied(2)},
		{chScript, 800, func(s float64) float64 { return s / 40 }, func(i int, level float64) float64 { return level * (1 + 0.01*math.Sin(float64(i))) }},
		{chFormula, 300, func(s float64) float64 { return s / 30 }, func(i int, level float64) float64 {
			if i%5 != 0 {
				return 0
			}
			return level
		}},
	}
	var inputs []attribution.BudgetChannelInput
	var data []attribution.BudgetChannelData
	for k, c := range chs {
		in := attribution.BudgetChannelInput{Channel: c.name}
		d := attribution.BudgetChannelData{Channel: c.name, Projection: attribution.ProjectionChannel}
		for i := 0; i < n; i++ {
			spend := attribution.Money(math.Round(c.spend(i, c.level)*100)) * 100
			cust := math.Round(c.mu(spend.Float64()) * (1 + 0.15*math.Sin(2.3*float64(i)+float64(k))))
			w := attribution.BudgetWeekData{Week: start.AddDays(7 * i), Spend: spend, Registrations: int64(cust * 8), Customers: int64(cust),
				ProjectedCustomers: cust, Outcome: cust, Revenue: attribution.Money(cust * 45 * attribution.MoneyScale)}
			if i >= n-4 && cust > 0 { // the last weeks are still inside the window
				w.Customers--
				w.Open = 3
			}
			in.Weeks = append(in.Weeks, attribution.BudgetWeek{Week: w.Week, Spend: w.Spend, Outcome: w.Outcome})
			d.Weeks = append(d.Weeks, w)
		}
		inputs = append(inputs, in)
		data = append(data, d)
	}
	plan, err := attribution.PlanBudget(inputs, attribution.DefaultBudgetOptions())
	if err != nil {
		t.Fatal(err)
	}
	r.Budget = &attribution.Budget{Objective: attribution.BudgetObjectiveCustomers, LookbackWeeks: n,
		Weeks: attribution.Period{From: start, To: start.AddDays(7 * n)}, Plan: plan, Moves: plan.Moves(), Data: data}
	return r
}

// The sample budget shows what the outputs must render: one increase,
// one decrease and both reasons for insufficient data.
func TestBudgetReportSample(t *testing.T) {
	b := budgetReport(t).Budget
	want := map[string]string{chSearch: attribution.RecommendIncrease, chSocial: attribution.RecommendDecrease,
		chScript: attribution.RecommendInsufficient, chFormula: attribution.RecommendInsufficient}
	for _, c := range b.Plan.Channels {
		if c.Recommendation != want[c.Channel] {
			t.Errorf("%s: %s (%s), want %s", c.Channel, c.Recommendation, c.Reason, want[c.Channel])
		}
	}
	if len(b.Moves) != 1 || b.Moves[0].From != chSocial || b.Moves[0].To != chSearch {
		t.Errorf("moves %+v", b.Moves)
	}
}
