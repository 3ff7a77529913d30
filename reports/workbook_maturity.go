package reports

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/origen-analytics/origen/attribution"
)

// Sheets of registration quality over time (docs/METRICS-COHORTS.md), after
// Charts, in this order, each only when the report has its data.
const (
	sheetCohorts   = "Cohorts"
	sheetCurves    = "Curves"
	sheetTrend     = "Trend"
	sheetProspects = "Prospects"
)

// Rows of the maturity sheets: a title, two lines of explanation, then
// the header of the table.
const (
	maturityHeaderRow = 4
	// prospectsBacktestCol is the first column of the Prospects sheet's
	// backtest block, right of the prospect list.
	prospectsBacktestCol = 10 // J
)

// maturitySheetNames are the maturity sheets r has data for, in tab order.
func maturitySheetNames(r attribution.Report) []string {
	var names []string
	if len(r.Cohorts) > 0 || len(r.CohortTotals) > 0 {
		names = append(names, sheetCohorts)
	}
	if len(r.Curves) > 0 || r.CurvesTotal.WindowDays > 0 {
		names = append(names, sheetCurves)
	}
	if len(r.Trend) > 0 || len(r.TrendTotals) > 0 {
		names = append(names, sheetTrend)
	}
	if r.ProspectsHorizonDays > 0 || r.Backtest != nil {
		names = append(names, sheetProspects)
	}
	return names
}

// maturitySheets writes the sheets of maturitySheetNames, which must exist
// already (build creates every sheet first, in tab order).
func (b *workbook) maturitySheets() {
	for _, name := range maturitySheetNames(b.r) {
		if b.err != nil {
			return
		}
		switch name {
		case sheetCohorts:
			b.cohortSheet(sheetCohorts, "CohortTable", b.r.Cohorts, b.r.CohortTotals, cohortColumns, cohortIntro(b.r))
		case sheetCurves:
			b.curvesSheet()
		case sheetTrend:
			b.cohortSheet(sheetTrend, "TrendTable", b.r.Trend, b.r.TrendTotals, trendColumns(), trendIntro(b.r))
		case sheetProspects:
			b.prospectsSheet()
		}
	}
}

// sheetIntro is the title and the two lines of explanation above a table.
type sheetIntro struct {
	Title, Line1, Line2 string
	// Unit is the header of the cohort column: "Cohort" or "Week".
	Unit string
}

func cohortIntro(r attribution.Report) sheetIntro {
	return sheetIntro{
		Title: "Cohorts by " + grainWord(r.CohortGrain),
		Line1: fmt.Sprintf("One row per channel and %s of registration (local dates in %s, within %s); a Total per cohort below. "+
			"Conversion rate, revenue per registration and costs are formulas over the row; the Totals add up the channels.",
			grainWord(r.CohortGrain), orDash(r.Timezone), periodText(r.Period)),
		Line2: fmt.Sprintf("Converted by day N is empty until every registration of the cohort is N days old at the as-of time (%s) — never a too-low number; "+
			"selecting an empty cell says when it will be filled, and so does the table below the totals. Cohorts with immature registrations are still converting.", humanTime(r.AsOf, r.Timezone)),
		Unit: "Cohort",
	}
}

func trendIntro(r attribution.Report) sheetIntro {
	return sheetIntro{
		Title: "Weekly trend",
		Line1: fmt.Sprintf("One row per channel and ISO week (Monday to Sunday, local dates in %s) of %s; a Total per week below. The first and last weeks may be partial.",
			orDash(r.Timezone), periodText(r.Period)),
		Line2: "Recent weeks have immature registrations, whose conversions are still to come: their conversion rate is understated and their cost per customer overstated.",
		Unit:  "Week",
	}
}

// maturityTitle writes a sheet's title and explanation in rows 1 to 3 of
// a stream writer.
func (b *workbook) maturityTitle(sw *excelize.StreamWriter, in sheetIntro) {
	b.check(sw.SetRow("A1", []any{excelize.Cell{StyleID: b.titleStyle(), Value: in.Title}}))
	b.check(sw.SetRow("A2", []any{in.Line1}))
	b.check(sw.SetRow("A3", []any{in.Line2}))
}

// dateSerial is a local date as a spreadsheet serial (days since
// 1899-12-30).
func dateSerial(d attribution.Date) float64 { return float64(d.Unix()) + 25569 }

