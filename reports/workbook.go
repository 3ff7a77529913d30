package reports

import (
	"archive/zip"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/origen-analytics/origen/attribution"
)

// Sheet names of the workbook, in tab order. Registrations sheets come
// last, only with detail: "Registrations", then "Registrations (2)", ...
const (
	sheetSummary       = "Summary"
	sheetChannels      = "Channels"
	sheetCharts        = "Charts"
	sheetQuality       = "Data quality"
	sheetAbout         = "About"
	sheetRegistrations = "Registrations"
)

// commentAuthor signs the notes on n/a cells.
const commentAuthor = "Origen"

// Width limits of computed columns, in Excel character units.
const (
	minColWidth = 9
	maxColWidth = 60
)

// WorkbookOptions carries what a workbook shows beyond the Report: the
// audit trail of the About sheet and the per-registration detail.
type WorkbookOptions struct {
	// Config is the configuration as Origen read it, with secrets redacted.
	Config string
	// Database names the database and its address, redacted.
	Database string
	// Statements are the SQL statements of the run, in the order they ran.
	Statements []Statement
	// Detail, when set, adds the Registrations sheet: it must call yield
	// once per registration of the report's cohort, in the order the
	// sheet should list them, and return yield's first error. The rows
	// are streamed to disk as they come, so they are never all in memory;
	// they must add up to the report's counts and revenue per channel.
	Detail func(yield func(attribution.DetailRow) error) error
	// TmpDir is where excelize keeps its temporary files (a streamed
	// sheet beyond 16 MiB); "" means the system's temporary directory.
	TmpDir string
	// MaxChannels is how many channels, those with the most registrations,
	// the charts draw ([report] max_channels): the Charts sheet's
	// categories and the Curves chart's lines (at most maxChartCurves of
	// them). 0 means DefaultMaxChannels. The tables keep every channel.
	MaxChannels int
	// Paper is the paper every sheet prints on ([report] paper): PaperA4
	// (also "") or PaperLetter; anything else is an error (CheckPaper).
	Paper string

	// maxSheetRows bounds the rows of one Registrations sheet, header
	// included; 0 means Excel's limit. Tests lower it to check the split.
	maxSheetRows int
}

// Statement is one SQL statement as it ran, with its bound arguments in
// order ($1, $2, ... in PostgreSQL; ? in SQLite).
type Statement struct {
	Name string
	SQL  string
	Args []any
}

// WriteWorkbook writes r as an .xlsx workbook; see WriteWorkbookWith.
func WriteWorkbook(w io.Writer, r attribution.Report) error {
	return WriteWorkbookWith(w, r, WorkbookOptions{})
}

// WriteWorkbookWith writes r as an .xlsx workbook: Summary (parameters,
// headline totals as formulas over the Channels Total row, data quality,
// notes), Channels (one row per channel in Report order, then the Total
// row, as an Excel table), Charts (native charts over the Channels
// table), with spend Spend (the daily spend as read and its
// reconciliation to Channels, workbook_spend.go), when the report has them Cohorts,
// Curves, Trend and Prospects (registration quality over time,
// workbook_maturity.go), Data quality (every check and what Origen did),
// About (definitions, configuration, SQL) and, with o.Detail,
// Registrations (one row per registration).
//
// In Channels, counts and money are stored; every derived figure is a
// live formula over the same row, with Origen's own value cached in the
// cell so that viewers that do not calculate show it, and the Total row
// sums the channel rows. Undefined values are empty cells with a note
// saying why. Channel names are always text cells, never formulas. Every
// sheet declares its real used range (workbook_dimension.go) and prints
// on o.Paper one page wide with a header and page numbers
// (workbook_print.go).
func WriteWorkbookWith(w io.Writer, r attribution.Report, o WorkbookOptions) error {
	if err := checkReport(r); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	if err := CheckPaper(o.Paper); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	defer lowerGCPercent(workbookGCPercent)()
	f := excelize.NewFile(excelize.Options{TmpDir: o.TmpDir})
	defer f.Close()
	b := &workbook{f: f, r: r, o: o, styles: map[string]int{}}
	b.build()
	if b.err != nil {
		return fmt.Errorf("write workbook: %w", b.err)
	}
	// excelize's Write assembles the whole .xlsx in a bytes.Buffer first:
	// memory in proportion to the detail's rows. Its zip writer hook
	// writes the package straight to w instead, so a streamed sheet goes
	// from its temporary file to w through a small copy buffer.
	// The hook's writer also sets every worksheet's real <dimension>
	// (dimensionZip).
	zw := &dimensionZip{zw: zip.NewWriter(w), tmpDir: o.TmpDir}
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zw })
	if err := f.Write(io.Discard); err != nil { // Write closes zw
		return fmt.Errorf("write workbook: %w", err)
	}
	return nil
}

