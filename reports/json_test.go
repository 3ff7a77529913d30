package reports

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/origen-analytics/origen/attribution"
)

func writeJSON(b *bytes.Buffer, r attribution.Report) error { return WriteJSON(b, r) }

func TestWriteJSONGolden(t *testing.T) {
	golden(t, "report.golden.json", render(t, writeJSON, sampleReport(t)))
}

// decodeJSON parses a JSON report into generic values, keeping numbers
// exact.
func decodeJSON(t *testing.T, b []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, b)
	}
	if _, err := dec.Token(); err != io.EOF {
		t.Fatalf("output has more than one JSON value")
	}
	return doc
}

// objectKeys returns the keys of the JSON object at the decoder's position,
// in document order, and skips their values.
func objectKeys(t *testing.T, dec *json.Decoder) []string {
	t.Helper()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("want an object, got %v (%v)", tok, err)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	return keys
}

func TestWriteJSONKeyOrder(t *testing.T) {
	out := render(t, writeJSON, sampleReport(t))
	top := objectKeys(t, json.NewDecoder(bytes.NewReader(out)))
	wantTop := []string{"period", "as_of", "timezone", "currency", "conversion_window_days",
		"origen_version", "channels", "total", "data_quality", "notes", "previous_period", "targets",
		"curve_period", "curves", "curves_total", "cohort_grain", "cohorts", "cohort_totals", "trend", "trend_totals", "prospects", "backtest", "event_model",
		"campaigns", "sources", "dimensions", "campaign_spend", "budget", "ltv", "attribution"}
	if !slices.Equal(top, wantTop) {
		t.Errorf("top-level keys = %q, want %q", top, wantTop)
	}

	var doc struct {
		Channels []json.RawMessage `json:"channels"`
		Total    json.RawMessage   `json:"total"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	// The columns' keys first, in order (the original contract), then the
	// projection, the targets and the comparison with the previous period.
	var wantRow []string
	for _, c := range append(slices.Clone(columns), projectionColumns...) {
		wantRow = append(wantRow, c.Key)
	}
	wantRow = append(wantRow, "status", "missed_targets", "status_reason", "targets", "paid_channel", "previous", "change")
	var total struct {
		Paid   json.RawMessage `json:"paid"`
		Unpaid json.RawMessage `json:"unpaid"`
	}
	if err := json.Unmarshal(doc.Total, &total); err != nil {
		t.Fatal(err)
	}
	rows := append(doc.Channels, doc.Total, total.Paid, total.Unpaid)
	for i, raw := range rows {
		name := []string{"total", "total.paid", "total.unpaid"}[max(0, i-len(doc.Channels))]
		want := wantRow
		if i < len(doc.Channels) {
			name = fmt.Sprintf("channel %d", i)
		}
		if name == "total" {
			// The Total row ends with the paid and unpaid channels' rows.
			want = append(slices.Clone(wantRow), "paid", "unpaid")
		}
		t.Run(name, func(t *testing.T) {
			got := objectKeys(t, json.NewDecoder(bytes.NewReader(raw)))
			if !slices.Equal(got, want) {
				t.Errorf("row keys = %q, want the columns' keys %q", got, wantRow)
			}
		})
	}
}

func TestWriteJSONHeader(t *testing.T) {
	doc := decodeJSON(t, render(t, writeJSON, sampleReport(t)))
	tests := []struct {
		key  string
		want any
	}{
		{"period", map[string]any{"from": "2026-03-01", "to": "2026-04-01"}}, // to is exclusive
		{"as_of", "2026-04-09T22:00:00Z"},
		{"timezone", "Europe/Paris"},
		{"currency", "EUR"},
		{"conversion_window_days", json.Number("30")},
		{"origen_version", "v0.0.0-test"},
		{"data_quality", map[string]any{
			"duplicate_registrations":            json.Number("7"),
			"existing_customers":                 json.Number("3"),
			"no_channel_registrations":           json.Number("7"),
			"spend_without_registrations":        []any{chKanji},
			"spend_without_registrations_rows":   json.Number("3"),
			"spend_without_registrations_amount": "999.99",
			"registration_rows":                  json.Number("0"),
			"registrations_without_user":         json.Number("0"),
			"registrations_without_time":         json.Number("0"),
			"registrations_after_as_of":          json.Number("0"),
			"purchase_rows":                      json.Number("0"),
			"purchases_ignored":                  json.Number("0"),
			"purchases_null_amount":              json.Number("0"),
			"purchases_after_as_of":              json.Number("0"),
			"refunds":                            json.Number("0"),
			"zero_amount_purchases":              json.Number("0"),
			"spend_rows":                         json.Number("0"),
			"spend_rows_in_period":               json.Number("0"),
			"spend_ignored":                      json.Number("0"),
			"spend_null_amount":                  json.Number("0"),
		}},
		{"previous_period", nil},
		{"targets", nil},
		{"notes", []any{"Spend for 2026-03-31 arrived late and is included.", "A note with <b>markup</b> & an ampersand."}},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			got, ok := doc[tt.key]
			if !ok {
				t.Fatalf("key %q missing", tt.key)
			}
			if !jsonEqual(got, tt.want) {
				t.Errorf("%s = %#v, want %#v", tt.key, got, tt.want)
			}
		})
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// jsonRowByName finds a channel row, or the total for "Total".
func jsonRowByName(t *testing.T, doc map[string]any, name string) map[string]any {
	t.Helper()
	if name == totalLabel {
		return doc["total"].(map[string]any)
	}
	for _, r := range doc["channels"].([]any) {
		if row := r.(map[string]any); row["channel"] == name {
			return row
		}
	}
	t.Fatalf("no JSON row for channel %q", name)
	return nil
}

func TestWriteJSONRows(t *testing.T) {
	doc := decodeJSON(t, render(t, writeJSON, sampleReport(t)))
	type fields map[string]any // expected values of some keys; nil means JSON null
	tests := []struct {
		name    string
		channel string
		want    fields
	}{
		{"spend without registrations", chKanji, fields{
			"registrations": json.Number("0"), "customers": json.Number("0"),
			"conversion_rate": nil, "conversion_rate_low": nil, "conversion_rate_high": nil,
			"spend": "999.99", "cost_per_registration": nil, "cost_per_customer": nil,
			"revenue": "0.00", "roas": json.Number("0"), "median_days_to_convert": nil,
		}},
		{"registrations without spend", chFormula, fields{
			"registrations": json.Number("50"), "customers": json.Number("5"), "conversion_rate": json.Number("0.1"),
			"spend": "0.00", "cost_per_registration": "0.00", "cost_per_customer": "0.00",
			"revenue": "99.95", "roas": nil, "median_days_to_convert": json.Number("0"),
		}},
		{"no customers", chScript, fields{
			"customers": json.Number("0"), "conversion_rate": json.Number("0"), "conversion_rate_low": json.Number("0"),
			"spend": "120.00", "cost_per_registration": "4.00", "cost_per_customer": nil,
			"roas": json.Number("0"), "median_days_to_convert": nil,
		}},
		{"rounding half away from zero", chImg, fields{
			"spend": "0.02", "cost_per_registration": "0.01", "cost_per_customer": "0.01", "revenue": "10.00",
		}},
		{"four-decimal spend", chSocial, fields{"spend": "2000.01", "cost_per_customer": "100.00", "revenue": "800.10"}},
		{"no channel", chNone, fields{"registrations": json.Number("7"), "customers": json.Number("1")}},
		{"immature and median", chSearch, fields{
			"immature_registrations": json.Number("30"), "median_days_to_convert": json.Number("1"),
			"spend": "12345.67", "revenue": "4199.25",
		}},
		{"total", totalLabel, fields{
			"channel": "Total", "registrations": json.Number("1793"), "customers": json.Number("148"),
			"spend": "15465.68", "cost_per_registration": "8.63", "cost_per_customer": "104.50",
			"revenue": "5129.29", "median_days_to_convert": json.Number("1"), "immature_registrations": json.Number("30"),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			row := jsonRowByName(t, doc, tt.channel)
			for k, want := range tt.want {
				got, ok := row[k]
				if !ok {
					t.Errorf("key %q missing", k)
					continue
				}
				if !jsonEqual(got, want) {
					t.Errorf("%s = %#v, want %#v", k, got, want)
				}
			}
		})
	}
}

// TestWriteJSONNeverNaN: a Valid ratio that is not finite is still null,
// and no output contains NaN, Inf or a zero standing in for n/a.
func TestWriteJSONNeverNaN(t *testing.T) {
	r := sampleReport(t)
	r.Channels[0].ROAS = attribution.Ratio{Value: math.Inf(1), Valid: true}
	r.Channels[0].ConversionRate = attribution.Ratio{Value: math.NaN(), Valid: true}
	doc := decodeJSON(t, render(t, writeJSON, r))
	row := doc["channels"].([]any)[0].(map[string]any)
	for _, k := range []string{"roas", "conversion_rate"} {
		if row[k] != nil {
			t.Errorf("%s = %v, want null", k, row[k])
		}
	}
}

// The JSON carries no wall-clock time: two runs of the same report at
// different times give the same bytes.
func TestWriteJSONIgnoresGenerationTime(t *testing.T) {
	a, b := sampleReport(t), sampleReport(t)
	a.GeneratedAt = time.Date(2026, 4, 10, 9, 30, 15, 0, time.UTC)
	b.GeneratedAt = time.Date(2026, 4, 11, 6, 0, 0, 0, time.UTC)
	if !bytes.Equal(render(t, writeJSON, a), render(t, writeJSON, b)) {
		t.Error("the JSON depends on the generation time")
	}
}

func TestWriteJSONShape(t *testing.T) {
	empty := attribution.Report{
		Period:   attribution.Period{From: attribution.Date{Year: 2026, Month: 1, Day: 1}, To: attribution.Date{Year: 2026, Month: 1, Day: 2}},
		AsOf:     time.Date(2026, 1, 5, 0, 0, 0, 123000000, time.UTC),
		Currency: attribution.Currency{Code: "JPY", Digits: 0},
	}
	tests := []struct {
		name  string
		r     attribution.Report
		check func(t *testing.T, out []byte, doc map[string]any)
	}{
		{"deterministic and newline-terminated", sampleReport(t), func(t *testing.T, out []byte, _ map[string]any) {
			if !bytes.HasSuffix(out, []byte("}\n")) {
				t.Errorf("output does not end in a newline")
			}
			again := render(t, writeJSON, sampleReport(t))
			if !bytes.Equal(out, again) {
				t.Errorf("two runs on the same report differ")
			}
			if !bytes.Contains(out, []byte("\n  \"period\": {\n")) {
				t.Errorf("output is not indented with two spaces")
			}
		}},
		{"HTML in names is escaped by encoding/json", sampleReport(t), func(t *testing.T, out []byte, _ map[string]any) {
			if bytes.Contains(out, []byte("<script>")) || !bytes.Contains(out, []byte(`\u003cscript\u003e`)) {
				t.Errorf("channel names are not JSON-escaped as encoding/json does")
			}
			for _, bad := range []string{"NaN", "Inf"} {
				if bytes.Contains(out, []byte(bad)) {
					t.Errorf("output contains %s", bad)
				}
			}
		}},
		{"empty lists are arrays", empty, func(t *testing.T, _ []byte, doc map[string]any) {
			for _, k := range []string{"channels", "notes"} {
				if got, ok := doc[k].([]any); !ok || len(got) != 0 {
					t.Errorf("%s = %#v, want []", k, doc[k])
				}
			}
			dq := doc["data_quality"].(map[string]any)
			if got, ok := dq["spend_without_registrations"].([]any); !ok || len(got) != 0 {
				t.Errorf("spend_without_registrations = %#v, want []", dq["spend_without_registrations"])
			}
		}},
		{"zero-digit currency and sub-second as-of", empty, func(t *testing.T, _ []byte, doc map[string]any) {
			total := doc["total"].(map[string]any)
			if total["spend"] != "0" || total["roas"] != nil || total["conversion_rate"] != nil {
				t.Errorf("total = %v, want spend \"0\" and null ratios", total)
			}
			if doc["as_of"] != "2026-01-05T00:00:00.123Z" {
				t.Errorf("as_of = %v, want the exact instant", doc["as_of"])
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := render(t, writeJSON, tt.r)
			tt.check(t, out, decodeJSON(t, out))
		})
	}
}

func TestWritersRejectBadCurrency(t *testing.T) {
	r := sampleReport(t)
	r.Currency.Digits = 5
	writers := []struct {
		name  string
		write func(io.Writer, attribution.Report) error
	}{
		{"json", WriteJSON},
		{"workbook", WriteWorkbook},
		{"html", WriteHTML},
	}
	for _, w := range writers {
		t.Run(w.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := w.write(&buf, r)
			if err == nil || !strings.Contains(err.Error(), "minor-unit digits") {
				t.Errorf("err = %v, want a minor-unit digits error", err)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes despite the error", buf.Len())
			}
		})
	}
}

// failingWriter fails every write, to check errors are returned.
type failingWriter struct{}

var errDiskFull = errors.New("disk full")

func (failingWriter) Write([]byte) (int, error) { return 0, errDiskFull }

func TestWritersReturnWriteErrors(t *testing.T) {
	r := sampleReport(t)
	writers := []struct {
		name  string
		write func(io.Writer, attribution.Report) error
	}{
		{"json", WriteJSON},
		{"workbook", WriteWorkbook},
		{"html", WriteHTML},
	}
	for _, w := range writers {
		t.Run(w.name, func(t *testing.T) {
			if err := w.write(failingWriter{}, r); !errors.Is(err, errDiskFull) {
				t.Errorf("err = %v, want it to wrap %v", err, errDiskFull)
			}
		})
	}
}

// The report with a previous period and targets: the additions to the
// contract, pinned as a whole.
func TestWriteJSONGoldenComparison(t *testing.T) {
	golden(t, "report_comparison.golden.json", render(t, writeJSON, fullReport(t)))
}

func TestWriteJSONComparison(t *testing.T) {
	doc := decodeJSON(t, render(t, writeJSON, fullReport(t)))
	type fields map[string]any
	tests := []struct {
		name, channel, object string // object: "" for the row, or "previous", "change", "targets"
		want                  fields
	}{
		{"own and default targets", chSocial, "", fields{
			"status": "off_target", "missed_targets": []any{"cac_max", "conversion_rate_min"}}},
		{"thresholds that apply: own CAC and ROAS, default rate", chSocial, "targets", fields{
			"cac_max": "90.00", "conversion_rate_min": json.Number("0.06"), "roas_min": json.Number("0.3")}},
		{"spend and no customers misses CAC", chKanji, "", fields{"status": "off_target", "missed_targets": []any{"cac_max"}}},
		{"on target", chSearch, "", fields{"status": "on_target", "missed_targets": []any{}}},
		{"Total uses the default targets", totalLabel, "targets", fields{"cac_max": "110.00", "roas_min": nil}},
		{"previous figures", chSearch, "previous", fields{
			"registrations": json.Number("1200"), "customers": json.Number("100"), "spend": "11000.00",
			"cost_per_customer": "110.00", "revenue": "4000.00"}},
		{"changes", chSearch, "change", fields{
			"registrations": json.Number("100"), "customers": json.Number("20"), "customers_pct": json.Number("0.19999999999999996"),
			"cost_per_customer": "-7.12"}},
		{"a channel new in this period has zeros before", chKanji, "previous", fields{
			"registrations": json.Number("0"), "spend": "0.00", "cost_per_customer": nil, "roas": nil}},
		{"relative changes from zero are null", chKanji, "change", fields{
			"registrations": json.Number("0"), "registrations_pct": nil, "cost_per_customer_pct": nil, "roas": nil}},
		{"Total compares with the previous Total, channels of the previous period only included", totalLabel, "previous", fields{
			"registrations": json.Number("1665"), "customers": json.Number("135"), "spend": "14400.00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj := jsonRowByName(t, doc, tt.channel)
			if tt.object != "" {
				obj = obj[tt.object].(map[string]any)
			}
			for k, want := range tt.want {
				if got := obj[k]; !jsonEqual(got, want) {
					t.Errorf("%s = %#v, want %#v", k, got, want)
				}
			}
		})
	}
	t.Run("previous period table", func(t *testing.T) {
		prev := doc["previous_period"].(map[string]any)
		if !jsonEqual(prev["period"], map[string]any{"from": "2026-01-29", "to": "2026-03-01"}) {
			t.Errorf("period = %v", prev["period"])
		}
		var names []string
		for _, r := range prev["channels"].([]any) {
			names = append(names, r.(map[string]any)["channel"].(string))
		}
		if !slices.Contains(names, chGone) {
			t.Errorf("previous channels %q do not include %q", names, chGone)
		}
	})
	t.Run("no targets: statuses are null", func(t *testing.T) {
		doc := decodeJSON(t, render(t, writeJSON, sampleReport(t)))
		row := jsonRowByName(t, doc, chSearch)
		for _, k := range []string{"status", "missed_targets", "targets", "previous", "change"} {
			if v, ok := row[k]; !ok || v != nil {
				t.Errorf("%s = %#v, want null", k, v)
			}
		}
	})
}
