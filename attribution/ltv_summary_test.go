package attribution

import (
	"errors"
	"math"
	"testing"
	"time"
)

func TestSummarizeCustomer(t *testing.T) {
	d := func(m time.Month, day int) Date { return Date{2025, m, day} }
	asOf := d(time.March, 31)
	cases := []struct {
		name  string
		ps    []LTVPurchase
		rfm   RFM
		spend RepeatSpend
		ok    bool
	}{
		{"no purchase", nil, RFM{}, RepeatSpend{}, false},
		{"only a refund", []LTVPurchase{{d(time.January, 5), usd(-10)}}, RFM{}, RepeatSpend{}, false},
		// Born 1 January, no repeat day: T = 89 days / 7.
		{"one purchase", []LTVPurchase{{d(time.January, 1), usd(30)}}, RFM{X: 0, T: 89.0 / 7}, RepeatSpend{}, true},
		// Two purchases on the birth day are one day; a zero amount and a
		// refund are not purchases; the repeat days are 15 January (20 +
		// 5 = 25) and 1 March (40): x = 2, t_x = 59 days, z̄ = 32.50.
		{"repeat days", []LTVPurchase{
			{d(time.March, 1), usd(40)},
			{d(time.January, 1), usd(30)},
			{d(time.January, 1), usd(12)},
			{d(time.January, 15), usd(20)},
			{d(time.January, 15), usd(5)},
			{d(time.February, 2), 0},
			{d(time.February, 9), usd(-30)},
		}, RFM{X: 2, Tx: 59.0 / 7, T: 89.0 / 7}, RepeatSpend{X: 2, Mean: 32.5}, true},
		// A refund before the first purchase does not move the birth.
		{"refund first", []LTVPurchase{{d(time.January, 2), usd(-5)}, {d(time.January, 3), usd(9)}, {d(time.March, 31), usd(1)}},
			RFM{X: 1, Tx: 87.0 / 7, T: 87.0 / 7}, RepeatSpend{X: 1, Mean: 1}, true},
		// Born on as_of's day: T = 0 is a valid (uninformative) customer.
		{"born today", []LTVPurchase{{asOf, usd(3)}}, RFM{T: 0}, RepeatSpend{}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rfm, spend, ok, err := SummarizeCustomer(c.ps, asOf)
			if err != nil {
				t.Fatal(err)
			}
			if ok != c.ok || rfm.X != c.rfm.X || math.Abs(rfm.Tx-c.rfm.Tx) > 1e-12 || math.Abs(rfm.T-c.rfm.T) > 1e-12 ||
				spend.X != c.spend.X || math.Abs(spend.Mean-c.spend.Mean) > 1e-12 {
				t.Errorf("got %+v %+v %v, want %+v %+v %v", rfm, spend, ok, c.rfm, c.spend, c.ok)
			}
			if ok {
				if err := rfm.validate(); err != nil {
					t.Errorf("summary is not a valid model input: %v", err)
				}
			}
		})
	}
	if _, _, _, err := SummarizeCustomer([]LTVPurchase{{d(time.April, 1), usd(1)}}, asOf); err == nil {
		t.Error("a purchase after as_of accepted")
	}
	_, _, _, err := SummarizeCustomer([]LTVPurchase{{d(time.January, 1), 1}, {d(time.January, 2), Money(1 << 62)}, {d(time.January, 2), Money(1 << 62)}}, asOf)
	if !errors.Is(err, ErrMoneyOverflow) {
		t.Errorf("overflow: %v", err)
	}
}
