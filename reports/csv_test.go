package reports

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/origen-analytics/origen/attribution"
)

func TestWriteCSV(t *testing.T) {
	r := attribution.Compute(attribution.Inputs{
		Period:     attribution.Period{From: attribution.Date{Year: 2026, Month: 3, Day: 1}, To: attribution.Date{Year: 2026, Month: 4, Day: 1}},
		Currency:   attribution.Currency{Code: "EUR", Digits: 2},
		WindowDays: 30,
		Cohort: []attribution.CohortRow{
			{Channel: "=1+1", ChannelValid: true, Days: 2, Count: 1, Revenue: 500000},
			{Channel: "=1+1", ChannelValid: true, Days: -1, Count: 2},
		},
		Spend: []attribution.SpendRow{{Channel: "Display", ChannelValid: true, Amount: 555500}},
	})
	var b bytes.Buffer
	if err := WriteCSV(&b, r); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := make([]string, len(recs))
	for i, rec := range recs {
		got[i] = strings.Join(rec, "|")
	}
	want := []string{
		"channel|registrations|customers|conversion_rate|conversion_rate_low|conversion_rate_high|spend|cost_per_registration|cost_per_customer|revenue|roas|median_days_to_convert|immature_registrations",
		"'=1+1|3|1|0.3333333333333333|" + recs[1][4] + "|" + recs[1][5] + "|0.00|0.00|0.00|50.00||2|0",
		"Display|0|0||||55.55|||0.00|0||0",
		"Total|3|1|0.3333333333333333|" + recs[3][4] + "|" + recs[3][5] + "|55.55|18.52|55.55|50.00|0.9000900090009001|2|0",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.HasPrefix(recs[1][4], "0.0") || recs[2][4] != "" {
		t.Errorf("Wilson bounds: %q, %q", recs[1][4], recs[2][4])
	}
}
