package attribution

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// A sum of money that leaves Money's range is a data error naming the
// sum, never a wrapped-around negative number (two spend rows of
// 900,000,000,000,000 once summed to -44,674,407,370,955.16).
func TestComputeCheckedMoneyOverflow(t *testing.T) {
	huge := Money(900_000_000_000_000 * MoneyScale)
	reg := func(channel string, revenue Money) CohortRow {
		return CohortRow{Channel: channel, ChannelValid: true, Days: 3, Count: 1, Revenue: revenue}
	}
	spend := func(channel string, amount Money) SpendRow {
		return SpendRow{Channel: channel, ChannelValid: true, Amount: amount, Rows: 1}
	}
	for _, tc := range []struct {
		name   string
		cohort []CohortRow
		spend  []SpendRow
		want   string // in the message; "" means no error
	}{
		{"spend of one channel, two labels", []CohortRow{reg("Paid", 0)}, []SpendRow{spend("Paid", huge), spend(" Paid ", huge)},
			`the spend of channel "Paid"`},
		{"total spend", []CohortRow{reg("A", 0), reg("B", 0)}, []SpendRow{spend("A", huge), spend("B", huge)}, "the total spend"},
		{"revenue of a channel", []CohortRow{reg("A", huge), reg(" A", huge)}, nil, `the revenue of channel "A"`},
		{"refunds below the range", []CohortRow{reg("A", -huge), reg("B", -huge)}, nil, "the total revenue"},
		{"spend without registrations", nil, []SpendRow{spend("A", huge), spend("B", huge)}, "spend"},
		{"largest sum that fits", []CohortRow{reg("A", math.MaxInt64-1), reg("B", 1)}, []SpendRow{spend("A", math.MaxInt64)}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := Inputs{Currency: Currency{Code: "EUR", Digits: 2}, WindowDays: 30, Cohort: tc.cohort, Spend: tc.spend}
			rep, err := ComputeChecked(in)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if rep.Total.Revenue != math.MaxInt64 || rep.Total.Spend != math.MaxInt64 {
					t.Errorf("total revenue %d, spend %d, want both %d", rep.Total.Revenue, rep.Total.Spend, Money(math.MaxInt64))
				}
				return
			}
			if err == nil {
				t.Fatalf("no error; total spend %s, revenue %s", rep.Total.Spend, rep.Total.Revenue)
			}
			if KindOf(err) != KindData || !errors.Is(err, ErrMoneyOverflow) {
				t.Errorf("error %v: kind %v, want a KindData error wrapping ErrMoneyOverflow", err, KindOf(err))
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "922,337,203,685,477 EUR") {
				t.Errorf("error %q does not name %q and the range", err, tc.want)
			}
			defer func() {
				if recover() == nil {
					t.Error("Compute returned a report for inputs that overflow")
				}
			}()
			Compute(in)
		})
	}
}
