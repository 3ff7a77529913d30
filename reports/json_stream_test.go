package reports

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/origen-analytics/origen/attribution"
)

// TestEncodeIndentedMatchesEncodingJSON: the streamed JSON is byte for
// byte what encoding/json's indenting encoder writes, for reports with
// and without a previous period, targets, curves, cohorts and prospects.
func TestEncodeIndentedMatchesEncodingJSON(t *testing.T) {
	for _, tt := range []struct {
		name string
		r    attribution.Report
	}{
		{"metrics only", sampleReport(t)},
		{"previous period and targets", fullReport(t)},
		{"maturity", maturityReport(t)},
		{"hostile names", hostileReport(t)},
		{"empty", attribution.Report{Currency: attribution.Currency{Code: "EUR", Digits: 2}}},
		{"many channels", scaleReport(t, scaleOptions{Channels: 300, Registrations: 5000, Days: 60, Grain: attribution.CohortWeek, SpendOnly: 3, Seed: 3})},
	} {
		t.Run(tt.name, func(t *testing.T) {
			doc := jsonDocument(tt.r)
			var want, got bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetIndent("", "  ")
			if err := enc.Encode(doc); err != nil {
				t.Fatal(err)
			}
			if err := encodeIndented(&got, doc); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				i := 0
				for i < min(got.Len(), want.Len()) && got.Bytes()[i] == want.Bytes()[i] {
					i++
				}
				t.Errorf("output differs from encoding/json at byte %d of %d: got %q, want %q", i, want.Len(),
					got.Bytes()[max(i-40, 0):min(i+40, got.Len())], want.Bytes()[max(i-40, 0):min(i+40, want.Len())])
			}
		})
	}
}