// workbookGCPercent is the garbage collector's target while a workbook is
// written. excelize keeps every streamed sheet in memory (up to 16 MiB
// each, then a temporary file) until the file is written, and allocates
// several times that in garbage for its cells: with Go's default of 100
// the heap doubles that live memory before each collection. At 5,000
// channels that was 200 MiB of heap for about 90 MiB live; at 40 it is
// 1.4 times, for a few more collections (BenchmarkManyChannels).
const workbookGCPercent = 40

// lowerGCPercent sets the garbage collector's target percentage to p
// unless it is already lower (or collection is off, GOGC=off), and
// returns the function that restores it. The setting is the process's:
// Origen writes its outputs one at a time. Restoring also collects the
// workbook's memory at once, which is all garbage by then: otherwise the
// next collection would wait for the heap to double the workbook's live
// memory, and the next output would fill it.
func lowerGCPercent(p int) (restore func()) {
	old := debug.SetGCPercent(p)
	if old < 0 || old <= p {
		debug.SetGCPercent(old)
		return func() {}
	}
	return func() {
		debug.SetGCPercent(old)
		runtime.GC()
	}
}

// workbook builds one file. Its methods do nothing once err is set, so the
// layout code reads as a sequence of cells and checks the error once, like
// bufio.Writer.
type workbook struct {
	f      *excelize.File
	r      attribution.Report
	o      WorkbookOptions
	styles map[string]int
	// valueStyles caches valueStyle's ids.
	valueStyles map[valueStyleKey]int
	font        string // the workbook's default font, named in every bold style
	err         error

	// The Channels table as written, for the Charts sheet: the column
	// letters by key, and the rows.
	letters map[string]string
	rows    []rowData

	// What the Registrations sheets hold, for the Summary.
	detailRows   int64
	detailSheets int

	// How sheets print (printAs), the stream writers that finishSheets
	// flushes (stream), and the sheets it streams from a grid (useGrid).
	prints  map[string]sheetPrint
	streams map[string]*excelize.StreamWriter
	grids   map[string]*grid
}

