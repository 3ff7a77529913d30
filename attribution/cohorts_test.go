package attribution

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// cohortLine prints a cohort row: ratios at 4 decimals, money at 2, n/a.
func cohortLine(c CohortMetrics) string {
	r := func(x Ratio) string {
		if !x.Valid {
			return "n/a"
		}
		return fmt.Sprintf("%.4f", x.Value)
	}
	q := func(x Quotient) string {
		if !x.Valid() {
			return "n/a"
		}
		return x.Format(2)
	}
	return fmt.Sprintf("%s %s %s..%s regs=%d cust=%d imm=%d cr=%s d7=%s d14=%s d30=%s d60=%s rev/reg=%s spend=%s cac=%s",
		c.Channel, c.Cohort, c.Dates.From, c.Dates.To, c.Registrations, c.Customers, c.Immature, r(c.ConversionRate),
		r(c.ConversionDay7), r(c.ConversionDay14), r(c.ConversionDay30), r(c.ConversionDay60),
		q(c.RevenuePerRegistration), c.Spend.Format(2), q(c.CostPerCustomer))
}

func money(t *testing.T, s string) Money {
	t.Helper()
	m, err := ParseMoney(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Cohorts by hand. Period 2026-09-28 (a Monday) to 2026-10-12, UTC, as_of
// 2026-10-19 00:00. Week 40 ends 10-05 00:00: +7 d = 10-12 and +14 d =
// 10-19 are not after as_of, so day 7 and day 14 are defined, day 30 and 60
// are not. Week 41 ends 10-12: only day 7. The September cohort (3 days)
// ends 10-01: day 7 and 14; October (10-01 to 10-11) ends 10-12: day 7.
func TestCohortsByHand(t *testing.T) {
	d := func(s string) Date {
		x, err := ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	rows := []DailyRow{
		{Channel: "Search", ChannelValid: true, Date: d("2026-09-28"), Registrations: 10, Customers: 2, Immature: 10,
			Revenue: money(t, "100"), ConvertedBy: [4]int64{1, 2, 2, 3}},
		{Channel: "Search", ChannelValid: true, Date: d("2026-10-01"), Registrations: 5, Customers: 1, Immature: 5,
			Revenue: money(t, "20"), ConvertedBy: [4]int64{1, 1, 1, 1}},
		{Channel: "Search", ChannelValid: true, Date: d("2026-10-06"), Registrations: 4, Immature: 4},
		{Channel: " Email", ChannelValid: true, Date: d("2026-10-05"), Registrations: 2, Customers: 2, Immature: 2,
			Revenue: money(t, "50"), ConvertedBy: [4]int64{2, 2, 2, 2}},
		{Channel: "Search", ChannelValid: true, Date: d("2026-10-12"), Registrations: 99}, // outside the period
	}
	spend := []DailySpendRow{
		{Channel: "Search", ChannelValid: true, Date: d("2026-09-28"), Amount: money(t, "30")},
		{Channel: "Search", ChannelValid: true, Date: d("2026-10-06"), Amount: money(t, "12")},
		{Channel: "Display", ChannelValid: true, Date: d("2026-10-01"), Amount: money(t, "5")},
		{Channel: "Search", ChannelValid: true, Date: d("2026-09-27"), Amount: money(t, "1000")}, // outside
	}
	in := CohortInputs{Period: Period{From: d("2026-09-28"), To: d("2026-10-12")}, Location: time.UTC,
		AsOf: time.Date(2026, 10, 19, 0, 0, 0, 0, time.UTC), WindowDays: 30, Order: []string{"Search", "Email"}}
	for _, tc := range []struct {
		grain        CohortGrain
		want, totals []string
	}{
		{
			grain: CohortWeek,
			want: []string{
				// 15 registrations, 3 customers; day 7: 1+1 of 15, day 14: 2+1; revenue 120/15; CAC 30/3.
				"Search 2026-W40 2026-09-28..2026-10-05 regs=15 cust=3 imm=15 cr=0.2000 d7=0.1333 d14=0.2000 d30=n/a d60=n/a rev/reg=8.00 spend=30.00 cac=10.00",
				"Search 2026-W41 2026-10-05..2026-10-12 regs=4 cust=0 imm=4 cr=0.0000 d7=0.0000 d14=n/a d30=n/a d60=n/a rev/reg=0.00 spend=12.00 cac=n/a",
				"Email 2026-W41 2026-10-05..2026-10-12 regs=2 cust=2 imm=2 cr=1.0000 d7=1.0000 d14=n/a d30=n/a d60=n/a rev/reg=25.00 spend=0.00 cac=0.00",
				"Display 2026-W40 2026-09-28..2026-10-05 regs=0 cust=0 imm=0 cr=n/a d7=n/a d14=n/a d30=n/a d60=n/a rev/reg=n/a spend=5.00 cac=n/a",
			},
			totals: []string{
				"Total 2026-W40 2026-09-28..2026-10-05 regs=15 cust=3 imm=15 cr=0.2000 d7=0.1333 d14=0.2000 d30=n/a d60=n/a rev/reg=8.00 spend=35.00 cac=11.67",
				"Total 2026-W41 2026-10-05..2026-10-12 regs=6 cust=2 imm=6 cr=0.3333 d7=0.3333 d14=n/a d30=n/a d60=n/a rev/reg=8.33 spend=12.00 cac=6.00",
			},
		},
		{
			grain: CohortMonth,
			want: []string{
				"Search 2026-09 2026-09-28..2026-10-01 regs=10 cust=2 imm=10 cr=0.2000 d7=0.1000 d14=0.2000 d30=n/a d60=n/a rev/reg=10.00 spend=30.00 cac=15.00",
				"Search 2026-10 2026-10-01..2026-10-12 regs=9 cust=1 imm=9 cr=0.1111 d7=0.1111 d14=n/a d30=n/a d60=n/a rev/reg=2.22 spend=12.00 cac=12.00",
				"Email 2026-10 2026-10-01..2026-10-12 regs=2 cust=2 imm=2 cr=1.0000 d7=1.0000 d14=n/a d30=n/a d60=n/a rev/reg=25.00 spend=0.00 cac=0.00",
				"Display 2026-10 2026-10-01..2026-10-12 regs=0 cust=0 imm=0 cr=n/a d7=n/a d14=n/a d30=n/a d60=n/a rev/reg=n/a spend=5.00 cac=n/a",
			},
			totals: []string{
				"Total 2026-09 2026-09-28..2026-10-01 regs=10 cust=2 imm=10 cr=0.2000 d7=0.1000 d14=0.2000 d30=n/a d60=n/a rev/reg=10.00 spend=30.00 cac=15.00",
				"Total 2026-10 2026-10-01..2026-10-12 regs=11 cust=3 imm=11 cr=0.2727 d7=0.2727 d14=n/a d30=n/a d60=n/a rev/reg=6.36 spend=17.00 cac=5.67",
			},
		},
	} {
		t.Run(string(tc.grain), func(t *testing.T) {
			in := in
			in.Grain = tc.grain
			got, totals := Cohorts(rows, spend, in)
			var g, gt []string
			for _, c := range got {
				g = append(g, cohortLine(c))
			}
			for _, c := range totals {
				gt = append(gt, cohortLine(c))
			}
			if strings.Join(g, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("cohorts:\n got %s\nwant %s", strings.Join(g, "\n     "), strings.Join(tc.want, "\n     "))
			}
			if strings.Join(gt, "\n") != strings.Join(tc.totals, "\n") {
				t.Errorf("totals:\n got %s\nwant %s", strings.Join(gt, "\n     "), strings.Join(tc.totals, "\n     "))
			}
		})
	}
}

// ISO weeks: 2026-12-28 (Monday) is in week 53 of 2026, and 2027-01-01 too;
// a week cohort crossing the year keeps the ISO year's label. Day 60 needs
// purchases up to 60 days after the last registration.
func TestCohortLabelsAndDay60(t *testing.T) {
	in := CohortInputs{Period: Period{From: Date{2026, 12, 28}, To: Date{2027, 1, 5}}, Grain: CohortWeek, Location: time.UTC,
		AsOf: Date{2027, 3, 5}.In(time.UTC), WindowDays: 30}
	rows := []DailyRow{{Channel: "A", ChannelValid: true, Date: Date{2027, 1, 1}, Registrations: 4, ConvertedBy: [4]int64{0, 1, 2, 3}}}
	got, totals := Cohorts(rows, nil, in)
	if len(got) != 1 || got[0].Cohort != "2026-W53" || len(totals) != 2 || totals[1].Cohort != "2027-W01" {
		t.Fatalf("cohorts %+v totals %+v", got, totals)
	}
	// Week 53 ends 2027-01-04; + 60 d = 2027-03-05 = as_of: defined.
	if c := got[0]; !c.ConversionDay60.Valid || c.ConversionDay60.Value != 0.75 {
		t.Errorf("day 60 = %+v", c.ConversionDay60)
	}
	in.AsOf = in.AsOf.Add(-time.Second)
	if got, _ := Cohorts(rows, nil, in); got[0].ConversionDay60.Valid || !got[0].ConversionDay30.Valid {
		t.Errorf("one second earlier: day 30 %+v, day 60 %+v", got[0].ConversionDay30, got[0].ConversionDay60)
	}
	if _, err := ParseCohortGrain("day"); KindOf(err) != KindConfig {
		t.Errorf("ParseCohortGrain(day) = %v", err)
	}
}
