package attribution

import (
	"math"
	"testing"
)

// A small drill-down computed by hand: campaigns of one channel, a
// registration without a campaign, an existing customer left out, spend
// not known per campaign, and a dimension over two channels.
func TestDrillDownByHand(t *testing.T) {
	eur := Currency{Code: "EUR", Digits: 2}
	row := func(ch, v string, valid bool, days int, immature bool, n int64, rev Money) DrillRow {
		return DrillRow{CohortRow: CohortRow{Channel: ch, ChannelValid: true, Days: days, Immature: immature, Count: n, Revenue: rev},
			Value: v, ValueValid: valid}
	}
	existing := row("Search", "Brand", true, -1, false, 1, 0)
	existing.Existing = true
	f := Facts{
		Campaigns: []DrillRow{
			row("Search", "Brand", true, 2, false, 1, 500000),
			row("Search", "Brand", true, -1, false, 1, 0),
			row("Search", "Brand", true, -1, true, 1, 0),
			row("Search", "  ", true, 0, false, 1, 200000),
			existing,
			row("Email", "Newsletter", true, 5, false, 2, 100000),
		},
		Dimensions: []DimensionFacts{{Name: "country", Rows: []DrillRow{
			row("Search", "DE", true, 2, false, 1, 500000),
			row("Search", "DE", true, -1, false, 2, 0),
			row("Search", "", false, 0, false, 1, 200000),
			row("Email", "DE", true, 5, false, 2, 100000),
		}}},
	}
	in := Inputs{Currency: eur, WindowDays: 30}
	channels := []ChannelMetrics{{Channel: "Search"}, {Channel: "Email"}}
	rep := Report{Channels: channels}
	if err := DrillDown(&rep, f, in, CurveSet{}, nil); err != nil {
		t.Fatal(err)
	}
	if len(rep.Campaigns) != 3 {
		t.Fatalf("%d campaign rows, want 3: %+v", len(rep.Campaigns), rep.Campaigns)
	}
	brand, none, news := rep.Campaigns[0], rep.Campaigns[1], rep.Campaigns[2]
	if brand.Parent != "Search" || brand.Campaign != "Brand" || none.Campaign != NoCampaignLabel || news.Parent != "Email" {
		t.Fatalf("order or labels: %q/%q, %q, %q/%q", brand.Parent, brand.Campaign, none.Campaign, news.Parent, news.Campaign)
	}
	// Brand: 3 registrations (the existing customer left out), 1 customer
	// on day 2, 50.00 revenue, 1 immature; Wilson 95% of 1/3 is
	// (0.0615, 0.7923).
	if brand.Registrations != 3 || brand.Customers != 1 || brand.Revenue != 500000 || brand.Immature != 1 {
		t.Errorf("Brand %+v", brand.ChannelMetrics)
	}
	near := func(r Ratio, want float64) bool { return r.Valid && math.Abs(r.Value-want) < 5e-5 }
	if !near(brand.ConversionRate, 1.0/3) || !near(brand.ConversionRateLow, 0.0615) || !near(brand.ConversionRateHigh, 0.7923) {
		t.Errorf("Brand rate %v [%v, %v]", brand.ConversionRate, brand.ConversionRateLow, brand.ConversionRateHigh)
	}
	if !near(brand.MedianDaysToConvert, 2) {
		t.Errorf("Brand median %v", brand.MedianDaysToConvert)
	}
	// Spend is not known per campaign: n/a, and only the conversion
	// target judges the row.
	if !brand.NoSpend || brand.CostPerCustomer.Valid() || brand.CostPerRegistration.Valid() || brand.ROAS.Valid {
		t.Errorf("Brand spend figures should be n/a: %+v", brand.ChannelMetrics)
	}
	cac, minRate := Money(10*MoneyScale), 0.5
	targets := Targets{Default: Thresholds{CACMax: &cac, ConversionRateMin: &minRate}}
	if v := brand.Thresholds(targets).Evaluate(brand.ChannelMetrics); v.Status != StatusOffTarget || len(v.Missed) != 1 || v.Missed[0] != TargetConversionRateMin {
		t.Errorf("Brand verdict %+v", v)
	}
	if v := none.Thresholds(targets).Evaluate(none.ChannelMetrics); v.Status != StatusOnTarget {
		t.Errorf("(no campaign) verdict %+v", v)
	}
	// All mature or converted: the projection is what was observed.
	if brand.ProjectionCurve != ProjectionObserved || !near(brand.ProjectedCustomers, 1) {
		t.Errorf("Brand projection %q %v", brand.ProjectionCurve, brand.ProjectedCustomers)
	}
	// country over all channels: DE 5 registrations (Search 3, Email 2),
	// 3 customers (1 + 2); not set 1 with 1 customer.
	d := rep.Dimensions[0]
	if d.Name != "country" || len(d.Values) != 2 || len(d.ByChannel) != 3 {
		t.Fatalf("country %+v", d)
	}
	de := d.Values[0]
	if de.Value != "DE" || de.Parent != "" || de.Registrations != 5 || de.Customers != 3 || de.Revenue != 600000 || d.Values[1].Value != NotSetLabel {
		t.Errorf("country values %+v", d.Values)
	}
	if d.ByChannel[0].Parent != "Search" || d.ByChannel[0].Value != "DE" || d.ByChannel[0].Registrations != 3 ||
		d.ByChannel[2].Parent != "Email" || d.ByChannel[2].Registrations != 2 {
		t.Errorf("country by channel %+v", d.ByChannel)
	}
}

