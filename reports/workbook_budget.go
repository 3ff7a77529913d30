package reports

import (
	"fmt"
	"math"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/origen-analytics/origen/attribution"
)

// sheetBudget is the budget plan's sheet (docs/BUDGET.md).
const sheetBudget = "Budget"

// budgetSheetNames is the Budget sheet when r has a plan.
func budgetSheetNames(r attribution.Report) []string {
	if r.Budget == nil {
		return nil
	}
	return []string{sheetBudget}
}

// budgetColumn is one column of the Budget sheet's channel table.
type budgetColumn struct {
	Header string
	Kind   kind
	Width  int
}

// The channel table's columns; Change (Q) and the Total row are formulas.
var budgetColumns = []budgetColumn{
	{"Channel", kindText, 18}, {"Weeks used", kindCount, 8}, {"Model", kindText, 11},
	{"a", kindMultiple, 10}, {"a low", kindMultiple, 10}, {"a high", kindMultiple, 10},
	{"b (power) or k (saturating)", kindMultiple, 12}, {"b / k low", kindMultiple, 10}, {"b / k high", kindMultiple, 10},
	{"Pseudo-R²", kindRate, 9},
	{"Average cost", kindMoney, 11}, {"Marginal cost", kindMoney, 11}, {"Marginal cost low", kindMoney, 11}, {"Marginal cost high", kindMoney, 11},
	{"Current weekly spend", kindMoney, 13}, {"Suggested weekly spend", kindMoney, 13}, {"Change", kindRate, 9},
	{"Expected now", kindEstimate, 10}, {"Now low", kindEstimate, 9}, {"Now high", kindEstimate, 9},
	{"Expected suggested", kindEstimate, 10}, {"Suggested low", kindEstimate, 9}, {"Suggested high", kindEstimate, 9},
	{"Recommendation", kindText, 16}, {"Reason", kindText, 60},
}

// Column numbers (1-based) the formulas refer to.
const (
	budgetColCurrent   = 15 // O
	budgetColSuggested = 16 // P
	budgetColChange    = 17 // Q
	budgetColNow       = 18 // R
	budgetColAfter     = 21 // U
	budgetHeaderRow    = 6
)

