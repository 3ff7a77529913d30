package attribution

import (
	"fmt"
	"math"
	"sort"
)

// The budget plan of issue 11 (docs/BUDGET.md): per paid channel a
// response curve of weekly outcome against weekly spend, its marginal cost
// at the current spend, an out-of-time check, and a reallocation of the
// total weekly spend that maximises the expected outcome within bounds.

// Recommendation values of a BudgetChannelResult.
const (
	RecommendIncrease     = "increase"
	RecommendDecrease     = "decrease"
	RecommendKeep         = "keep"
	RecommendInsufficient = "insufficient data"
)

// Thresholds of the plan (docs/BUDGET.md, "When a channel gets no
// recommendation").
const (
	// BudgetMinWeeks is the fewest weeks with spend a curve is fitted on.
	BudgetMinWeeks = 8
	// BudgetMinSpendCV is the smallest coefficient of variation of weekly
	// spend from which a curve can tell what more or less spend does.
	BudgetMinSpendCV = 0.10
	// BudgetKeepChange is the relative change below which a suggested
	// spend is reported as "keep".
	BudgetKeepChange = 0.05
)

// BudgetAssociationCaveat is the sentence every place that shows the
// suggestion carries.
const BudgetAssociationCaveat = "These suggestions come from the association between spend and outcome in this business's own weekly history, not from a controlled test; confirm a move with a holdout or lift test before relying on it."

// BudgetWeek is one week of one channel: the ISO week's Monday, the
// week's spend and outcome (customers, projected customers or revenue; may
// be fractional).
type BudgetWeek struct {
	Week    Date
	Spend   Money
	Outcome float64
}

// BudgetChannelInput is one paid channel's lookback, oldest week first,
// one entry per week (weeks without spend have Spend 0), with optional
// bounds on its suggested weekly spend.
type BudgetChannelInput struct {
	Channel        string
	Weeks          []BudgetWeek
	Min, Max       Money
	HasMin, HasMax bool
}

// BudgetOptions are the plan's settings ([budget] in the configuration).
type BudgetOptions struct {
	// BaselineWeeks is how many of the last weeks give the current weekly
	// spend (their mean).
	BaselineWeeks int
	// MaxChange bounds each channel to [1 − MaxChange, 1 + MaxChange]
	// times its current spend.
	MaxChange float64
	// Total, when HasTotal, replaces the current total weekly spend.
	Total    Money
	HasTotal bool
}

// DefaultBudgetOptions returns baseline_weeks = 4 and max_change = 0.3.
func DefaultBudgetOptions() BudgetOptions {
	return BudgetOptions{BaselineWeeks: 4, MaxChange: 0.3}
}

// OutOfTimeCheck is the comparison of a curve fitted on the first two
// thirds of a channel's weeks with spend against the naive model
// outcome = spend ÷ average cost of those weeks, on the last third.
type OutOfTimeCheck struct {
	FitWeeks, TestWeeks int
	// Model is the curve chosen on the fitting weeks.
	Model ResponseModel
	// MAECurve and MAENaive are the mean absolute errors on the test
	// weeks; NaN when the curve could not be fitted (Err says why).
	MAECurve, MAENaive float64
	Err                error
}

// Passed reports whether the curve beat the naive model.
func (c OutOfTimeCheck) Passed() bool { return c.Err == nil && c.MAECurve < c.MAENaive }

