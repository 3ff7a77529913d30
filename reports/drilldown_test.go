package reports

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"

	"github.com/origen-analytics/origen/attribution"
)

// drillReport is fullReport with a drill-down: Search's cohort split over
// two campaigns (Brand, Generic) with spend per campaign, Social's in one
// with no campaign, sources, and a device dimension over both.
func drillReport(t *testing.T) attribution.Report {
	t.Helper()
	r := fullReport(t)
	const eur = attribution.MoneyScale
	row := func(ch, v, v2 string, days int, imm bool, n int64, rev attribution.Money) attribution.DrillRow {
		return attribution.DrillRow{CohortRow: attribution.CohortRow{Channel: ch, ChannelValid: true, Days: days, Immature: imm, Count: n, Revenue: rev},
			Value: v, ValueValid: v != "", Value2: v2, Value2Valid: v2 != ""}
	}
	split := func(a, b, c string) []attribution.DrillRow {
		return []attribution.DrillRow{
			row(chSearch, a, "", -1, false, 700, 0),
			row(chSearch, a, "", 0, false, 40, 2000*eur),
			row(chSearch, a, "", 2, false, 30, 1234*eur+5000),
			row(chSearch, b, "", -1, false, 450, 0),
			row(chSearch, b, "", 0, false, 20, 1000*eur),
			row(chSearch, b, "", 2, false, 10, 0),
			row(chSearch, b, "", 9, false, 20, -35*eur-2500),
			row(chSearch, b, "", -1, true, 30, 0),
			row(chSocial, c, "", -1, false, 380, 0),
			row(chSocial, c, "", 1, false, 12, 480*eur),
			row(chSocial, c, "", 4, false, 8, 320*eur+1000),
		}
	}
	f := attribution.Facts{Campaigns: split("Brand", "Generic", ""), Sources: split("google", "google", "facebook"),
		Dimensions: []attribution.DimensionFacts{{Name: "device", Rows: split("mobile", "desktop", "mobile")}}}
	for i := range f.Sources {
		f.Sources[i].Value2, f.Sources[i].Value2Valid = "cpc", true
	}
	spend := map[string][]attribution.SpendRow{
		chSearch: {{Channel: "Brand", ChannelValid: true, Amount: 10000 * eur, Rows: 31}, {Channel: "Generic", ChannelValid: true, Amount: 2345*eur + 6700, Rows: 31}},
		chSocial: {{Channel: attribution.NoCampaignLabel, ChannelValid: true, Amount: 2000*eur + 50, Rows: 31}},
	}
	in := attribution.Inputs{Period: r.Period, AsOf: r.AsOf, Timezone: r.Timezone, Currency: r.Currency, WindowDays: r.WindowDays}
	if err := attribution.DrillDown(&r, f, in, attribution.CurveSet{}, spend); err != nil {
		t.Fatal(err)
	}
	return r
}

func rowKeys(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	return objectKeys(t, json.NewDecoder(bytes.NewReader(raw)))
}

// The JSON's campaigns rows have the keys of the channels rows plus
// channel and campaign, sources plus source and medium, dimension values
// plus value (and their rows per channel), with the drill-down's figures.
func TestJSONDrilldown(t *testing.T) {
	out := render(t, writeJSON, drillReport(t))
	var doc struct {
		Channels   []json.RawMessage            `json:"channels"`
		Campaigns  []json.RawMessage            `json:"campaigns"`
		Sources    []json.RawMessage            `json:"sources"`
		Dimensions map[string][]json.RawMessage `json:"dimensions"`
		SpendBy    string                       `json:"campaign_spend"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	base := rowKeys(t, doc.Channels[0])
	sorted := func(s []string) []string { s = slices.Clone(s); slices.Sort(s); return slices.Compact(s) }
	check := func(what string, raw json.RawMessage, extra ...string) {
		t.Helper()
		if got, want := sorted(rowKeys(t, raw)), sorted(append(slices.Clone(base), extra...)); !slices.Equal(got, want) {
			t.Errorf("%s keys %q, want %q", what, got, want)
		}
	}
	if len(doc.Campaigns) != 3 || len(doc.Sources) != 2 || len(doc.Dimensions["device"]) != 2 || doc.SpendBy != "per_campaign" {
		t.Fatalf("%d campaigns, %d sources, dimensions %v, %q", len(doc.Campaigns), len(doc.Sources), doc.Dimensions, doc.SpendBy)
	}
	check("campaign", doc.Campaigns[0], "campaign")
	check("source", doc.Sources[0], "source", "medium")
	check("dimension value", doc.Dimensions["device"][0], "value", "by_channel")
	var brand struct {
		Channel, Campaign, Spend string
		Registrations, Customers int64
		CostPerCustomer          string `json:"cost_per_customer"`
		Status                   string
		Missed                   []string `json:"missed_targets"`
	}
	if err := json.Unmarshal(doc.Campaigns[0], &brand); err != nil {
		t.Fatal(err)
	}
	// Brand: 770 registrations, 70 customers, 10000.00 spend: CAC
	// 142.857… → 142.86 > 110.00, Search's (the default) target.
	if brand.Channel != chSearch || brand.Campaign != "Brand" || brand.Registrations != 770 || brand.Customers != 70 ||
		brand.Spend != "10000.00" || brand.CostPerCustomer != "142.86" || brand.Status != "off_target" || !slices.Contains(brand.Missed, "cac_max") {
		t.Errorf("Brand %+v", brand)
	}
	var mobile struct {
		Value, Channel string
		Registrations  int64
		Spend          *string
		ByChannel      []struct {
			Channel       string
			Registrations int64
		} `json:"by_channel"`
	}
	if err := json.Unmarshal(doc.Dimensions["device"][0], &mobile); err != nil {
		t.Fatal(err)
	}
	// mobile: Search's Brand 770 + Social's 400.
	if mobile.Value != "mobile" || mobile.Channel != "Total" || mobile.Registrations != 1170 || mobile.Spend != nil ||
		len(mobile.ByChannel) != 2 || mobile.ByChannel[0].Channel != chSearch || mobile.ByChannel[0].Registrations != 770 {
		t.Errorf("mobile %+v", mobile)
	}
}
