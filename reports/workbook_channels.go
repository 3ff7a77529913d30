package reports

import (
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"
)

// tableName is the Excel table of the Channels sheet's channel rows.
const tableName = "ChannelTable"

// channels writes the channel table with a stream writer, the only
// excelize writer that stores a formula together with a numeric cached
// value: a header, one row per channel (tableRows), then the Total row
// below the Excel table, so sorting and filtering never move it. Derived
// columns are formulas over the same row, the Total row sums the channel
// rows; targets, previous period and changes follow when the report has
// them, the last two as a collapsible column group.
func (b *workbook) channels() {
	const sheet = sheetChannels
	r := b.r
	cur := r.Currency
	cols := tableColumns(r)
	rows, total := tableRows(r)
	b.rows = rows
	b.letters = make(map[string]string, len(cols))
	for i, c := range cols {
		name, err := excelize.ColumnNumberToName(i + 1)
		b.check(err)
		b.letters[c.Key] = name
	}
	sw := b.stream(sheet)
	if sw == nil {
		return
	}
	all := append(append([]rowData(nil), rows...), total)
	for i, c := range cols {
		w := headerWidth(c.Header)
		for _, x := range all {
			w = max(w, displayWidth(workbookDisplay(c, c.value(x), cur)))
		}
		b.check(sw.SetColWidth(i+1, i+1, float64(min(max(w+2, minColWidth), maxColWidth))))
		if c.Group == groupPrevious || c.Group == groupChange {
			b.check(sw.SetColOutlineLevel(i+1, 1))
		}
	}
	b.check(sw.SetPanes(&excelize.Panes{
		Freeze: true, XSplit: 1, YSplit: 1, TopLeftCell: "B2", ActivePane: "bottomRight",
		Selection: []excelize.Selection{{SQRef: "B2", ActiveCell: "B2", Pane: "bottomRight"}},
	}))
	header := make([]any, len(cols))
	for i, c := range cols {
		header[i] = excelize.Cell{StyleID: b.groupHeaderStyle(c.Kind, c.Group), Value: c.Header}
	}
	// Headers wrap onto up to three lines rather than widen the columns.
	b.check(sw.SetRow("A1", header, excelize.RowOpts{Height: 48}))
	last := len(rows) + 1 // the last channel row
	var notes cellMessages
	// One row's cells, reused: the stream writer copies them out.
	buf := make([]excelize.Cell, len(cols))
	cells := make([]any, len(cols))
	for i := range buf {
		cells[i] = &buf[i]
	}
	for j, x := range all {
		row := j + 2
		for i, c := range cols {
			buf[i] = b.tableCell(c, x, row, j == len(all)-1, last)
			if v := c.value(x); !v.OK && c.NA != "" {
				notes.add(b.letters[c.Key], row, c.Header, c.naNote())
			}
		}
		b.check(sw.SetRow(b.cellName(1, row), cells))
	}
	if b.err != nil {
		return
	}
	if len(rows) > 0 {
		// Banded rows and filter buttons. The Total row stays outside: a
		// table's own totals row would use SUBTOTAL, which leaves out
		// filtered rows, and the Total is the sum of every channel.
		b.check(sw.AddTable(&excelize.Table{
			Range: "A1:" + b.cellName(len(cols), last), Name: tableName, StyleName: "TableStyleLight9",
			ShowRowStripes: new(true),
		}))
	}
	b.addMessages(sheet, &notes)
	b.conditionalFormats(sheet, cols, len(all)+1)
	b.printAs(sheet, "landscape")
	b.printTitles(sheet, "", "$1:$1")
}

// tableCell is the cell of column c in a row of the Channels sheet: the
// stored value, or the formula with Origen's value as its cached result
// ("" when undefined, which the formula's IF guard also gives). The Total
// row (total) sums rows 2 to last for Sum columns.
func (b *workbook) tableCell(c column, x rowData, row int, total bool, last int) excelize.Cell {
	cell := excelize.Cell{StyleID: b.valueStyle(c, total)}
	v := c.value(x)
	cell.Value = cellValue(c, v)
	switch {
	case total && c.Sum && last >= 2:
		cell.Formula = fmt.Sprintf("SUM(%[1]s2:%[1]s%[2]d)", b.letters[c.Key], last)
	case c.Formula != "":
		cell.Formula = c.formulaAt(b.letters, row)
		if cell.Value == nil {
			cell.Value = "" // the cached result of the IF guard
		}
	}
	return cell
}

