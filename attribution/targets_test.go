package attribution

import (
	"slices"
	"testing"
)

func TestThresholdsEvaluate(t *testing.T) {
	money := func(units int64) *Money { m := Money(units * MoneyScale); return &m }
	rate := func(f float64) *float64 { return &f }
	row := func(regs, customers int64, spend, revenue Money) ChannelMetrics {
		return ChannelMetrics{Registrations: regs, Customers: customers, Spend: spend, Revenue: revenue}
	}
	const eur = MoneyScale
	tests := []struct {
		name   string
		th     Thresholds
		m      ChannelMetrics
		status Status
		missed []string
	}{
		{"no thresholds", Thresholds{}, row(100, 10, 1000*eur, 0), StatusNoTarget, nil},
		{"CAC below max", Thresholds{CACMax: money(100)}, row(100, 10, 999*eur, 0), StatusOnTarget, nil},
		{"CAC exactly at max is on target", Thresholds{CACMax: money(100)}, row(100, 10, 1000*eur, 0), StatusOnTarget, nil},
		{"CAC a ten-thousandth over max", Thresholds{CACMax: money(100)}, row(100, 10, 1000*eur+1, 0), StatusOffTarget, []string{TargetCACMax}},
		{"spend without customers misses CAC", Thresholds{CACMax: money(100)}, row(100, 0, 1, 0), StatusOffTarget, []string{TargetCACMax}},
		{"no spend, no customers: CAC not checked", Thresholds{CACMax: money(100)}, row(100, 0, 0, 0), StatusNotEvaluated, nil},
		{"customers without spend: CAC 0 is on target", Thresholds{CACMax: money(0)}, row(100, 5, 0, 0), StatusOnTarget, nil},
		{"huge spend does not overflow", Thresholds{CACMax: money(1 << 40)}, row(100, 1<<20, 1<<62, 0), StatusOnTarget, nil},
		{"rate at min", Thresholds{ConversionRateMin: rate(0.1)}, row(100, 10, 0, 0), StatusOnTarget, nil},
		{"rate below min", Thresholds{ConversionRateMin: rate(0.1)}, row(100, 9, 0, 0), StatusOffTarget, []string{TargetConversionRateMin}},
		{"rate without registrations not checked", Thresholds{ConversionRateMin: rate(0.1)}, row(0, 0, 50*eur, 0), StatusNotEvaluated, nil},
		{"ROAS below min", Thresholds{ROASMin: rate(2)}, row(10, 1, 100*eur, 150*eur), StatusOffTarget, []string{TargetROASMin}},
		{"ROAS without spend not checked", Thresholds{ROASMin: rate(2)}, row(10, 1, 0, 150*eur), StatusNotEvaluated, nil},
		{"all three, two missed, in key order", Thresholds{CACMax: money(10), ConversionRateMin: rate(0.5), ROASMin: rate(1)},
			row(10, 2, 100*eur, 500*eur), StatusOffTarget, []string{TargetCACMax, TargetConversionRateMin}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := tt.th.Evaluate(tt.m)
			if v.Status != tt.status || !slices.Equal(v.Missed, tt.missed) {
				t.Errorf("Evaluate = %+v, want %s %q", v, tt.status, tt.missed)
			}
		})
	}
}

func TestTargetsFor(t *testing.T) {
	cac := Money(50 * MoneyScale)
	own := Money(80 * MoneyScale)
	min, roas := 0.05, 1.5
	tg := Targets{
		Default:  Thresholds{CACMax: &cac, ConversionRateMin: &min},
		Channels: map[string]Thresholds{"Paid Search": {CACMax: &own, ROASMin: &roas}},
	}
	got := tg.For("Paid Search")
	if *got.CACMax != own || *got.ConversionRateMin != min || *got.ROASMin != roas {
		t.Errorf("For(Paid Search) = %+v, want own CAC and ROAS over the default rate", got)
	}
	if got := tg.For("Email"); got.CACMax != &cac || got.ROASMin != nil {
		t.Errorf("For(Email) = %+v, want the default", got)
	}
	if tg.IsZero() || !(Targets{Channels: map[string]Thresholds{"x": {}}}).IsZero() {
		t.Error("IsZero is wrong")
	}
}