// cohortSheet writes a Cohorts or Trend sheet with a stream writer (the
// only excelize writer that keeps a formula's cached value): a table of
// the channel rows (channel, cohort, first and last day, the metrics),
// then a second table of the Total rows per cohort. Derived figures are
// formulas over the row, the Totals' counts and money SUMIF the channel
// rows of the same first day, and undefined values are empty cells with a
// note.
func (b *workbook) cohortSheet(sheet, table string, rows, totals []attribution.CohortMetrics, cols []cohortColumn, in sheetIntro) {
	if b.err != nil {
		return
	}
	cur, loc := b.r.Currency, reportLocation(b.r)
	const fixed = 4 // channel, cohort, first day, last day
	letters := map[string]string{"channel": "A", "cohort": "B", "first_day": "C", "last_day": "D"}
	for i, c := range cols {
		name, err := excelize.ColumnNumberToName(fixed + 1 + i)
		b.check(err)
		letters[c.Key] = name
	}
	sw := b.stream(sheet)
	if sw == nil {
		return
	}
	// Widths: the header on two lines, or the widest value.
	widths := []int{headerWidth("Channel"), max(headerWidth(in.Unit), 8), 10, 10}
	all := append(slices.Clip(rows), totals...)
	for _, m := range all {
		widths[0] = max(widths[0], displayWidth(m.Channel))
	}
	for _, c := range cols {
		w := headerWidth(c.Header)
		for _, m := range all {
			w = max(w, displayWidth(workbookDisplay(c.asColumn(), c.get(m), cur)))
		}
		if c.Day > 0 && len(all) > 0 {
			w = max(w, len("2006-01-02 15:04")) // the fill times below (fillTimes)
		}
		widths = append(widths, w)
	}
	for i, w := range widths {
		limit := maxColWidth
		if i == 0 {
			limit = 40
		}
		b.check(sw.SetColWidth(i+1, i+1, float64(min(max(w+2, minColWidth), limit))))
	}
	b.check(sw.SetPanes(&excelize.Panes{
		Freeze: true, XSplit: 2, YSplit: maturityHeaderRow, TopLeftCell: "C5", ActivePane: "bottomRight",
		Selection: []excelize.Selection{{SQRef: "C5", ActiveCell: "C5", Pane: "bottomRight"}},
	}))
	b.maturityTitle(sw, in)
	header := []any{
		excelize.Cell{StyleID: b.headerStyle(kindText), Value: "Channel"},
		excelize.Cell{StyleID: b.headerStyle(kindText), Value: in.Unit},
		excelize.Cell{StyleID: b.headerStyle(kindText), Value: "First day"},
		excelize.Cell{StyleID: b.headerStyle(kindText), Value: "Last day"},
	}
	for _, c := range cols {
		header = append(header, excelize.Cell{StyleID: b.headerStyle(c.Kind), Value: c.Header})
	}
	headerOpts := excelize.RowOpts{Height: 32}
	b.check(sw.SetRow(b.cellName(1, maturityHeaderRow), header, headerOpts))

	var notes cellMessages
	first, last := maturityHeaderRow+1, maturityHeaderRow+len(rows)
	// What every row of a column shares, worked out once: the sheet has a
	// row per channel and cohort.
	type colSpec struct {
		col          column
		style, total int
	}
	specs := make([]colSpec, len(cols))
	for i, c := range cols {
		col := c.asColumn()
		col.Formula = c.Formula
		specs[i] = colSpec{col, b.valueStyle(col, false), b.valueStyle(col, true)}
	}
	textStyles, dateStyles := [2]int{0, b.totalTextStyle()}, [2]int{b.dateStyle(), b.totalDateStyle()}
	// One row's cells, reused: the stream writer copies them out.
	buf := make([]excelize.Cell, fixed+len(cols))
	cells := make([]any, len(buf))
	for i := range buf {
		cells[i] = &buf[i]
	}
	write := func(row int, m attribution.CohortMetrics, total bool) {
		t := 0
		if total {
			t = 1
		}
		buf[0] = excelize.Cell{StyleID: textStyles[t], Value: m.Channel}
		buf[1] = excelize.Cell{StyleID: textStyles[t], Value: m.Cohort}
		buf[2] = excelize.Cell{StyleID: dateStyles[t], Value: dateSerial(m.Dates.From)}
		buf[3] = excelize.Cell{StyleID: dateStyles[t], Value: dateSerial(lastDay(m.Dates))}
		for i, c := range cols {
			sp := specs[i]
			v := c.get(m)
			cell := excelize.Cell{StyleID: sp.style, Value: cellValue(sp.col, v)}
			if total {
				cell.StyleID = sp.total
			}
			switch {
			case total && c.Sum && len(rows) > 0:
				cell.Formula = fmt.Sprintf("SUMIF($C$%[1]d:$C$%[2]d,$C%[3]d,%[4]s$%[1]d:%[4]s$%[2]d)", first, last, row, letters[c.Key])
			case c.Formula != "":
				cell.Formula = sp.col.formulaAt(letters, row)
				if cell.Value == nil {
					cell.Value = "" // the cached result of the IF guard
				}
			}
			if !v.OK {
				notes.add(letters[c.Key], row, c.Header, c.cohortNote(m, loc))
			}
			buf[fixed+i] = cell
		}
		b.check(sw.SetRow(b.cellName(1, row), cells))
	}
	for i, m := range rows {
		write(first+i, m, false)
	}
	lastCol, err := excelize.ColumnNumberToName(fixed + len(cols))
	b.check(err)
	if len(rows) > 0 {
		b.check(sw.AddTable(&excelize.Table{
			Range: fmt.Sprintf("A%d:%s%d", maturityHeaderRow, lastCol, last), Name: table, StyleName: "TableStyleLight9",
			ShowRowStripes: new(true),
		}))
	}
	// The Totals are a block below the table, not a second table: a stream
	// writer holds one, and sums over a table that includes its totals
	// would count everything twice.
	if len(totals) > 0 {
		row := last + 2
		b.check(sw.SetRow(b.cellName(1, row), []any{excelize.Cell{StyleID: b.sectionStyle(), Value: "Total per " + strings.ToLower(in.Unit)}}))
		row++
		b.check(sw.SetRow(b.cellName(1, row), header, headerOpts))
		for _, m := range totals {
			row++
			m.Channel = totalLabel
			write(row, m, true)
		}
	}
	b.fillTimes(sw, sheet, fillTimesRow(rows, totals), cohortsOf(rows, totals), cols, letters, in)
	b.addMessages(sheet, &notes)
	b.printAs(sheet, "landscape")
	b.printTitles(sheet, "$A:$B", fmt.Sprintf("$%d:$%d", maturityHeaderRow, maturityHeaderRow))
}

