package reports

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/origen-analytics/origen/attribution"
)

// Sheet names of the workbook, in tab order.
const (
	sheetSummary  = "Summary"
	sheetChannels = "Channels"
	sheetAbout    = "About"
)

// commentAuthor signs the notes on n/a cells.
const commentAuthor = "Origen"

// Width limits of computed columns, in Excel character units.
const (
	minColWidth = 9
	maxColWidth = 60
)

// WriteWorkbook writes r as an .xlsx workbook with three sheets: Summary
// (parameters, headline totals, data quality, notes), Channels (one row per
// channel in Report order, then the Total row) and About (definitions).
// Every number is a numeric cell holding the exact value; number formats
// round it for display. Undefined values are empty cells with a note saying
// why. Channel names are always text cells, never formulas.
func WriteWorkbook(w io.Writer, r attribution.Report) error {
	if err := checkReport(r); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	f := excelize.NewFile()
	defer f.Close()
	b := &workbook{f: f, r: r, styles: map[string]int{}}
	b.build()
	if b.err != nil {
		return fmt.Errorf("write workbook: %w", b.err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	return nil
}

// workbook builds one file. Its methods do nothing once err is set, so the
// layout code reads as a sequence of cells and checks the error once, like
// bufio.Writer.
type workbook struct {
	f      *excelize.File
	r      attribution.Report
	styles map[string]int
	font   string // the workbook's default font, named in every bold style
	err    error
}

func (b *workbook) build() {
	// A style's font without a family makes LibreOffice fall back to a
	// serif face, so bold text names the default font explicitly.
	b.font, b.err = b.f.GetDefaultFont()
	for _, name := range []string{sheetSummary, sheetChannels, sheetAbout} {
		if b.err == nil {
			_, b.err = b.f.NewSheet(name)
		}
	}
	b.check(b.f.DeleteSheet("Sheet1"))
	b.summary()
	b.channels()
	b.about()
	b.properties()
	if b.err == nil {
		idx, err := b.f.GetSheetIndex(sheetChannels)
		b.check(err)
		b.f.SetActiveSheet(idx)
	}
}

func (b *workbook) check(err error) {
	if b.err == nil && err != nil {
		b.err = err
	}
}

// cellName returns the A1 reference of a 1-based column and row.
func (b *workbook) cellName(col, row int) string {
	if b.err != nil {
		return "A1"
	}
	name, err := excelize.CoordinatesToCellName(col, row)
	b.check(err)
	return name
}

// --- styles ---

// style returns the id of a named style, creating it on first use.
func (b *workbook) style(name string, s *excelize.Style) int {
	if id, ok := b.styles[name]; ok || b.err != nil {
		return id
	}
	id, err := b.f.NewStyle(s)
	b.check(err)
	b.styles[name] = id
	return id
}

// numFmt is the display format of a column kind: thousands separators for
// counts and money, money with the currency's minor-unit digits and code.
func numFmt(k kind, cur attribution.Currency) string {
	switch k {
	case kindText:
		return "@"
	case kindCount:
		return "#,##0"
	case kindRate:
		return "0.00%"
	case kindMoney:
		return moneyFormat(cur)
	case kindMultiple:
		return `0.00"x"`
	case kindDays:
		return "0.0"
	}
	panic(fmt.Sprintf("reports: unknown column kind %d", k))
}

// moneyFormat is e.g. `#,##0.00 "EUR"`, or `#,##0 "JPY"` for a currency
// without minor units. A code that is not three capital letters is left
// out rather than quoted into the format.
func moneyFormat(cur attribution.Currency) string {
	f := "#,##0"
	if cur.Digits > 0 {
		f += "." + strings.Repeat("0", cur.Digits)
	}
	if isCurrencyCode(cur.Code) {
		f += ` "` + cur.Code + `"`
	}
	return f
}

var (
	borderBottom = []excelize.Border{{Type: "bottom", Color: "7F8C9D", Style: 1}}
	borderTop    = []excelize.Border{{Type: "top", Color: "7F8C9D", Style: 1}}
	headerFill   = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8EDF3"}}
)

// valueStyle is the style of a metric cell; total cells are bold with a
// rule above them.
func (b *workbook) valueStyle(k kind, total bool) int {
	code := numFmt(k, b.r.Currency)
	s := &excelize.Style{CustomNumFmt: &code}
	name := fmt.Sprintf("value-%d", k)
	if total {
		s.Font = b.bold(0)
		s.Border = borderTop
		name += "-total"
	}
	return b.style(name, s)
}

func (b *workbook) headerStyle(k kind) int {
	align := "right"
	if k == kindText {
		align = "left"
	}
	return b.style("header-"+align, &excelize.Style{
		Font:      b.bold(0),
		Fill:      headerFill,
		Border:    borderBottom,
		Alignment: &excelize.Alignment{Horizontal: align, Vertical: "bottom", WrapText: true},
	})
}

// bold is the bold default font at size points (11 when size is 0).
func (b *workbook) bold(size float64) *excelize.Font {
	if size == 0 {
		size = 11
	}
	return &excelize.Font{Bold: true, Family: b.font, Size: size}
}

func (b *workbook) boldStyle() int {
	return b.style("bold", &excelize.Style{Font: b.bold(0), Alignment: &excelize.Alignment{Vertical: "top"}})
}

func (b *workbook) titleStyle() int {
	return b.style("title", &excelize.Style{Font: b.bold(14)})
}

func (b *workbook) sectionStyle() int {
	return b.style("section", &excelize.Style{Font: b.bold(12), Border: borderBottom})
}

func (b *workbook) wrapStyle() int {
	return b.style("wrap", &excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
}

func (b *workbook) dateStyle() int {
	code := "yyyy-mm-dd"
	return b.style("date", &excelize.Style{CustomNumFmt: &code, Alignment: &excelize.Alignment{Horizontal: "left"}})
}

func (b *workbook) leftNumberStyle(code string) int {
	return b.style("left-"+code, &excelize.Style{CustomNumFmt: &code, Alignment: &excelize.Alignment{Horizontal: "left"}})
}

// --- cells ---

// text stores s as a string cell. Strings never become formulas, whatever
// they start with (a channel named "=1+1" stays text).
func (b *workbook) text(sheet, cell, s string, style int) {
	if b.err != nil {
		return
	}
	b.check(b.f.SetCellStr(sheet, cell, s))
	if style != 0 {
		b.check(b.f.SetCellStyle(sheet, cell, cell, style))
	}
}

func (b *workbook) styleOnly(sheet, cell string, style int) {
	if b.err == nil {
		b.check(b.f.SetCellStyle(sheet, cell, cell, style))
	}
}

func (b *workbook) int(sheet, cell string, n int64, style int) {
	if b.err != nil {
		return
	}
	b.check(b.f.SetCellInt(sheet, cell, n))
	b.check(b.f.SetCellStyle(sheet, cell, cell, style))
}

func (b *workbook) date(sheet, cell string, d attribution.Date) {
	if b.err != nil {
		return
	}
	b.check(b.f.SetCellValue(sheet, cell, time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)))
	b.check(b.f.SetCellStyle(sheet, cell, cell, b.dateStyle()))
}

// metric writes one column's value for m. An undefined value leaves the
// cell empty (so sums and charts skip it) with the column's style and a
// note such as "n/a: no customers".
func (b *workbook) metric(sheet, cell string, c column, m attribution.ChannelMetrics, style int) {
	if b.err != nil {
		return
	}
	v := c.get(m)
	b.check(b.f.SetCellStyle(sheet, cell, cell, style))
	if !v.OK {
		b.check(b.f.AddComment(sheet, excelize.Comment{
			Cell: cell, Author: commentAuthor, Text: c.naNote(), Width: 180, Height: 40,
		}))
		return
	}
	switch c.Kind {
	case kindText:
		b.check(b.f.SetCellStr(sheet, cell, v.Text))
	case kindCount:
		b.check(b.f.SetCellInt(sheet, cell, v.Count))
	case kindRate, kindMultiple, kindDays:
		b.check(b.f.SetCellFloat(sheet, cell, v.Float, -1, 64))
	case kindMoney:
		// Excel only has doubles: the cell holds the nearest double of the
		// exact amount and the number format rounds it for display.
		b.check(b.f.SetCellFloat(sheet, cell, v.Money.Float64(), -1, 64))
	}
}

// width sets a column's width to fit chars characters, between
// minColWidth and limit (maxColWidth when limit is 0).
func (b *workbook) width(sheet string, col, chars, limit int) {
	if b.err != nil {
		return
	}
	if limit <= 0 {
		limit = maxColWidth
	}
	w := float64(min(max(chars+2, minColWidth), limit))
	name, err := excelize.ColumnNumberToName(col)
	b.check(err)
	b.check(b.f.SetColWidth(sheet, name, name, w))
}

// --- sheets ---

// channels writes the channel table: header, one row per channel in Report
// order, the Total row; frozen header and channel column; an auto-filter
// over the channel rows only, so sorting never moves the Total row.
func (b *workbook) channels() {
	const sheet = sheetChannels
	cur := b.r.Currency
	widths := make([]int, len(columns))
	for i, c := range columns {
		b.text(sheet, b.cellName(i+1, 1), c.Header, b.headerStyle(c.Kind))
		widths[i] = headerWidth(c.Header)
	}
	if b.err == nil {
		// Headers wrap onto two lines rather than widen the columns.
		b.check(b.f.SetRowHeight(sheet, 1, 32))
	}
	rows := append(append([]attribution.ChannelMetrics(nil), b.r.Channels...), b.r.Total)
	rows[len(rows)-1].Channel = totalLabel
	for j, m := range rows {
		total := j == len(rows)-1
		for i, c := range columns {
			b.metric(sheet, b.cellName(i+1, j+2), c, m, b.valueStyle(c.Kind, total))
			widths[i] = max(widths[i], displayWidth(workbookDisplay(c, c.get(m), cur)))
		}
	}
	for i, w := range widths {
		b.width(sheet, i+1, w, 0)
	}
	if b.err != nil {
		return
	}
	b.check(b.f.SetPanes(sheet, &excelize.Panes{
		Freeze: true, XSplit: 1, YSplit: 1, TopLeftCell: "B2", ActivePane: "bottomRight",
		Selection: []excelize.Selection{{SQRef: "B2", ActiveCell: "B2", Pane: "bottomRight"}},
	}))
	if n := len(b.r.Channels); n > 0 {
		b.check(b.f.AutoFilter(sheet, "A1:"+b.cellName(len(columns), n+1), nil))
	}
	b.printLayout(sheet, "landscape")
	// Repeat the header row on every printed page.
	b.check(b.f.SetDefinedName(&excelize.DefinedName{
		Name: "_xlnm.Print_Titles", RefersTo: "'" + sheet + "'!$1:$1", Scope: sheet,
	}))
}

// printLayout prints a sheet one page wide, as many pages tall as needed.
func (b *workbook) printLayout(sheet, orientation string) {
	if b.err != nil {
		return
	}
	fit, wide, tall := true, 1, 0
	b.check(b.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}))
	b.check(b.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Orientation: &orientation, FitToWidth: &wide, FitToHeight: &tall}))
}