// BudgetChannelResult is one channel of a BudgetPlan.
type BudgetChannelResult struct {
	Channel string
	// LookbackWeeks is the number of weeks given; Weeks the number with
	// spend, which the fit uses.
	LookbackWeeks, Weeks int
	// SpendCV is the coefficient of variation of the weekly spend over
	// the weeks with spend (sample standard deviation ÷ mean).
	SpendCV float64
	// HasCurve is true when Choice holds a curve that passed every check
	// and the channel took part in the reallocation.
	HasCurve bool
	Choice   CurveChoice
	// OutOfTime is the out-of-time check (zero when not reached).
	OutOfTime OutOfTimeCheck
	// AverageCost is Σ spend ÷ Σ outcome over the weeks with spend; NaN
	// without outcome.
	AverageCost float64
	// MarginalCost is 1/μ′ at the current spend with its interval; zero
	// without a curve.
	MarginalCost Estimate
	// Current is the mean spend of the baseline weeks; Suggested the
	// reallocated spend (Current when the channel has no curve); Low and
	// High the bounds it was allowed.
	Current, Suggested, Low, High Money
	// Change is Suggested/Current − 1 (0 when Current is 0).
	Change float64
	// OutcomeCurrent and OutcomeSuggested are μ at both spends with
	// delta-method intervals; zero without a curve.
	OutcomeCurrent, OutcomeSuggested Estimate
	Recommendation                   string
	// Reason says in words why (always set).
	Reason string
}

// BudgetPlan is the reallocation of one report.
type BudgetPlan struct {
	Options BudgetOptions
	// TotalCurrent is the sum of the channels' current weekly spend;
	// TotalSuggested the total reallocated (= Options.Total when set).
	TotalCurrent, TotalSuggested Money
	// OutcomeCurrent, OutcomeSuggested and Gain cover the channels with a
	// curve (the others keep their spend); intervals by the delta method,
	// the channels' fits taken as independent.
	OutcomeCurrent, OutcomeSuggested, Gain Estimate
	// MarginalCost is 1/λ, the common marginal cost of the channels
	// inside their bounds after reallocation; NaN when there is none.
	MarginalCost float64
	Channels     []BudgetChannelResult
}

// PlanBudget fits every channel, decides which get a recommendation and
// reallocates the total weekly spend among them (docs/BUDGET.md). Bad
// options or contradictory bounds return a KindConfig *Error.
func PlanBudget(chs []BudgetChannelInput, opt BudgetOptions) (BudgetPlan, error) {
	plan := BudgetPlan{Options: opt, MarginalCost: math.NaN()}
	if opt.BaselineWeeks < 1 {
		return plan, Errorf(KindConfig, "budget baseline_weeks is %d; it must be at least 1", opt.BaselineWeeks)
	}
	if !(opt.MaxChange >= 0 && opt.MaxChange <= 1) {
		return plan, Errorf(KindConfig, "budget max_change is %v; it must be between 0 and 1", opt.MaxChange)
	}
	if opt.HasTotal && opt.Total < 0 {
		return plan, Errorf(KindConfig, "budget total is %s; it must not be negative", opt.Total.Format(2))
	}
	var alloc []AllocChannel
	var allocIdx []int
	fixed := Money(0)
	for _, in := range chs {
		r, err := assessChannel(in, opt)
		if err != nil {
			return plan, err
		}
		var ok bool
		if plan.TotalCurrent, ok = plan.TotalCurrent.Add(r.Current); !ok {
			return plan, Errorf(KindData, "budget: the current weekly spend of the paid channels overflows at %q", in.Channel)
		}
		if r.HasCurve {
			alloc = append(alloc, AllocChannel{Fit: r.Choice.Fit, Min: r.Low.Float64(), Max: r.High.Float64()})
			allocIdx = append(allocIdx, len(plan.Channels))
		} else {
			fixed += r.Current
		}
		plan.Channels = append(plan.Channels, r)
	}
	plan.TotalSuggested = plan.TotalCurrent
	if opt.HasTotal {
		plan.TotalSuggested = opt.Total
	}
	free := plan.TotalSuggested - fixed
	var lo, hi Money
	for _, i := range allocIdx {
		lo += plan.Channels[i].Low
		hi += plan.Channels[i].High
	}
	if free < lo || free > hi {
		return plan, Errorf(KindConfig, "budget total %s cannot be reached: the channels without a curve keep %s and the others can take between %s and %s within max_change and their min/max",
			plan.TotalSuggested.Format(2), fixed.Format(2), lo.Format(2), hi.Format(2))
	}
	s, lambda, err := Allocate(alloc, free.Float64())
	if err != nil {
		return plan, Errorf(KindConfig, "budget: %v", err)
	}
	suggested := roundToTotal(s, free, plan.Channels, allocIdx)
	var gainVar, curVar, sugVar float64
	inside := false
	for j, i := range allocIdx {
		r := &plan.Channels[i]
		r.Suggested = suggested[j]
		f := r.Choice.Fit
		cur, sug := r.Current.Float64(), r.Suggested.Float64()
		r.OutcomeCurrent, r.OutcomeSuggested = r.Choice.OutcomeAt(cur), r.Choice.OutcomeAt(sug)
		_, v := r.Choice.changeVar(0, cur)
		curVar += v
		_, v = r.Choice.changeVar(0, sug)
		sugVar += v
		_, v = r.Choice.changeVar(cur, sug)
		gainVar += v
		plan.OutcomeCurrent.Value += f.Outcome(cur)
		plan.OutcomeSuggested.Value += f.Outcome(sug)
		if s[j] > alloc[j].Min*(1+1e-9) && s[j] < alloc[j].Max*(1-1e-9) {
			inside = true
		}
		recommend(r, lambda)
	}
	if inside {
		plan.MarginalCost = 1 / lambda
	}
	plan.Gain.Value = plan.OutcomeSuggested.Value - plan.OutcomeCurrent.Value
	for _, e := range []struct {
		est *Estimate
		v   float64
	}{{&plan.OutcomeCurrent, curVar}, {&plan.OutcomeSuggested, sugVar}, {&plan.Gain, gainVar}} {
		h := BudgetZ * math.Sqrt(e.v)
		e.est.Low, e.est.High = e.est.Value-h, e.est.Value+h
	}
	return plan, nil
}