// cellValue is what a spreadsheet cell holds for v: a number, a string,
// or nil for an empty cell. Channel names stay strings whatever they
// start with (a channel named "=1+1" is text, not a formula).
func cellValue(c column, v value) any {
	if !v.OK {
		return nil
	}
	switch c.Kind {
	case kindText, kindStatus:
		return v.Text
	case kindCount:
		return v.Count
	case kindMoney:
		// Excel only has doubles: the cell holds the nearest double of the
		// exact amount and the number format rounds it for display.
		return v.moneyFloat()
	case kindPoints:
		// Percentage points: 0.015 (a difference of fractions) is 1.5.
		return v.Float * 100
	}
	return v.Float
}

// Conditional formats of the Channels sheet.
var (
	badFormat  = excelize.Style{Font: &excelize.Font{Color: "9C0006"}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFC7CE"}}}
	goodFormat = excelize.Style{Font: &excelize.Font{Color: "006100"}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"C6EFCE"}}}
	worseFont  = excelize.Style{Font: &excelize.Font{Color: "C00000"}}
	betterFont = excelize.Style{Font: &excelize.Font{Color: "007A33"}}
)

// conditionalFormats colours the Status column, the metric cells that miss
// their row's target, and changes by whether they are better or worse,
// over rows 2 to lastRow (the Total row included). They are rules over
// the cells, so they follow any edit.
func (b *workbook) conditionalFormats(sheet string, cols []column, lastRow int) {
	if b.err != nil {
		return
	}
	ids := map[string]int{}
	for name, s := range map[string]excelize.Style{"bad": badFormat, "good": goodFormat, "worse": worseFont, "better": betterFont} {
		id, err := b.f.NewConditionalStyle(&s)
		b.check(err)
		ids[name] = id
	}
	ref := func(key string) string { return b.letters[key] + "2:" + b.letters[key] + fmt.Sprint(lastRow) }
	add := func(key string, opts ...excelize.ConditionalFormatOptions) {
		if _, ok := b.letters[key]; ok && b.err == nil {
			b.check(b.f.SetConditionalFormat(sheet, ref(key), opts))
		}
	}
	add("status",
		excelize.ConditionalFormatOptions{Type: "cell", Criteria: "==", Value: `"` + statusOff + `"`, Format: new(ids["bad"])},
		excelize.ConditionalFormatOptions{Type: "cell", Criteria: "==", Value: `"` + statusOn + `"`, Format: new(ids["good"])})
	if _, ok := b.letters["status"]; ok {
		for _, t := range []struct{ metric, target, op string }{
			{"cost_per_customer", "target_cac_max", ">"},
			{"conversion_rate", "target_conversion_rate_min", "<"},
			{"roas", "target_roas_min", "<"},
		} {
			m, tg := b.letters[t.metric]+"2", "$"+b.letters[t.target]+"2"
			add(t.metric, excelize.ConditionalFormatOptions{Type: "formula", Format: new(ids["bad"]),
				Criteria: fmt.Sprintf("AND(ISNUMBER(%[2]s),ISNUMBER(%[1]s),%[1]s%[3]s%[2]s)", m, tg, t.op)})
		}
	}
	for _, c := range cols {
		if c.Group != groupChange {
			continue
		}
		up, down := ids["better"], ids["worse"]
		if strings.Contains(c.Key, "cost_per_customer") {
			up, down = down, up // a rising cost is worse
		}
		// Only font colours: an empty (undefined) change compares as text,
		// which Excel puts above every number, but shows nothing.
		add(c.Key,
			excelize.ConditionalFormatOptions{Type: "cell", Criteria: ">", Value: "0", Format: new(up)},
			excelize.ConditionalFormatOptions{Type: "cell", Criteria: "<", Value: "0", Format: new(down)})
	}
}

// chartCol is the first column of the Charts sheet's data block, right of
// the charts (further right when many channels widen them).
const chartCol = 13 // M

// Chart labels longer than maxChartLabel characters keep their first
// chartLabelHead and last chartLabelTail: dirty labels often differ only
// at the end ("utm_sou…rtner-0002"), and a spreadsheet wraps a long label
// letter by letter until the plot is a sliver.
const (
	maxChartLabel  = 16
	chartLabelHead = 7
	chartLabelTail = 8
)