func (b *workbook) build() {
	// A style's font without a family makes LibreOffice fall back to a
	// serif face, so bold text names the default font explicitly.
	b.font, b.err = b.f.GetDefaultFont()
	sheets := []string{sheetSummary, sheetChannels}
	if len(b.r.Channels) > 0 {
		sheets = append(sheets, sheetCharts)
	}
	if hasSpendSheet(b.r) {
		sheets = append(sheets, sheetSpend)
	}
	sheets = append(sheets, maturitySheetNames(b.r)...)
	sheets = append(sheets, drillSheetNames(b.r)...)
	sheets = append(sheets, budgetSheetNames(b.r)...)
	sheets = append(sheets, ltvSheetNames(b.r)...)
	sheets = append(sheets, touchSheetNames(b.r)...)
	sheets = append(sheets, sheetQuality, sheetAbout)
	for _, name := range sheets {
		if b.err == nil {
			_, b.err = b.f.NewSheet(name)
		}
	}
	b.check(b.f.DeleteSheet("Sheet1"))
	// The active sheet is marked in every sheet's view: now, while they
	// are empty. Later, excelize would read every streamed sheet back into
	// memory to mark it, and write it out again.
	if b.err == nil {
		idx, err := b.f.GetSheetIndex(sheetChannels)
		b.check(err)
		b.f.SetActiveSheet(idx)
	}
	b.check(b.f.SetDefinedName(&excelize.DefinedName{
		Name: wilsonName, RefersTo: strconv.FormatFloat(attribution.WilsonZ, 'f', -1, 64),
		Comment: "z of the 95% Wilson score interval (METRICS.md, Ratios)",
	}))
	// The detail goes first so the Summary can say where it is; its
	// sheets are added after the others whenever they are written.
	if b.o.Detail != nil {
		b.detail()
	}
	b.summary()
	b.channels()
	if len(b.r.Channels) > 0 {
		b.charts()
	}
	if hasSpendSheet(b.r) {
		b.spend()
	}
	b.maturitySheets()
	b.drillSheets()
	b.budgetSheet()
	b.ltvSheet()
	b.touchSheets()
	b.quality()
	b.about()
	b.properties()
	b.finishSheets() // every sheet, also the ones added later: print setup
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

// numFmt is the display format of a column: thousands separators for
// counts and money, money with the currency's minor-unit digits and code,
// an explicit sign on changes.
func numFmt(c column, cur attribution.Currency) string {
	f := kindFormat(c.Kind, cur)
	if !c.Signed {
		return f
	}
	return "+" + f + ";-" + f + ";" + f
}

// kindFormat is the unsigned display format of a kind.
func kindFormat(k kind, cur attribution.Currency) string {
	switch k {
	case kindText, kindStatus:
		return "@"
	case kindCount:
		return "#,##0"
	case kindRate:
		return "0.00%"
	case kindPoints:
		return pointsFormat
	case kindMoney:
		return moneyFormat(cur)
	case kindMultiple:
		return `0.00"x"`
	case kindDays:
		return "0.0"
	case kindEstimate:
		return "#,##0.0"
	}
	panic(fmt.Sprintf("reports: unknown column kind %d", k))
}

// pointsFormat shows a difference of two rates stored in percentage
// points (cellValue), e.g. 1.5 as "1.50 pp"; signed columns add the "+".
// Every sheet uses it, so the Summary and Channels agree.
const pointsFormat = `0.00" pp"`

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

// groupFills tell the blocks of the Channels table apart in the header.
var groupFills = map[group]string{
	groupMetric:     "E8EDF3",
	groupTarget:     "FFF2CC",
	groupPrevious:   "EDEDED",
	groupChange:     "E2EFDA",
	groupProjection: "DDEBF7",
}

// valueStyle is the style of a metric cell; total cells are bold with a
// rule above them.
func (b *workbook) valueStyle(c column, total bool) int {
	// A style per cell: the id is cached by what it depends on, without
	// building its name.
	key := valueStyleKey{c.Kind, c.Signed, total}
	if id, ok := b.valueStyles[key]; ok {
		return id
	}
	id := b.newValueStyle(c, total)
	if b.err == nil {
		if b.valueStyles == nil {
			b.valueStyles = map[valueStyleKey]int{}
		}
		b.valueStyles[key] = id
	}
	return id
}

// valueStyleKey is what a metric cell's style depends on.
type valueStyleKey struct {
	kind          kind
	signed, total bool
}

func (b *workbook) newValueStyle(c column, total bool) int {
	code := numFmt(c, b.r.Currency)
	s := &excelize.Style{CustomNumFmt: &code}
	name := "value-" + code
	if c.Kind == kindStatus {
		s.Alignment = &excelize.Alignment{Horizontal: "center"}
		name += "-center"
	}
	if total {
		s.Font = b.bold(0)
		s.Border = borderTop
		name += "-total"
	}
	return b.style(name, s)
}

func (b *workbook) headerStyle(k kind) int {
	return b.groupHeaderStyle(k, groupMetric)
}

// groupHeaderStyle is a header cell of a block of the Channels table.
func (b *workbook) groupHeaderStyle(k kind, g group) int {
	align := "right"
	if k == kindText {
		align = "left"
	}
	if k == kindStatus {
		align = "center"
	}
	return b.style(fmt.Sprintf("header-%s-%d", align, g), &excelize.Style{
		Font:      b.bold(0),
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{groupFills[g]}},
		Border:    borderBottom,
		Alignment: &excelize.Alignment{Horizontal: align, Vertical: "bottom", WrapText: true},
	})
}

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
	if g, col, row := b.gridCell(sheet, cell); g != nil {
		g.set(col, row, excelize.Cell{StyleID: style, Value: s})
		return
	}
	if b.err != nil {
		return
	}
	b.check(b.f.SetCellStr(sheet, cell, s))
	if style != 0 {
		b.check(b.f.SetCellStyle(sheet, cell, cell, style))
	}
}

func (b *workbook) styleOnly(sheet, cell string, style int) {
	if g, col, row := b.gridCell(sheet, cell); g != nil {
		g.style(col, row, style)
		return
	}
	if b.err == nil {
		b.check(b.f.SetCellStyle(sheet, cell, cell, style))
	}
}

func (b *workbook) int(sheet, cell string, n int64, style int) {
	if g, col, row := b.gridCell(sheet, cell); g != nil {
		g.set(col, row, excelize.Cell{StyleID: style, Value: n})
		return
	}
	if b.err != nil {
		return
	}
	b.check(b.f.SetCellInt(sheet, cell, n))
	b.check(b.f.SetCellStyle(sheet, cell, cell, style))
}

