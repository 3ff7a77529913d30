package attribution

import (
	"errors"
	"strconv"
	"testing"
	"time"
)

func usd(units float64) Money { return Money(units * MoneyScale) }

var (
	jan = Date{2025, time.January, 1}
	jun = Date{2025, time.June, 1}
)

// ltvExample is a small business worked by hand in the tests below.
//
// Search, cohort January: 10 registrations, spend 300, youngest 400 days
// old, so mature through month 13 (13·30 = 390 ≤ 400 < 420). Revenue by
// month: m1 100 (4 first purchases), m2 50 (1 first, 1 second), m3 60 (1
// second), m5 −20 (a refund after the 30-day window of a month-1
// purchase), m7 40, m12 80 (1 second). Cumulative: m1 100, m3 210, m6
// 190, m12 310.
//
// Search, cohort June: 5 registrations, spend 200, youngest 100 days old
// (mature at months 1–3 only): m1 40 (2 first), m3 30 (1 first, 1 second).
//
// Display, cohort January: 4 registrations, spend 1000, 800 days old
// (mature at all 24 months): m1 50 (1 first). It never pays back.
//
// Organic, cohort January: 3 registrations, no spend, 800 days old: m2 90
// (3 first).
func ltvExample() ([]LTVCohort, []LTVMonthRow) {
	cohorts := []LTVCohort{
		{Channel: "Search", Cohort: jun, Registrations: 5, Spend: usd(200), YoungestAgeDays: 100},
		{Channel: "Search", Cohort: jan, Registrations: 10, Spend: usd(300), YoungestAgeDays: 400},
		{Channel: "Display", Cohort: jan, Registrations: 4, Spend: usd(1000), YoungestAgeDays: 800},
		{Channel: "Organic", Cohort: jan, Registrations: 3, Spend: 0, YoungestAgeDays: 800},
	}
	rows := []LTVMonthRow{
		{"Search", jan, 1, usd(100), 4, 0},
		{"Search", jan, 2, usd(50), 1, 1},
		{"Search", jan, 3, usd(60), 0, 1},
		{"Search", jan, 5, usd(-20), 0, 0},
		{"Search", jan, 7, usd(40), 0, 0},
		{"Search", jan, 12, usd(80), 0, 1},
		{"Search", jun, 1, usd(40), 2, 0},
		{"Search", jun, 3, usd(30), 1, 1},
		{"Display", jan, 1, usd(50), 1, 0},
		{"Organic", jan, 2, usd(90), 3, 0},
	}
	return cohorts, rows
}

func fmtQ(q Quotient) string {
	if !q.Valid() {
		return "n/a"
	}
	return q.Format(2)
}

func fmtR(r Ratio) string {
	if !r.Valid {
		return "n/a"
	}
	return strconv.FormatFloat(r.Value, 'f', 4, 64)
}

