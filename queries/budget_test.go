package queries_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/queries"
)

// budgetRowLines prints budget_weeks rows in a fixed order.
func budgetRowLines(rows []attribution.BudgetWeekRow) []string {
	var out []string
	for _, r := range rows {
		ch := fmt.Sprintf("%q", r.Channel)
		if !r.ChannelValid {
			ch = "NULL"
		}
		out = append(out, fmt.Sprintf("%s %s open=%d regs=%d cust=%d rev=%s", ch, r.Week, r.OpenDay, r.Registrations, r.Customers, r.Revenue.Format(2)))
	}
	sort.Strings(out)
	return out
}

// The budget weeks of the edge-case data in Europe/Berlin (UTC+1), weeks
// of 23 February and 2 March 2026 (1 March is a Sunday), as_of 2026-03-31
// 11:00 UTC, W = 30, computed by hand:
//
//	week of 23 Feb, Search: u15 (28 Feb 23:59:59 UTC is 1 March local),
//	u1 (day 0, 50.00), u2 (buys at exactly +W: not a customer, no window
//	revenue, mature at as_of exactly); u14 buys after as_of and is 29 days
//	old at as_of without a purchase: open at 29. " Search\t": u3, day 4,
//	100.00 − 30.00, immature but converted (not open). Email: u6 (its
//	later duplicate under Search is ignored) and u11 (10.00). u4 is an
//	existing customer: left out.
//	week of 2 March: u5 (Social, 1 March 23:30 UTC = 2 March local) and
//	u16 (Search, 2 March 01:00 local), both 29 days old and open.
//	u17 registered after as_of.
func TestBudgetWeeksByHand(t *testing.T) {
	want := []string{
		`"   " 2026-02-23 open=-1 regs=1 cust=0 rev=0.00`,
		`" Search\t" 2026-02-23 open=-1 regs=1 cust=1 rev=70.00`,
		`"<script>alert(1)</script>" 2026-02-23 open=-1 regs=1 cust=0 rev=0.00`,
		`"=1+1" 2026-02-23 open=-1 regs=1 cust=0 rev=0.00`,
		`"Email" 2026-02-23 open=-1 regs=2 cust=1 rev=10.00`,
		`"Réseaux sociaux" 2026-02-23 open=-1 regs=1 cust=1 rev=25.00`,
		`"Search" 2026-02-23 open=-1 regs=3 cust=1 rev=50.00`,
		`"Search" 2026-02-23 open=29 regs=1 cust=0 rev=0.00`,
		`"Search" 2026-03-02 open=29 regs=1 cust=0 rev=0.00`,
		`"Social" 2026-03-02 open=29 regs=1 cust=0 rev=0.00`,
		`NULL 2026-02-23 open=-1 regs=1 cust=0 rev=0.00`,
	}
	weeks := mustPeriod(t, "2026-02-23", "2026-03-09")
	for _, e := range openReportEdgeDBs(t) {
		t.Run(string(e.dialect), func(t *testing.T) {
			rows, err := e.snapshot(t, "Europe/Berlin").ReadBudgetWeeks(context.Background(), attribution.BudgetWeeksRequest{
				Weeks: weeks, Location: location(t, "Europe/Berlin"), AsOf: edgeAsOf, WindowDays: 30})
			if err != nil {
				t.Fatal(err)
			}
			if got := budgetRowLines(rows); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("budget weeks:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
			}
			// The report's pass reads the same rows as its part 30 (not on
			// ClickHouse, whose budget reads budget_weeks.sql on its own).
			f, err := e.snapshot(t, "Europe/Berlin").ReadFacts(context.Background(), attribution.FactsRequest{
				AsOf: edgeAsOf, Location: location(t, "Europe/Berlin"), WindowDays: 30, BudgetWeeks: weeks})
			if err != nil {
				t.Fatal(err)
			}
			if f.HasBudgetWeeks != (e.dialect != queries.ClickHouse) {
				t.Fatalf("facts carry budget weeks = %v on %s", f.HasBudgetWeeks, e.dialect)
			}
			if got := budgetRowLines(f.BudgetWeeks); f.HasBudgetWeeks && strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("budget weeks of the pass:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
			}
		})
	}
}

