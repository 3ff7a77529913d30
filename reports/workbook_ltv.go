package reports

import (
	"fmt"
	"math"

	"github.com/xuri/excelize/v2"

	"github.com/origen-analytics/origen/attribution"
)

// sheetLTV is the lifetime-value sheet (docs/LTV.md), after the maturity
// sheets, when the report has the section.
const sheetLTV = "Lifetime value"

// Cells of the Lifetime value sheet: the gross margin every margin
// formula reads, and the header rows of its three tables.
const (
	ltvMarginRow   = 4
	ltvMarginCell  = "$B$4"
	ltvChannelsRow = 6
)

func ltvSheetNames(r attribution.Report) []string {
	if r.LTV == nil {
		return nil
	}
	return []string{sheetLTV}
}

// ltvColumns are the per-channel table's headers; the formulas below
// refer to them by letter (B registrations … W v).
var ltvColumns = []struct {
	header string
	kind   kind
}{
	{"Channel", kindText}, {"Registrations", kindCount}, {"Customers", kindCount}, {"Spend", kindMoney},
	{"Cost per registration", kindMoney}, {"Cost per customer", kindMoney}, {"Payback", kindText},
	{"Revenue per customer at 12 months (observed)", kindMoney}, {"LTV 12 months observed", kindMoney},
	{"Revenue per customer 12 months (projected)", kindMoney}, {"Projected low", kindMoney}, {"Projected high", kindMoney},
	{"LTV 12 months projected", kindMoney}, {"LTV projected low", kindMoney}, {"LTV projected high", kindMoney},
	{"LTV/CAC (projected)", kindMultiple}, {"Mean P(alive)", kindRate}, {"Expected purchases next 90 days", kindEstimate},
	{"BG/NBD r", kindEstimate}, {"α", kindEstimate}, {"a", kindEstimate}, {"b", kindEstimate},
	{"Log-likelihood", kindEstimate}, {"Customers fitted", kindCount}, {"Fit", kindText},
	{"Gamma–Gamma p", kindEstimate}, {"q", kindEstimate}, {"v", kindEstimate},
}

