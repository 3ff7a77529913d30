package reports

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Paris in the sample report, on machines without a zone database

	"github.com/origen-analytics/origen/attribution"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// Channel names of the sample report, chosen for the edge cases of
// METRICS.md: HTML, a leading "=", non-ASCII letters, the (none) label.
const (
	chSearch   = "Search"
	chSocial   = "Réseaux sociaux"           // customers, non-ASCII
	chFormula  = "=1+1"                      // registrations without spend
	chScript   = "<script>alert(1)</script>" // spend, registrations, no customers
	chImg      = "<img src=x onerror=alert(1)>"
	chKanji    = "検索" // spend without registrations
	chNone     = attribution.NoChannel
	chHyperlnk = `=HYPERLINK("http://evil.example","click")`
)

// sampleReport runs attribution.Compute over hand-made aggregated rows that
// cover the edge cases every writer must render.
func sampleReport(t *testing.T) attribution.Report {
	t.Helper()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatalf("load time zone: %v", err)
	}
	money := func(s string) attribution.Money {
		t.Helper()
		m, err := attribution.ParseMoney(s)
		if err != nil {
			t.Fatalf("parse money %q: %v", s, err)
		}
		return m
	}
	row := func(ch string, days int, count int64, revenue string) attribution.CohortRow {
		return attribution.CohortRow{Channel: ch, ChannelValid: true, Days: days, Count: count, Revenue: money(revenue)}
	}
	cohort := []attribution.CohortRow{
		row(chSearch, -1, 1150, "0"),
		row(chSearch, 0, 60, "3000.00"),
		row(chSearch, 2, 40, "1234.5"),
		row(chSearch, 9, 20, "-35.25"), // refunds inside the window
		{Channel: chSearch, ChannelValid: true, Days: -1, Immature: true, Count: 30, Duplicates: 7},
		row(chSocial, -1, 380, "0"),
		row(chSocial, 1, 12, "480.00"),
		row(chSocial, 4, 8, "320.10"),
		row(chFormula, -1, 45, "0"),
		row(chFormula, 0, 5, "99.95"),
		row(chScript, -1, 30, "0"),
		row(chImg, 3, 2, "10.00"),
		{Channel: "   ", ChannelValid: true, Days: -1, Count: 6},
		{ChannelValid: false, Days: 5, Count: 1, Revenue: money("19.99")},
		row(chHyperlnk, -1, 4, "0"),
		{Channel: chSearch, ChannelValid: true, Existing: true, Days: -1, Count: 3},
	}
	spend := []attribution.SpendRow{
		{Channel: chSearch, ChannelValid: true, Amount: money("12345.67"), Rows: 31},
		{Channel: chSocial, ChannelValid: true, Amount: money("2000.005"), Rows: 31},
		{Channel: chScript, ChannelValid: true, Amount: money("120"), Rows: 2},
		{Channel: chKanji, ChannelValid: true, Amount: money("999.99"), Rows: 3},
		{Channel: chImg, ChannelValid: true, Amount: money("0.015"), Rows: 1},
	}
	r := attribution.Compute(attribution.Inputs{
		Period:     attribution.Period{From: attribution.Date{Year: 2026, Month: 3, Day: 1}, To: attribution.Date{Year: 2026, Month: 4, Day: 1}},
		AsOf:       time.Date(2026, 4, 10, 0, 0, 0, 0, paris),
		Timezone:   "Europe/Paris",
		Currency:   attribution.Currency{Code: "EUR", Digits: 2},
		WindowDays: 30,
		Cohort:     cohort,
		Spend:      spend,
	})
	// The daily spend as read: each channel's spend on 1 March (a third)
	// and 15 March (the rest), which add up to its spend exactly.
	var days []attribution.DailySpendRow
	for _, s := range spend {
		third := s.Amount / 3
		days = append(days,
			attribution.DailySpendRow{Channel: s.Channel, ChannelValid: true, Date: attribution.Date{Year: 2026, Month: 3, Day: 15}, Amount: s.Amount - third},
			attribution.DailySpendRow{Channel: s.Channel, ChannelValid: true, Date: attribution.Date{Year: 2026, Month: 3, Day: 1}, Amount: third})
	}
	r.SpendDays = attribution.SpendByDay(days, r.Period)
	r.Version = "v0.0.0-test"
	r.Notes = []string{
		"Spend for 2026-03-31 arrived late and is included.",
		"A note with <b>markup</b> & an ampersand.",
	}
	return r
}

