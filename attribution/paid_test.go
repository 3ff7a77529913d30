package attribution

import (
	"errors"
	"math"
	"slices"
	"testing"
)

// Hand-computed: Search (spend 600, 4 customers of 40) and Social (spend
// 300, 1 customer of 20) are paid by their spend; Email has no spend and
// Newsletter has spend 100 but is named unpaid; Partners has no spend but
// is named paid.
func TestApplyPaidTotals(t *testing.T) {
	const eur = MoneyScale
	rows := []CohortRow{
		{Channel: "Search", ChannelValid: true, Days: 1, Count: 4, Revenue: 200 * eur},
		{Channel: "Search", ChannelValid: true, Days: -1, Count: 36},
		{Channel: "Social", ChannelValid: true, Days: 3, Count: 1, Revenue: 50 * eur},
		{Channel: "Social", ChannelValid: true, Days: -1, Count: 19, Immature: true},
		{Channel: "Email", ChannelValid: true, Days: 0, Count: 5, Revenue: 400 * eur},
		{Channel: "Email", ChannelValid: true, Days: -1, Count: 5},
		{Channel: "Newsletter", ChannelValid: true, Days: 2, Count: 2, Revenue: 20 * eur},
		{Channel: "Partners", ChannelValid: true, Days: 1, Count: 1, Revenue: 10 * eur},
		{Channel: "Partners", ChannelValid: true, Days: -1, Count: 9},
	}
	spend := []SpendRow{
		{Channel: "Search", ChannelValid: true, Amount: 600 * eur, Rows: 3},
		{Channel: "Social", ChannelValid: true, Amount: 300 * eur, Rows: 3},
		{Channel: "Newsletter", ChannelValid: true, Amount: 100 * eur, Rows: 1},
	}
	rep := Compute(Inputs{WindowDays: 30, Cohort: rows, Spend: spend, Currency: Currency{Code: "EUR", Digits: 2}})
	rule := PaidRule{Paid: map[string]bool{"Partners": true}, Unpaid: map[string]bool{"Newsletter": true}}
	if err := ApplyPaid(&rep, rule); err != nil {
		t.Fatal(err)
	}
	var paidNames []string
	for _, m := range rep.Channels {
		if m.Paid {
			paidNames = append(paidNames, m.Channel)
		}
	}
	slices.Sort(paidNames)
	if want := []string{"Partners", "Search", "Social"}; !slices.Equal(paidNames, want) {
		t.Errorf("paid channels = %q, want %q", paidNames, want)
	}
	p, u := rep.TotalPaid, rep.TotalUnpaid
	// Paid: 40+20+10 = 70 registrations, 4+1+1 = 6 customers, spend 900,
	// revenue 260: CAC 900/6 = 150.00, ROAS 260/900.
	if p.Channel != PaidLabel || p.Registrations != 70 || p.Customers != 6 || p.Spend != 900*eur || p.Revenue != 260*eur || p.Immature != 19 {
		t.Errorf("paid total = %+v", p)
	}
	if got := p.CostPerCustomer.Format(2); got != "150.00" {
		t.Errorf("paid CAC = %s, want 150.00", got)
	}
	if math.Abs(p.ROAS.Value-260.0/900) > 1e-12 || math.Abs(p.ConversionRate.Value-6.0/70) > 1e-12 {
		t.Errorf("paid ROAS %v, conversion %v", p.ROAS, p.ConversionRate)
	}
	// Unpaid: Email 10 + Newsletter 2 registrations, 7 customers, spend
	// 100 (Newsletter's), revenue 420: CAC 100/7 = 14.29.
	if u.Channel != UnpaidLabel || u.Registrations != 12 || u.Customers != 7 || u.Spend != 100*eur || u.Revenue != 420*eur {
		t.Errorf("unpaid total = %+v", u)
	}
	if got := u.CostPerCustomer.Format(2); got != "14.29" {
		t.Errorf("unpaid CAC = %s, want 14.29", got)
	}
	// Blended: 1000 / 13 = 76.92; paid + unpaid = total.
	if got := rep.Total.CostPerCustomer.Format(2); got != "76.92" {
		t.Errorf("blended CAC = %s, want 76.92", got)
	}
	if p.Registrations+u.Registrations != rep.Total.Registrations || p.Customers+u.Customers != rep.Total.Customers ||
		p.Spend+u.Spend != rep.Total.Spend || p.Revenue+u.Revenue != rep.Total.Revenue {
		t.Errorf("paid %+v + unpaid %+v != total %+v", p, u, rep.Total)
	}
	for d := range rep.Total.DaysToConvert {
		if p.DaysToConvert[d]+u.DaysToConvert[d] != rep.Total.DaysToConvert[d] {
			t.Errorf("day %d: %d + %d != %d", d, p.DaysToConvert[d], u.DaysToConvert[d], rep.Total.DaysToConvert[d])
		}
	}
	// The median of the paid customers' days: 1,1,1,1,3,1 → 1.
	if p.MedianDaysToConvert.Value != 1 {
		t.Errorf("paid median days = %v, want 1", p.MedianDaysToConvert)
	}

	// The zero rule: paid by spend only, so Newsletter is paid and
	// Partners is not.
	if err := ApplyPaid(&rep, PaidRule{}); err != nil {
		t.Fatal(err)
	}
	if rep.TotalPaid.Spend != 1000*eur || rep.TotalPaid.Customers != 7 || rep.TotalUnpaid.Spend != 0 || rep.TotalUnpaid.Customers != 6 {
		t.Errorf("by spend: paid %+v, unpaid %+v", rep.TotalPaid, rep.TotalUnpaid)
	}
	if rep.TotalUnpaid.CostPerCustomer.Format(2) != "0.00" || rep.TotalUnpaid.ROAS.Valid {
		t.Errorf("unpaid without spend: CAC %q, ROAS %v (want 0.00 and n/a)", rep.TotalUnpaid.CostPerCustomer.Format(2), rep.TotalUnpaid.ROAS)
	}
}

