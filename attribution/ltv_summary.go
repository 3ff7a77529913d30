package attribution

import (
	"fmt"
	"sort"
)

// LTVPurchase is one purchase (or refund, Amount < 0) of a customer: its
// local day and amount.
type LTVPurchase struct {
	Day    Date
	Amount Money
}

// SummarizeCustomer computes a customer's model inputs at asOf (a local
// day) from its purchases, by the definitions of docs/LTV.md: birth is the
// first day with a purchase of amount > 0; x counts the later days with a
// purchase of amount > 0; t_x and T are the days from the birth day to the
// last of them and to asOf, in weeks (days ÷ 7); the spend of a repeat day
// is the sum of its purchases of amount > 0 and z̄ their mean over the x
// days. Refunds (amount ≤ 0) do not enter the models. ok is false when
// there is no purchase of amount > 0 (not a customer). It is the reference
// the SQL per-customer summary must match.
func SummarizeCustomer(ps []LTVPurchase, asOf Date) (rfm RFM, spend RepeatSpend, ok bool, err error) {
	byDay := map[int64]Money{}
	for _, p := range ps {
		if asOf.Before(p.Day) {
			return RFM{}, RepeatSpend{}, false, fmt.Errorf("purchase on %s is after as_of %s", p.Day, asOf)
		}
		if p.Amount <= 0 {
			continue
		}
		d := p.Day.Unix()
		sum, okAdd := byDay[d].Add(p.Amount)
		if !okAdd {
			return RFM{}, RepeatSpend{}, false, fmt.Errorf("purchases of %s: %w", p.Day, ErrMoneyOverflow)
		}
		byDay[d] = sum
	}
	if len(byDay) == 0 {
		return RFM{}, RepeatSpend{}, false, nil
	}
	days := make([]int64, 0, len(byDay))
	for d := range byDay {
		days = append(days, d)
	}
	sort.Slice(days, func(i, j int) bool { return days[i] < days[j] })
	birth := days[0]
	rfm = RFM{X: len(days) - 1, T: float64(asOf.Unix()-birth) / 7}
	if rfm.X == 0 {
		return rfm, RepeatSpend{}, true, nil
	}
	rfm.Tx = float64(days[len(days)-1]-birth) / 7
	var total Money
	for _, d := range days[1:] {
		var okAdd bool
		if total, okAdd = total.Add(byDay[d]); !okAdd {
			return RFM{}, RepeatSpend{}, false, fmt.Errorf("repeat purchases: %w", ErrMoneyOverflow)
		}
	}
	return rfm, RepeatSpend{X: rfm.X, Mean: total.Float64() / float64(rfm.X)}, true, nil
}
