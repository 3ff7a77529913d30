package attribution

import (
	"fmt"
	"time"
)

// Date is a calendar date with no time zone, such as a report period bound
// or a spend row's date.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate reads a YYYY-MM-DD date and rejects impossible ones (2026-02-30).
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q is not a valid YYYY-MM-DD date", s)
	}
	return DateOf(t), nil
}

// DateOf returns the calendar date of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// String formats d as YYYY-MM-DD.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// In returns the instant at which d begins in loc (local midnight, or the
// first instant of the day where a DST change skips midnight).
func (d Date) In(loc *time.Location) time.Time {
	t := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
	if DateOf(t) != d { // midnight skipped by a DST change: Go normalised into the previous day
		t = time.Date(d.Year, d.Month, d.Day, 1, 0, 0, 0, loc)
	}
	return t
}

// AddDays returns d moved by n days.
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC))
}

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool { return d.Unix() < e.Unix() }

// Unix returns the days since 1970-01-01 (negative before).
func (d Date) Unix() int64 {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// Period is the half-open range of local dates [From, To) of a report.
type Period struct {
	From Date
	To   Date
}

// Validate reports an error when the period is empty or reversed.
func (p Period) Validate() error {
	if !p.From.Before(p.To) {
		return fmt.Errorf("period %s to %s is empty: --to is exclusive and must be after --from", p.From, p.To)
	}
	return nil
}

// Days returns the number of dates in the period.
func (p Period) Days() int { return int(p.To.Unix() - p.From.Unix()) }

// Bounds returns the instants [start, end) that the period covers in loc:
// a registration belongs to the period when its registered_at falls in
// them (METRICS.md, "Time").
func (p Period) Bounds(loc *time.Location) (start, end time.Time) {
	return p.From.In(loc), p.To.In(loc)
}

// String formats the period as "from to to (exclusive)".
func (p Period) String() string { return p.From.String() + " – " + p.To.AddDays(-1).String() }