// fillTimesRow is the first row of the block below a cohort sheet's
// tables: a blank row after the channel rows and, when there are any, the
// Totals (a blank row, the section, the header and a row per cohort).
func fillTimesRow(rows, totals []attribution.CohortMetrics) int {
	row := maturityHeaderRow + len(rows) + 2
	if len(totals) > 0 {
		row += 3 + len(totals)
	}
	return row
}

// cohortsOf lists each cohort of a sheet once, in time order: the Totals,
// which have one row per cohort of the period, or else the cohorts of the
// channel rows.
func cohortsOf(rows, totals []attribution.CohortMetrics) []attribution.CohortMetrics {
	if len(totals) > 0 {
		return totals
	}
	seen := map[attribution.Date]bool{}
	var out []attribution.CohortMetrics
	for _, m := range rows {
		if !seen[m.Dates.From] {
			seen[m.Dates.From] = true
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b attribution.CohortMetrics) int { return int(a.Dates.From.Unix() - b.Dates.From.Unix()) })
	return out
}

// fillTimes writes, from row on, when each cohort's converted-by-day-N
// cells are filled: the moment every registration of the cohort is N days
// old (maturesAt), in the report's time zone, under the day-N columns. It
// depends on the cohort only, so one row per cohort says it for every
// channel's row, however many channels there are. Sheets without day-N
// columns (Trend) have no such block.
func (b *workbook) fillTimes(sw *excelize.StreamWriter, sheet string, row int, cohorts []attribution.CohortMetrics, cols []cohortColumn, letters map[string]string, in sheetIntro) {
	if b.err != nil || len(cohorts) == 0 || !slices.ContainsFunc(cols, func(c cohortColumn) bool { return c.Day > 0 }) {
		return
	}
	loc := reportLocation(b.r)
	b.check(sw.SetRow(b.cellName(1, row), []any{excelize.Cell{StyleID: b.sectionStyle(),
		Value: fmt.Sprintf("When converted by day N is filled (%s): once every registration of the cohort is N days old; until then the cells above are empty", orDash(b.r.Timezone))}}))
	row++
	header := []any{nil,
		excelize.Cell{StyleID: b.headerStyle(kindText), Value: in.Unit},
		excelize.Cell{StyleID: b.headerStyle(kindText), Value: "First day"},
		excelize.Cell{StyleID: b.headerStyle(kindText), Value: "Last day"},
	}
	col := func(key string) int {
		n, err := excelize.ColumnNameToNumber(letters[key])
		b.check(err)
		return n
	}
	for _, c := range cols {
		if c.Day == 0 {
			continue
		}
		for len(header) < col(c.Key)-1 {
			header = append(header, nil)
		}
		header = append(header, excelize.Cell{StyleID: b.headerStyle(kindRate), Value: c.Header})
	}
	b.check(sw.SetRow(b.cellName(1, row), header, excelize.RowOpts{Height: 32}))
	when := b.style("fill-time", &excelize.Style{CustomNumFmt: new("yyyy-mm-dd hh:mm")})
	for _, m := range cohorts {
		row++
		cells := []any{nil, m.Cohort,
			excelize.Cell{StyleID: b.dateStyle(), Value: dateSerial(m.Dates.From)},
			excelize.Cell{StyleID: b.dateStyle(), Value: dateSerial(lastDay(m.Dates))},
		}
		for _, c := range cols {
			if c.Day == 0 {
				continue
			}
			for len(cells) < col(c.Key)-1 {
				cells = append(cells, nil)
			}
			cells = append(cells, excelize.Cell{StyleID: when, Value: excelSerial(maturesAt(m, c.Day, loc), loc)})
		}
		b.check(sw.SetRow(b.cellName(1, row), cells))
	}
}

