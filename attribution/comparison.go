package attribution

import (
	"fmt"
	"time"
)

// Comparison names what a report compares its period with (--compare, a
// job's compare =): the previous period, the same period a year earlier,
// or nothing.
type Comparison string

// The comparisons.
const (
	ComparePrevious Comparison = "previous"
	CompareYear     Comparison = "year"
	CompareNone     Comparison = "none"
)

// ParseComparison validates a --compare value ("" is previous).
func ParseComparison(s string) (Comparison, error) {
	switch Comparison(s) {
	case "", ComparePrevious:
		return ComparePrevious, nil
	case CompareYear, CompareNone:
		return Comparison(s), nil
	}
	return "", Errorf(KindConfig, "compare %q: use previous, year or none", s)
}

// Calendar is the kind of a period, which decides what "the previous one"
// is: a calendar month, quarter or ISO week compares with the previous
// month, quarter or week (September for October); month-to-date with the
// same days of the previous month; anything else (--from/--to, last-7-days,
// last-30-days) with the same number of days just before.
type Calendar string

// The kinds of period.
const (
	CalendarDays        Calendar = ""
	CalendarMonth       Calendar = "month"
	CalendarQuarter     Calendar = "quarter"
	CalendarWeek        Calendar = "week"
	CalendarMonthToDate Calendar = "month-to-date"
)

// CalendarOf is the kind of a --period name (ResolvePeriod's).
func CalendarOf(spec string) Calendar {
	switch {
	case spec == LastMonth || monthRe.MatchString(spec):
		return CalendarMonth
	case spec == LastQuarter || quarterRe.MatchString(spec):
		return CalendarQuarter
	case spec == LastWeek || isoWeekRe.MatchString(spec):
		return CalendarWeek
	case spec == MonthToDate:
		return CalendarMonthToDate
	}
	return CalendarDays
}

// addMonths moves d by n calendar months, clamping the day to the month's
// length (31 March − 1 month is 28 or 29 February).
func addMonths(d Date, n int) Date {
	first := time.Date(d.Year, d.Month+time.Month(n), 1, 12, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return Date{Year: first.Year(), Month: first.Month(), Day: min(d.Day, last)}
}

// ComparisonPeriod is the period p (of kind cal) is compared with, with a
// description of the rule for the outputs; false for CompareNone.
func ComparisonPeriod(p Period, cal Calendar, c Comparison) (Period, string, bool) {
	switch c {
	case CompareNone:
		return Period{}, "", false
	case CompareYear:
		switch cal {
		case CalendarWeek: // the same ISO week (52 weeks back keeps Monday to Sunday)
			return Period{From: p.From.AddDays(-364), To: p.To.AddDays(-364)}, "the week 52 weeks earlier", true
		case CalendarDays:
			return Period{From: addMonths(p.From, -12), To: addMonths(p.From, -12).AddDays(p.Days())}, "the same dates a year earlier", true
		}
		return Period{From: addMonths(p.From, -12), To: addMonths(p.To, -12)}, fmt.Sprintf("the same %s a year earlier", calendarWord(cal)), true
	}
	switch cal {
	case CalendarMonth:
		return Period{From: addMonths(p.From, -1), To: p.From}, "the previous calendar month", true
	case CalendarQuarter:
		return Period{From: addMonths(p.From, -3), To: p.From}, "the previous calendar quarter", true
	case CalendarMonthToDate:
		return Period{From: addMonths(p.From, -1), To: addMonths(p.To, -1)}, "the same days of the previous month", true
	}
	return PreviousPeriod(p), "the previous period of the same length", true
}

func calendarWord(c Calendar) string {
	switch c {
	case CalendarMonthToDate:
		return "days of the month"
	case CalendarDays:
		return "dates"
	}
	return string(c)
}