// chGone is a channel of the previous period only.
const chGone = "Affiliates (paused)"

// fullReport is sampleReport with a previous period and targets: default
// ones and a channel's own.
func fullReport(t *testing.T) attribution.Report {
	t.Helper()
	r := sampleReport(t)
	row := func(ch string, days int, count int64, revenue attribution.Money) attribution.CohortRow {
		return attribution.CohortRow{Channel: ch, ChannelValid: true, Days: days, Count: count, Revenue: revenue}
	}
	const eur = attribution.MoneyScale
	prev := attribution.Compute(attribution.Inputs{
		Period:     attribution.Period{From: attribution.Date{Year: 2026, Month: 1, Day: 29}, To: attribution.Date{Year: 2026, Month: 3, Day: 1}},
		AsOf:       r.AsOf,
		Timezone:   r.Timezone,
		Currency:   r.Currency,
		WindowDays: r.WindowDays,
		Cohort: []attribution.CohortRow{
			row(chSearch, -1, 1100, 0),
			row(chSearch, 1, 100, 4000*eur),
			row(chSocial, -1, 300, 0),
			row(chSocial, 2, 25, 1000*eur),
			row(chFormula, -1, 40, 0),
			row(chGone, -1, 90, 0),
			row(chGone, 3, 10, 250*eur),
		},
		Spend: []attribution.SpendRow{
			{Channel: chSearch, ChannelValid: true, Amount: 11000 * eur, Rows: 28},
			{Channel: chSocial, ChannelValid: true, Amount: 2500 * eur, Rows: 28},
			{Channel: chGone, ChannelValid: true, Amount: 800 * eur, Rows: 28},
			{Channel: chScript, ChannelValid: true, Amount: 100 * eur, Rows: 2},
		},
	})
	r.Previous = &prev
	cacMax := attribution.Money(110 * eur)
	socialCAC := attribution.Money(90 * eur)
	rateMin, roasMin := 0.06, 0.3
	r.Targets = attribution.Targets{
		Default:  attribution.Thresholds{CACMax: &cacMax, ConversionRateMin: &rateMin},
		Channels: map[string]attribution.Thresholds{chSocial: {CACMax: &socialCAC, ROASMin: &roasMin}},
	}
	return r
}

// channel returns the row of the named channel.
func channel(t *testing.T, r attribution.Report, name string) attribution.ChannelMetrics {
	t.Helper()
	for _, m := range r.Channels {
		if m.Channel == name {
			return m
		}
	}
	t.Fatalf("report has no channel %q", name)
	return attribution.ChannelMetrics{}
}

// render runs a writer and fails the test on error.
func render(t *testing.T, write func(*bytes.Buffer, attribution.Report) error, r attribution.Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := write(&buf, r); err != nil {
		t.Fatalf("write: %v", err)
	}
	return buf.Bytes()
}

// golden compares got with testdata/name, rewriting the file under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output; run go test ./reports -update and review the diff.\ngot:\n%s", path, got)
	}
}

// TestSampleReportCoversEdgeCases guards the fixture itself: the writers'
// tests rely on these shapes.
func TestSampleReportCoversEdgeCases(t *testing.T) {
	r := sampleReport(t)
	tests := []struct {
		name string
		ch   string
		ok   func(m attribution.ChannelMetrics) bool
	}{
		{"spend without registrations", chKanji, func(m attribution.ChannelMetrics) bool {
			return m.Registrations == 0 && m.Spend > 0 && !m.ConversionRate.Valid && !m.CostPerCustomer.Valid()
		}},
		{"registrations without spend", chFormula, func(m attribution.ChannelMetrics) bool {
			return m.Registrations > 0 && m.Spend == 0 && m.CostPerCustomer.Valid() && !m.ROAS.Valid
		}},
		{"no customers", chScript, func(m attribution.ChannelMetrics) bool {
			return m.Registrations > 0 && m.Customers == 0 && !m.CostPerCustomer.Valid() && !m.MedianDaysToConvert.Valid
		}},
		{"no channel", chNone, func(m attribution.ChannelMetrics) bool { return m.Registrations == 7 }},
		{"non-ASCII", chSocial, func(m attribution.ChannelMetrics) bool { return m.Customers == 20 }},
		{"immature", chSearch, func(m attribution.ChannelMetrics) bool { return m.Immature == 30 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if m := channel(t, r, tt.ch); !tt.ok(m) {
				t.Errorf("channel %q does not have the expected shape: %+v", tt.ch, m)
			}
		})
	}
}