// withFormula returns c with formula f, for formulaAt.
func (c column) withFormula(f string) column {
	c.Formula = f
	return c
}

func (b *workbook) totalTextStyle() int {
	return b.style("total-text", &excelize.Style{Font: b.bold(0), Border: borderTop})
}

func (b *workbook) totalDateStyle() int {
	code := "yyyy-mm-dd"
	return b.style("total-date", &excelize.Style{Font: b.bold(0), Border: borderTop, CustomNumFmt: &code,
		Alignment: &excelize.Alignment{Horizontal: "left"}})
}

// curveColumns are the columns of the Curves sheet after the channel.
var curveColumns = []struct {
	Header string
	Kind   kind
	get    func(c attribution.Curve, d int) float64
}{
	{"Day", kindCount, func(c attribution.Curve, d int) float64 { return float64(d) }},
	{"At risk", kindCount, func(c attribution.Curve, d int) float64 { return float64(c.AtRisk[d]) }},
	{"Converted on the day", kindCount, func(c attribution.Curve, d int) float64 { return float64(c.Events[d]) }},
	{"Censored", kindCount, func(c attribution.Curve, d int) float64 { return float64(c.Censored[d]) }},
	{"Converted within d days (F)", kindRate, func(c attribution.Curve, d int) float64 { return c.F[d] }},
	{"F low (95%)", kindRate, func(c attribution.Curve, d int) float64 { return c.Low[d] }},
	{"F high (95%)", kindRate, func(c attribution.Curve, d int) float64 { return c.High[d] }},
}

// reportCurves are the curves of r as the outputs list them: the channels'
// in Report order, then the pooled curve of all channels as Total.
func reportCurves(r attribution.Report) []attribution.Curve {
	curves := append([]attribution.Curve(nil), r.Curves...)
	if r.CurvesTotal.WindowDays > 0 {
		total := r.CurvesTotal
		total.Channel = totalLabel
		curves = append(curves, total)
	}
	return curves
}

// curvesSheet writes the Curves sheet: one row per curve and day d = 0..W
// with the Kaplan–Meier counts (at risk, converted, censored), F(d) and
// its 95% band, as an Excel table; the estimation period is stated above
// it. A native line chart of F per channel sits right of the table.
func (b *workbook) curvesSheet() {
	const sheet = sheetCurves
	r := b.r
	curves := reportCurves(r)
	sw := b.stream(sheet)
	if sw == nil {
		return
	}
	nameWidth := headerWidth("Channel")
	for _, c := range curves {
		nameWidth = max(nameWidth, displayWidth(curveLabel(c)))
	}
	b.check(sw.SetColWidth(1, 1, float64(min(max(nameWidth+2, minColWidth), 40))))
	for i, c := range curveColumns {
		b.check(sw.SetColWidth(i+2, i+2, float64(max(headerWidth(c.Header)+2, minColWidth))))
	}
	b.check(sw.SetPanes(&excelize.Panes{
		Freeze: true, XSplit: 1, YSplit: maturityHeaderRow, TopLeftCell: "B5", ActivePane: "bottomRight",
		Selection: []excelize.Selection{{SQRef: "B5", ActiveCell: "B5", Pane: "bottomRight"}},
	}))
	b.maturityTitle(sw, sheetIntro{
		Title: "Conversion curves",
		Line1: curvesCaption(r) + " Total is the curve of all channels pooled.",
		Line2: fmt.Sprintf("Day d: at risk = followed through the whole of day d without converting before it; converted = first purchase on day d; "+
			"censored = followed through day d−1 only (younger than the %d-day window at as-of, or at its end). F(d) = 1 − Π over the days before d of (1 − converted ÷ at risk).", r.WindowDays),
	})
	header := []any{excelize.Cell{StyleID: b.headerStyle(kindText), Value: "Channel"}}
	for _, c := range curveColumns {
		header = append(header, excelize.Cell{StyleID: b.headerStyle(c.Kind), Value: c.Header})
	}
	b.check(sw.SetRow(b.cellName(1, maturityHeaderRow), header, excelize.RowOpts{Height: 32}))
	row := maturityHeaderRow
	// One row's cells, reused: the stream writer copies them out, and the
	// sheet has a row per curve and day.
	buf := make([]excelize.Cell, 1+len(curveColumns))
	cells := make([]any, len(buf))
	for i := range buf {
		cells[i] = &buf[i]
	}
	styles := make([]int, len(curveColumns))
	for i, col := range curveColumns {
		styles[i] = b.valueStyle(column{Kind: col.Kind}, false)
	}
	for _, c := range curves {
		label := curveLabel(c)
		for d := 0; d <= c.WindowDays && d < len(c.F); d++ {
			row++
			buf[0] = excelize.Cell{Value: label}
			for i, col := range curveColumns {
				buf[i+1] = excelize.Cell{StyleID: styles[i], Value: col.get(c, d)}
			}
			b.check(sw.SetRow(b.cellName(1, row), cells))
		}
	}
	if row > maturityHeaderRow {
		b.check(sw.AddTable(&excelize.Table{
			Range: fmt.Sprintf("A%d:%s", maturityHeaderRow, b.cellName(1+len(curveColumns), row)), Name: "CurveTable",
			StyleName: "TableStyleLight9", ShowRowStripes: new(true),
		}))
	}
	b.curvesChart(curves)
	b.printAs(sheet, "landscape")
	b.printTitles(sheet, "", fmt.Sprintf("$%d:$%d", maturityHeaderRow, maturityHeaderRow))
}

