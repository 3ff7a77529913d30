package reports

import (
	"encoding/json"
	"testing"
)

// Hand-computed from fullReport: the paid channels are those with spend
// (Search, Réseaux sociaux, <script>, <img>, 検索), the unpaid ones =1+1,
// (none) and =HYPERLINK(…).
func TestWriteJSONPaidTotals(t *testing.T) {
	var doc struct {
		Channels []struct {
			Channel      string  `json:"channel"`
			PaidChannel  *bool   `json:"paid_channel"`
			StatusReason *string `json:"status_reason"`
		} `json:"channels"`
		Total struct {
			jsonRowDocPaid
			Paid   jsonRowDocPaid `json:"paid"`
			Unpaid jsonRowDocPaid `json:"unpaid"`
		} `json:"total"`
	}
	if err := json.Unmarshal(render(t, writeJSON, fullReport(t)), &doc); err != nil {
		t.Fatal(err)
	}
	paid := map[string]bool{chSearch: true, chSocial: true, chScript: true, chImg: true, chKanji: true}
	for _, c := range doc.Channels {
		if c.PaidChannel == nil || *c.PaidChannel != paid[c.Channel] {
			t.Errorf("%s: paid_channel = %v, want %v", c.Channel, c.PaidChannel, paid[c.Channel])
		}
	}
	tot, p, u := doc.Total.jsonRowDocPaid, doc.Total.Paid, doc.Total.Unpaid
	// Paid: 1300 + 400 + 30 + 2 registrations, 120 + 20 + 2 customers,
	// spend 12345.67 + 2000.005 + 120 + 999.99 + 0.015 = 15465.68:
	// paid CAC 15465.68 / 142 = 108.91. Unpaid: 50 + 7 + 4 registrations,
	// 5 + 1 customers, no spend. Blended: 15465.68 / 148 = 104.50.
	check := func(name string, got jsonRowDocPaid, channel string, regs, customers int64, spend, cac string, paidChannel any) {
		t.Helper()
		if got.Channel != channel || got.Registrations != regs || got.Customers != customers || got.Spend != spend ||
			got.CostPerCustomer == nil || *got.CostPerCustomer != cac {
			t.Errorf("%s = %+v (CAC %v), want %s %d %d %s CAC %s", name, got, deref(got.CostPerCustomer), channel, regs, customers, spend, cac)
		}
		if paidChannel == nil && got.PaidChannel != nil || paidChannel != nil && (got.PaidChannel == nil || *got.PaidChannel != paidChannel.(bool)) {
			t.Errorf("%s paid_channel = %v, want %v", name, got.PaidChannel, paidChannel)
		}
	}
	check("total", tot, "Total", 1793, 148, "15465.68", "104.50", nil)
	check("total.paid", p, "Paid channels", 1732, 142, "15465.68", "108.91", true)
	check("total.unpaid", u, "Unpaid channels", 61, 6, "0.00", "0.00", false)
	if p.Status == nil || *p.Status != "on_target" || u.Status == nil || *u.Status != "on_target" {
		t.Errorf("paid status %v, unpaid %v: both on target against the default (CAC ≤ 110, rate ≥ 6%%)", p.Status, u.Status)
	}
	if p.Previous == nil || p.Previous.Customers != 135 || p.Previous.Spend != "14400.00" {
		// Previous period: Search 100, Social 25, Affiliates (paused) 10
		// customers; spend 11000 +
		// 2500 + 800 + 100 = 14400, every channel of it paid.
		t.Errorf("total.paid.previous = %+v", p.Previous)
	}

	// Réseaux sociaux: CAC 2000.005 / 20 = 100.00025 against its own 90,
	// conversion 20 / 400 = 5% against the default 6%.
	reasons := map[string]string{}
	for _, c := range doc.Channels {
		if c.StatusReason != nil {
			reasons[c.Channel] = *c.StatusReason
		}
	}
	if got, want := reasons[chSocial], "CAC 100.00 > 90.00; conversion rate 5.00% < 6.00%"; got != want {
		t.Errorf("status_reason of %s = %q, want %q", chSocial, got, want)
	}
	if _, ok := reasons[chSearch]; ok {
		t.Errorf("%s is on target but has a status_reason %q", chSearch, reasons[chSearch])
	}
}

// jsonRowDocPaid is the part of a JSON row the paid test reads.
type jsonRowDocPaid struct {
	Channel         string  `json:"channel"`
	Registrations   int64   `json:"registrations"`
	Customers       int64   `json:"customers"`
	Spend           string  `json:"spend"`
	CostPerCustomer *string `json:"cost_per_customer"`
	Status          *string `json:"status"`
	PaidChannel     *bool   `json:"paid_channel"`
	Previous        *struct {
		Customers int64  `json:"customers"`
		Spend     string `json:"spend"`
	} `json:"previous"`
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}