// headerWidth is the width a header needs on two lines: half its length,
// but at least its longest word.
func headerWidth(h string) int {
	w := (displayWidth(h) + 1) / 2
	for _, word := range strings.Fields(h) {
		w = max(w, displayWidth(word))
	}
	return w
}

// workbookDisplay approximates how Excel shows a value, to size columns.
func workbookDisplay(c column, v value, cur attribution.Currency) string {
	if !v.OK {
		return ""
	}
	s := c.display(v, cur)
	if c.Kind == kindMoney && isCurrencyCode(cur.Code) {
		s += " " + cur.Code
	}
	return s
}

// summary writes the report's parameters, the Total row's headline
// metrics, the data-quality findings and the notes as label/value rows.
func (b *workbook) summary() {
	const sheet = sheetSummary
	r := b.r
	row := 1
	labels := 0
	label := func(s string) string {
		b.text(sheet, b.cellName(1, row), s, b.boldStyle())
		labels = max(labels, displayWidth(s))
		return b.cellName(2, row)
	}
	section := func(s string) {
		row++ // blank line before each section
		b.text(sheet, b.cellName(1, row), s, b.sectionStyle())
		b.styleOnly(sheet, b.cellName(2, row), b.sectionStyle())
		row++
	}

	b.text(sheet, "A1", "Origen channel report", b.titleStyle())
	row = 2
	section("Report")
	b.date(sheet, label("Period from"), r.Period.From)
	row++
	b.date(sheet, label("Period to (inclusive)"), lastDay(r.Period))
	row++
	b.text(sheet, label("As of (data cutoff)"), humanTime(r.AsOf, r.Timezone), 0)
	row++
	b.int(sheet, label("Conversion window"), int64(r.WindowDays), b.leftNumberStyle(`0 "days"`))
	row++
	b.text(sheet, label("Timezone"), r.Timezone, 0)
	row++
	b.text(sheet, label("Currency"), r.Currency.Code, 0)
	row++

	section("Totals")
	total := r.Total
	total.Channel = totalLabel
	for _, key := range []string{"registrations", "customers", "conversion_rate", "spend", "cost_per_customer", "revenue", "roas", "immature_registrations"} {
		c := columnByKey(key)
		name := c.Header
		if key == "cost_per_customer" {
			name += " (CAC)"
		}
		b.metric(sheet, label(name), c, total, b.leftNumberStyle(numFmt(c.Kind, r.Currency)))
		row++
	}

	section("Data quality")
	for _, q := range qualityFindings(r) {
		cell := label(q.Label)
		switch {
		case !q.List:
			b.int(sheet, cell, q.Count, b.leftNumberStyle("#,##0"))
		case len(q.Names) == 0:
			b.text(sheet, cell, "none", 0)
		default:
			// One name per row: names may contain commas.
			for i, name := range q.Names {
				if i > 0 {
					row++
				}
				b.text(sheet, b.cellName(2, row), name, 0)
			}
		}
		row++
	}

	section("Notes")
	if len(r.Notes) == 0 {
		b.text(sheet, b.cellName(1, row), "No notes.", 0)
		row++
	}
	for _, n := range r.Notes {
		b.text(sheet, b.cellName(1, row), n, 0)
		row++
	}
	b.width(sheet, 1, labels, 70)
	b.width(sheet, 2, 28, 0)
	b.printLayout(sheet, "portrait")
}

