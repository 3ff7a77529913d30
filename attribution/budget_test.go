package attribution

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// weeksOf builds consecutive weeks from 2026-01-05 (a Monday) with the
// given spends (currency units, whole cents) and outcome(spend).
func weeksOf(spend []float64, outcome func(float64) float64) []BudgetWeek {
	w := make([]BudgetWeek, len(spend))
	d := Date{Year: 2026, Month: 1, Day: 5}
	for i, s := range spend {
		w[i] = BudgetWeek{Week: d.AddDays(7 * i), Spend: Money(math.Round(s * MoneyScale)), Outcome: outcome(s)}
	}
	return w
}

// varied is 16 weeks of spend ±40% around 10000 whose last 4 weeks average
// exactly 10000.
var varied = []float64{6000, 13500, 9000, 14000, 7000, 11500, 12500, 6500, 10500, 8500, 13000, 7500, 8000, 12000, 9000, 11000}

func sat(a, k float64) func(float64) float64 {
	return func(s float64) float64 { return a * (1 - math.Exp(-s/k)) }
}

// Weeks exactly on issue 11's three saturating curves, current spend 10000
// each: the plan recovers the curves and reproduces the closed-form
// optimum when the bounds allow it (max_change 1), and the binding-bounds
// optimum (13000, 10000, 7000) at max_change 0.3.
func TestPlanBudgetOnExactCurves(t *testing.T) {
	in := []BudgetChannelInput{
		{Channel: "A", Weeks: weeksOf(varied, sat(1000, 20000))},
		{Channel: "B", Weeks: weeksOf(varied, sat(600, 10000))},
		{Channel: "C", Weeks: weeksOf(varied, sat(300, 5000))},
	}
	now := 1000*(1-math.Exp(-0.5)) + 600*(1-math.Exp(-1)) + 300*(1-math.Exp(-2))
	cases := []struct {
		maxChange float64
		want      []float64
		rec       []string
		after     float64
		marginal  float64
	}{
		{1, []float64{15580.10, 9613.27, 4806.63}, []string{RecommendIncrease, RecommendKeep, RecommendDecrease}, 1096.99, 43.586},
		{0.3, []float64{13000, 10000, 7000}, []string{RecommendIncrease, RecommendKeep, RecommendDecrease},
			1000*(1-math.Exp(-0.65)) + 600*(1-math.Exp(-1)) + 300*(1-math.Exp(-1.4)), 45.305},
	}
	for _, c := range cases {
		opt := DefaultBudgetOptions()
		opt.MaxChange = c.maxChange
		p, err := PlanBudget(in, opt)
		if err != nil {
			t.Fatal(err)
		}
		if p.TotalCurrent != 30000*MoneyScale || p.TotalSuggested != p.TotalCurrent {
			t.Fatalf("totals %s → %s, want 30000", p.TotalCurrent, p.TotalSuggested)
		}
		var sum Money
		for i, r := range p.Channels {
			sum += r.Suggested
			if !r.HasCurve || r.Choice.Fit.Model != ModelSaturating || r.Current != 10000*MoneyScale {
				t.Fatalf("%s: curve %v model %v current %s (%s)", r.Channel, r.HasCurve, r.Choice.Fit.Model, r.Current, r.Reason)
			}
			if !near(r.Suggested.Float64(), c.want[i], 0.006) || r.Recommendation != c.rec[i] {
				t.Fatalf("max_change %v %s: suggested %s (%s), want %.2f (%s)", c.maxChange, r.Channel, r.Suggested, r.Recommendation, c.want[i], c.rec[i])
			}
			if !near(r.OutcomeSuggested.Value, r.Choice.Fit.Outcome(r.Suggested.Float64()), 1e-9) {
				t.Fatalf("%s: outcome %v", r.Channel, r.OutcomeSuggested)
			}
		}
		if sum != p.TotalSuggested {
			t.Fatalf("suggested spends sum to %s, want %s exactly", sum, p.TotalSuggested)
		}
		if !near(p.OutcomeCurrent.Value, now, 1e-6) || !near(p.OutcomeSuggested.Value, c.after, 0.005) ||
			!near(p.Gain.Value, c.after-now, 0.005) || !near(p.MarginalCost, c.marginal, 0.001) {
			t.Fatalf("max_change %v: outcome %v → %v, gain %v, marginal %v; want %v → %v, %v",
				c.maxChange, p.OutcomeCurrent, p.OutcomeSuggested, p.Gain, p.MarginalCost, now, c.after, c.marginal)
		}
		// Exact data: φ̂ = 0, so every interval has zero width.
		if p.Gain.High-p.Gain.Low > 1e-6 {
			t.Fatalf("gain interval %v on exact data", p.Gain)
		}
	}
}

