package attribution

import (
	"strings"
	"testing"
	"time"
	"unicode"
)

// fuzzZones are the zones a fuzzed zone name falls back to when it is not
// one that loads: offsets of every sign and size, half and quarter hours,
// DST in both hemispheres, a zone that skips midnight (America/Santiago)
// and one that skipped a whole day (Pacific/Apia, 2011-12-30).
var fuzzZones = []string{"UTC", "Europe/Berlin", "America/St_Johns", "Asia/Kathmandu", "Australia/Lord_Howe",
	"Pacific/Kiritimati", "Pacific/Apia", "America/Santiago", "America/Los_Angeles", "Africa/Casablanca"}

// asOfRange is what --as-of can be (RFC 3339: years 0000 to 9999).
var asOfMin, asOfMax = time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC).Unix(), time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC).Unix()

func fuzzLocation(zone string, offset int32) *time.Location {
	if zone == "fixed" {
		return time.FixedZone("fixed", int(offset%(18*3600))) // ±18 h, as in RFC 3339 offsets and more
	}
	if loc, err := time.LoadLocation(zone); err == nil && zone != "" && zone != "Local" {
		return loc
	}
	loc, err := time.LoadLocation(fuzzZones[uint(len(zone))%uint(len(fuzzZones))])
	if err != nil {
		panic(err)
	}
	return loc
}

// Period names with any as-of and zone resolve to a non-empty period or
// an error, never a panic. Relative periods end before today (month-to-
// date: tomorrow), and a mature period is W days old at as-of.
func FuzzResolvePeriod(f *testing.F) {
	asOf := time.Date(2026, 11, 1, 5, 0, 0, 0, time.UTC).Unix()
	for _, name := range []string{LastMonth, LastWeek, Last7Days, Last30Days, MonthToDate, LastQuarter,
		"2026-10", "2026-13", "2026-W43", "2026-W53", "2020-W53", "2026-Q4", "2026-Q5", "0000-01", "9999-W52", "last-month "} {
		f.Add(name, asOf, "Europe/Berlin", int32(0), uint16(0), uint16(30))
	}
	f.Add("last-month", int64(1325239200), "Pacific/Apia", int32(0), uint16(1), uint16(1))
	f.Add("month-to-date", asOfMin, "fixed", int32(-18*3600+1), uint16(3), uint16(3650))
	f.Add("last-week", asOfMax, "fixed", int32(14*3600), uint16(10000), uint16(1))
	f.Fuzz(func(t *testing.T, name string, sec int64, zone string, offset int32, back, window uint16) {
		if sec < asOfMin || sec > asOfMax {
			sec = asOfMin + int64(uint64(sec)%uint64(asOfMax-asOfMin+1))
		}
		now := time.Unix(sec, 0)
		loc := fuzzLocation(zone, offset)
		windowDays := 1 + int(window)%3650 // the config's range
		p, err := ResolvePeriod(name, now, loc, int(back)%10001)
		if err == nil {
			if !p.From.Before(p.To) {
				t.Errorf("ResolvePeriod(%q, %v, %v, %d) = %v, an empty period", name, now, loc, back, p)
			}
			today := DateOf(now.In(loc))
			switch name {
			case MonthToDate:
				if back == 0 && p.To != today.AddDays(1) {
					t.Errorf("month-to-date at %v ends %v, want %v", now.In(loc), p.To, today.AddDays(1))
				}
			case LastMonth, LastWeek, Last7Days, Last30Days, LastQuarter:
				if today.Before(p.To) {
					t.Errorf("%s at %v ends %v, after today %v", name, now.In(loc), p.To, today)
				}
			}
		}
		mp, err := MaturePeriod(name, now, loc, windowDays)
		if err == nil {
			if !mp.From.Before(mp.To) {
				t.Errorf("MaturePeriod(%q, %v, %v, %d) = %v, an empty period", name, now, loc, windowDays, mp)
			}
			if _, end := mp.Bounds(loc); end.Add(time.Duration(windowDays) * 24 * time.Hour).After(now) {
				t.Errorf("MaturePeriod(%q, %v, %v, %d) = %v, which is not %d days old", name, now, loc, windowDays, mp, windowDays)
			}
		}
	})
}

// Channel labels normalise to a label that is trimmed, never empty, and
// normalises to itself (METRICS.md, "Cohort" rule 2).
func FuzzNormalizeChannel(f *testing.F) {
	for _, s := range []string{"Paid Search", "  Paid Search\t", "", " ", "\u00a0\u2003", "(none)", " (none) ", "\x85", "\xff\xfe",
		"Paid\u200bSearch", "\u3000Display\u3000", "\n\r\v\f"} {
		f.Add(s, true)
	}
	f.Add("Paid Search", false)
	f.Fuzz(func(t *testing.T, raw string, valid bool) {
		got := NormalizeChannel(raw, valid)
		if got == "" {
			t.Fatalf("NormalizeChannel(%q, %v) is empty", raw, valid)
		}
		if strings.TrimFunc(got, unicode.IsSpace) != got {
			t.Errorf("NormalizeChannel(%q, %v) = %q, not trimmed", raw, valid, got)
		}
		if again := NormalizeChannel(got, true); again != got {
			t.Errorf("NormalizeChannel(%q) = %q, but NormalizeChannel(%q) = %q: not idempotent", raw, got, got, again)
		}
		if want := strings.TrimFunc(raw, unicode.IsSpace); valid && want != "" && got != want {
			t.Errorf("NormalizeChannel(%q, true) = %q, want the label as written, trimmed: %q", raw, got, want)
		}
	})
}