func TestLTVCohortCurves(t *testing.T) {
	byCohort, pooled, err := BuildLTVCurves(ltvExample())
	if err != nil {
		t.Fatal(err)
	}
	if len(byCohort) != 4 || byCohort[0].Channel != "Display" || byCohort[2].Cohort != jan || byCohort[3].Cohort != jun {
		t.Fatalf("cohort order: %+v", byCohort)
	}
	janSearch, junSearch := byCohort[2], byCohort[3]
	type want struct{ perReg, perCust, repeat string }
	check := func(name string, c LTVCurve, w map[int]want) {
		t.Helper()
		for _, m := range LTVHorizons {
			p := c.At(m)
			got := want{fmtQ(p.RevenuePerRegistration()), fmtQ(p.RevenuePerCustomer()), fmtR(p.RepeatRate())}
			if got != w[m] {
				t.Errorf("%s month %d: got %+v, want %+v", name, m, got, w[m])
			}
		}
	}
	na := want{"n/a", "n/a", "n/a"}
	// January: m1 100/10 and 100/4; m3 210/10, 210/5, 2 of 5 repeat;
	// m6 190 after the refund; m12 310/10, 310/5, 3 of 5; m24 too young.
	check("Search January", janSearch, map[int]want{
		1: {"10.00", "25.00", "0.0000"}, 3: {"21.00", "42.00", "0.4000"}, 6: {"19.00", "38.00", "0.4000"},
		12: {"31.00", "62.00", "0.6000"}, 24: na,
	})
	// June: m1 40/5 and 40/2; m3 70/5, 70/3, 1 of 3; m6 on too young.
	check("Search June", junSearch, map[int]want{
		1: {"8.00", "20.00", "0.0000"}, 3: {"14.00", "23.33", "0.3333"}, 6: na, 12: na, 24: na,
	})
	// Pooled Search: m1 and m3 both cohorts (140/15, 280/15; 140/6,
	// 280/8; repeat 0/6, 3/8), m6 and m12 January only, m24 none.
	var search, total LTVCurve
	for _, p := range pooled {
		switch p.Channel {
		case "Search":
			search = p
		case LTVTotal:
			total = p
		}
	}
	if pooled[len(pooled)-1].Channel != LTVTotal || len(pooled) != 4 {
		t.Fatalf("pooled curves: %d, last %q", len(pooled), pooled[len(pooled)-1].Channel)
	}
	check("Search pooled", search, map[int]want{
		1: {"9.33", "23.33", "0.0000"}, 3: {"18.67", "35.00", "0.3750"}, 6: {"19.00", "38.00", "0.4000"},
		12: {"31.00", "62.00", "0.6000"}, 24: na,
	})
	if c := search.At(1).CostPerRegistration(); fmtQ(c) != "33.33" {
		t.Errorf("Search cost per registration at m1 %s, want 500/15 = 33.33", fmtQ(c))
	}
	if c := search.At(6).CostPerRegistration(); fmtQ(c) != "30.00" {
		t.Errorf("Search cost per registration at m6 %s, want 300/10 = 30.00", fmtQ(c))
	}
	if search.Registrations != 15 || search.Spend != usd(500) || search.ObservedMonths() != 13 {
		t.Errorf("Search totals %d, %s, observed %d; want 15, 500, 13", search.Registrations, search.Spend, search.ObservedMonths())
	}
	// Total at month 24: Display and Organic only (Search is too young):
	// revenue 50 + 90 over 4 + 3 registrations = 20.00.
	if got := fmtQ(total.At(24).RevenuePerRegistration()); got != "20.00" || total.At(24).Cohorts != 2 {
		t.Errorf("Total month 24 %s over %d cohorts, want 20.00 over 2", got, total.At(24).Cohorts)
	}
	// Total at month 1: all four cohorts, (100+40+50+0)/(10+5+4+3) = 8.64.
	if got := fmtQ(total.At(1).RevenuePerRegistration()); got != "8.64" {
		t.Errorf("Total month 1 %s, want 8.64", got)
	}
}