// The average cost is Σ spend / Σ outcome; the marginal cost of a power
// curve is the modelled average cost at current spend divided by b.
func TestPlanBudgetCosts(t *testing.T) {
	pw := func(s float64) float64 { return 3 * math.Pow(s, 0.5) }
	p, err := PlanBudget([]BudgetChannelInput{{Channel: "P", Weeks: weeksOf(varied, pw)}}, DefaultBudgetOptions())
	if err != nil {
		t.Fatal(err)
	}
	r := p.Channels[0]
	var ss, sy float64
	for _, s := range varied {
		ss += s
		sy += pw(s)
	}
	if !near(r.AverageCost, ss/sy, 1e-9) || !near(r.MarginalCost.Value, 10000/pw(10000)/0.5, 1e-6) {
		t.Fatalf("average cost %v marginal %v, want %v and %v", r.AverageCost, r.MarginalCost, ss/sy, 10000/pw(10000)/0.5)
	}
	// One channel alone keeps the total, so its spend cannot change.
	if r.Suggested != r.Current || r.Recommendation != RecommendKeep || !near(p.Gain.Value, 0, 1e-9) {
		t.Fatalf("single channel: %s → %s (%s), gain %v", r.Current, r.Suggested, r.Recommendation, p.Gain)
	}
}

// Each reason for "insufficient data", in words, and the channel keeps its
// spend while the others are reallocated around it.
func TestPlanBudgetInsufficientData(t *testing.T) {
	few := append(make([]float64, 9), varied[9:]...) // 7 weeks with spend
	flat := make([]float64, 16)
	for i := range flat {
		flat[i] = 10000 + 150*float64(i%3-1) // CV 1.3%
	}
	// The first ⌊2·16/3⌋ = 10 weeks follow a concave curve; the last 6
	// follow spend × (Σ outcome ÷ Σ spend of the first 10) exactly, so the
	// naive model predicts them without error and the curve cannot win.
	drift := weeksOf(varied, func(s float64) float64 { return 3 * math.Pow(s, 0.5) })
	var sy, ss float64
	for _, w := range drift[:10] {
		sy += w.Outcome
		ss += w.Spend.Float64()
	}
	for i := 10; i < 16; i++ {
		drift[i].Outcome = drift[i].Spend.Float64() * sy / ss
	}
	in := []BudgetChannelInput{
		{Channel: "few", Weeks: weeksOf(few, sat(300, 5000))},
		{Channel: "flat", Weeks: weeksOf(flat, sat(300, 5000))},
		{Channel: "drift", Weeks: drift},
		{Channel: "A", Weeks: weeksOf(varied, sat(1000, 20000))},
		{Channel: "C", Weeks: weeksOf(varied, sat(300, 5000))},
	}
	p, err := PlanBudget(in, DefaultBudgetOptions())
	if err != nil {
		t.Fatal(err)
	}
	wantReason := map[string]string{
		"few":   "only 7 of the 16 weeks had spend; a curve needs at least 8",
		"flat":  "weekly spend varied too little",
		"drift": "predicted the last 6 no better than spend ÷ average cost",
	}
	for _, r := range p.Channels {
		want, bad := wantReason[r.Channel]
		if !bad {
			if !r.HasCurve {
				t.Fatalf("%s: no curve (%s)", r.Channel, r.Reason)
			}
			continue
		}
		if r.Recommendation != RecommendInsufficient || r.HasCurve || r.Suggested != r.Current ||
			!strings.Contains(r.Reason, want) || !strings.HasSuffix(r.Reason, "it keeps its spend") {
			t.Fatalf("%s: %s (%s), %s → %s", r.Channel, r.Recommendation, r.Reason, r.Current, r.Suggested)
		}
	}
	if p.Channels[2].OutOfTime.FitWeeks != 10 || p.Channels[2].OutOfTime.MAENaive > 1e-9 || p.Channels[2].OutOfTime.Passed() {
		t.Fatalf("drift out-of-time check %+v", p.Channels[2].OutOfTime)
	}
	// A and C share 20000 within ±30%: A at 13000, C at 7000 (as in the
	// binding-bounds case of TestAllocateClosedForm).
	if a, c := p.Channels[3], p.Channels[4]; a.Suggested != 13000*MoneyScale || c.Suggested != 7000*MoneyScale {
		t.Fatalf("A %s C %s, want 13000 and 7000", a.Suggested, c.Suggested)
	}
	var sum Money
	for _, r := range p.Channels {
		sum += r.Suggested
	}
	if sum != p.TotalCurrent {
		t.Fatalf("suggested %s, current total %s", sum, p.TotalCurrent)
	}
}