// With spend per campaign, a campaign's spend, cost per registration, CAC
// and ROAS are its own, a campaign with spend and no registration is a row
// of its own, and the campaigns' spend adds up to the channel's.
func TestDrillDownCampaignSpendByHand(t *testing.T) {
	d := func(day int, camp string, valid bool, amount Money) DailySpendRow {
		return DailySpendRow{Channel: "Search", ChannelValid: true, Date: Date{Year: 2026, Month: 10, Day: day},
			Amount: amount, Rows: 1, Campaign: camp, CampaignValid: valid, PerCampaign: true}
	}
	p := Period{From: Date{Year: 2026, Month: 10, Day: 1}, To: Date{Year: 2026, Month: 11, Day: 1}}
	days := []DailySpendRow{d(1, "Brand", true, 200000), d(2, "Brand", true, 100000), d(3, "", false, 100000),
		d(4, "Old", true, 50000), d(1, "Brand", true, 999)} // the last is moved to November: not counted
	days[4].Date = Date{Year: 2026, Month: 11, Day: 1}
	spend := campaignSpend(days, p)
	f := Facts{Campaigns: []DrillRow{
		{CohortRow: CohortRow{Channel: "Search", ChannelValid: true, Days: 1, Count: 2, Revenue: 600000}, Value: "Brand", ValueValid: true},
		{CohortRow: CohortRow{Channel: "Search", ChannelValid: true, Days: -1, Count: 2}, Value: "Brand", ValueValid: true},
	}}
	rep := Report{Channels: []ChannelMetrics{{Channel: "Search"}}}
	if err := DrillDown(&rep, f, Inputs{Period: p, Currency: Currency{Code: "EUR", Digits: 2}, WindowDays: 30}, CurveSet{}, spend); err != nil {
		t.Fatal(err)
	}
	if !rep.CampaignSpend || len(rep.Campaigns) != 3 {
		t.Fatalf("%v %+v", rep.CampaignSpend, rep.Campaigns)
	}
	brand := rep.Campaigns[0]
	// Brand: 30.00 spend, 4 registrations, 2 customers: 7.50 per
	// registration, CAC 15.00, ROAS 60 / 30 = 2.
	if brand.Campaign != "Brand" || brand.NoSpend || brand.Spend != 300000 || brand.CostPerRegistration.Format(2) != "7.50" ||
		brand.CostPerCustomer.Format(2) != "15.00" || !brand.ROAS.Valid || brand.ROAS.Value != 2 {
		t.Errorf("Brand %+v", brand)
	}
	var total Money
	for _, r := range rep.Campaigns {
		total += r.Spend
	}
	if total != 450000 || rep.Campaigns[1].Registrations != 0 || rep.Campaigns[2].Registrations != 0 {
		t.Errorf("campaign spend %v, rows %+v", total, rep.Campaigns)
	}
	labels := rep.Campaigns[1].Campaign + "," + rep.Campaigns[2].Campaign
	if labels != NoCampaignLabel+",Old" {
		t.Errorf("spend-only campaigns %s", labels)
	}
	// A spend source without campaigns: nil, spend n/a.
	days[0].PerCampaign = false
	if campaignSpend(days, p) != nil {
		t.Error("spend without a campaign column joined per campaign")
	}
}