// recommend sets the recommendation and reason of a reallocated channel.
func recommend(r *BudgetChannelResult, lambda float64) {
	if r.Current == 0 {
		r.Recommendation, r.Reason = RecommendKeep, "no spend in the baseline weeks, so the ±max_change bounds keep it at zero"
		return
	}
	r.Change = float64(r.Suggested-r.Current) / float64(r.Current)
	mc := r.MarginalCost.Value
	switch {
	case math.Abs(r.Change) < BudgetKeepChange:
		r.Recommendation = RecommendKeep
		r.Reason = fmt.Sprintf("the balanced allocation changes its spend by %+.1f%%, under %.0f%%", 100*r.Change, 100*BudgetKeepChange)
	case r.Change > 0:
		r.Recommendation = RecommendIncrease
		r.Reason = fmt.Sprintf("its marginal cost per outcome at current spend (%.2f) is below the balanced level (%.2f)", mc, 1/lambda)
	default:
		r.Recommendation = RecommendDecrease
		r.Reason = fmt.Sprintf("its marginal cost per outcome at current spend (%.2f) is above the balanced level (%.2f)", mc, 1/lambda)
	}
	switch {
	case r.Low == r.High:
		r.Reason = fmt.Sprintf("its min / max fix its spend at %s, outside max_change of its current spend", r.Suggested.Format(2))
	case r.Recommendation != RecommendKeep && r.Suggested == r.High:
		r.Reason += "; held at its upper bound"
	case r.Recommendation != RecommendKeep && r.Suggested == r.Low:
		r.Reason += "; held at its lower bound"
	}
}