// chartLabel is the label formula's result for name, counting characters
// as LEN, LEFT and RIGHT do for names without characters beyond the BMP.
func chartLabel(name string) string {
	r := []rune(name)
	if len(r) <= maxChartLabel {
		return name
	}
	return string(r[:chartLabelHead]) + "…" + string(r[len(r)-chartLabelTail:])
}

// charts writes the Charts sheet: two native Excel charts (customers with
// cost per customer on a secondary axis; conversion rate with its 95%
// interval) over a data block of formulas over the Channels table, so
// editing a channel's counts or money redraws them. The block turns ""
// into #N/A (Excel leaves #N/A out of a chart but draws an empty string as
// 0) and gives each channel a short label for the category axis.
func (b *workbook) charts() {
	const sheet = sheetCharts
	if b.err != nil {
		return
	}
	// The charts show the period's channels, at most the MaxChannels with
	// the most registrations: thousands of bars are no chart.
	top := topChannels(b.r, limitChannels(b.o.MaxChannels))
	var shown []int // rows of b.rows
	for j := range b.r.Channels {
		if top == nil || top[b.rows[j].M.Channel] {
			shown = append(shown, j)
		}
	}
	n := len(shown)
	sw := b.stream(sheet)
	if sw == nil {
		return
	}
	type series struct {
		header, key string
		kind        kind
		na          bool // undefined → #N/A
	}
	data := []series{
		{"Channel", "channel", kindText, false},
		{"Customers", "customers", kindCount, false},
		{"Cost per customer", "cost_per_customer", kindMoney, true},
		{"Conversion rate", "conversion_rate", kindRate, true},
		{"CR low", "conversion_rate_low", kindRate, true},
		{"CR high", "conversion_rate_high", kindRate, true},
	}
	// Beyond a dozen channels the charts grow wider and taller, their
	// labels upright, and the data block moves right of them (a default
	// column is 64 pixels wide).
	size := excelize.ChartDimension{Width: 720, Height: 380}
	many := n > maxChartCurves
	if many {
		size = excelize.ChartDimension{Width: uint(max(720, 18*n+240)), Height: 520}
	}
	col0 := chartCol + (int(size.Width)-720+63)/64
	labelCol := col0 + len(data) // the labels follow the block
	b.check(sw.SetColWidth(col0, col0, 24))
	b.check(sw.SetColWidth(col0+1, col0+len(data)-1, 14))
	b.check(sw.SetColWidth(labelCol, labelCol, float64(maxChartLabel+4)))
	b.check(sw.SetRow("A1", []any{excelize.Cell{StyleID: b.titleStyle(), Value: "Charts"}}))
	intro := "The charts read the Channels table through the chart data on the right: change a channel's counts or money there and they follow. " +
		"#N/A marks a value that is undefined (n/a), so that the chart leaves it out instead of drawing a zero."
	if top != nil {
		intro = fmt.Sprintf("The charts show the %s channels with the most registrations of the period's %s; the Channels sheet lists every channel. ",
			formatCount(int64(n)), formatCount(int64(len(b.r.Channels)))) + intro
	}
	b.check(sw.SetRow("A2", []any{intro}))
	b.check(sw.SetRow(b.cellName(col0, 3), []any{excelize.Cell{StyleID: b.sectionStyle(), Value: "Chart data"}}))
	header := make([]any, len(data)+1)
	for i, s := range data {
		header[i] = excelize.Cell{StyleID: b.headerStyle(s.kind), Value: s.header}
	}
	header[len(data)] = excelize.Cell{StyleID: b.headerStyle(kindText), Value: "Label"}
	b.check(sw.SetRow(b.cellName(col0, 4), header))
	for k, j := range shown {
		x, src := b.rows[j], j+2
		cells := make([]any, len(data)+1)
		for i, s := range data {
			c := columnByKey(s.key)
			ref := fmt.Sprintf("%s!%s%d", sheetChannels, b.letters[s.key], src)
			cell := excelize.Cell{StyleID: b.valueStyle(c, false), Formula: ref, Value: cellValue(c, c.value(x))}
			if s.na {
				cell.Formula = fmt.Sprintf("IF(ISNUMBER(%[1]s),%[1]s,NA())", ref)
				if cell.Value == nil {
					cell.Value = "#N/A"
				}
			}
			cells[i] = cell
		}
		name := b.cellName(col0, k+5)
		cells[len(data)] = excelize.Cell{
			Formula: fmt.Sprintf(`IF(LEN(%[1]s)>%[2]d,LEFT(%[1]s,%[3]d)&"…"&RIGHT(%[1]s,%[4]d),%[1]s)`, name, maxChartLabel, chartLabelHead, chartLabelTail),
			Value:   chartLabel(x.M.Channel),
		}
		b.check(sw.SetRow(b.cellName(col0, k+5), cells))
	}
	col := func(i int) string { name, _ := excelize.ColumnNumberToName(col0 + i); return name }
	rng := func(i int) string { return fmt.Sprintf("%s!$%s$5:$%s$%d", sheet, col(i), col(i), n+4) }
	name := func(i int) string { return fmt.Sprintf("%s!$%s$4", sheet, col(i)) }
	channels := rng(len(data))
	title := func(s string) excelize.ChartTitle {
		return excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: s, Font: &excelize.Font{Bold: true, Size: 12, Family: b.font}}}}
	}
	axisTitle := func(s string) excelize.ChartTitle {
		return excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: s, Font: &excelize.Font{Size: 9, Family: b.font}}}}
	}
	solid := func(color string) excelize.Fill {
		return excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{color}}
	}
	axisFont := excelize.Font{Size: 9, Color: "404040", Family: b.font}
	categoryAxis := excelize.ChartAxis{Font: axisFont}
	if many {
		categoryAxis.Alignment.TextRotation = -90
	}
	vary := false // one colour per series, as in the legend
	cur := currencyLabel(b.r.Currency)
	b.check(b.f.AddChart(sheet, "A4", &excelize.Chart{
		Type:       excelize.Col,
		VaryColors: &vary,
		Title:      title("Customers and cost per customer"),
		Dimension:  size,
		Legend:     excelize.ChartLegend{Position: "bottom"},
		Series: []excelize.ChartSeries{{Name: name(1), Categories: channels,
			Values: rng(1), Fill: solid("4E79A7")}},
		XAxis: categoryAxis,
		YAxis: excelize.ChartAxis{MajorGridLines: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: "#,##0"},
			Font: axisFont, Title: axisTitle("Customers")},
		ShowBlanksAs: "gap",
	}, &excelize.Chart{
		Type: excelize.Line,
		Series: []excelize.ChartSeries{{
			Name: name(2), Categories: channels, Values: rng(2),
			Line:   excelize.LineOptions{Width: 2, Fill: solid("F28E2B")},
			Marker: excelize.ChartMarker{Symbol: "circle", Size: 7, Fill: solid("F28E2B")},
		}},
		YAxis: excelize.ChartAxis{Secondary: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: moneyFormat(b.r.Currency)},
			Font: axisFont, Title: axisTitle("Cost per customer (" + cur + ")")},
	}))
	whisker := func(i int) excelize.ChartSeries {
		return excelize.ChartSeries{
			Name: name(i), Categories: channels, Values: rng(i),
			Line:   excelize.LineOptions{Type: excelize.LineNone},
			Marker: excelize.ChartMarker{Symbol: "dash", Size: 9, Fill: solid("1F2937")},
		}
	}
	zero := 0.0
	rateAxis := excelize.ChartAxis{MajorGridLines: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0%"},
		Minimum: &zero, Font: axisFont, Title: axisTitle("Customers ÷ registrations")}
	// Below the first chart, which excelize anchors over rows of 18 pixels.
	b.check(b.f.AddChart(sheet, fmt.Sprintf("A%d", 4+(int(size.Height)+17)/18+1), &excelize.Chart{
		Type:         excelize.Col,
		Title:        title("Conversion rate with 95% interval"),
		Dimension:    size,
		Legend:       excelize.ChartLegend{Position: "bottom"},
		Series:       []excelize.ChartSeries{{Name: name(3), Categories: channels, Values: rng(3), Fill: solid("59A14F")}},
		XAxis:        categoryAxis,
		YAxis:        rateAxis,
		ShowBlanksAs: "gap",
	}, &excelize.Chart{
		// The interval's bounds as dashes joined by high-low lines: an
		// error bar that Excel and LibreOffice both draw.
		Type:   excelize.Line,
		Series: []excelize.ChartSeries{whisker(4), whisker(5)},
		XAxis:  excelize.ChartAxis{HighLowLines: true, Font: axisFont, Alignment: categoryAxis.Alignment},
		YAxis:  rateAxis,
	}))
	b.printAs(sheet, "landscape")
}