func (b *workbook) date(sheet, cell string, d attribution.Date) {
	if g, col, row := b.gridCell(sheet, cell); g != nil {
		g.set(col, row, excelize.Cell{StyleID: b.dateStyle(), Value: dateSerial(d)})
		return
	}
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
	g, col, row := b.gridCell(sheet, cell)
	if g != nil {
		g.set(col, row, excelize.Cell{StyleID: style, Value: cellValue(c, v)})
	} else {
		b.check(b.f.SetCellStyle(sheet, cell, cell, style))
	}
	if !v.OK {
		b.naNote(sheet, cell, c)
		return
	}
	if g != nil {
		return
	}
	switch c.Kind {
	case kindText:
		b.check(b.f.SetCellStr(sheet, cell, v.Text))
	case kindCount:
		b.check(b.f.SetCellInt(sheet, cell, v.Count))
	case kindRate, kindMultiple, kindDays, kindEstimate:
		b.check(b.f.SetCellFloat(sheet, cell, v.Float, -1, 64))
	case kindMoney:
		// Excel only has doubles: the cell holds the nearest double of the
		// exact amount and the number format rounds it for display.
		b.check(b.f.SetCellFloat(sheet, cell, v.moneyFloat(), -1, 64))
	}
}

// naNote puts the note saying why column c's value is undefined on cell.
func (b *workbook) naNote(sheet, cell string, c column) {
	if b.err == nil {
		b.check(b.f.AddComment(sheet, excelize.Comment{
			Cell: cell, Author: commentAuthor, Text: c.naNote(), Width: 180, Height: 40,
		}))
	}
}

// width sets a column's width to fit chars characters, between
// minColWidth and limit (maxColWidth when limit is 0).
func (b *workbook) width(sheet string, col, chars, limit int) {
	if g := b.grids[sheet]; g != nil {
		g.widths[col] = colWidth(chars, limit)
		return
	}
	if b.err != nil {
		return
	}
	if limit <= 0 {
		limit = maxColWidth
	}
	name, err := excelize.ColumnNumberToName(col)
	b.check(err)
	b.check(b.f.SetColWidth(sheet, name, name, colWidth(chars, limit)))
}

// colWidth is the width width gives a column for chars characters.
func colWidth(chars, limit int) float64 {
	if limit <= 0 {
		limit = maxColWidth
	}
	return float64(min(max(chars+2, minColWidth), limit))
}

// --- sheets ---

// printLayout says how a sheet is turned when printed; finishSheets
// prints every sheet one page wide (workbook_print.go).
func (b *workbook) printLayout(sheet, orientation string) {
	b.printAs(sheet, orientation)
}

// fitToPage makes the sheet's print scale fit its pages (printSetup). A
// streamed sheet gets it from stream, before its stream writer writes the
// sheet properties first.
func (b *workbook) fitToPage(sheet string) {
	if b.err == nil {
		fit := true
		b.check(b.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}))
	}
}

