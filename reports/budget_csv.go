package reports

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/origen-analytics/origen/attribution"
)

// budgetCSVHeader is budget.csv's header: the per-channel table of the
// plan (docs/BUDGET.md); the same keys as the JSON where both have them.
var budgetCSVHeader = []string{"channel", "weeks", "model", "a", "a_low", "a_high", "b", "b_low", "b_high", "k", "k_low", "k_high",
	"pseudo_r2", "average_cost_per_customer", "marginal_cost_per_customer", "marginal_cost_per_customer_low", "marginal_cost_per_customer_high",
	"current_weekly_spend", "suggested_weekly_spend", "change", "expected_outcome_current", "expected_outcome_current_low",
	"expected_outcome_current_high", "expected_outcome_suggested", "expected_outcome_suggested_low", "expected_outcome_suggested_high",
	"recommendation", "reason"}

// WriteBudgetCSV writes the plan's per-channel table, one row per paid
// channel, then a Total row: money in the currency's minor unit, other
// numbers plain, undefined cells empty. Names and reasons go through
// CSVSafe.
func WriteBudgetCSV(w io.Writer, r attribution.Report) error {
	if r.Budget == nil {
		return fmt.Errorf("write budget CSV: the report has no budget plan")
	}
	cw := csv.NewWriter(w)
	p, cur := r.Budget.Plan, r.Currency
	num := func(x float64) string {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return ""
		}
		return strconv.FormatFloat(x, 'g', 10, 64)
	}
	money := func(x float64) string {
		if s := budgetMoney(x, cur); s != nil {
			return *s
		}
		return ""
	}
	est := func(e attribution.Estimate) []string { return []string{num(e.Value), num(e.Low), num(e.High)} }
	_ = cw.Write(budgetCSVHeader)
	for _, c := range p.Channels {
		rec := make([]string, 0, len(budgetCSVHeader))
		rec = append(rec, CSVSafe(c.Channel), strconv.Itoa(c.Weeks))
		if c.HasCurve {
			f := c.Choice.Fit
			rec = append(rec, string(f.Model))
			rec = append(rec, est(f.A)...)
			if f.Model == attribution.ModelSaturating {
				rec = append(rec, "", "", "")
				rec = append(rec, est(f.K)...)
			} else {
				rec = append(rec, est(f.B)...)
				rec = append(rec, "", "", "")
			}
			rec = append(rec, num(f.PseudoR2), money(c.AverageCost), money(c.MarginalCost.Value), money(c.MarginalCost.Low), money(c.MarginalCost.High))
		} else {
			rec = append(rec, "", "", "", "", "", "", "", "", "", "", "", money(c.AverageCost), "", "", "")
		}
		rec = append(rec, c.Current.Format(cur.Digits), c.Suggested.Format(cur.Digits), num(c.Change))
		if c.HasCurve {
			rec = append(rec, est(c.OutcomeCurrent)...)
			rec = append(rec, est(c.OutcomeSuggested)...)
		} else {
			rec = append(rec, "", "", "", "", "", "")
		}
		rec = append(rec, c.Recommendation, CSVSafe(c.Reason))
		_ = cw.Write(rec)
	}
	total := make([]string, len(budgetCSVHeader))
	total[0] = totalLabel
	total[17], total[18] = p.TotalCurrent.Format(cur.Digits), p.TotalSuggested.Format(cur.Digits)
	if p.TotalCurrent != 0 {
		total[19] = num(float64(p.TotalSuggested-p.TotalCurrent) / float64(p.TotalCurrent))
	}
	if budgetHasCurve(p) {
		copy(total[20:23], est(p.OutcomeCurrent))
		copy(total[23:26], est(p.OutcomeSuggested))
	}
	_ = cw.Write(total)
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write budget CSV: %w", err)
	}
	return nil
}