func TestApplyPaidOverflow(t *testing.T) {
	rep := Report{WindowDays: 30, Channels: []ChannelMetrics{
		{Channel: "A", Spend: math.MaxInt64 - 5, DaysToConvert: make([]int64, 30)},
		{Channel: "B", Spend: 10, DaysToConvert: make([]int64, 30)},
	}}
	err := ApplyPaid(&rep, PaidRule{})
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindData || !errors.Is(err, ErrMoneyOverflow) {
		t.Fatalf("ApplyPaid = %v, want a data error wrapping ErrMoneyOverflow", err)
	}
}

func TestThresholdsJudgeReasons(t *testing.T) {
	money := func(units int64) *Money { m := Money(units * MoneyScale); return &m }
	rate := func(f float64) *float64 { return &f }
	eur := Currency{Code: "EUR", Digits: 2}
	const u = MoneyScale
	row := func(regs, customers int64, spend, revenue Money) ChannelMetrics {
		m := ChannelMetrics{Registrations: regs, Customers: customers, Spend: spend, Revenue: revenue}
		derive(&m)
		return m
	}
	tests := []struct {
		name    string
		th      Thresholds
		m       ChannelMetrics
		reasons []string
	}{
		// 1810 / 7 = 258.571… → 258.57; 350 / 1810 = 0.1934 → 0.19.
		{"CAC and ROAS", Thresholds{CACMax: money(60), ROASMin: rate(1)}, row(100, 7, 1810*u, 350*u),
			[]string{"CAC 258.57 > 60.00", "ROAS 0.19 < 1.00"}},
		{"conversion rate", Thresholds{ConversionRateMin: rate(0.05)}, row(400, 12, 0, 0),
			[]string{"conversion rate 3.00% < 5.00%"}},
		{"spend without customers", Thresholds{CACMax: money(60)}, row(10, 0, 1234*u, 0),
			[]string{"no customer for spend 1,234.00 (CAC max 60.00)"}},
		// 60.004 rounds to 60.00: more digits keep the comparison true.
		{"rounding to the target", Thresholds{CACMax: money(60)}, row(10, 1, 60*u+40, 0),
			[]string{"CAC 60.0040 > 60.0000"}},
		{"on target has no reason", Thresholds{CACMax: money(60)}, row(10, 1, 60*u, 0), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := tt.th.Judge(tt.m, eur)
			if !slices.Equal(v.Reasons, tt.reasons) || len(v.Reasons) != len(v.Missed) {
				t.Errorf("Judge = %+v, want reasons %q", v, tt.reasons)
			}
		})
	}
}

func TestPaidNotes(t *testing.T) {
	rep := Report{Channels: []ChannelMetrics{{Channel: "Email"}, {Channel: "Paid Search"}},
		Previous: &Report{Channels: []ChannelMetrics{{Channel: "Partners"}}}}
	rule := PaidRule{Paid: map[string]bool{"Partners": true, "Affilate": true}, Unpaid: map[string]bool{"Email": true, "Organic": true}}
	got := paidNotes(rep, rule)
	want := []string{
		`[channels] paid names "Affilate", a channel with no rows in this period or the previous one: check the spelling (names are matched exactly, after trimming)`,
		`[channels] unpaid names "Organic", a channel with no rows in this period or the previous one: check the spelling (names are matched exactly, after trimming)`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("notes = %q\nwant    %q", got, want)
	}
}