// maxChartCurves bounds the series of the Curves sheet's chart: beyond a
// dozen lines nobody can tell them apart (the table has them all).
const maxChartCurves = 12

// curvesChart draws F(d) of the curves of the channels with the most
// registrations in the period (at most maxChartCurves, and at most
// MaxChannels) and of the Total as a native line chart over the Curves
// table, in the channels' colours.
func (b *workbook) curvesChart(curves []attribution.Curve) {
	if b.err != nil || len(curves) == 0 {
		return
	}
	regs := map[string]int64{}
	for _, m := range b.r.Channels {
		regs[m.Channel] = m.Registrations
	}
	var ranked []int
	for i, c := range curves {
		if curveLabel(c) != totalLabel {
			ranked = append(ranked, i)
		}
	}
	slices.SortStableFunc(ranked, func(i, j int) int {
		a, b := regs[curves[i].Channel], regs[curves[j].Channel]
		switch {
		case a > b:
			return -1
		case a < b:
			return 1
		}
		return 0
	})
	drawn := map[int]bool{}
	for _, i := range ranked[:min(len(ranked), maxChartCurves, limitChannels(b.o.MaxChannels))] {
		drawn[i] = true
	}
	var names []string
	for i, c := range curves {
		if drawn[i] || curveLabel(c) == totalLabel {
			names = append(names, curveLabel(c))
		}
	}
	colors := channelColors(names)
	var series []excelize.ChartSeries
	row := maturityHeaderRow + 1
	for i, c := range curves {
		n := min(c.WindowDays+1, len(c.F))
		if drawn[i] || c.Channel == totalLabel {
			color := strings.TrimPrefix(colors[curveLabel(c)], "#")
			width := 2.0
			if c.Channel == totalLabel {
				color, width = "1F2937", 2.5
			}
			series = append(series, excelize.ChartSeries{
				Name:       fmt.Sprintf("%s!$A$%d", quoteSheet(sheetCurves), row),
				Categories: fmt.Sprintf("%s!$B$%d:$B$%d", quoteSheet(sheetCurves), row, row+n-1),
				Values:     fmt.Sprintf("%s!$F$%d:$F$%d", quoteSheet(sheetCurves), row, row+n-1),
				Fill:       excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{color}}, // a line series' colour
				Line:       excelize.LineOptions{Width: width},
				Marker:     excelize.ChartMarker{Symbol: "none"},
			})
		}
		row += n
	}
	zero := 0.0
	b.check(b.f.AddChart(sheetCurves, "K4", &excelize.Chart{
		Type: excelize.Line,
		Title: excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Converted within d days of registering",
			Font: &excelize.Font{Bold: true, Size: 12, Family: b.font}}}},
		Dimension: excelize.ChartDimension{Width: 720, Height: 400},
		Legend:    excelize.ChartLegend{Position: "right"},
		Series:    series,
		XAxis: excelize.ChartAxis{Font: excelize.Font{Size: 9}, Title: excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Days since registering",
			Font: &excelize.Font{Size: 9, Family: b.font}}}}},
		YAxis: excelize.ChartAxis{MajorGridLines: true, Minimum: &zero, NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0%"}},
	}))
}