// assessChannel computes a channel's current spend, bounds, fit and
// checks; HasCurve says whether it takes part in the reallocation.
func assessChannel(in BudgetChannelInput, opt BudgetOptions) (BudgetChannelResult, error) {
	r := BudgetChannelResult{Channel: in.Channel, LookbackWeeks: len(in.Weeks), AverageCost: math.NaN()}
	var pts []ResponsePoint
	var spend, out float64
	for i, w := range in.Weeks {
		if w.Spend < 0 {
			return r, Errorf(KindData, "budget: channel %q has negative spend %s in the week of %s", in.Channel, w.Spend.Format(2), w.Week)
		}
		if !(w.Outcome >= 0) || math.IsInf(w.Outcome, 0) {
			return r, Errorf(KindData, "budget: channel %q has outcome %v in the week of %s", in.Channel, w.Outcome, w.Week)
		}
		if i > 0 && !in.Weeks[i-1].Week.Before(w.Week) {
			return r, Errorf(KindData, "budget: channel %q's weeks are not in increasing order at %s", in.Channel, w.Week)
		}
		if w.Spend > 0 {
			pts = append(pts, ResponsePoint{w.Spend.Float64(), w.Outcome})
			spend += w.Spend.Float64()
			out += w.Outcome
		}
	}
	r.Weeks = len(pts)
	if out > 0 {
		r.AverageCost = spend / out
	}
	// Current weekly spend: exact mean of the baseline weeks, rounded half
	// away from zero to a Money unit.
	n := min(opt.BaselineWeeks, len(in.Weeks))
	var sum Money
	for _, w := range in.Weeks[len(in.Weeks)-n:] {
		var ok bool
		if sum, ok = sum.Add(w.Spend); !ok {
			return r, Errorf(KindData, "budget: channel %q's baseline spend overflows", in.Channel)
		}
	}
	if n > 0 {
		r.Current = roundQuotient(sum, int64(n))
	}
	r.Suggested, r.Low, r.High = r.Current, r.Current, r.Current
	// The band of max_change around the current spend, narrowed by min
	// and max. min and max are hard limits (a finance decision) and
	// max_change a pacing rule, so when the band lies entirely outside
	// [min, max] the limit wins.
	if in.HasMin && in.HasMax && in.Min > in.Max {
		return r, Errorf(KindConfig, "budget: channel %q has min %s above its max %s", in.Channel, in.Min.Format(2), in.Max.Format(2))
	}
	if (in.HasMin && in.Min < 0) || (in.HasMax && in.Max < 0) {
		return r, Errorf(KindConfig, "budget: channel %q has a negative min or max", in.Channel)
	}
	lo := Money(math.Round(float64(r.Current) * (1 - opt.MaxChange)))
	hi := Money(math.Round(float64(r.Current) * (1 + opt.MaxChange)))
	switch {
	case in.HasMin && in.Min > hi:
		lo, hi = in.Min, in.Min
	case in.HasMax && in.Max < lo:
		lo, hi = in.Max, in.Max
	default:
		if in.HasMin && in.Min > lo {
			lo = in.Min
		}
		if in.HasMax && in.Max < hi {
			hi = in.Max
		}
	}
	r.SpendCV = coefficientOfVariation(pts)
	insufficient := func(reason string) (BudgetChannelResult, error) {
		r.Recommendation, r.Reason = RecommendInsufficient, reason+"; it keeps its spend"
		return r, nil
	}
	if r.Weeks < BudgetMinWeeks {
		return insufficient(fmt.Sprintf("only %d of the %d weeks had spend; a curve needs at least %d", r.Weeks, len(in.Weeks), BudgetMinWeeks))
	}
	if !(r.SpendCV >= BudgetMinSpendCV) {
		return insufficient(fmt.Sprintf("weekly spend varied too little to tell what more or less spend does (coefficient of variation %.1f%%, under %.0f%%)", 100*r.SpendCV, 100*BudgetMinSpendCV))
	}
	choice, err := FitResponse(pts)
	if err != nil {
		return insufficient("no response curve could be fitted: " + err.Error())
	}
	r.Choice = choice
	r.OutOfTime = outOfTime(pts)
	if !r.OutOfTime.Passed() {
		if r.OutOfTime.Err != nil {
			return insufficient(fmt.Sprintf("the out-of-time check failed: no curve could be fitted on the first %d weeks (%v)", r.OutOfTime.FitWeeks, r.OutOfTime.Err))
		}
		return insufficient(fmt.Sprintf("the curve fitted on the first %d weeks predicted the last %d no better than spend ÷ average cost (mean absolute error %.2f against %.2f)",
			r.OutOfTime.FitWeeks, r.OutOfTime.TestWeeks, r.OutOfTime.MAECurve, r.OutOfTime.MAENaive))
	}
	r.HasCurve = true
	r.Low, r.High = lo, hi
	r.MarginalCost = choice.MarginalCostAt(r.Current.Float64())
	return r, nil
}

