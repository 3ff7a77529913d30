package reports

import (
	_ "embed"
	"fmt"
	"html/template"
	"slices"
	"strconv"
	"strings"

	"github.com/origen-analytics/origen/attribution"
)

// decisionSource is the page's first section, the decision view
// (templates/decision.html), parsed into pageTemplate.
//
//go:embed templates/decision.html
var decisionSource string

// smallChannel is the number of registrations under which a channel's
// figures are too uncertain to stretch a chart: it is drawn faded and the
// axes are scaled to the others.
const smallChannel = 30

// defaultColumns are the keys of the channel table's columns shown by
// default on the page; the others are behind the column toggle (and in
// the workbook and JSON, which keep every column).
var defaultColumns = []string{"channel", "status", "registrations", "customers", "conversion_rate", "spend",
	"cost_per_customer", "roas", "projected_conversion_rate"}

// decisionSection is where the money works and where it does not: per
// channel, its share of spend against its share of customers, its CAC
// against its target, ROAS, projected conversion and status with the
// reason, the channels that miss a target first.
type decisionSection struct {
	Rows []decisionRow
	// PaidCAC and BlendedCAC are the paid channels' spend ÷ their
	// customers and all spend ÷ all customers, formatted with the unit.
	PaidCAC, BlendedCAC, UnpaidCAC string
	PaidShare                      string // the paid channels' share of spend, e.g. "96.3%"
	OffTarget                      int
	HasTargets, HasProjection      bool
	// Budget is the budget plan in one line (BudgetSummary), "" without
	// a plan.
	Budget string
}

type decisionRow struct {
	Name  string
	Color template.CSS
	// Small marks a channel with fewer than smallChannel registrations,
	// drawn faded.
	Small, Paid bool
	// Status is "off target", ...; StatusClass its CSS class; Reasons why
	// it is off target, in words (attribution.Thresholds.Judge).
	Status, StatusClass string
	Reasons             []string
	// SpendShare and CustomerShare are the channel's shares of the total
	// spend and customers as text, and as CSS widths for the paired bars.
	SpendShare, CustomerShare string
	SpendWidth, CustomerWidth template.CSS
	// CAC, ROAS and Projected are the figures as the table shows them; the
	// *Target fields their target in words, *Miss whether it is missed.
	CAC, CACTarget       string
	CACMiss              bool
	ROAS, ROASTarget     string
	ROASMiss             bool
	Rate, RateTarget     string
	RateMiss             bool
	Projected, Band, Why string
	// Value is the channel's projected 12-month LTV/CAC and payback month
	// from the lifetime-value section (docs/LTV.md), "" without it.
	Value string
}

