package reports

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"math"

	"github.com/origen-analytics/origen/attribution"
)

// The page's budget section (docs/BUDGET.md): the caveat, the moves in
// plain sentences, the per-channel table and a response-curve chart per
// paid channel, drawn by templates/budget.js from #origen-budget-data.

//go:embed templates/budget.html
var budgetSource string

//go:embed templates/budget.js
var budgetJS string

// budgetSection is the data of templates/budget.html.
type budgetSection struct {
	Title   string
	Caveat  string
	Summary string
	Setup   string
	Moves   []string
	Rows    []budgetRow
	Charts  []budgetChart
	// Data is the JSON read by budget.js; Script the script.
	Data   template.JS
	Script template.JS
}

// HasCharts reports whether the section draws a chart, so the page
// includes ECharts and the script.
func (s *budgetSection) HasCharts() bool { return s != nil && s.Data != "" }

type budgetRow struct {
	Color                                    template.CSS
	Channel                                  string
	Weeks, Model, AverageCost, MarginalCost  string
	Current, Suggested, Change, Now, After   string
	Recommendation, RecommendationClass, Why string
}

type budgetChart struct {
	ID, Title, Caption string
}

// budgetPoint and budgetLine are the chart data: [spend, outcome].
type budgetSeries struct {
	ID      string       `json:"id"`
	Channel string       `json:"channel"`
	Color   string       `json:"color"`
	XName   string       `json:"x_name"`
	YName   string       `json:"y_name"`
	Points  [][2]float64 `json:"points"`
	Tips    []string     `json:"tips"`
	Curve   [][2]float64 `json:"curve"`
	Low     [][2]float64 `json:"low"`
	High    [][2]float64 `json:"high"`
	// CurveTips are the tooltip texts of the curve's points.
	CurveTips []string     `json:"curve_tips"`
	Marks     []budgetMark `json:"marks"`
}

type budgetMark struct {
	Now   bool    `json:"now"`
	X     float64 `json:"x"`
	Label string  `json:"label"`
	Color string  `json:"color"`
}

// budgetCurvePoints is how many points draw a curve and its band.
const budgetCurvePoints = 60

