package queries_test

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/fixtures"
	"github.com/origen-analytics/origen/queries"
)

// cohortRows are the period's rows per channel and local date of the one
// pass, and its daily spend.
type cohortRows struct {
	Days  []attribution.DailyRow
	Spend []attribution.DailySpendRow
}

func readCohorts(t *testing.T, e edgeDB, period attribution.Period, tz string, asOf time.Time) cohortRows {
	t.Helper()
	s := e.snapshot(t, tz)
	f, err := s.ReadFacts(context.Background(), attribution.FactsRequest{AsOf: asOf, Location: location(t, tz), WindowDays: 30, Period: period})
	if err != nil {
		t.Fatal(err)
	}
	spend, err := s.ReadSpend(context.Background(), period)
	if err != nil {
		t.Fatal(err)
	}
	return cohortRows{Days: f.Days, Spend: spend}
}

func dailyLines(res cohortRows) []string {
	var out []string
	for _, d := range res.Days {
		ch := fmt.Sprintf("%q", d.Channel)
		if !d.ChannelValid {
			ch = "NULL"
		}
		out = append(out, fmt.Sprintf("%s %s regs=%d cust=%d by=%v rev=%s imm=%d", ch, d.Date, d.Registrations, d.Customers,
			d.ConvertedBy, d.Revenue.Format(2), d.Immature))
	}
	for _, s := range res.Spend {
		out = append(out, fmt.Sprintf("spend %q %s %s", s.Channel, s.Date, s.Amount.Format(2)))
	}
	sort.Strings(out)
	return out
}

// The cohorts query on the edge-case data in Europe/Berlin (UTC+1 in
// March), period 2026-02-28 to 2026-03-03, as_of 2026-03-31 11:00 UTC,
// computed by hand. Rows are per raw label and local date:
//
//	u15 02-28 23:59:59 UTC is 1 March local; u5 03-01 23:30 UTC is 2 March
//	local; u16 03-02 00:00 UTC is 2 March 01:00 local.
//	Search 1 March: u15, u1 (day 0, 50.00), u2 (buys at exactly +30 d =
//	as_of: not a customer, no window revenue, but within 60 days),
//	u14 (buys after as_of; immature) -> by = [1 1 1 2].
//	" Search\t": u3 day 4, 100.00 − 30.00 refund; immature (+30 d is 12:00).
//	Réseaux sociaux: u13 day 29 -> by = [0 0 1 1].
func TestCohortsByHand(t *testing.T) {
	period := mustPeriod(t, "2026-02-28", "2026-03-03")
	want := []string{
		`"   " 2026-03-01 regs=1 cust=0 by=[0 0 0 0] rev=0.00 imm=0`,
		`" Search\t" 2026-03-01 regs=1 cust=1 by=[1 1 1 1] rev=70.00 imm=1`,
		`"<script>alert(1)</script>" 2026-03-01 regs=1 cust=0 by=[0 0 0 0] rev=0.00 imm=0`,
		`"=1+1" 2026-03-01 regs=1 cust=0 by=[0 0 0 0] rev=0.00 imm=0`,
		`"Email" 2026-03-01 regs=2 cust=1 by=[1 1 1 1] rev=10.00 imm=0`,
		`"Réseaux sociaux" 2026-03-01 regs=1 cust=1 by=[0 0 1 1] rev=25.00 imm=0`,
		`"Search" 2026-03-01 regs=4 cust=1 by=[1 1 1 2] rev=50.00 imm=1`,
		`"Search" 2026-03-02 regs=1 cust=0 by=[0 0 0 0] rev=0.00 imm=1`,
		`"Social" 2026-03-02 regs=1 cust=0 by=[0 0 0 0] rev=0.00 imm=1`,
		`NULL 2026-03-01 regs=1 cust=0 by=[0 0 0 0] rev=0.00 imm=0`,
		`spend "Display" 2026-03-01 55.55`,
		`spend "Email" 2026-02-28 7.00`,
		`spend "Search" 2026-03-01 100.00`,
		`spend "Search" 2026-03-02 1000.00`,
	}
	for _, e := range openReportEdgeDBs(t) {
		t.Run(string(e.dialect), func(t *testing.T) {
			got := dailyLines(readCohorts(t, e, period, "Europe/Berlin", edgeAsOf))
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("cohort days:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
			}
		})
	}
}

