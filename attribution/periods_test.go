package attribution

import (
	"testing"
	"time"
)

func TestResolvePeriod(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	la, _ := time.LoadLocation("America/Los_Angeles")
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		spec string
		now  string
		loc  *time.Location
		want string
	}{
		{LastMonth, "2026-11-01T05:00:00Z", berlin, "2026-10-01..2026-11-01"},
		{LastMonth, "2026-01-15T00:00:00Z", time.UTC, "2025-12-01..2026-01-01"},
		{LastMonth, "2028-03-01T00:30:00Z", time.UTC, "2028-02-01..2028-03-01"}, // leap February
		{LastMonth, "2026-10-31T23:30:00Z", berlin, "2026-10-01..2026-11-01"},   // already 1 Nov in Berlin
		{LastMonth, "2026-10-31T23:30:00Z", time.UTC, "2026-09-01..2026-10-01"},
		{LastMonth, "2026-11-01T02:00:00Z", la, "2026-09-01..2026-10-01"}, // still 31 Oct in LA
		{MonthToDate, "2026-11-24T10:00:00Z", time.UTC, "2026-11-01..2026-11-25"},
		{MonthToDate, "2026-03-31T16:00:00Z", tokyo, "2026-04-01..2026-04-02"},
		{LastQuarter, "2026-11-24T10:00:00Z", time.UTC, "2026-07-01..2026-10-01"},
		{LastQuarter, "2026-01-01T10:00:00Z", time.UTC, "2025-10-01..2026-01-01"},
		{LastQuarter, "2026-03-31T10:00:00Z", time.UTC, "2025-10-01..2026-01-01"},
		{LastWeek, "2026-11-25T10:00:00Z", time.UTC, "2026-11-16..2026-11-23"}, // Wednesday
		{LastWeek, "2026-11-23T00:00:00Z", time.UTC, "2026-11-16..2026-11-23"}, // Monday
		{LastWeek, "2026-11-22T23:59:00Z", time.UTC, "2026-11-09..2026-11-16"}, // Sunday
		{LastWeek, "2027-01-06T10:00:00Z", time.UTC, "2026-12-28..2027-01-04"}, // ISO week 53 of 2026
		{Last7Days, "2026-11-25T10:00:00Z", time.UTC, "2026-11-18..2026-11-25"},
		{Last30Days, "2028-03-01T10:00:00Z", time.UTC, "2028-01-31..2028-03-01"},
		{"2026-02", "2030-01-01T00:00:00Z", time.UTC, "2026-02-01..2026-03-01"},
		{"2028-02", "2030-01-01T00:00:00Z", time.UTC, "2028-02-01..2028-03-01"},
		{"2026-W53", "2030-01-01T00:00:00Z", time.UTC, "2026-12-28..2027-01-04"},
		{"2026-W01", "2030-01-01T00:00:00Z", time.UTC, "2025-12-29..2026-01-05"},
		{"2027-W01", "2030-01-01T00:00:00Z", time.UTC, "2027-01-04..2027-01-11"},
		{"2026-Q4", "2030-01-01T00:00:00Z", time.UTC, "2026-10-01..2027-01-01"},
		{"2026-Q1", "2030-01-01T00:00:00Z", time.UTC, "2026-01-01..2026-04-01"},
	} {
		t.Run(tc.spec+"@"+tc.now+"@"+tc.loc.String(), func(t *testing.T) {
			p, err := ResolvePeriod(tc.spec, at(tc.now), tc.loc, 0)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.From.String() + ".." + p.To.String(); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
	for _, bad := range []string{"2027-W53", "2026-W00", "2026-13", "2026-Q5", "yesterday", ""} {
		if _, err := ResolvePeriod(bad, time.Now(), time.UTC, 0); err == nil {
			t.Errorf("ResolvePeriod(%q) succeeded", bad)
		}
	}
}

// Over every day of a year and several zones: relative periods are never
// empty, end no later than tomorrow, last-month is a whole month, last-week
// starts on a Monday and lasts 7 days.
func TestResolvePeriodOverAYear(t *testing.T) {
	for _, name := range []string{"UTC", "Europe/Berlin", "America/Santiago", "Australia/Lord_Howe", "Pacific/Kiritimati"} {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		for h := 0; h < 366*24; h += 7 {
			now := time.Date(2027, 12, 20, 0, 0, 0, 0, time.UTC).Add(time.Duration(h) * time.Hour)
			today := DateOf(now.In(loc))
			for _, spec := range []string{LastMonth, LastWeek, Last7Days, Last30Days, MonthToDate, LastQuarter} {
				p, err := ResolvePeriod(spec, now, loc, 0)
				if err != nil || p.Validate() != nil {
					t.Fatalf("%s at %v in %s: %v %v", spec, now, name, p, err)
				}
				if today.AddDays(1).Before(p.To) || (spec != MonthToDate && today.Before(p.To)) {
					t.Fatalf("%s at %v in %s ends after today: %v", spec, now, name, p)
				}
				switch spec {
				case LastMonth:
					if p.From.Day != 1 || p.To.Day != 1 || p.From.AddDays(27).Month != p.From.Month || p.To.AddDays(-1).Month != p.From.Month {
						t.Fatalf("last-month %v is not a calendar month", p)
					}
				case LastWeek:
					if weekday(p.From) != time.Monday || p.Days() != 7 {
						t.Fatalf("last-week %v is not an ISO week", p)
					}
				}
			}
		}
	}
}

func TestMaturePeriod(t *testing.T) {
	asOf := time.Date(2026, 11, 1, 5, 0, 0, 0, time.UTC) // 06:00 on the 1st in Berlin
	berlin, _ := time.LoadLocation("Europe/Berlin")
	for _, tc := range []struct {
		spec string
		w    int
		want string
	}{
		{LastMonth, 30, "2026-09-01..2026-10-01"}, // October is not 30 days old yet
		{LastMonth, 1, "2026-09-01..2026-10-01"},  // a registration at 23:59 on 31 Oct is 6 h old
		{LastMonth, 60, "2026-08-01..2026-09-01"},
		{LastWeek, 30, "2026-09-21..2026-09-28"},
		{Last7Days, 7, "2026-10-18..2026-10-25"},
	} {
		p, err := MaturePeriod(tc.spec, asOf, berlin, tc.w)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.From.String() + ".." + p.To.String(); got != tc.want {
			t.Errorf("%s W=%d: got %s, want %s", tc.spec, tc.w, got, tc.want)
		}
		_, end := p.Bounds(berlin)
		if end.Add(time.Duration(tc.w) * 24 * time.Hour).After(asOf) {
			t.Errorf("%s W=%d: %v is not mature at %v", tc.spec, tc.w, p, asOf)
		}
	}
}