// quoteSheet quotes a sheet name for a reference.
func quoteSheet(name string) string { return "'" + strings.ReplaceAll(name, "'", "''") + "'" }

// prospectHeaders are the columns of the Prospects sheet's list.
func prospectHeaders(r attribution.Report) []string {
	return []string{"Rank", "User ID", "Channel", "Campaign", "Registered at (" + orDash(r.Timezone) + ")", "Age (days)",
		fmt.Sprintf("Probability of buying in %d days", r.ProspectsHorizonDays), "Scored from"}
}

// prospectsSheet writes the Prospects sheet: the best-scored prospects as
// an Excel table (user ids, channels and campaigns always text cells, so a
// value such as "=HYPERLINK(…)" stays text), and right of it the backtest
// of the same scores: its figures and the calibration by decile.
func (b *workbook) prospectsSheet() {
	const sheet = sheetProspects
	r := b.r
	if b.err != nil {
		return
	}
	loc := reportLocation(r)
	b.text(sheet, "A1", "Prospects most likely to buy soon", b.titleStyle())
	b.text(sheet, "A2", fmt.Sprintf(prospectsRule, r.ProspectsHorizonDays)+fmt.Sprintf(" The %s best of %s prospects scored at %s; origen prospects writes them all.",
		formatCount(int64(len(r.Prospects))), formatCount(r.ProspectsScored), humanTime(r.AsOf, r.Timezone)), 0)
	b.text(sheet, "A3", "A probability is a share, not a promise: of 100 prospects at 20%, about 20 are expected to buy.", 0)
	heads := prospectHeaders(r)
	kinds := []kind{kindStatus, kindText, kindText, kindText, kindText, kindCount, kindRate, kindText} // the rank centred
	for i, h := range heads {
		b.text(sheet, b.cellName(i+1, maturityHeaderRow), h, b.headerStyle(kinds[i]))
	}
	b.check(b.f.SetRowHeight(sheet, maturityHeaderRow, 32))
	count := b.style("prospect-count", &excelize.Style{CustomNumFmt: new("#,##0")})
	rank := b.style("prospect-rank", &excelize.Style{CustomNumFmt: new("0"), Alignment: &excelize.Alignment{Horizontal: "center"}})
	rate := b.style("prospect-rate", &excelize.Style{CustomNumFmt: new("0.00%")})
	when := b.style("prospect-time", &excelize.Style{CustomNumFmt: new("yyyy-mm-dd hh:mm:ss")})
	widths := []int{6, headerWidth(heads[1]), headerWidth(heads[2]), headerWidth(heads[3]), 19, 8, headerWidth(heads[6]), 16}
	for i, p := range r.Prospects {
		row := maturityHeaderRow + 1 + i
		b.int(sheet, b.cellName(1, row), int64(i+1), rank)
		b.text(sheet, b.cellName(2, row), p.UserID, 0)
		b.text(sheet, b.cellName(3, row), p.Channel, 0)
		b.text(sheet, b.cellName(4, row), p.Campaign, 0)
		if b.err == nil {
			b.check(b.f.SetCellFloat(sheet, b.cellName(5, row), excelSerial(p.RegisteredAt, loc), -1, 64))
			b.check(b.f.SetCellStyle(sheet, b.cellName(5, row), b.cellName(5, row), when))
		}
		b.int(sheet, b.cellName(6, row), int64(p.AgeDays), count)
		if b.err == nil {
			b.check(b.f.SetCellFloat(sheet, b.cellName(7, row), p.Probability, -1, 64))
			b.check(b.f.SetCellStyle(sheet, b.cellName(7, row), b.cellName(7, row), rate))
		}
		b.text(sheet, b.cellName(8, row), prospectBasisText(p.Basis), 0)
		widths[1] = max(widths[1], displayWidth(p.UserID))
		widths[2] = max(widths[2], displayWidth(p.Channel))
		widths[3] = max(widths[3], displayWidth(p.Campaign))
	}
	for i, w := range widths {
		b.width(sheet, i+1, w, 40)
	}
	last := maturityHeaderRow + max(len(r.Prospects), 1)
	if b.err == nil {
		b.check(b.f.AddTable(sheet, &excelize.Table{
			Range: "A4:" + b.cellName(len(heads), last), Name: "ProspectTable", StyleName: "TableStyleLight9",
			ShowRowStripes: new(true),
		}))
		b.check(b.f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: maturityHeaderRow, TopLeftCell: "A5", ActivePane: "bottomLeft"}))
	}
	if r.Backtest != nil {
		b.backtestBlock(sheet, *r.Backtest)
	}
	b.printLayout(sheet, "landscape")
	b.printTitles(sheet, "", "$4:$4")
}

