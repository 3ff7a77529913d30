package attribution

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// Relative period names accepted by ResolvePeriod.
const (
	LastMonth    = "last-month"
	LastWeek     = "last-week"
	Last7Days    = "last-7-days"
	Last30Days   = "last-30-days"
	MonthToDate  = "month-to-date"
	LastQuarter  = "last-quarter"
	periodFormat = "last-month, last-week, last-7-days, last-30-days, month-to-date, last-quarter, YYYY-MM, YYYY-Www or YYYY-Qn"
)

var (
	monthRe   = regexp.MustCompile(`^(\d{4})-(\d{2})$`)
	isoWeekRe = regexp.MustCompile(`^(\d{4})-W(\d{2})$`)
	quarterRe = regexp.MustCompile(`^(\d{4})-Q([1-4])$`)
)

// ResolvePeriod turns a period name into local dates, relative to now in
// loc (the report's time zone). Weeks are ISO weeks (Monday to Sunday); a
// period always ends before today, except month-to-date, which includes
// today up to now. back moves the period back by that many of its own
// units (months, weeks, quarters, or its length in days).
func ResolvePeriod(spec string, now time.Time, loc *time.Location, back int) (Period, error) {
	today := DateOf(now.In(loc))
	monthStart := func(y int, m time.Month) Date { return DateOf(time.Date(y, m, 1, 12, 0, 0, 0, time.UTC)) }
	months := func(from Date, n int) Period {
		f := monthStart(from.Year, from.Month-time.Month(back*n))
		return Period{From: f, To: monthStart(f.Year, f.Month+time.Month(n))}
	}
	days := func(to Date, n int) Period {
		end := to.AddDays(-back * n)
		return Period{From: end.AddDays(-n), To: end}
	}
	switch spec {
	case LastMonth:
		return months(monthStart(today.Year, today.Month-1), 1), nil
	case MonthToDate:
		if back == 0 {
			return Period{From: monthStart(today.Year, today.Month), To: today.AddDays(1)}, nil
		}
		return months(monthStart(today.Year, today.Month), 1), nil
	case LastQuarter:
		q := monthStart(today.Year, today.Month-(today.Month-1)%3-3)
		return months(q, 3), nil
	case LastWeek:
		monday := today.AddDays(-((int(weekday(today)) + 6) % 7))
		return days(monday, 7), nil
	case Last7Days:
		return days(today, 7), nil
	case Last30Days:
		return days(today, 30), nil
	}
	if m := monthRe.FindStringSubmatch(spec); m != nil {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		if mo < 1 || mo > 12 {
			return Period{}, fmt.Errorf("period %q: month %d does not exist", spec, mo)
		}
		return months(monthStart(y, time.Month(mo)), 1), nil
	}
	if m := quarterRe.FindStringSubmatch(spec); m != nil {
		y, _ := strconv.Atoi(m[1])
		q, _ := strconv.Atoi(m[2])
		return months(monthStart(y, time.Month(3*q-2)), 3), nil
	}
	if m := isoWeekRe.FindStringSubmatch(spec); m != nil {
		y, _ := strconv.Atoi(m[1])
		w, _ := strconv.Atoi(m[2])
		monday, ok := isoWeekMonday(y, w)
		if !ok {
			return Period{}, fmt.Errorf("period %q: %d has no ISO week %d", spec, y, w)
		}
		return days(monday.AddDays(7), 7), nil
	}
	return Period{}, fmt.Errorf("period %q is not one of %s", spec, periodFormat)
}

// MaturePeriod resolves spec and moves it back, unit by unit, until every
// registration in it is at least windowDays old at asOf: the period's last
// instant plus the window is not after asOf.
func MaturePeriod(spec string, asOf time.Time, loc *time.Location, windowDays int) (Period, error) {
	window := time.Duration(windowDays) * 24 * time.Hour
	for back := 0; back < 10000; back++ {
		p, err := ResolvePeriod(spec, asOf, loc, back)
		if err != nil {
			return p, err
		}
		if _, end := p.Bounds(loc); !end.Add(window).After(asOf) {
			return p, nil
		}
	}
	return Period{}, fmt.Errorf("period %q: no mature period found", spec)
}

func weekday(d Date) time.Weekday {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday()
}

// isoWeekMonday returns the Monday of ISO week w of year y: week 1 is the
// week with the year's first Thursday.
func isoWeekMonday(y, w int) (Date, bool) {
	jan4 := Date{y, time.January, 4}
	week1 := jan4.AddDays(-((int(weekday(jan4)) + 6) % 7))
	monday := week1.AddDays(7 * (w - 1))
	thursday := time.Date(monday.Year, monday.Month, monday.Day+3, 12, 0, 0, 0, time.UTC)
	if iy, iw := thursday.ISOWeek(); w < 1 || iy != y || iw != w {
		return Date{}, false
	}
	return monday, true
}
