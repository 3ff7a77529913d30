package attribution

import (
	"math"
	"testing"
)

// Projection checked by hand. Channel A's curve: 100 registrations at risk
// on day 0, 10 convert (h0 = 0.1); 90 at risk on day 1, 10 convert
// (h1 = 1/9); 80 followed through the window (W = 2). So q(0) = P(convert
// in [0, 2)) = 1 − 0.9·8/9 = 0.2 and q(1) = 1/9.
//
// The period has 200 registrations of A with 50 customers so far, 40 open
// at age 0 and 30 at age 1, and spend 1000.00:
//
//	projected customers = 50 + 40·0.2 + 30/9 = 61.333333
//	curve bands: q(0) ∈ [0.133967, 0.292622] (Greenwood 10/(100·90) + 10/(90·80)),
//	             q(1) ∈ [0.061386, 0.196665] (Greenwood 10/(90·80)),
//	  so customers ∈ [57.200244, 67.604821] from the curve alone;
//	Bernoulli variance = 40·0.2·0.8 + 30·(1/9)(8/9) = 9.362963;
//	low  = 61.333333 − sqrt(4.133090² + 1.959964²·9.362963) = 54.049799
//	high = 61.333333 + sqrt(6.271488² + 1.959964²·9.362963) = 70.010833
//	rate = 0.306667 [0.270249, 0.350054]
//	CAC = 1000/61.333333 = 16.3043 [1000/70.010833 = 14.2835, 1000/54.049799 = 18.5015]
//
// Channel B (10 registrations, 7 customers, nothing open) projects to what
// it observed. Total = 68.333333 customers of 210.
func TestProjectByHand(t *testing.T) {
	rows := []CurveRow{
		{Channel: "A", ChannelValid: true, Day: 0, Converted: 10, Open: 40},
		{Channel: "A", ChannelValid: true, Day: 1, Converted: 10, Open: 30},
		{Channel: "A", ChannelValid: true, Day: 2, Censored: 80},
		{Channel: "B", ChannelValid: true, Day: 2, Censored: 10},
	}
	set, err := BuildCurves(rows, 2)
	if err != nil {
		t.Fatal(err)
	}
	spend, _ := ParseMoney("1000.00")
	rep := Report{WindowDays: 2,
		Channels: []ChannelMetrics{
			{Channel: "A", Registrations: 200, Customers: 50, Spend: spend},
			{Channel: "B", Registrations: 10, Customers: 7},
			{Channel: "C", Spend: spend}, // spend without registrations
		},
		Total: ChannelMetrics{Channel: "Total", Registrations: 210, Customers: 57, Spend: 2 * spend},
	}
	Project(&rep, set)
	a, b, c, tot := rep.Channels[0], rep.Channels[1], rep.Channels[2], rep.Total
	check := func(name string, got Ratio, want float64) {
		t.Helper()
		if !got.Valid || math.Abs(got.Value-want) > 1e-5 {
			t.Errorf("%s = %+v, want %.6f", name, got, want)
		}
	}
	check("A customers", a.ProjectedCustomers, 61.333333)
	check("A customers low", a.ProjectedCustomersLow, 54.049799)
	check("A customers high", a.ProjectedCustomersHigh, 70.010833)
	check("A rate", a.ProjectedConversionRate, 0.306667)
	check("A rate low", a.ProjectedConversionRateLow, 0.270249)
	check("A rate high", a.ProjectedConversionRateHigh, 0.350054)
	for _, tc := range []struct {
		name string
		got  MoneyEstimate
		want string
	}{
		{"A CAC", a.ProjectedCostPerCustomer, "16.3043"},
		{"A CAC low", a.ProjectedCostPerCustomerLow, "14.2835"},
		{"A CAC high", a.ProjectedCostPerCustomerHigh, "18.5015"},
		{"B CAC", b.ProjectedCostPerCustomer, "0.0000"},
		{"C CAC", c.ProjectedCostPerCustomer, ""},
	} {
		if g := tc.got.Format(4); g != tc.want {
			t.Errorf("%s = %q, want %q", tc.name, g, tc.want)
		}
	}
	if a.ProjectionCurve != ProjectionChannel || b.ProjectionCurve != ProjectionObserved || c.ProjectionCurve != ProjectionNone {
		t.Errorf("curves used: %q %q %q", a.ProjectionCurve, b.ProjectionCurve, c.ProjectionCurve)
	}
	check("B customers", b.ProjectedCustomers, 7)
	check("B customers low", b.ProjectedCustomersLow, 7)
	check("B customers high", b.ProjectedCustomersHigh, 7)
	if c.ProjectedConversionRate.Valid || c.ProjectedCustomers.Valid {
		t.Errorf("C without registrations has a projection: %+v", c)
	}
	check("Total customers", tot.ProjectedCustomers, 68.333333)
	check("Total rate", tot.ProjectedConversionRate, 68.333333/210)
	// B adds nothing uncertain, so the Total's interval is A's shifted by 7.
	check("Total low", tot.ProjectedCustomersLow, 54.049799+7)
	check("Total high", tot.ProjectedCustomersHigh, 70.010833+7)
}

// A channel whose own curve never reached the last day of the window
// borrows the pooled curve of all channels; with no complete curve at all
// there is no projection (never a too-low number).
func TestProjectFallsBackToThePooledCurve(t *testing.T) {
	rows := []CurveRow{
		{Channel: "A", ChannelValid: true, Day: 0, Converted: 10},
		{Channel: "A", ChannelValid: true, Day: 2, Censored: 90},
		{Channel: "New", ChannelValid: true, Day: 1, Censored: 5, Open: 5},
	}
	set, err := BuildCurves(rows, 2)
	if err != nil {
		t.Fatal(err)
	}
	rep := Report{Channels: []ChannelMetrics{{Channel: "New", Registrations: 5}}, Total: ChannelMetrics{Registrations: 5}}
	Project(&rep, set)
	m := rep.Channels[0]
	// Pooled: n0 = 105, h0 = 10/105; n1 = 90, h1 = 0; q(1) = 0.
	if m.ProjectionCurve != ProjectionAllChannels || !m.ProjectedCustomers.Valid || m.ProjectedCustomers.Value != 0 {
		t.Errorf("New: %q %+v", m.ProjectionCurve, m.ProjectedCustomers)
	}
	young, _ := BuildCurves(rows[2:], 2)
	rep = Report{Channels: []ChannelMetrics{{Channel: "New", Registrations: 5}}, Total: ChannelMetrics{Registrations: 5}}
	Project(&rep, young)
	if m := rep.Channels[0]; m.ProjectionCurve != ProjectionNone || m.ProjectedConversionRate.Valid || rep.Total.ProjectedConversionRate.Valid {
		t.Errorf("no complete curve: %q %+v total %+v", m.ProjectionCurve, m.ProjectedConversionRate, rep.Total.ProjectedConversionRate)
	}
}