func optMoney(m Money, ok bool) string {
	if !ok {
		return "(none)"
	}
	return m.Format(2)
}

// roundQuotient returns num/den rounded half away from zero (den > 0).
func roundQuotient(num Money, den int64) Money {
	q, rem := int64(num)/den, int64(num)%den
	if rem < 0 {
		rem = -rem
	}
	if 2*rem >= den {
		if num < 0 {
			q--
		} else {
			q++
		}
	}
	return Money(q)
}

// coefficientOfVariation is the sample standard deviation of the spends
// divided by their mean; NaN for fewer than two weeks.
func coefficientOfVariation(pts []ResponsePoint) float64 {
	if len(pts) < 2 {
		return math.NaN()
	}
	var mean float64
	for _, p := range pts {
		mean += p.Spend
	}
	mean /= float64(len(pts))
	var ss float64
	for _, p := range pts {
		ss += (p.Spend - mean) * (p.Spend - mean)
	}
	return math.Sqrt(ss/float64(len(pts)-1)) / mean
}

// outOfTime fits on the first ⌊2n/3⌋ weeks with spend and predicts the
// rest (docs/BUDGET.md, "Out-of-time check").
func outOfTime(pts []ResponsePoint) OutOfTimeCheck {
	nFit := 2 * len(pts) / 3
	c := OutOfTimeCheck{FitWeeks: nFit, TestWeeks: len(pts) - nFit, MAECurve: math.NaN(), MAENaive: math.NaN()}
	choice, err := FitResponse(pts[:nFit])
	if err != nil {
		c.Err = err
		return c
	}
	c.Model = choice.Fit.Model
	var sy, ss float64
	for _, p := range pts[:nFit] {
		sy += p.Outcome
		ss += p.Spend
	}
	c.MAECurve, c.MAENaive = 0, 0
	for _, p := range pts[nFit:] {
		c.MAECurve += math.Abs(p.Outcome - choice.Fit.Outcome(p.Spend))
		c.MAENaive += math.Abs(p.Outcome - p.Spend*sy/ss)
	}
	c.MAECurve /= float64(c.TestWeeks)
	c.MAENaive /= float64(c.TestWeeks)
	return c
}

// roundToTotal turns the optimiser's spends into Money that sums exactly
// to total: each is rounded down to a Money unit, and the units left over
// go to the largest remainders, never past a channel's High.
func roundToTotal(s []float64, total Money, rs []BudgetChannelResult, idx []int) []Money {
	out := make([]Money, len(s))
	rem := make([]int, len(s))
	var sum Money
	for j, x := range s {
		v := math.Floor(x * MoneyScale)
		out[j] = min(max(Money(v), rs[idx[j]].Low), rs[idx[j]].High)
		sum += out[j]
		rem[j] = j
	}
	frac := func(j int) float64 { return s[j]*MoneyScale - float64(out[j]) }
	sort.SliceStable(rem, func(a, b int) bool { return frac(rem[a]) > frac(rem[b]) })
	for left := total - sum; left != 0; {
		moved := false
		for _, j := range rem {
			if left > 0 && out[j] < rs[idx[j]].High {
				out[j]++
				left--
				moved = true
			} else if left < 0 && out[j] > rs[idx[j]].Low {
				out[j]--
				left++
				moved = true
			}
			if left == 0 {
				break
			}
		}
		if !moved {
			break // unreachable: Σ Low ≤ total ≤ Σ High was checked
		}
	}
	return out
}