// The local date expression agrees with Go's time zone database on both
// sides of every local midnight and every DST change of a year, in zones
// with 1-hour, 30-minute and no DST changes and a +5:30 offset.
func TestLocalDaysAcrossDST(t *testing.T) {
	for _, e := range openReportEdgeDBs(t) {
		t.Run(string(e.dialect), func(t *testing.T) {
			for _, tz := range []string{"Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"} {
				loc, _ := time.LoadLocation(tz)
				period := mustPeriod(t, "2026-01-01", "2027-01-01")
				start, end := period.Bounds(loc)
				expr := queries.LocalDayExprForTest(e.dialect, "x", loc, start, end)
				if e.dialect == queries.ClickHouse {
					// ClickHouse's / divides as doubles: facts.sql floors the
					// quotient, exact for these magnitudes (docs/SCALE.md).
					expr = "toInt64(floor(" + expr + "))"
				}
				var instants []time.Time
				for d := period.From; d.Before(period.To); d = d.AddDays(1) {
					m := d.In(loc)
					instants = append(instants, m, m.Add(time.Microsecond), m.Add(-time.Microsecond).Add(24*time.Hour))
				}
				for t0 := start; ; {
					_, next := t0.In(loc).ZoneBounds()
					if next.IsZero() || !next.Before(end) {
						break
					}
					instants = append(instants, next.Add(-time.Microsecond), next, next.Add(time.Hour))
					t0 = next
				}
				for len(instants) > 0 {
					batch := instants[:min(100, len(instants))]
					instants = instants[len(batch):]
					var cols []string
					for _, ts := range batch {
						if ts.Before(start) || !ts.Before(end) {
							ts = start
						}
						cols = append(cols, strings.ReplaceAll(expr, "x", fmt.Sprint(ts.UnixMicro())))
					}
					got := make([]int64, len(batch))
					ptrs := make([]any, len(batch))
					for i := range got {
						ptrs[i] = &got[i]
					}
					if err := e.db.QueryRow("SELECT " + strings.Join(cols, ", ")).Scan(ptrs...); err != nil {
						t.Fatal(err)
					}
					for i, ts := range batch {
						if ts.Before(start) || !ts.Before(end) {
							ts = start
						}
						if want := attribution.DateOf(ts.In(loc)).Unix(); got[i] != want {
							t.Fatalf("%s %s: day %d, want %d", tz, ts.In(loc), got[i], want)
						}
					}
				}
			}
		})
	}
}

// The same data gives the same cohort rows on PostgreSQL and SQLite, and a
// channel's daily rows add up to its row in the channel table — across the
// DST change of 25 October in Berlin and over a year in Tokyo.
func TestCohortsAgreeAndAddUp(t *testing.T) {
	dbs := generated(t, smallConfig(7))
	for _, c := range []struct {
		from, to, tz string
	}{
		{"2026-10-01", "2026-11-01", "Europe/Berlin"},
		{"2025-11-01", "2026-11-01", "Asia/Tokyo"},
	} {
		t.Run(c.from+"_"+c.tz, func(t *testing.T) {
			p := mustPeriod(t, c.from, c.to)
			a := readCohorts(t, dbs[0], p, c.tz, fixtures.DemoAsOf)
			b := readCohorts(t, dbs[1], p, c.tz, fixtures.DemoAsOf)
			if !reflect.DeepEqual(dailyLines(a), dailyLines(b)) {
				t.Fatalf("sqlite and postgres differ:\n%s\n---\n%s", strings.Join(dailyLines(a), "\n"), strings.Join(dailyLines(b), "\n"))
			}
			rep := runReport(t, dbs[0], p, c.tz, fixtures.DemoAsOf)
			loc, _ := time.LoadLocation(c.tz)
			byChannel, totals := attribution.Cohorts(a.Days, a.Spend, attribution.CohortInputs{Period: p, Grain: attribution.CohortWeek,
				Location: loc, AsOf: fixtures.DemoAsOf, WindowDays: 30})
			sums := map[string][5]int64{}
			for _, m := range byChannel {
				s := sums[m.Channel]
				s[0] += m.Registrations
				s[1] += m.Customers
				s[2] += int64(m.Revenue)
				s[3] += m.Immature
				s[4] += int64(m.Spend)
				sums[m.Channel] = s
			}
			for _, m := range rep.Channels {
				want := [5]int64{m.Registrations, m.Customers, int64(m.Revenue), m.Immature, int64(m.Spend)}
				if sums[m.Channel] != want {
					t.Errorf("%s: weekly cohorts add up to %v, channel table has %v", m.Channel, sums[m.Channel], want)
				}
			}
			var regs int64
			for _, tot := range totals {
				regs += tot.Registrations
			}
			if regs != rep.Total.Registrations || rep.Total.Registrations == 0 {
				t.Errorf("weekly totals add up to %d registrations, the report has %d", regs, rep.Total.Registrations)
			}
		})
	}
}