// ltvSheet writes the Lifetime value sheet: per channel the figures and
// the models' parameters, the pooled curves at months 1…24 (revenue,
// margin and cost per registration, revenue per customer, repeat rate),
// and the cohort triangle of revenue per registration. Margins, costs per
// registration and customer and LTV/CAC are live formulas over the cells
// (the gross margin in B4), with Origen's value cached.
func (b *workbook) ltvSheet() {
	l := b.r.LTV
	if l == nil || b.err != nil {
		return
	}
	const sheet = sheetLTV
	b.printAs(sheet, "landscape")
	sw := b.stream(sheet)
	if sw == nil {
		return
	}
	money := b.valueStyle(column{Kind: kindMoney}, false)
	count := b.valueStyle(column{Kind: kindCount}, false)
	rate := b.valueStyle(column{Kind: kindRate}, false)
	est := b.valueStyle(column{Kind: kindEstimate}, false)
	mult := b.valueStyle(column{Kind: kindMultiple}, false)
	num := func(style int, v float64, ok bool) excelize.Cell {
		if !ok || math.IsNaN(v) || math.IsInf(v, 0) {
			return excelize.Cell{}
		}
		return excelize.Cell{StyleID: style, Value: v}
	}
	q := func(x attribution.Quotient) excelize.Cell { return num(money, x.Float64(), x.Valid()) }
	formula := func(style int, f string, v float64, ok bool) excelize.Cell {
		c := num(style, v, ok)
		c.StyleID, c.Formula = style, f
		if !ok {
			c.Value = ""
		}
		return c
	}
	b.check(sw.SetColWidth(1, 1, 22))
	b.check(sw.SetColWidth(2, len(ltvColumns)+2, 13))
	b.check(sw.SetRow("A1", []any{excelize.Cell{StyleID: b.titleStyle(), Value: "Lifetime value"}}))
	b.check(sw.SetRow("A2", []any{fmt.Sprintf("Acquisition cohorts of the %d local months from %s to as-of, followed from registering: cumulative revenue (purchases and refunds) within month m = the first 30m days; "+
		"a figure is shown only where every registration of the cohort is that old. Payback = first month the pooled margin per registration reaches the same cohorts' cost per registration.",
		l.CohortMonths, l.FirstCohort)}))
	b.check(sw.SetRow("A3", []any{"Projected: BG/NBD (Fader, Hardie & Lee 2005) and Gamma–Gamma fits per channel (all channels pooled where a channel has too few customers), mean first purchase + expected repeat revenue over 12 months of 30 days, undiscounted, 95% interval by the delta method. docs/LTV.md."}))
	b.check(sw.SetRow(fmt.Sprintf("A%d", ltvMarginRow), []any{excelize.Cell{StyleID: b.boldStyle(), Value: "Gross margin"},
		excelize.Cell{StyleID: rate, Value: float64(l.GrossMargin)}, "LTV figures are " + l.Basis + " (margin = revenue × gross margin); change B4 and every margin, LTV and LTV/CAC recalculates."}))
	header := make([]any, len(ltvColumns))
	for i, c := range ltvColumns {
		header[i] = excelize.Cell{StyleID: b.headerStyle(c.kind), Value: c.header}
	}
	b.check(sw.SetRow(fmt.Sprintf("A%d", ltvChannelsRow), header, excelize.RowOpts{Height: 45}))
	row := ltvChannelsRow
	g := float64(l.GrossMargin)
	for _, c := range l.Channels {
		row++
		r := row
		rev12 := c.Curve.At(12).RevenuePerCustomer()
		pr := c.Projected12
		revOK, ivOK := c.ProjectedOK, c.ProjectedOK && pr.IntervalOK
		cells := []any{
			c.Channel,
			excelize.Cell{StyleID: count, Value: c.Registrations},
			excelize.Cell{StyleID: count, Value: c.Customers},
			excelize.Cell{StyleID: money, Value: c.Spend.Float64()},
			formula(money, fmt.Sprintf(`IF(B%d=0,"",D%d/B%d)`, r, r, r), c.CostPerRegistration.Float64(), c.CostPerRegistration.Valid()),
			formula(money, fmt.Sprintf(`IF(C%d=0,"",D%d/C%d)`, r, r, r), c.CostPerCustomer.Float64(), c.CostPerCustomer.Valid()),
			c.Payback.String(),
			q(rev12),
			formula(money, fmt.Sprintf(`IF(H%d="","",H%d*%s)`, r, r, ltvMarginCell), rev12.Float64()*g, rev12.Valid()),
			num(money, pr.Value/g, revOK),
			num(money, pr.Low/g, ivOK),
			num(money, pr.High/g, ivOK),
			formula(money, fmt.Sprintf(`IF(J%d="","",J%d*%s)`, r, r, ltvMarginCell), pr.Value, revOK),
			formula(money, fmt.Sprintf(`IF(K%d="","",K%d*%s)`, r, r, ltvMarginCell), pr.Low, ivOK),
			formula(money, fmt.Sprintf(`IF(L%d="","",L%d*%s)`, r, r, ltvMarginCell), pr.High, ivOK),
			formula(mult, fmt.Sprintf(`IF(OR(M%d="",F%d=""),"",M%d/F%d)`, r, r, r, r), c.ProjectedLTVToCAC.Value, c.ProjectedLTVToCAC.Valid),
			num(rate, c.PAliveMean.Value, c.PAliveMean.Valid),
			num(est, c.ExpectedPurchases90.Value, c.ExpectedPurchases90.Valid),
		}
		if f := c.BGNBD; f != nil {
			fit := "own"
			if c.Pooled {
				fit = "all channels (too few customers)"
			}
			cells = append(cells, num(est, f.R, true), num(est, f.Alpha, true), num(est, f.A, true), num(est, f.B, true),
				num(est, f.LogLik, true), excelize.Cell{StyleID: count, Value: f.Customers}, fit)
		} else {
			cells = append(cells, "", "", "", "", "", "", "none (too few customers)")
		}
		if f := c.GammaGamma; f != nil {
			cells = append(cells, num(est, f.P, true), num(est, f.Q, true), num(est, f.V, true))
		}
		b.check(sw.SetRow(fmt.Sprintf("A%d", row), cells))
	}

	// Pooled curves.
	row += 2
	b.check(sw.SetRow(fmt.Sprintf("A%d", row), []any{excelize.Cell{StyleID: b.sectionStyle(), Value: "Pooled curves by month since registering (mature cohorts only)"}}))
	row++
	head := []any{excelize.Cell{StyleID: b.headerStyle(kindText), Value: "Channel"}, excelize.Cell{StyleID: b.headerStyle(kindText), Value: "Measure"}}
	for m := 1; m <= attribution.LTVMaxMonths; m++ {
		head = append(head, excelize.Cell{StyleID: b.headerStyle(kindMoney), Value: fmt.Sprintf("M%d", m)})
	}
	b.check(sw.SetRow(fmt.Sprintf("A%d", row), head))
	for _, c := range l.Channels {
		revRow := row + 1
		lines := []struct {
			name string
			cell func(m int, p attribution.LTVPoint) excelize.Cell
		}{
			{"Revenue per registration", func(_ int, p attribution.LTVPoint) excelize.Cell { return q(p.RevenuePerRegistration()) }},
			{"Margin per registration", func(m int, p attribution.LTVPoint) excelize.Cell {
				col, _ := excelize.ColumnNumberToName(m + 2)
				v := p.RevenuePerRegistration()
				return formula(money, fmt.Sprintf(`IF(%s%d="","",%s%d*%s)`, col, revRow, col, revRow, ltvMarginCell), v.Float64()*g, v.Valid())
			}},
			{"Cost per registration", func(_ int, p attribution.LTVPoint) excelize.Cell { return q(p.CostPerRegistration()) }},
			{"Revenue per customer", func(_ int, p attribution.LTVPoint) excelize.Cell { return q(p.RevenuePerCustomer()) }},
			{"Repeat rate", func(_ int, p attribution.LTVPoint) excelize.Cell {
				x := p.RepeatRate()
				return num(rate, x.Value, x.Valid)
			}},
		}
		for _, ln := range lines {
			row++
			cells := []any{c.Channel, ln.name}
			for m := 1; m <= attribution.LTVMaxMonths; m++ {
				cells = append(cells, ln.cell(m, c.Curve.At(m)))
			}
			b.check(sw.SetRow(fmt.Sprintf("A%d", row), cells))
		}
	}

	// Cohort triangle.
	row += 2
	b.check(sw.SetRow(fmt.Sprintf("A%d", row), []any{excelize.Cell{StyleID: b.sectionStyle(), Value: "Cohorts: cumulative revenue per registration (empty where the cohort is not yet that old)"}}))
	row++
	head = []any{excelize.Cell{StyleID: b.headerStyle(kindText), Value: "Channel"}, excelize.Cell{StyleID: b.headerStyle(kindText), Value: "Cohort"},
		excelize.Cell{StyleID: b.headerStyle(kindCount), Value: "Registrations"}, excelize.Cell{StyleID: b.headerStyle(kindMoney), Value: "Spend"}}
	for m := 1; m <= attribution.LTVMaxMonths; m++ {
		head = append(head, excelize.Cell{StyleID: b.headerStyle(kindMoney), Value: fmt.Sprintf("M%d", m)})
	}
	b.check(sw.SetRow(fmt.Sprintf("A%d", row), head))
	for _, c := range l.Cohorts {
		row++
		cells := []any{c.Channel, c.Cohort.String()[:7], excelize.Cell{StyleID: count, Value: c.Registrations},
			excelize.Cell{StyleID: money, Value: c.Spend.Float64()}}
		for m := 1; m <= attribution.LTVMaxMonths; m++ {
			cells = append(cells, q(c.At(m).RevenuePerRegistration()))
		}
		b.check(sw.SetRow(fmt.Sprintf("A%d", row), cells))
	}
	if len(l.Notes) > 0 {
		row += 2
		b.check(sw.SetRow(fmt.Sprintf("A%d", row), []any{excelize.Cell{StyleID: b.sectionStyle(), Value: "Notes"}}))
		for _, n := range l.Notes {
			row++
			b.check(sw.SetRow(fmt.Sprintf("A%d", row), []any{n}))
		}
	}
}
