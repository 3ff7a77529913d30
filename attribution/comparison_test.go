package attribution

import "testing"

// The comparison periods, by hand.
func TestComparisonPeriod(t *testing.T) {
	d := func(s string) Date {
		t.Helper()
		v, err := ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	p := func(from, to string) Period { return Period{From: d(from), To: d(to)} }
	for _, c := range []struct {
		name     string
		period   Period
		cal      Calendar
		cmp      Comparison
		want     Period
		wantRule string
	}{
		{"October: September", p("2026-10-01", "2026-11-01"), CalendarMonth, ComparePrevious, p("2026-09-01", "2026-10-01"), "the previous calendar month"},
		{"March: February of a leap year", p("2028-03-01", "2028-04-01"), CalendarMonth, ComparePrevious, p("2028-02-01", "2028-03-01"), "the previous calendar month"},
		{"October a year earlier", p("2026-10-01", "2026-11-01"), CalendarMonth, CompareYear, p("2025-10-01", "2025-11-01"), "the same month a year earlier"},
		{"Q3: Q2", p("2026-07-01", "2026-10-01"), CalendarQuarter, ComparePrevious, p("2026-04-01", "2026-07-01"), "the previous calendar quarter"},
		{"Q1: Q4 of the year before", p("2026-01-01", "2026-04-01"), CalendarQuarter, ComparePrevious, p("2025-10-01", "2026-01-01"), "the previous calendar quarter"},
		{"month to date: the same days", p("2026-11-01", "2026-11-21"), CalendarMonthToDate, ComparePrevious, p("2026-10-01", "2026-10-21"), "the same days of the previous month"},
		{"month to date on the 31st", p("2026-03-01", "2026-04-01"), CalendarMonthToDate, ComparePrevious, p("2026-02-01", "2026-03-01"), "the same days of the previous month"},
		{"ISO week: the week before", p("2026-10-19", "2026-10-26"), CalendarWeek, ComparePrevious, p("2026-10-12", "2026-10-19"), "the previous period of the same length"},
		{"ISO week a year earlier: 52 weeks", p("2026-10-19", "2026-10-26"), CalendarWeek, CompareYear, p("2025-10-20", "2025-10-27"), "the week 52 weeks earlier"},
		{"--from/--to: same length", p("2026-10-05", "2026-10-15"), CalendarDays, ComparePrevious, p("2026-09-25", "2026-10-05"), "the previous period of the same length"},
		{"--from/--to a year earlier", p("2028-02-29", "2028-03-02"), CalendarDays, CompareYear, p("2027-02-28", "2027-03-02"), "the same dates a year earlier"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, rule, ok := ComparisonPeriod(c.period, c.cal, c.cmp)
			if !ok || got != c.want || rule != c.wantRule {
				t.Errorf("got %s %q %v, want %s %q", got, rule, ok, c.want, c.wantRule)
			}
		})
	}
	if _, _, ok := ComparisonPeriod(p("2026-10-01", "2026-11-01"), CalendarMonth, CompareNone); ok {
		t.Error("none compares")
	}
	for spec, want := range map[string]Calendar{"last-month": CalendarMonth, "2026-10": CalendarMonth, "2026-Q3": CalendarQuarter,
		"last-quarter": CalendarQuarter, "2026-W43": CalendarWeek, "last-week": CalendarWeek, "month-to-date": CalendarMonthToDate,
		"last-7-days": CalendarDays, "last-30-days": CalendarDays, "": CalendarDays} {
		if got := CalendarOf(spec); got != want {
			t.Errorf("CalendarOf(%q) = %q, want %q", spec, got, want)
		}
	}
	if _, err := ParseComparison("month"); err == nil || KindOf(err) != KindConfig {
		t.Errorf("compare month: %v", err)
	}
}