// A given total, per-channel min/max, and the errors for contradictory
// settings.
func TestPlanBudgetTotalAndBounds(t *testing.T) {
	in := []BudgetChannelInput{
		{Channel: "A", Weeks: weeksOf(varied, sat(1000, 20000)), HasMax: true, Max: 11000 * MoneyScale},
		{Channel: "B", Weeks: weeksOf(varied, sat(600, 10000))},
		{Channel: "C", Weeks: weeksOf(varied, sat(300, 5000)), HasMin: true, Min: 9000 * MoneyScale},
	}
	opt := DefaultBudgetOptions()
	opt.Total, opt.HasTotal = 33000*MoneyScale, true
	p, err := PlanBudget(in, opt)
	if err != nil {
		t.Fatal(err)
	}
	// A at its max 11000, C at its min 9000, B takes the remaining 13000
	// (its upper bound, μ′_B(13000) = 0.06·e^−1.3 = 0.0164 against
	// μ′_A(11000) = 0.0288 and μ′_C(9000) = 0.0099).
	want := []Money{11000 * MoneyScale, 13000 * MoneyScale, 9000 * MoneyScale}
	for i, r := range p.Channels {
		if r.Suggested != want[i] {
			t.Fatalf("%s: %s, want %s", r.Channel, r.Suggested, want[i])
		}
	}
	if !strings.Contains(p.Channels[0].Reason, "upper bound") || !math.IsNaN(p.MarginalCost) {
		t.Fatalf("reason %q, marginal %v", p.Channels[0].Reason, p.MarginalCost)
	}
	for name, mod := range map[string]func(*BudgetOptions, []BudgetChannelInput){
		"total too large": func(o *BudgetOptions, _ []BudgetChannelInput) { o.Total = 40000 * MoneyScale },
		"min above max": func(_ *BudgetOptions, c []BudgetChannelInput) {
			c[1].HasMin, c[1].Min, c[1].HasMax, c[1].Max = true, 9000*MoneyScale, true, 8000*MoneyScale
		},
		"max_change above 1": func(o *BudgetOptions, _ []BudgetChannelInput) { o.MaxChange = 1.5 },
		"no baseline":        func(o *BudgetOptions, _ []BudgetChannelInput) { o.BaselineWeeks = 0 },
	} {
		o, c := opt, append([]BudgetChannelInput(nil), in...)
		mod(&o, c)
		if _, err := PlanBudget(c, o); err == nil || KindOf(err) != KindConfig {
			t.Errorf("%s: err %v, want a configuration error", name, err)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
	// A min above the ±30% band is a hard limit and wins: C at 14000, and
	// A (7000 to its max 11000) and B (7000 to 13000) share the other
	// 16000. μ′_A(9000) = 0.05·e^−0.45 = 0.0319 > μ′_B(7000) = 0.06·e^−0.7
	// = 0.0298, so B sits at its floor 7000 and A takes 9000.
	hard := append([]BudgetChannelInput(nil), in...)
	hard[2].Min = 14000 * MoneyScale
	p, err = PlanBudget(hard, DefaultBudgetOptions())
	if err != nil {
		t.Fatal(err)
	}
	if a, b, c := p.Channels[0], p.Channels[1], p.Channels[2]; c.Suggested != 14000*MoneyScale || c.Low != c.High ||
		!strings.Contains(c.Reason, "min / max fix its spend at 14000.00") || a.Suggested != 9000*MoneyScale || b.Suggested != 7000*MoneyScale {
		t.Fatalf("hard min: A %s B %s C %s (%s)", a.Suggested, b.Suggested, c.Suggested, c.Reason)
	}
	bad := []BudgetChannelInput{{Channel: "X", Weeks: weeksOf(varied, sat(1, 1))}}
	bad[0].Weeks[3].Spend = -1
	if _, err := PlanBudget(bad, DefaultBudgetOptions()); err == nil || KindOf(err) != KindData || !strings.Contains(err.Error(), `"X"`) {
		t.Errorf("negative spend: %v", err)
	}
}

// Random, often degenerate histories (zero weeks, zero outcomes, huge or
// tiny spend, random bounds) never panic; every plan that is returned
// keeps its promises: suggested Money sums exactly to the total, stays in
// each channel's bounds, and channels without a curve keep their spend.
func TestPlanBudgetRandomHistories(t *testing.T) {
	const seed = 3
	r := rand.New(rand.NewPCG(seed, 1))
	t.Logf("seed %d", seed)
	plans, curves := 0, 0
	for it := 0; it < 300; it++ {
		var in []BudgetChannelInput
		for c := r.IntN(5); c >= 0; c-- {
			ch := BudgetChannelInput{Channel: fmt.Sprintf("c%d", c)}
			level := math.Pow(10, 1+6*r.Float64())
			for w, n := 0, r.IntN(30); w < n; w++ {
				s := 0.0
				if r.Float64() > 0.15 {
					s = level * (0.5 + r.Float64())
				}
				y := 0.0
				switch r.IntN(3) {
				case 0:
					y = math.Floor(math.Pow(s, 0.3+0.7*r.Float64()) * r.Float64())
				case 1:
					y = r.Float64() * 50
				}
				ch.Weeks = append(ch.Weeks, BudgetWeek{Week: Date{Year: 2026, Month: 1, Day: 5}.AddDays(7 * w), Spend: Money(math.Round(s * MoneyScale)), Outcome: y})
			}
			if r.IntN(4) == 0 {
				ch.HasMin, ch.Min = true, Money(level*MoneyScale*r.Float64())
			}
			if r.IntN(4) == 0 {
				ch.HasMax, ch.Max = true, Money(level*MoneyScale*2*r.Float64())
			}
			in = append(in, ch)
		}
		opt := DefaultBudgetOptions()
		opt.MaxChange = r.Float64()
		p, err := PlanBudget(in, opt)
		if err != nil {
			if KindOf(err) != KindConfig {
				t.Fatalf("iteration %d: %v (kind %v)", it, err, KindOf(err))
			}
			continue
		}
		plans++
		var sum Money
		for _, c := range p.Channels {
			sum += c.Suggested
			if c.Suggested < c.Low || c.Suggested > c.High {
				t.Fatalf("iteration %d %s: %s outside [%s, %s]", it, c.Channel, c.Suggested, c.Low, c.High)
			}
			if !c.HasCurve && (c.Suggested != c.Current || c.Recommendation != RecommendInsufficient) {
				t.Fatalf("iteration %d %s: no curve but %s → %s (%s)", it, c.Channel, c.Current, c.Suggested, c.Recommendation)
			}
			if c.HasCurve && (math.IsNaN(c.OutcomeSuggested.High) || math.IsNaN(c.MarginalCost.Value)) {
				t.Fatalf("iteration %d %s: NaN in %+v", it, c.Channel, c)
			}
			if c.HasCurve {
				curves++
			}
			if c.Reason == "" {
				t.Fatalf("iteration %d %s: no reason", it, c.Channel)
			}
		}
		if sum != p.TotalSuggested || math.IsNaN(p.Gain.Low) {
			t.Fatalf("iteration %d: suggested sum %s, total %s, gain %v", it, sum, p.TotalSuggested, p.Gain)
		}
	}
	t.Logf("%d of 300 random histories gave a plan (%d channels with a curve); the rest a configuration error", plans, curves)
	if curves == 0 {
		t.Fatal("no channel with a curve: the test did not reach the reallocation")
	}
}