// budgetDataLines prints a report's budget data per channel and week.
func budgetDataLines(b *attribution.Budget) []string {
	var out []string
	for _, c := range b.Data {
		for _, w := range c.Weeks {
			out = append(out, fmt.Sprintf("%s %s spend=%s regs=%d cust=%d open=%d proj=%.4f rev=%s", c.Channel, w.Week, w.Spend.Format(2),
				w.Registrations, w.Customers, w.Open, w.ProjectedCustomers, w.Revenue.Format(2)))
		}
	}
	return out
}

// The report's budget data on the edge-case data (see
// TestBudgetWeeksByHand), period 1–8 March 2026 in Europe/Berlin, a
// lookback of 2 weeks: it ends on Monday 9 March, the period's end. The
// paid channels are those with spend in it, the most spend first:
// Search (100.00 on 1 March, 1000.00 on 2 March; its rows are "Search" and
// " Search\t" together), Display (55.55) and Email (7.00 on 28 February).
// Search's open registrations are 29 days old; its curve's hazard on day
// 29 is 0 (u2 and u15, followed for 30 days, did not buy), so they add
// nothing to the projection. With a spend file, its spend replaces the
// database's.
func TestBudgetReportByHand(t *testing.T) {
	period := mustPeriod(t, "2026-03-01", "2026-03-09")
	req := attribution.DefaultBudgetRequest()
	req.LookbackWeeks = 2
	d := func(s string) attribution.Date {
		x, err := attribution.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	for _, e := range openReportEdgeDBs(t) {
		t.Run(string(e.dialect), func(t *testing.T) {
			build := func(file *attribution.SpendTable) *attribution.Budget {
				rep, err := attribution.BuildReport(context.Background(), e.snapshot(t, "Europe/Berlin"), attribution.ReportRequest{
					Period: period, AsOf: edgeAsOf, Location: location(t, "Europe/Berlin"), Timezone: "Europe/Berlin", WindowDays: 30,
					Currency: attribution.Currency{Code: "EUR", Digits: 2}, Budget: &req, SpendFile: file})
				if err != nil {
					t.Fatal(err)
				}
				if rep.Budget == nil {
					t.Fatal("no budget")
				}
				return rep.Budget
			}
			b := build(nil)
			want := []string{
				"Search 2026-02-23 spend=100.00 regs=5 cust=2 open=1 proj=2.0000 rev=120.00",
				"Search 2026-03-02 spend=1000.00 regs=1 cust=0 open=1 proj=0.0000 rev=0.00",
				"Display 2026-02-23 spend=55.55 regs=0 cust=0 open=0 proj=0.0000 rev=0.00",
				"Display 2026-03-02 spend=0.00 regs=0 cust=0 open=0 proj=0.0000 rev=0.00",
				"Email 2026-02-23 spend=7.00 regs=2 cust=1 open=0 proj=1.0000 rev=10.00",
				"Email 2026-03-02 spend=0.00 regs=0 cust=0 open=0 proj=0.0000 rev=0.00",
			}
			if got := budgetDataLines(b); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("budget data:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
			}
			if b.Weeks != mustPeriod(t, "2026-02-23", "2026-03-09") {
				t.Errorf("lookback %s", b.Weeks)
			}
			// Current weekly spend: the mean of the (two) baseline weeks.
			var cur []string
			for _, c := range b.Plan.Channels {
				cur = append(cur, c.Channel+" "+c.Current.Format(4)+" "+c.Recommendation)
			}
			if got, w := strings.Join(cur, "; "), "Search 550.0000 insufficient data; Display 27.7750 insufficient data; Email 3.5000 insufficient data"; got != w {
				t.Errorf("plan channels %s, want %s", got, w)
			}
			file := &attribution.SpendTable{Rows: 2, Days: []attribution.DailySpendRow{
				{Channel: "Email", ChannelValid: true, Date: d("2026-03-03"), Amount: 200 * attribution.MoneyScale, Rows: 1},
				{Channel: "Email", ChannelValid: true, Date: d("2026-02-01"), Amount: 5 * attribution.MoneyScale, Rows: 1}, // before the lookback
			}}
			got := budgetDataLines(build(file))
			want = []string{
				"Email 2026-02-23 spend=0.00 regs=2 cust=1 open=0 proj=1.0000 rev=10.00",
				"Email 2026-03-02 spend=200.00 regs=0 cust=0 open=0 proj=0.0000 rev=0.00",
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("budget data with a spend file:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
			}
		})
	}
}