// backtestFigures are the backtest's headline figures as label, value and
// kind (kindRate, kindCount, kindMultiple or kindText), in the order every
// output states them.
func backtestFigures(bt attribution.Backtest, tz string) []struct {
	Label string
	Value value
	Kind  kind
} {
	type fig = struct {
		Label string
		Value value
		Kind  kind
	}
	return []fig{
		{"Scored at", value{Text: humanTime(bt.AsOf, tz), OK: !bt.AsOf.IsZero()}, kindText},
		{"Outcome up to (as-of)", value{Text: humanTime(bt.OutcomeEnd, tz), OK: !bt.OutcomeEnd.IsZero()}, kindText},
		{"Horizon (days)", countValue(int64(bt.HorizonDays)), kindCount},
		{"Prospects scored", countValue(bt.Users), kindCount},
		{"Bought in the horizon", countValue(bt.Converted), kindCount},
		{"Base rate", ratioValue(bt.BaseRate), kindRate},
		{fmt.Sprintf("Precision in the top %s", formatCount(bt.TopN)), ratioValue(bt.PrecisionAtN), kindRate},
		{"Top-decile conversion", ratioValue(bt.TopDecileRate), kindRate},
		{"Top-decile lift", ratioValue(bt.TopDecileLift), kindMultiple},
		{"Calibration error", ratioValue(bt.CalibrationError), kindRate},
		{"Largest decile gap", ratioValue(bt.MaxCalibrationGap), kindRate},
	}
}

// backtestBlock writes the backtest right of the prospect list: its
// figures as label/value rows and the calibration by decile as a table;
// About defines them.
func (b *workbook) backtestBlock(sheet string, bt attribution.Backtest) {
	c0 := prospectsBacktestCol
	row := maturityHeaderRow
	b.text(sheet, b.cellName(c0, row), "Backtest", b.sectionStyle())
	b.styleOnly(sheet, b.cellName(c0+1, row), b.sectionStyle())
	// The definitions are in About: a wrapped paragraph here would make a
	// row of the prospect list tall.
	row++
	labelWidth := 0
	for _, f := range backtestFigures(bt, b.r.Timezone) {
		b.text(sheet, b.cellName(c0, row), f.Label, b.boldStyle())
		labelWidth = max(labelWidth, displayWidth(f.Label))
		cell := b.cellName(c0+1, row)
		switch {
		case !f.Value.OK:
			b.text(sheet, cell, "n/a", 0)
		case f.Kind == kindText:
			b.text(sheet, cell, f.Value.Text, 0)
		case f.Kind == kindCount:
			b.int(sheet, cell, f.Value.Count, b.leftNumberStyle("#,##0"))
		default:
			if b.err == nil {
				b.check(b.f.SetCellFloat(sheet, cell, f.Value.Float, -1, 64))
				b.styleOnly(sheet, cell, b.leftNumberStyle(kindFormat(f.Kind, b.r.Currency)))
			}
		}
		row++
	}
	row++
	top := row
	heads := []string{"Decile (1 = best scored)", "Prospects", "Mean predicted", "Observed"}
	for i, h := range heads {
		k := kindRate
		switch i {
		case 0:
			k = kindStatus // centred, over the centred deciles
		case 1:
			k = kindCount
		}
		b.text(sheet, b.cellName(c0+i, row), h, b.headerStyle(k))
	}
	rate := b.style("prospect-rate", &excelize.Style{CustomNumFmt: new("0.00%")})
	users := b.style("decile-users", &excelize.Style{CustomNumFmt: new("#,##0.0")})
	whole := b.style("prospect-rank", &excelize.Style{CustomNumFmt: new("0"), Alignment: &excelize.Alignment{Horizontal: "center"}})
	for _, d := range bt.Deciles {
		row++
		b.int(sheet, b.cellName(c0, row), int64(d.Decile), whole)
		for i, v := range []float64{d.Users, d.MeanScore, d.ObservedRate} {
			cell := b.cellName(c0+1+i, row)
			if b.err == nil {
				b.check(b.f.SetCellFloat(sheet, cell, v, -1, 64))
				style := rate
				if i == 0 {
					style = users
				}
				b.styleOnly(sheet, cell, style)
			}
		}
	}
	if b.err == nil && len(bt.Deciles) > 0 {
		b.check(b.f.AddTable(sheet, &excelize.Table{
			Range: b.cellName(c0, top) + ":" + b.cellName(c0+3, row), Name: "CalibrationTable", StyleName: "TableStyleLight9",
			ShowRowStripes: new(true),
		}))
	}
	b.width(sheet, c0, max(labelWidth, 24), 50)
	for i := 1; i < 4; i++ {
		b.width(sheet, c0+i, 14, 0) // the times in the first spill into the empty cells right of them
	}
}