// budgetSheet writes the Budget sheet: the caveat, the settings, the
// per-channel table with a Total row, the moves and the weekly data each
// fit used. It is streamed like the other sheets, so that a formula
// carries Origen's value for readers that do not recalculate.
func (b *workbook) budgetSheet() {
	bud := b.r.Budget
	if bud == nil || b.err != nil {
		return
	}
	const sheet = sheetBudget
	r, p := b.r, bud.Plan
	cur := r.Currency
	word := budgetOutcomeWord(bud, cur)
	b.printAs(sheet, "landscape")
	sw := b.stream(sheet)
	if sw == nil {
		return
	}
	for i, c := range budgetColumns {
		b.check(sw.SetColWidth(i+1, i+1, float64(c.Width)))
	}
	row := 0
	line := func(cells ...any) {
		row++
		b.check(sw.SetRow(b.cellName(1, row), cells))
	}
	text := func(s string, style int) excelize.Cell { return excelize.Cell{StyleID: style, Value: s} }
	line(text("Where the next "+currencyLabel(cur)+" should go: response curves and a budget plan", b.titleStyle()))
	line(text(attribution.BudgetAssociationCaveat, b.boldStyle()))
	line(text(fmt.Sprintf("Outcome: %s a week (%s). Lookback: %d ISO weeks, %s. Current weekly spend = the mean of the last %d weeks; "+
		"each channel may move within ±%.0f%% of it (and its [budget.channel] min / max); the total is %s %s a week.",
		word, budgetObjectiveText(bud), bud.LookbackWeeks, periodText(bud.Weeks), p.Options.BaselineWeeks, 100*p.Options.MaxChange,
		p.TotalSuggested.Format(cur.Digits), currencyLabel(cur)), 0))
	line(text(fmt.Sprintf("Curves: power a·spend^b (0 < b ≤ 1), or saturating a·(1 − e^(−spend/k)) when it fits clearly better (quasi-AIC); Poisson maximum likelihood on the weeks with spend. "+
		"Costs are %s, in %s; marginal cost = 1 ÷ (d outcome / d spend) at the current spend. Intervals are 95%%, by the delta method (docs/BUDGET.md).", budgetCostWord(bud), currencyLabel(cur)), 0))
	line()
	header := make([]any, len(budgetColumns))
	for i, c := range budgetColumns {
		header[i] = excelize.Cell{StyleID: b.headerStyle(c.Kind), Value: c.Header}
	}
	row++
	b.check(sw.SetRow(b.cellName(1, row), header, excelize.RowOpts{Height: 32}))
	styles := make([]int, len(budgetColumns))
	totals := make([]int, len(budgetColumns))
	for i, c := range budgetColumns {
		styles[i] = b.valueStyle(column{Kind: c.Kind}, false)
		totals[i] = b.valueStyle(column{Kind: c.Kind}, true)
	}
	styles[0], styles[2], styles[23], styles[24] = 0, 0, 0, 0
	// num is a number cell, empty when x is not finite.
	num := func(x float64, style int) any {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return excelize.Cell{StyleID: style}
		}
		return excelize.Cell{StyleID: style, Value: x}
	}
	first := row + 1
	for _, c := range p.Channels {
		cells := make([]any, len(budgetColumns))
		for i := range cells {
			cells[i] = excelize.Cell{StyleID: styles[i]}
		}
		cells[0] = excelize.Cell{Value: c.Channel}
		cells[1] = excelize.Cell{StyleID: styles[1], Value: c.Weeks}
		if c.HasCurve {
			f := c.Choice.Fit
			second := f.B
			if f.Model == attribution.ModelSaturating {
				second = f.K
			}
			cells[2] = excelize.Cell{Value: string(f.Model)}
			for i, x := range []float64{f.A.Value, f.A.Low, f.A.High, second.Value, second.Low, second.High, f.PseudoR2} {
				cells[3+i] = num(x, styles[3+i])
			}
			for i, x := range []float64{c.MarginalCost.Value, c.MarginalCost.Low, c.MarginalCost.High} {
				cells[11+i] = num(x, styles[11+i])
			}
			for i, x := range []float64{c.OutcomeCurrent.Value, c.OutcomeCurrent.Low, c.OutcomeCurrent.High,
				c.OutcomeSuggested.Value, c.OutcomeSuggested.Low, c.OutcomeSuggested.High} {
				cells[17+i] = num(x, styles[17+i])
			}
		}
		cells[10] = num(c.AverageCost, styles[10])
		cells[budgetColCurrent-1] = num(c.Current.Float64(), styles[budgetColCurrent-1])
		cells[budgetColSuggested-1] = num(c.Suggested.Float64(), styles[budgetColSuggested-1])
		o, s := b.cellName(budgetColCurrent, row+1), b.cellName(budgetColSuggested, row+1)
		cells[budgetColChange-1] = excelize.Cell{StyleID: styles[budgetColChange-1], Formula: fmt.Sprintf("IF(%s=0,0,%s/%s-1)", o, s, o), Value: c.Change}
		cells[23] = excelize.Cell{Value: c.Recommendation}
		cells[24] = excelize.Cell{Value: c.Reason}
		line(cells...)
	}
	last := row
	cells := make([]any, len(budgetColumns))
	for i := range cells {
		cells[i] = excelize.Cell{StyleID: totals[i]}
	}
	cells[0] = excelize.Cell{StyleID: b.totalTextStyle(), Value: totalLabel}
	total := row + 1
	sum := func(col int, v float64) {
		cells[col-1] = excelize.Cell{StyleID: totals[col-1], Value: v}
		if last >= first {
			cells[col-1] = excelize.Cell{StyleID: totals[col-1], Value: v,
				Formula: fmt.Sprintf("SUM(%s:%s)", b.cellName(col, first), b.cellName(col, last))}
		}
	}
	sum(budgetColCurrent, p.TotalCurrent.Float64())
	sum(budgetColSuggested, p.TotalSuggested.Float64())
	change := 0.0
	if p.TotalCurrent != 0 {
		change = float64(p.TotalSuggested-p.TotalCurrent) / float64(p.TotalCurrent)
	}
	o, s := b.cellName(budgetColCurrent, total), b.cellName(budgetColSuggested, total)
	cells[budgetColChange-1] = excelize.Cell{StyleID: totals[budgetColChange-1], Formula: fmt.Sprintf("IF(%s=0,0,%s/%s-1)", o, s, o), Value: change}
	curve := budgetHasCurve(p)
	if curve {
		sum(budgetColNow, p.OutcomeCurrent.Value)
		cells[budgetColNow] = num(p.OutcomeCurrent.Low, totals[budgetColNow])
		cells[budgetColNow+1] = num(p.OutcomeCurrent.High, totals[budgetColNow+1])
		sum(budgetColAfter, p.OutcomeSuggested.Value)
		cells[budgetColAfter] = num(p.OutcomeSuggested.Low, totals[budgetColAfter])
		cells[budgetColAfter+1] = num(p.OutcomeSuggested.High, totals[budgetColAfter+1])
	}
	line(cells...)
	line()
	if curve {
		line(excelize.Cell{StyleID: b.boldStyle(), Value: "Expected gain"},
			excelize.Cell{StyleID: styles[17], Value: p.Gain.Value,
				Formula: fmt.Sprintf("%s-%s", b.cellName(budgetColAfter, total), b.cellName(budgetColNow, total))},
			text(fmt.Sprintf("%s a week, 95%% interval [%s, %s]; the channels without a curve keep their spend and add nothing.",
				word, budgetCount(p.Gain.Low), budgetCount(p.Gain.High)), 0))
	} else {
		line(excelize.Cell{StyleID: b.boldStyle(), Value: "Expected gain"}, text("none: no channel has a curve that passed the checks", 0))
	}
	line()
	line(text("Moves", b.sectionStyle()))
	moves := BudgetMoveSentences(r)
	if len(moves) == 0 {
		moves = []string{"No move: the plan keeps every channel's spend."}
	}
	for _, m := range moves {
		line(text(m, 0))
	}
	line(text(attribution.BudgetAssociationCaveat, 0))
	line()
	b.budgetWeeks(line)
	b.printTitles(sheet, "$A:$A", fmt.Sprintf("$%d:$%d", budgetHeaderRow, budgetHeaderRow))
}

