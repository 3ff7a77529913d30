package reports

import (
	"fmt"
	"math"
	"strconv"

	"github.com/origen-analytics/origen/attribution"
)

// The budget plan's words, shared by the workbook, the page and origen
// budget (docs/BUDGET.md).

// budgetOutcomeWord is what the plan's outcome counts, for "+14
// customers a week".
func budgetOutcomeWord(b *attribution.Budget, cur attribution.Currency) string {
	if b.Objective == attribution.BudgetObjectiveRevenue {
		return currencyLabel(cur) + " of revenue"
	}
	return "customers"
}

// budgetCostHeader names the cost per outcome.
func budgetCostWord(b *attribution.Budget) string {
	if b.Objective == attribution.BudgetObjectiveRevenue {
		return "per unit of revenue"
	}
	return "per customer"
}

// budgetAmount formats a weekly amount for a sentence: whole currency
// units with grouped digits ("1,200").
func budgetAmount(m attribution.Money) string {
	return attribution.GroupDigits(m.Format(0))
}

// budgetCount formats an expected outcome for a sentence: whole numbers
// from 10 on, one decimal below.
func budgetCount(x float64) string {
	if math.Abs(x) >= 9.95 {
		return attribution.GroupDigits(strconv.FormatFloat(math.Round(x), 'f', 0, 64))
	}
	return strconv.FormatFloat(math.Round(x*10)/10, 'f', 1, 64)
}

func budgetSigned(x float64) string {
	s := budgetCount(x)
	if s[0] != '-' {
		s = "+" + s
	}
	return s
}

// BudgetMoveSentences are the plan's moves in plain words, such as "Move
// 1,200 EUR a week from Display to Paid Search: +14 customers a week [8,
// 20]" (the interval is the move's 95% interval).
func BudgetMoveSentences(r attribution.Report) []string {
	b := r.Budget
	if b == nil {
		return nil
	}
	word, cur := budgetOutcomeWord(b, r.Currency), currencyLabel(r.Currency)
	var out []string
	for _, m := range b.Moves {
		var s string
		switch {
		case m.From == attribution.BudgetAddedBudget:
			s = fmt.Sprintf("Add %s %s a week to %s", budgetAmount(m.Amount), cur, m.To)
		case m.To == attribution.BudgetCutBudget:
			s = fmt.Sprintf("Cut %s %s a week from %s", budgetAmount(m.Amount), cur, m.From)
		default:
			s = fmt.Sprintf("Move %s %s a week from %s to %s", budgetAmount(m.Amount), cur, m.From, m.To)
		}
		out = append(out, fmt.Sprintf("%s: %s %s a week [%s, %s]", s, budgetSigned(m.Gain.Value), word, budgetCount(m.Gain.Low), budgetCount(m.Gain.High)))
	}
	return out
}

// BudgetSummary is one line for the first screen: the plan's gain, or
// why there is no suggestion.
func BudgetSummary(r attribution.Report) string {
	b := r.Budget
	if b == nil {
		return ""
	}
	word := budgetOutcomeWord(b, r.Currency)
	var inc, dec, insufficient int
	for _, c := range b.Plan.Channels {
		switch c.Recommendation {
		case attribution.RecommendIncrease:
			inc++
		case attribution.RecommendDecrease:
			dec++
		case attribution.RecommendInsufficient:
			insufficient++
		}
	}
	switch {
	case len(b.Plan.Channels) == 0:
		return "Budget: no channel had spend in the lookback, so there is nothing to reallocate."
	case len(b.Moves) == 0:
		return fmt.Sprintf("Budget: no move suggested (%d of %d paid channels have too little data for a curve).", insufficient, len(b.Plan.Channels))
	}
	g := b.Plan.Gain
	return fmt.Sprintf("Budget: moving spend between channels (%d up, %d down, %s %s a week in all) could bring %s %s a week [%s, %s]; an association in past weeks, not a tested effect.",
		inc, dec, budgetAmount(b.Plan.TotalSuggested), currencyLabel(r.Currency), budgetSigned(g.Value), word, budgetCount(g.Low), budgetCount(g.High))
}

// budgetModelText names a channel's curve and its parameters with their
// 95% intervals.
func budgetModelText(c attribution.BudgetChannelResult) string {
	if !c.HasCurve {
		return ""
	}
	f := c.Choice.Fit
	p := func(name string, e attribution.Estimate) string {
		return fmt.Sprintf("%s = %.4g [%.4g, %.4g]", name, e.Value, e.Low, e.High)
	}
	if f.Model == attribution.ModelSaturating {
		return "a·(1 − e^(−spend/k)), " + p("a", f.A) + ", " + p("k", f.K)
	}
	return "a·spend^b, " + p("a", f.A) + ", " + p("b", f.B)
}