// about writes the definitions: how to read every column, the window and
// Total rules, and where the numbers come from.
func (b *workbook) about() {
	const sheet = sheetAbout
	r := b.r
	row := 1
	b.text(sheet, "A1", "About this report", b.titleStyle())
	row += 2
	pair := func(k, v string) {
		b.text(sheet, b.cellName(1, row), k, b.boldStyle())
		b.text(sheet, b.cellName(2, row), v, b.wrapStyle())
		row++
	}
	version := r.Version
	if version == "" {
		version = "unknown"
	}
	pair("Produced by", "Origen "+version)
	pair("Generated at", orDash(humanTime(r.GeneratedAt, r.Timezone)))
	pair("As of (data cutoff)", humanTime(r.AsOf, r.Timezone)+" — registrations and purchases after this time are not counted.")
	pair("Period", periodText(r.Period)+", local dates in "+orDash(r.Timezone)+". A registration belongs to the period when its local date falls in this range.")
	pair("Conversion window", fmt.Sprintf("%d days. ", r.WindowDays)+windowRule(r.WindowDays))
	pair("Money", roundingRule(r.Currency)+" Cells hold the exact amount; their number format does the rounding.")
	pair("Total row", totalRowRule)
	pair("n/a", naRule+" In this workbook such a cell is empty and carries a note saying why.")
	row++
	b.text(sheet, b.cellName(1, row), "Column", b.headerStyle(kindText))
	b.text(sheet, b.cellName(2, row), "Definition", b.headerStyle(kindText))
	row++
	for _, c := range columns {
		pair(c.Header, c.definition())
	}
	b.width(sheet, 1, 24, 0)
	b.width(sheet, 2, 100, 110)
	b.printLayout(sheet, "landscape")
}

// properties sets the document properties. Created is the run time, or the
// as-of time for reports without one, so the workbook never claims the
// template's date.
func (b *workbook) properties() {
	if b.err != nil {
		return
	}
	created := b.r.GeneratedAt
	if created.IsZero() {
		created = b.r.AsOf
	}
	stamp := ""
	if !created.IsZero() {
		stamp = created.UTC().Format(time.RFC3339)
	}
	b.check(b.f.SetDocProps(&excelize.DocProperties{
		Title:          reportTitle(b.r),
		Subject:        "Channel attribution",
		Creator:        "Origen",
		LastModifiedBy: "Origen",
		Created:        stamp,
		Modified:       stamp,
		Description: fmt.Sprintf("As of %s, conversion window %d days, time zone %s, currency %s, Origen %s.",
			humanTime(b.r.AsOf, b.r.Timezone), b.r.WindowDays, b.r.Timezone, b.r.Currency.Code, b.r.Version),
		Language: "en",
	}))
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
