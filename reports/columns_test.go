package reports

import (
	"math"
	"math/big"
	"testing"
	"time"

	"github.com/origen-analytics/origen/attribution"
)

func TestGroupDigits(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0", "0"},
		{"999", "999"},
		{"1000", "1,000"},
		{"1234567", "1,234,567"},
		{"-1234.50", "-1,234.50"},
		{"123456.7890", "123,456.7890"},
		{"-100", "-100"},
		{"100000", "100,000"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := attribution.GroupDigits(tt.in); got != tt.want {
				t.Errorf("attribution.GroupDigits(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestColumnDisplay(t *testing.T) {
	eur := attribution.Currency{Code: "EUR", Digits: 2}
	jpy := attribution.Currency{Code: "JPY", Digits: 0}
	tests := []struct {
		name string
		key  string
		m    attribution.ChannelMetrics
		cur  attribution.Currency
		want string
	}{
		{"count", "registrations", attribution.ChannelMetrics{Registrations: 1234567}, eur, "1,234,567"},
		{"rate", "conversion_rate", attribution.ChannelMetrics{ConversionRate: attribution.Ratio{Value: 0.0042, Valid: true}}, eur, "0.42%"},
		{"rate n/a", "conversion_rate", attribution.ChannelMetrics{}, eur, "n/a"},
		{"NaN is n/a", "roas", attribution.ChannelMetrics{ROAS: attribution.Ratio{Value: math.NaN(), Valid: true}}, eur, "n/a"},
		{"Inf is n/a", "roas", attribution.ChannelMetrics{ROAS: attribution.Ratio{Value: math.Inf(-1), Valid: true}}, eur, "n/a"},
		{"money", "spend", attribution.ChannelMetrics{Spend: 12345675000}, eur, "1,234,567.50"},
		{"money rounds half away from zero", "revenue", attribution.ChannelMetrics{Revenue: -50}, eur, "-0.01"},
		{"money without minor unit", "spend", attribution.ChannelMetrics{Spend: 15000}, jpy, "2"},
		{"zero spend is 0, not n/a", "spend", attribution.ChannelMetrics{}, eur, "0.00"},
		{"quotient", "cost_per_customer", attribution.ChannelMetrics{CostPerCustomer: attribution.Quotient{Num: 10000, Den: 3}}, eur, "0.33"},
		{"quotient n/a", "cost_per_customer", attribution.ChannelMetrics{CostPerCustomer: attribution.Quotient{Num: 10000}}, eur, "n/a"},
		{"multiple", "roas", attribution.ChannelMetrics{ROAS: attribution.Ratio{Value: 2.345, Valid: true}}, eur, "2.35x"},
		{"days", "median_days_to_convert", attribution.ChannelMetrics{MedianDaysToConvert: attribution.Ratio{Value: 3.5, Valid: true}}, eur, "3.5"},
		{"text", "channel", attribution.ChannelMetrics{Channel: "<b>"}, eur, "<b>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := columnByKey(tt.key)
			if got := c.display(c.get(tt.m), tt.cur); got != tt.want {
				t.Errorf("display = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestColumnsAreComplete: every column has a definition, a unique key
// and header, and an n/a reason exactly when its value can be undefined.
func TestColumnsAreComplete(t *testing.T) {
	keys, headers := map[string]bool{}, map[string]bool{}
	for _, c := range columns {
		t.Run(c.Key, func(t *testing.T) {
			if c.Definition == "" || c.Header == "" || c.get == nil {
				t.Errorf("column %+v is incomplete", c)
			}
			if keys[c.Key] || headers[c.Header] {
				t.Errorf("duplicate key %q or header %q", c.Key, c.Header)
			}
			keys[c.Key], headers[c.Header] = true, true
			undefined := !c.get(attribution.ChannelMetrics{}).OK
			if undefined != (c.NA != "") {
				t.Errorf("column can be n/a: %v, but NA = %q", undefined, c.NA)
			}
		})
	}
}

func TestDisplayWidth(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"Search", 6},
		{"Réseaux sociaux", 15},
		{"検索", 4},
		{"광고", 4},
		{"ｶﾀｶﾅ", 4}, // half-width katakana is narrow
		{"", 0},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := displayWidth(tt.in); got != tt.want {
				t.Errorf("displayWidth(%q) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

func TestHeaderWidth(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"ROAS", 4},
		{"Cost per registration", 12}, // "registration" is the longest word
		{"Median days to convert", 11},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := headerWidth(tt.in); got != tt.want {
				t.Errorf("headerWidth(%q) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

func TestTimesAndPeriods(t *testing.T) {
	at := time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC) // the night Paris moves to summer time
	tests := []struct {
		name, got, want string
	}{
		{"in the report zone", humanTime(at, "Europe/Paris"), "2026-03-29 03:30:00 +02:00"},
		{"unknown zone keeps the instant's own", humanTime(at, "Mars/Olympus"), "2026-03-29 01:30:00 +00:00"},
		{"no zone", humanTime(at, ""), "2026-03-29 01:30:00 +00:00"},
		{"zero time", humanTime(time.Time{}, "UTC"), ""},
		{"period shows the last day", periodText(attribution.Period{
			From: attribution.Date{Year: 2026, Month: 2, Day: 1}, To: attribution.Date{Year: 2026, Month: 3, Day: 1},
		}), "2026-02-01 to 2026-02-28"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

// TestTableColumnsAreComplete: every column of the widest table has a
// definition, a unique key and header, a formula whose every reference
// names a column of the table, and an n/a reason when it can be empty.
func TestTableColumnsAreComplete(t *testing.T) {
	r := fullReport(t)
	cols := tableColumns(r)
	letters := map[string]string{}
	for i, c := range cols {
		letters[c.Key] = string(rune('A' + i%26))
	}
	keys, headers := map[string]bool{}, map[string]bool{}
	rows, total := tableRows(r)
	for _, c := range cols {
		t.Run(c.Key, func(t *testing.T) {
			if c.Definition == "" || c.Header == "" || (c.get == nil) == (c.of == nil) {
				t.Errorf("column %q is incomplete", c.Key)
			}
			if keys[c.Key] || headers[c.Header] {
				t.Errorf("duplicate key %q or header %q", c.Key, c.Header)
			}
			keys[c.Key], headers[c.Header] = true, true
			if c.Formula != "" {
				_ = c.formulaAt(letters, 2) // panics on an unknown reference
			}
			empty := false
			for _, x := range append(rows, total) {
				empty = empty || !c.value(x).OK
			}
			if empty && c.NA == "" && c.Group != groupTarget {
				t.Errorf("column can be empty but has no n/a reason")
			}
		})
	}
	if got := len(tableColumns(sampleReport(t))); got != len(columns) {
		t.Errorf("a report without targets or previous period has %d columns, want %d", got, len(columns))
	}
}

func TestFormatRat(t *testing.T) {
	tests := []struct {
		num, den int64
		digits   int
		want     string
	}{
		{1, 2, 0, "1"}, {-1, 2, 0, "-1"}, {1, 3, 2, "0.33"}, {-1, 3, 2, "-0.33"}, {-1, 1000, 2, "0.00"}, {5, 1000, 2, "0.01"}, {12345, 1, 2, "12345.00"},
	}
	for _, tt := range tests {
		if got := formatRat(big.NewRat(tt.num, tt.den), tt.digits); got != tt.want {
			t.Errorf("formatRat(%d/%d, %d) = %q, want %q", tt.num, tt.den, tt.digits, got, tt.want)
		}
	}
}