// newDecision builds the decision view from the rows the page shows by
// name (and the row of the other channels), leaving out channels of the
// previous period only.
func newDecision(r attribution.Report, fold channelFold, colors map[string]string) *decisionSection {
	cur := r.Currency
	rows := slices.Clone(fold.Rows)
	if fold.Other != nil {
		rows = append(rows, *fold.Other)
	}
	d := &decisionSection{HasTargets: !r.Targets.IsZero(), HasProjection: hasProjection(r)}
	money := func(q attribution.Quotient) string {
		if !q.Valid() {
			return "n/a"
		}
		return attribution.GroupDigits(q.Format(cur.Digits)) + unitSuffix(cur)
	}
	d.BlendedCAC, d.PaidCAC, d.UnpaidCAC = money(r.Total.CostPerCustomer), money(r.TotalPaid.CostPerCustomer), money(r.TotalUnpaid.CostPerCustomer)
	if r.Total.Spend != 0 {
		d.PaidShare = formatShare(float64(r.TotalPaid.Spend) / float64(r.Total.Spend))
	}
	col := func(key string, x rowData) string { c := columnByKey(key); return c.display(c.value(x), cur) }
	// The bars are drawn to the largest share of either kind, so the
	// longest fills its track and the two bars of a row compare.
	top := 0.0
	for _, x := range rows {
		if r.Total.Spend != 0 {
			top = max(top, float64(x.M.Spend)/float64(r.Total.Spend))
		}
		if r.Total.Customers != 0 {
			top = max(top, float64(x.M.Customers)/float64(r.Total.Customers))
		}
	}
	if top <= 0 {
		top = 1
	}
	for _, x := range rows {
		m := x.M
		if m.Registrations == 0 && m.Spend == 0 {
			continue // the previous period's only
		}
		v := x.Th.Judge(m, cur)
		row := decisionRow{
			Name: m.Channel, Color: template.CSS(colors[m.Channel]), Small: m.Registrations < smallChannel, Paid: m.Paid,
			Status: statusText(v.Status), Reasons: v.Reasons,
			CAC: col("cost_per_customer", x), ROAS: col("roas", x), Rate: col("conversion_rate", x),
			CACMiss: slices.Contains(v.Missed, attribution.TargetCACMax), ROASMiss: slices.Contains(v.Missed, attribution.TargetROASMin),
			RateMiss: slices.Contains(v.Missed, attribution.TargetConversionRateMin),
		}
		row.StatusClass = strings.ReplaceAll(row.Status, " ", "-")
		if th := x.Th.CACMax; th != nil {
			row.CACTarget = "target ≤ " + attribution.GroupDigits(th.Format(cur.Digits))
		}
		if th := x.Th.ROASMin; th != nil {
			row.ROASTarget = "target ≥ " + strconv.FormatFloat(*th, 'f', 2, 64) + "x"
		}
		if th := x.Th.ConversionRateMin; th != nil {
			row.RateTarget = "target ≥ " + formatPercent(*th)
		}
		share := func(part, whole float64) (string, template.CSS) {
			if whole == 0 {
				return "n/a", "0%"
			}
			f := part / whole
			return formatShare(f), template.CSS(strconv.FormatFloat(max(0, min(1, f/top))*100, 'f', 1, 64) + "%")
		}
		row.SpendShare, row.SpendWidth = share(float64(m.Spend), float64(r.Total.Spend))
		row.CustomerShare, row.CustomerWidth = share(float64(m.Customers), float64(r.Total.Customers))
		if d.HasProjection {
			c := columnOf(projectionColumns, "projected_conversion_rate")
			pv := c.value(x)
			row.Projected = c.display(pv, cur)
			row.Band = bandText(c, x, cur)
			if pv.OK {
				row.Why = "95% interval; projected from " + projectionBasisText(m.ProjectionCurve)
			}
		}
		row.Value = valueText(r.LTV, m.Channel)
		if v.Status == attribution.StatusOffTarget {
			d.OffTarget++
		}
		d.Rows = append(d.Rows, row)
	}
	// Off target first, then by spend: where the money goes is where a
	// decision matters.
	spend := map[string]attribution.Money{}
	for _, x := range rows {
		spend[x.M.Channel] = x.M.Spend
	}
	slices.SortStableFunc(d.Rows, func(a, b decisionRow) int {
		if (a.Status == statusOff) != (b.Status == statusOff) {
			if a.Status == statusOff {
				return -1
			}
			return 1
		}
		switch sa, sb := spend[a.Name], spend[b.Name]; {
		case sa > sb:
			return -1
		case sa < sb:
			return 1
		}
		return 0
	})
	return d
}

// formatShare is a share of a whole with one decimal, e.g. "47.5%".
func formatShare(f float64) string {
	return strconv.FormatFloat(f*100, 'f', 1, 64) + "%"
}

// missText is the reason a table cell misses its target, for the cell of
// column key: the words of Judge for that threshold; empty when the row
// meets it.
func missText(key string, x rowData, cur attribution.Currency) string {
	target := map[string]string{
		"cost_per_customer": attribution.TargetCACMax,
		"conversion_rate":   attribution.TargetConversionRateMin,
		"roas":              attribution.TargetROASMin,
	}[key]
	if target == "" {
		return ""
	}
	v := x.Th.Judge(x.M, cur)
	if i := slices.Index(v.Missed, target); i >= 0 {
		return v.Reasons[i]
	}
	return ""
}

// valueText is a channel's projected 12-month LTV/CAC and payback as the
// decision view shows them under ROAS ("LTV/CAC 2.10×, payback month 3"),
// "" when the report has no lifetime-value row for the channel.
func valueText(l *attribution.LTVReport, channel string) string {
	if l == nil {
		return ""
	}
	for _, c := range l.Channels {
		if c.Channel != channel {
			continue
		}
		var parts []string
		if c.ProjectedLTVToCAC.Valid {
			parts = append(parts, fmt.Sprintf("LTV/CAC %.2f×", c.ProjectedLTVToCAC.Value))
		}
		if !c.Payback.NoCost {
			parts = append(parts, "payback "+c.Payback.String())
		}
		return strings.Join(parts, ", ")
	}
	return ""
}