// newBudgetSection builds the section of r's plan; nil without one.
func newBudgetSection(r attribution.Report, colors map[string]string) (*budgetSection, error) {
	b := r.Budget
	if b == nil {
		return nil, nil
	}
	cur := r.Currency
	code := currencyLabel(cur)
	word := budgetOutcomeWord(b, cur)
	p := b.Plan
	s := &budgetSection{
		Title:   "Where the next " + code + " should go",
		Caveat:  attribution.BudgetAssociationCaveat,
		Summary: BudgetSummary(r),
		Moves:   BudgetMoveSentences(r),
		Script:  template.JS(budgetJS),
		Setup: fmt.Sprintf("Per paid channel, a response curve of %s a week against weekly spend over the %d ISO weeks %s, fitted on the weeks with spend. "+
			"Current weekly spend is the mean of the last %d weeks; the plan keeps the total at %s %s a week and moves each channel by at most ±%.0f%%, "+
			"so that the marginal costs %s are as equal as the bounds allow. Intervals are 95%%.",
			word, b.LookbackWeeks, periodText(b.Weeks), p.Options.BaselineWeeks, budgetAmount(p.TotalSuggested), code, 100*p.Options.MaxChange, budgetCostWord(b)),
	}
	data := map[string]budgetChannelData{}
	for _, d := range b.Data {
		data[d.Channel] = budgetChannelData(d)
	}
	money := func(x float64) string {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "n/a"
		}
		return attribution.GroupDigits(attribution.Money(math.Round(x * attribution.MoneyScale)).Format(cur.Digits))
	}
	var series []budgetSeries
	for i, c := range p.Channels {
		color := colors[c.Channel]
		if color == "" {
			color = channelPalette[paletteIndex(c.Channel)]
		}
		row := budgetRow{Channel: c.Channel, Color: template.CSS(color), Weeks: fmt.Sprint(c.Weeks),
			AverageCost: money(c.AverageCost), Current: attribution.GroupDigits(c.Current.Format(cur.Digits)),
			Suggested: attribution.GroupDigits(c.Suggested.Format(cur.Digits)), Recommendation: c.Recommendation, Why: c.Reason,
			Model: "—", MarginalCost: "n/a", Change: "—", Now: "—", After: "—"}
		switch c.Recommendation {
		case attribution.RecommendIncrease:
			row.RecommendationClass = "good"
		case attribution.RecommendDecrease:
			row.RecommendationClass = "bad"
		}
		if c.HasCurve {
			row.Model = budgetModelText(c)
			row.MarginalCost = fmt.Sprintf("%s [%s, %s]", money(c.MarginalCost.Value), money(c.MarginalCost.Low), money(c.MarginalCost.High))
			row.Change = fmt.Sprintf("%+.1f%%", 100*c.Change)
			row.Now = fmt.Sprintf("%s [%s, %s]", budgetCount(c.OutcomeCurrent.Value), budgetCount(c.OutcomeCurrent.Low), budgetCount(c.OutcomeCurrent.High))
			row.After = fmt.Sprintf("%s [%s, %s]", budgetCount(c.OutcomeSuggested.Value), budgetCount(c.OutcomeSuggested.Low), budgetCount(c.OutcomeSuggested.High))
		}
		s.Rows = append(s.Rows, row)
		id := fmt.Sprintf("chart-budget-%d", i)
		caption := c.Recommendation + ": " + c.Reason + "."
		if c.HasCurve {
			caption = fmt.Sprintf("%s: %s. Curve %s; dots are weeks with spend, the band is the curve's 95%% interval, the lines mark current (%s) and suggested (%s) weekly spend.",
				c.Recommendation, c.Reason, row.Model, row.Current, row.Suggested)
		}
		s.Charts = append(s.Charts, budgetChart{ID: id, Title: c.Channel, Caption: caption})
		sr := budgetSeries{ID: id, Channel: c.Channel, Color: color, XName: "Weekly spend (" + code + ")", YName: word + " a week"}
		maxSpend := math.Max(c.Current.Float64(), c.Suggested.Float64())
		for _, w := range data[c.Channel].Weeks {
			if w.Spend <= 0 {
				continue
			}
			sr.Points = append(sr.Points, [2]float64{w.Spend.Float64(), round4(w.Outcome)})
			sr.Tips = append(sr.Tips, fmt.Sprintf("Week of %s: %s %s spent, %s %s", w.Week, attribution.GroupDigits(w.Spend.Format(cur.Digits)), code, budgetCount(w.Outcome), word))
			maxSpend = math.Max(maxSpend, w.Spend.Float64())
		}
		if c.HasCurve && maxSpend > 0 {
			top := 1.15 * maxSpend
			for k := 0; k <= budgetCurvePoints; k++ {
				x := top * float64(k) / budgetCurvePoints
				e := c.Choice.OutcomeAt(x)
				if k == 0 {
					e = attribution.Estimate{}
				}
				if math.IsNaN(e.Value) || math.IsNaN(e.Low) || math.IsNaN(e.High) {
					continue
				}
				x = round4(x)
				sr.Curve = append(sr.Curve, [2]float64{x, round4(e.Value)})
				sr.Low = append(sr.Low, [2]float64{x, round4(e.Low)})
				sr.High = append(sr.High, [2]float64{x, round4(e.High)})
				sr.CurveTips = append(sr.CurveTips, fmt.Sprintf("Curve at %s %s a week: %s %s [%s, %s]", money(x), code, budgetCount(e.Value), word, budgetCount(e.Low), budgetCount(e.High)))
			}
			sr.Marks = []budgetMark{{Now: true, X: c.Current.Float64(), Label: "now " + row.Current, Color: "#6b7280"}}
			if c.Suggested != c.Current {
				sr.Marks = append(sr.Marks, budgetMark{X: c.Suggested.Float64(), Label: "suggested " + row.Suggested, Color: "#111827"})
			}
		}
		series = append(series, sr)
	}
	if len(series) > 0 {
		// json.Marshal escapes <, > and & as \u00XX: the data cannot close
		// its script element.
		js, err := json.Marshal(map[string]any{"charts": series})
		if err != nil {
			return nil, fmt.Errorf("budget chart data: %w", err)
		}
		s.Data = template.JS(js)
	}
	return s, nil
}

// budgetChannelData is a local name for the data of one channel.
type budgetChannelData attribution.BudgetChannelData

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }
