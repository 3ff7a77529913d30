package reports

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/origen-analytics/origen/attribution"
)

func TestCSVSafe(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"Search", "Search"},
		{"=1+1", "'=1+1"},
		{"=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"},
		{"+49 30 1234", "'+49 30 1234"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tcmd", "'\tcmd"},
		{"\r=1", "'\r=1"},
		{"-", "'-"},
		{"-.", "'-."},
		{"-Inf", "'-Inf"}, // ParseFloat would take it; a spreadsheet would run it
		{"-1e5", "'-1e5"}, // not a plain decimal: quoted, to be safe
		{"- 1", "'- 1"},   // neither
		{"-0x1p-2", "'-0x1p-2"},
		{"-12", "-12"}, // a negative id stays a number
		{"-1.5", "-1.5"},
		{"+1.25", "+1.25"},
		{"-.5", "-.5"},
		{"1.5", "1.5"},
		{" =1", " =1"}, // only the first character counts
		{"a=1", "a=1"},
		{"東京", "東京"},
	} {
		if got := CSVSafe(tc.in); got != tc.want {
			t.Errorf("CSVSafe(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// Every dangerous first character is neutralised in the report CSV and in
// prospects.csv, in every text column; numbers stay numbers.
func TestCSVFilesAreSafe(t *testing.T) {
	dangerous := []string{"=cmd|' /C calc'!A0", "+1+1", "-1+1", "@SUM(1)", "\tx", "\rx"}
	t.Run("report", func(t *testing.T) {
		// Channel labels are trimmed (METRICS.md rule 2), so a leading tab
		// or CR cannot reach the report's CSV; TestCSVSafe covers them.
		dangerous := dangerous[:4]
		in := attribution.Inputs{
			Period:     attribution.Period{From: attribution.Date{Year: 2026, Month: 3, Day: 1}, To: attribution.Date{Year: 2026, Month: 4, Day: 1}},
			Currency:   attribution.Currency{Code: "EUR", Digits: 2},
			WindowDays: 30,
		}
		for _, ch := range append(slices.Clone(dangerous), "-1.5") {
			// A refund bigger than the purchase: revenue −1.50.
			in.Cohort = append(in.Cohort, attribution.CohortRow{Channel: ch, ChannelValid: true, Days: 0, Count: 1, Revenue: -15000})
			in.Spend = append(in.Spend, attribution.SpendRow{Channel: ch, ChannelValid: true, Amount: 10000})
		}
		var b bytes.Buffer
		if err := WriteCSV(&b, attribution.Compute(in)); err != nil {
			t.Fatal(err)
		}
		recs := readCSVRecords(t, &b)
		got := map[string]bool{}
		for _, rec := range recs[1:] {
			got[rec[0]] = true
			if rec[9] != "-1.50" && rec[0] != "Total" {
				t.Errorf("%q: revenue %q, want the number -1.50", rec[0], rec[9])
			}
			if rec[10] != "-1.5" && rec[0] != "Total" {
				t.Errorf("%q: ROAS %q, want the number -1.5", rec[0], rec[10])
			}
		}
		for _, ch := range dangerous {
			if !got["'"+ch] {
				t.Errorf("channel %q is not neutralised: %v", ch, got)
			}
		}
		if !got["-1.5"] {
			t.Errorf("the channel named -1.5 did not stay a number: %v", got)
		}
	})
	t.Run("prospects", func(t *testing.T) {
		berlin, err := time.LoadLocation("Europe/Berlin")
		if err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 11, 1, 23, 30, 0, 0, time.UTC)
		var ps []attribution.Prospect
		for _, s := range dangerous {
			ps = append(ps, attribution.Prospect{UserID: s, Channel: s, Campaign: s, RegisteredAt: at, AgeDays: 3, Probability: 0.25})
		}
		ps = append(ps, attribution.Prospect{UserID: "-12", Channel: "Search", Campaign: "(none)", RegisteredAt: at, AgeDays: 0, Probability: 1.0 / 3})
		var b bytes.Buffer
		if err := WriteProspectsCSV(&b, ps, berlin); err != nil {
			t.Fatal(err)
		}
		recs := readCSVRecords(t, &b)
		if strings.Join(recs[0], ",") != "user_id,channel,campaign,registered_at,age_days,probability" {
			t.Errorf("header %v", recs[0])
		}
		for i, s := range dangerous {
			rec := recs[i+1]
			for c := 0; c < 3; c++ {
				if rec[c] != "'"+s {
					t.Errorf("row %d column %d = %q, want %q", i+1, c, rec[c], "'"+s)
				}
			}
			if rec[3] != "2026-11-02T00:30:00+01:00" || rec[4] != "3" || rec[5] != "0.250000" {
				t.Errorf("row %d = %q", i+1, rec)
			}
		}
		if last := recs[len(recs)-1]; strings.Join(last, ",") != "-12,Search,(none),2026-11-02T00:30:00+01:00,0,0.333333" {
			t.Errorf("last row %q", last)
		}
	})
}

func TestWriteBacktestCSV(t *testing.T) {
	scoredAt := time.Date(2026, 11, 13, 0, 0, 0, 0, time.UTC)
	b := attribution.EvaluateBacktest([]attribution.ScoredGroup{{Score: 0.5, Users: 10, Converted: 6}, {Score: 0.1, Users: 90, Converted: 4}}, 5)
	b.AsOf, b.OutcomeEnd, b.HorizonDays = scoredAt, scoredAt.AddDate(0, 0, 7), 7
	m := &attribution.EventModel{TrainedOn: [2]time.Time{scoredAt.AddDate(0, 0, -7), scoredAt}, Users: 100,
		Coefficients: []attribution.Coefficient{{Name: "intercept", Value: -1.25}},
		Backtest:     &attribution.Backtest{}}
	var out bytes.Buffer
	if err := WriteBacktestCSV(&out, b, m); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, rec := range readCSVRecords(t, &out) {
		got[rec[0]] = rec[1]
	}
	for k, want := range map[string]string{
		"metric": "value", "scored_at": "2026-11-13T00:00:00Z", "outcome_end": "2026-11-20T00:00:00Z", "horizon_days": "7",
		"prospects": "100", "converted": "10", "base_rate": "0.100000", "top_n": "5", "precision_at_top_n": "0.600000",
		"top_decile_rate": "0.600000", "top_decile_lift": "6.000000", "calibration_error": "0.060000",
		"max_calibration_gap": "0.100000", "decile_1_users": "10.0", "decile_1_mean_score": "0.500000",
		"decile_1_observed_rate": "0.600000", "decile_10_observed_rate": "0.044444",
		"event_model_trained_at": "2026-11-06T00:00:00Z", "event_model_users": "100",
		"event_model_coefficient: intercept": "-1.25", // a number: no apostrophe
		"event_model_base_rate":              "",      // undefined: empty
	} {
		if got[k] != want {
			t.Errorf("%s = %q, want %q", k, got[k], want)
		}
	}
}

func readCSVRecords(t *testing.T, b *bytes.Buffer) [][]string {
	t.Helper()
	r := csv.NewReader(b)
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}
