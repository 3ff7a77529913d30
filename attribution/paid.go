package attribution

import (
	"fmt"
	"math"
	"slices"
	"strconv"
)

// PaidRule says which channels are paid (METRICS.md, "Paid and unpaid
// channels"): a channel named in Paid is paid, one named in Unpaid is not
// (both from [channels] paid and unpaid in the configuration, keyed by
// channel name as reports show it), and any other channel is paid when it
// has spend in the period. The zero PaidRule judges by spend alone.
type PaidRule struct {
	Paid   map[string]bool
	Unpaid map[string]bool
}

// IsPaid reports whether m is a paid channel under r.
func (r PaidRule) IsPaid(m ChannelMetrics) bool {
	switch {
	case r.Paid[m.Channel]:
		return true
	case r.Unpaid[m.Channel]:
		return false
	}
	return m.Spend != 0
}

// Labels of the paid and unpaid subtotal rows in every output.
const (
	PaidLabel   = "Paid channels"
	UnpaidLabel = "Unpaid channels"
)

// ApplyPaid marks each channel of rep as paid or not (ChannelMetrics.Paid)
// and fills rep.TotalPaid and rep.TotalUnpaid: the Total row of the paid
// channels and of the others, summed and derived exactly as Total is, so
// paid CAC is the paid channels' spend ÷ their customers. TotalPaid plus
// TotalUnpaid is Total, count by count and amount by amount. A sum that
// leaves Money's range is a KindData *Error, as in ComputeChecked.
func ApplyPaid(rep *Report, rule PaidRule) error {
	w := rep.WindowDays
	if w <= 0 {
		w = len(rep.Total.DaysToConvert)
	}
	paid := ChannelMetrics{Channel: PaidLabel, Paid: true, DaysToConvert: make([]int64, w)}
	unpaid := ChannelMetrics{Channel: UnpaidLabel, DaysToConvert: make([]int64, w)}
	for i := range rep.Channels {
		m := &rep.Channels[i]
		m.Paid = rule.IsPaid(*m)
		t := &unpaid
		if m.Paid {
			t = &paid
		}
		t.Registrations += m.Registrations
		t.Customers += m.Customers
		t.Immature += m.Immature
		var ok1, ok2 bool
		t.Spend, ok1 = t.Spend.Add(m.Spend)
		t.Revenue, ok2 = t.Revenue.Add(m.Revenue)
		if !ok1 || !ok2 {
			return &Error{Kind: KindData, Err: ErrMoneyOverflow, Msg: fmt.Sprintf(
				"the spend or revenue of the %s is beyond ±%s %s, the largest amount Origen can sum exactly: check the amounts of the data (a wrong unit or decimal point?)",
				t.Channel, GroupDigits(strconv.FormatInt(math.MaxInt64/MoneyScale, 10)), rep.Currency.Code)}
		}
		for d, n := range m.DaysToConvert {
			if d < w {
				t.DaysToConvert[d] += n
			}
		}
	}
	derive(&paid)
	derive(&unpaid)
	rep.TotalPaid, rep.TotalUnpaid = paid, unpaid
	return nil
}

// paidNotes names the channels of [channels] paid and unpaid that have no
// rows in the period or the previous one: most likely a misspelling, and
// then the channel is judged by its spend instead.
func paidNotes(r Report, rule PaidRule) []string {
	seen := map[string]bool{}
	for _, m := range r.Channels {
		seen[m.Channel] = true
	}
	if r.Previous != nil {
		for _, m := range r.Previous.Channels {
			seen[m.Channel] = true
		}
	}
	var notes []string
	for _, l := range []struct {
		key string
		set map[string]bool
	}{{"paid", rule.Paid}, {"unpaid", rule.Unpaid}} {
		names := make([]string, 0, len(l.set))
		for n := range l.set {
			if !seen[n] {
				names = append(names, n)
			}
		}
		slices.Sort(names)
		for _, n := range names {
			notes = append(notes, fmt.Sprintf("[channels] %s names %q, a channel with no rows in this period or the previous one: check the spelling (names are matched exactly, after trimming)", l.key, n))
		}
	}
	return notes
}