// budgetWeeks writes the weekly data each fit used through line.
func (b *workbook) budgetWeeks(line func(...any)) {
	bud := b.r.Budget
	line(excelize.Cell{StyleID: b.sectionStyle(), Value: "Weekly data each fit used"})
	line(excelize.Cell{Value: "A curve uses the weeks with spend. Projected customers add, for the registrations still inside the conversion window, " +
		"their chance of converting from the channel's Kaplan–Meier curve; Outcome is what the curve was fitted to; Fitted is the curve at the week's spend."})
	headers := []struct {
		h string
		k kind
	}{{"Channel", kindText}, {"Week (Monday)", kindText}, {"Spend", kindMoney}, {"Registrations", kindCount}, {"Customers", kindCount},
		{"Open registrations", kindCount}, {"Projected customers", kindEstimate}, {"Outcome", kindEstimate}, {"In the fit", kindText}, {"Fitted", kindEstimate}}
	cells := make([]any, len(headers))
	styles := make([]int, len(headers))
	for i, h := range headers {
		cells[i] = excelize.Cell{StyleID: b.headerStyle(h.k), Value: h.h}
		styles[i] = b.valueStyle(column{Kind: h.k}, false)
	}
	line(cells...)
	fits := map[string]attribution.BudgetChannelResult{}
	for _, c := range bud.Plan.Channels {
		fits[c.Channel] = c
	}
	for _, d := range bud.Data {
		c := fits[d.Channel]
		for _, w := range d.Weeks {
			used := "no (no spend)"
			fitted := excelize.Cell{StyleID: styles[9]}
			if w.Spend > 0 {
				used = "yes"
				if c.HasCurve {
					fitted.Value = c.Choice.Fit.Outcome(w.Spend.Float64())
				}
			}
			line(excelize.Cell{Value: d.Channel},
				excelize.Cell{StyleID: b.dateStyle(), Value: time.Date(w.Week.Year, w.Week.Month, w.Week.Day, 0, 0, 0, 0, time.UTC)},
				excelize.Cell{StyleID: styles[2], Value: w.Spend.Float64()},
				excelize.Cell{StyleID: styles[3], Value: w.Registrations},
				excelize.Cell{StyleID: styles[4], Value: w.Customers},
				excelize.Cell{StyleID: styles[5], Value: w.Open},
				excelize.Cell{StyleID: styles[6], Value: w.ProjectedCustomers},
				excelize.Cell{StyleID: styles[7], Value: w.Outcome},
				excelize.Cell{Value: used}, fitted)
		}
	}
}

func budgetHasCurve(p attribution.BudgetPlan) bool {
	for _, c := range p.Channels {
		if c.HasCurve {
			return true
		}
	}
	return false
}

// budgetObjectiveText says what the outcome is.
func budgetObjectiveText(b *attribution.Budget) string {
	if b.Objective == attribution.BudgetObjectiveRevenue {
		return "window revenue of the week's registrations, with the projected customers of recent weeks at the channel's revenue per customer"
	}
	return "customers within the conversion window of the week's registrations, projected for weeks still inside it"
}