// aboutMaturity adds the definitions of the maturity sheets and columns to
// the About sheet, through its pair and section writers.
func (b *workbook) aboutMaturity(pair func(k, v string), section func(string)) {
	r := b.r
	if !hasMaturity(r) {
		return
	}
	section("Registration quality over time")
	if hasProjection(r) {
		pair("Projected figures", projectionRule+" The Channels sheet has them after every other column; the projected conversion rate and cost per customer are formulas over projected customers.")
	}
	if len(r.Curves) > 0 || r.CurvesTotal.WindowDays > 0 {
		pair(sheetCurves, curvesCaption(r))
	}
	if len(r.Cohorts) > 0 || len(r.CohortTotals) > 0 {
		pair(sheetCohorts, fmt.Sprintf("Registrations grouped by the %s of their local registration date (clipped to the period), per channel, with a Total per cohort. ", grainWord(r.CohortGrain))+
			"Converted by day N counts first purchases within N × 24 hours of registering, whatever the conversion window, and is empty until every registration of the cohort is N days old at the as-of time.")
		for _, c := range cohortColumns {
			pair(sheetCohorts+": "+c.Header, c.asColumn().definition())
		}
	}
	if len(r.Trend) > 0 || len(r.TrendTotals) > 0 {
		pair(sheetTrend, "The same figures per ISO week (Monday to Sunday), always weekly, over the period: registrations, customers, conversion rate and cost per customer per channel, and a Total per week.")
	}
	if r.ProspectsHorizonDays > 0 {
		pair(sheetProspects, fmt.Sprintf(prospectsRule, r.ProspectsHorizonDays)+" Probability = 1 − Π over the days from the prospect's age to the horizon (within the window) of (1 − the curve's daily hazard).")
	}
	if bt := r.Backtest; bt != nil {
		pair("Backtest", fmt.Sprintf(backtestRule, bt.HorizonDays, bt.HorizonDays)+
			" Prospects with equal scores are in no meaningful order, so a cut through them counts each proportionally. Calibration error is the prospect-weighted mean of |predicted − observed| over the deciles.")
	}
	if m := r.EventModel; m != nil {
		pair("Event model", eventModelText(*m))
	}
}

// summaryProjection adds the Total's projected conversion rate and cost
// per customer, with their 95% intervals, to the Summary's totals, through
// its label writer; row is the Summary's current row.
func (b *workbook) summaryProjection(sheet string, label func(string) string, row *int) {
	if !hasProjection(b.r) {
		return
	}
	cur := b.r.Currency
	_, total := tableRows(b.r)
	for _, key := range []string{"projected_conversion_rate", "projected_cost_per_customer"} {
		c := columnOf(projectionColumns, key)
		b.totalRef(sheet, label(c.Header+" (once mature)"), c, key, total.M, b.leftNumberStyle(numFmt(c, cur)))
		*row++
		if band := bandText(c, total, cur); band != "" {
			if c.Kind == kindMoney {
				band += unitSuffix(cur)
			}
			b.text(sheet, label(c.Header+", 95% interval"), band, 0)
			*row++
		}
	}
}

// eventModelText states the event model: what it is, what it was fitted on,
// its coefficients and its out-of-time backtest.
func eventModelText(m attribution.EventModel) string {
	var b strings.Builder
	fmt.Fprintf(&b, "With [events] mapped, the Prospects probability is a logistic regression (L2 ridge %g, intercept unpenalised) on the prospect's activity and survival score, fitted on the %d prospects (%d converted) scored at %s with their first purchases up to %s. Coefficients:",
		attribution.EventModelRidge, m.Users, m.Converted, m.TrainedOn[0].UTC().Format(time.RFC3339), m.TrainedOn[1].UTC().Format(time.RFC3339))
	for i, c := range m.Coefficients {
		sep := ";"
		if i == 0 {
			sep = ""
		}
		fmt.Fprintf(&b, "%s %s = %s", sep, c.Name, strconv.FormatFloat(c.Value, 'g', 6, 64))
	}
	b.WriteString(".")
	if bt := m.Backtest; bt != nil {
		fmt.Fprintf(&b, " Out-of-time backtest (fitted one horizon earlier, scored at %s): top-decile lift %s, precision in the top %d %s, calibration error %s.",
			bt.AsOf.UTC().Format(time.RFC3339), formatLift(bt.TopDecileLift), bt.TopN, formatRatio(bt.PrecisionAtN), formatRatio(bt.CalibrationError))
	}
	return b.String()
}
