package reports

import (
	"math"

	"github.com/origen-analytics/origen/attribution"
)

// jsonBudget is the document's budget key (docs/BUDGET.md): money as
// decimal strings in the currency's minor unit, expected outcomes
// (customers or revenue a week, model estimates) as numbers rounded to 4
// decimals, undefined values as null.
type jsonBudget struct {
	Objective                 string                      `json:"objective"`
	LookbackWeeks             int                         `json:"lookback_weeks"`
	BaselineWeeks             int                         `json:"baseline_weeks"`
	MaxChange                 float64                     `json:"max_change"`
	TotalCurrentWeeklySpend   string                      `json:"total_current_weekly_spend"`
	TotalSuggestedWeeklySpend string                      `json:"total_suggested_weekly_spend"`
	ExpectedOutcomeCurrent    *float64                    `json:"expected_outcome_current"`
	ExpectedOutcomeSuggested  *float64                    `json:"expected_outcome_suggested"`
	ExpectedGain              *float64                    `json:"expected_gain"`
	ExpectedGainLow           *float64                    `json:"expected_gain_low"`
	ExpectedGainHigh          *float64                    `json:"expected_gain_high"`
	Channels                  jsonList[jsonBudgetChannel] `json:"channels"`
}

// jsonBudgetChannel is one paid channel of the plan; model, parameters,
// costs and expected outcomes are null for a channel without a curve.
type jsonBudgetChannel struct {
	Channel                     string                        `json:"channel"`
	Weeks                       int                           `json:"weeks"`
	Model                       *string                       `json:"model"`
	Parameters                  map[string]jsonBudgetEstimate `json:"parameters"`
	AverageCostPerCustomer      *string                       `json:"average_cost_per_customer"`
	MarginalCostPerCustomer     *string                       `json:"marginal_cost_per_customer"`
	MarginalCostPerCustomerLow  *string                       `json:"marginal_cost_per_customer_low"`
	MarginalCostPerCustomerHigh *string                       `json:"marginal_cost_per_customer_high"`
	CurrentWeeklySpend          string                        `json:"current_weekly_spend"`
	SuggestedWeeklySpend        string                        `json:"suggested_weekly_spend"`
	ExpectedOutcomeCurrent      *float64                      `json:"expected_outcome_current"`
	ExpectedOutcomeSuggested    *float64                      `json:"expected_outcome_suggested"`
	Recommendation              string                        `json:"recommendation"`
	Reason                      string                        `json:"reason"`
}

// jsonBudgetEstimate is a curve parameter with its 95% interval.
type jsonBudgetEstimate struct {
	Value *float64 `json:"value"`
	Low   *float64 `json:"low"`
	High  *float64 `json:"high"`
}

// jsonBudgetOf is r's budget key; nil (null) without a plan.
func jsonBudgetOf(r attribution.Report) *jsonBudget {
	b := r.Budget
	if b == nil {
		return nil
	}
	p, cur := b.Plan, r.Currency
	hasCurve := false
	for _, c := range p.Channels {
		hasCurve = hasCurve || c.HasCurve
	}
	out := &jsonBudget{Objective: b.Objective, LookbackWeeks: b.LookbackWeeks, BaselineWeeks: p.Options.BaselineWeeks,
		MaxChange: p.Options.MaxChange, TotalCurrentWeeklySpend: p.TotalCurrent.Format(cur.Digits),
		TotalSuggestedWeeklySpend: p.TotalSuggested.Format(cur.Digits)}
	if hasCurve {
		out.ExpectedOutcomeCurrent, out.ExpectedOutcomeSuggested = budgetNumber(p.OutcomeCurrent.Value), budgetNumber(p.OutcomeSuggested.Value)
		out.ExpectedGain, out.ExpectedGainLow, out.ExpectedGainHigh = budgetNumber(p.Gain.Value), budgetNumber(p.Gain.Low), budgetNumber(p.Gain.High)
	}
	out.Channels = jsonListOf(len(p.Channels), func(i int) jsonBudgetChannel {
		c := p.Channels[i]
		j := jsonBudgetChannel{Channel: c.Channel, Weeks: c.Weeks, CurrentWeeklySpend: c.Current.Format(cur.Digits),
			SuggestedWeeklySpend: c.Suggested.Format(cur.Digits), Recommendation: c.Recommendation, Reason: c.Reason,
			AverageCostPerCustomer: budgetMoney(c.AverageCost, cur)}
		if !c.HasCurve {
			return j
		}
		f := c.Choice.Fit
		m := string(f.Model)
		j.Model = &m
		j.Parameters = map[string]jsonBudgetEstimate{"a": budgetEstimate(f.A)}
		if f.Model == attribution.ModelSaturating {
			j.Parameters["k"] = budgetEstimate(f.K)
		} else {
			j.Parameters["b"] = budgetEstimate(f.B)
		}
		j.MarginalCostPerCustomer = budgetMoney(c.MarginalCost.Value, cur)
		j.MarginalCostPerCustomerLow = budgetMoney(c.MarginalCost.Low, cur)
		j.MarginalCostPerCustomerHigh = budgetMoney(c.MarginalCost.High, cur)
		j.ExpectedOutcomeCurrent, j.ExpectedOutcomeSuggested = budgetNumber(c.OutcomeCurrent.Value), budgetNumber(c.OutcomeSuggested.Value)
		return j
	})
	return out
}

// budgetNumber rounds x to 4 decimals; nil when it is not finite.
func budgetNumber(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	v := math.Round(x*1e4) / 1e4
	if v == 0 {
		v = 0 // no -0
	}
	return &v
}

// budgetMoney is an amount in currency units as a decimal string in the
// currency's minor unit; nil when it is not finite or out of range.
func budgetMoney(x float64, cur attribution.Currency) *string {
	if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) > 1e14 {
		return nil
	}
	s := attribution.Money(math.Round(x * attribution.MoneyScale)).Format(cur.Digits)
	return &s
}

func budgetEstimate(e attribution.Estimate) jsonBudgetEstimate {
	return jsonBudgetEstimate{Value: budgetSig(e.Value), Low: budgetSig(e.Low), High: budgetSig(e.High)}
}

// budgetSig rounds a parameter to 6 significant digits (a scale a may be
// tiny or huge); nil when it is not finite.
func budgetSig(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	if x == 0 {
		v := 0.0
		return &v
	}
	p := math.Pow(10, 5-math.Floor(math.Log10(math.Abs(x))))
	v := math.Round(x*p) / p
	return &v
}