// TestLTVMaturityBoundary: a cohort whose youngest registration is
// exactly 90 days old is mature at month 3; at 89 days it is not.
func TestLTVMaturityBoundary(t *testing.T) {
	for _, c := range []struct {
		age    int
		mature bool
	}{{90, true}, {89, false}} {
		cs, _, err := BuildLTVCurves([]LTVCohort{{Channel: "A", Cohort: jan, Registrations: 1, YoungestAgeDays: c.age}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := cs[0].At(3).Mature; got != c.mature {
			t.Errorf("age %d: mature at month 3 = %v", c.age, got)
		}
		if cs[0].At(3).RevenuePerRegistration().Valid() != c.mature {
			t.Errorf("age %d: a figure for an immature month", c.age)
		}
	}
}

func TestLTVPayback(t *testing.T) {
	_, pooled, err := BuildLTVCurves(ltvExample())
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]LTVCurve{}
	for _, p := range pooled {
		by[p.Channel] = p
	}
	cases := []struct {
		channel string
		g       GrossMargin
		want    string
	}{
		// Search at revenue: m1 140 < 500, m3 280 < 500 (both cohorts);
		// from m4 January alone: 210, 210, 190, 230, …, 230 < 300 up to
		// m11, m12 310 ≥ 300.
		{"Search", 1, "month 12"},
		// At 50% margin the best is 310 · 0.5 = 155 < 300.
		{"Search", 0.5, "not within 13 months"},
		// Display: 50 against 1000, observed for all 24 months.
		{"Display", 1, "not within 24 months"},
		{"Organic", 1, "no cost"},
	}
	for _, c := range cases {
		if got := PaybackOf(by[c.channel], c.g).String(); got != c.want {
			t.Errorf("%s at margin %v: %s, want %s", c.channel, c.g, got, c.want)
		}
	}
	// Equality pays back, computed exactly: 1000 × 0.35 = 350 = spend.
	_, eq, err := BuildLTVCurves(
		[]LTVCohort{{Channel: "A", Cohort: jan, Registrations: 7, Spend: usd(350), YoungestAgeDays: 31}},
		[]LTVMonthRow{{"A", jan, 1, usd(1000), 7, 0}})
	if err != nil {
		t.Fatal(err)
	}
	if got := PaybackOf(eq[0], 0.35); got.Month != 1 {
		t.Errorf("margin equal to cost: %s, want month 1", got)
	}
	if got := PaybackOf(eq[0], 0.3499); got.Month != 0 || got.String() != "not within 1 month" {
		t.Errorf("margin just below cost: %s", got)
	}
}

func TestLTVObservedAndCAC(t *testing.T) {
	_, pooled, err := BuildLTVCurves(ltvExample())
	if err != nil {
		t.Fatal(err)
	}
	search := pooled[2]
	if search.Channel != "Search" {
		t.Fatalf("pooled order: %q", search.Channel)
	}
	// Month 12, January only: margin 310 × 0.4 = 124 over 5 customers =
	// 24.80; LTV/CAC = 124 / 300 = 0.4133.
	ltv, r := ObservedLTV(search, 12, 0.4)
	if fmtQ(ltv) != "24.80" || fmtR(r) != "0.4133" {
		t.Errorf("observed LTV %s, LTV/CAC %s; want 24.80, 0.4133", fmtQ(ltv), fmtR(r))
	}
	if ltv, r := ObservedLTV(search, 24, 1); ltv.Valid() || r.Valid {
		t.Error("an LTV at an immature month")
	}
	// Projected 55.00 against a cost per customer of 500/8 = 62.50: 0.88.
	if got := LTVToCAC(55, Quotient{Num: usd(500), Den: 8}); fmtR(got) != "0.8800" {
		t.Errorf("LTV/CAC %s, want 0.8800", fmtR(got))
	}
	if LTVToCAC(55, Quotient{}).Valid {
		t.Error("LTV/CAC without customers is defined")
	}
	if GrossMargin(0.35).Margin(usd(10.01)) != Money(35035) || GrossMargin(1).Basis() != "revenue" || GrossMargin(0.6).Basis() != "margin" {
		t.Error("margin arithmetic")
	}
	for _, g := range []GrossMargin{0, -0.1, 1.2} {
		if g.Validate() == nil {
			t.Errorf("gross_margin %v accepted", g)
		}
	}
}

func TestLTVBadRows(t *testing.T) {
	cohorts, _ := ltvExample()
	cases := map[string]struct {
		cohorts []LTVCohort
		rows    []LTVMonthRow
	}{
		"row without cohort": {cohorts, []LTVMonthRow{{"Email", jan, 1, usd(1), 1, 0}}},
		"month 25":           {cohorts, []LTVMonthRow{{"Search", jan, 25, usd(1), 0, 0}}},
		"month 0":            {cohorts, []LTVMonthRow{{"Search", jan, 0, usd(1), 0, 0}}},
		"duplicate row":      {cohorts, []LTVMonthRow{{"Search", jan, 1, usd(1), 1, 0}, {"Search", jan, 1, usd(1), 1, 0}}},
		"more customers":     {cohorts, []LTVMonthRow{{"Display", jan, 1, usd(1), 5, 0}}},
		"more repeaters":     {cohorts, []LTVMonthRow{{"Display", jan, 1, usd(1), 1, 2}}},
		"negative count":     {cohorts, []LTVMonthRow{{"Display", jan, 1, usd(1), -1, 0}}},
		"duplicate cohort":   {append(cohorts, cohorts[0]), nil},
		"mid-month cohort":   {[]LTVCohort{{Channel: "A", Cohort: Date{2025, 1, 2}, Registrations: 1}}, nil},
		"no registrations":   {[]LTVCohort{{Channel: "A", Cohort: jan}}, nil},
		"future":             {[]LTVCohort{{Channel: "A", Cohort: jan, Registrations: 1, YoungestAgeDays: -1}}, nil},
		"overflow":           {cohorts, []LTVMonthRow{{"Display", jan, 1, Money(1 << 62), 1, 0}, {"Display", jan, 2, Money(1 << 62), 0, 0}}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, _, err := BuildLTVCurves(c.cohorts, c.rows)
			var e *Error
			if !errors.As(err, &e) || e.Kind != KindData {
				t.Fatalf("error %v, want a KindData *Error", err)
			}
			t.Log(err)
		})
	}
}