// printTitles repeats rows (e.g. "$1:$1") and columns (e.g. "$A:$A", or
// "") of sheet on every printed page.
func (b *workbook) printTitles(sheet, cols, rows string) {
	ref := "'" + sheet + "'!" + rows
	if cols != "" {
		ref = "'" + sheet + "'!" + cols + "," + ref
	}
	if b.err == nil {
		b.check(b.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: ref, Scope: sheet}))
	}
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
	b.useGrid(sheet) // for the formulas' cached values
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
	if r.Previous != nil {
		b.text(sheet, label("Previous period"), periodText(r.Previous.Period)+" (same length, same as-of)", 0)
		row++
	}
	if b.o.Detail != nil {
		where := fmt.Sprintf("%s rows on sheet %s", attribution.GroupDigits(strconv.FormatInt(b.detailRows, 10)), sheetRegistrations)
		if b.detailSheets > 1 {
			where = fmt.Sprintf("%s rows on %d sheets, %s to %s: Excel holds %s rows a sheet",
				attribution.GroupDigits(strconv.FormatInt(b.detailRows, 10)), b.detailSheets, sheetRegistrations, detailSheetName(b.detailSheets),
				attribution.GroupDigits(strconv.Itoa(b.sheetRowLimit())))
		}
		b.text(sheet, label("Registrations detail"), where, 0)
		row++
	}

	section("Totals")
	_, total := tableRows(r)
	rate := b.leftNumberStyle("+0.0%;-0.0%;0.0%")
	if r.Previous != nil {
		b.text(sheet, b.cellName(2, row-1), "This period", b.sectionStyle())
		b.text(sheet, b.cellName(3, row-1), "Previous period", b.sectionStyle())
		b.text(sheet, b.cellName(4, row-1), "Change", b.sectionStyle())
	}
	for _, key := range []string{"registrations", "customers", "conversion_rate", "spend", "cost_per_customer", "revenue", "roas", "immature_registrations"} {
		c := columnByKey(key)
		name := c.Header
		if key == "cost_per_customer" {
			name += " (CAC)"
		}
		style := b.leftNumberStyle(numFmt(c, r.Currency))
		b.totalRef(sheet, label(name), c, key, total.M, style)
		if total.Prev != nil {
			b.totalRef(sheet, b.cellName(3, row), c, "previous_"+key, *total.Prev, style)
			// The change is a formula over the two cells left of it, with
			// the guards of totalChange.
			now, before := b.cellName(2, row), b.cellName(3, row)
			formula := fmt.Sprintf(`IF(OR(%[1]s="",%[2]s="",%[2]s=0),"",%[1]s/%[2]s-1)`, now, before)
			style := rate
			v, ok := totalChange(key, total)
			if key == "conversion_rate" {
				// A difference of rates, in percentage points.
				pp := columnOf(changeColumns, "change_conversion_rate")
				v, style = v*100, b.leftNumberStyle(numFmt(pp, r.Currency))
				formula = fmt.Sprintf(`IF(OR(%[1]s="",%[2]s=""),"",100*(%[1]s-%[2]s))`, now, before)
			}
			var cached any
			if ok {
				cached = v
			}
			b.formula(sheet, b.cellName(4, row), formula, cached, style)
		}
		row++
	}
	if !r.Targets.IsZero() {
		v := r.Targets.Default.Evaluate(r.Total)
		text := statusText(v.Status)
		if len(v.Missed) > 0 {
			text += ": misses " + strings.Join(v.Missed, ", ")
		}
		b.text(sheet, label("Status against the default targets"), text, 0)
		row++
	}
	b.summaryProjection(sheet, label, &row)

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
	if r.Previous != nil {
		// Wide enough for the previous period's money, so it never shows ###.
		b.width(sheet, 3, 18, 0)
		b.width(sheet, 4, 10, 0)
	}
	b.printLayout(sheet, "portrait")
}

// totalRef writes the Summary's headline figure of column c (key key) as a
// reference to its cell in the Channels Total row, with Origen's value m
// cached; a figure that Channels does not have (the previous period's
// immature registrations) is stored. An undefined value is an empty cell
// with a note, as in Channels.
func (b *workbook) totalRef(sheet, cell string, c column, key string, m attribution.ChannelMetrics, style int) {
	cols := tableColumns(b.r)
	i := slices.IndexFunc(cols, func(c column) bool { return c.Key == key })
	if i < 0 {
		b.metric(sheet, cell, c, m, style)
		return
	}
	rows, _ := tableRows(b.r)
	ref := fmt.Sprintf("%s!$%s$%d", sheetChannels, columnName(i+1), len(rows)+2) // the Total row
	v := c.get(m)
	b.formula(sheet, cell, ref, cellValue(c, v), style)
	if !v.OK {
		b.naNote(sheet, cell, c)
	}
}

// columnName is the letters of a 1-based column number.
func columnName(col int) string {
	name, _ := excelize.ColumnNumberToName(col) // only fails beyond XFD
	return name
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

// totalChange is the Summary's change of a headline figure: relative for
// counts, money, CAC and ROAS, in percentage points for the conversion
// rate; false when undefined.
func totalChange(key string, x rowData) (float64, bool) {
	cur, prev := x.M, *x.Prev
	var v value
	switch key {
	case "conversion_rate":
		v = columnOf(changeColumns, "change_conversion_rate").value(x)
	case "cost_per_customer":
		v = columnOf(changeColumns, "change_cost_per_customer_pct").value(x)
	case "roas":
		v = columnOf(changeColumns, "change_roas_pct").value(x)
	case "registrations":
		v = relative(float64(cur.Registrations), float64(prev.Registrations))
	case "customers":
		v = relative(float64(cur.Customers), float64(prev.Customers))
	case "spend":
		v = relative(float64(cur.Spend), float64(prev.Spend))
	case "revenue":
		v = relative(float64(cur.Revenue), float64(prev.Revenue))
	case "immature_registrations":
		v = relative(float64(cur.Immature), float64(prev.Immature))
	}
	return v.Float, v.OK
}

// sheetRowLimit is the number of rows a Registrations sheet holds, header
// included.
func (b *workbook) sheetRowLimit() int {
	if b.o.maxSheetRows > 0 {
		return b.o.maxSheetRows
	}
	return excelize.TotalRows
}
