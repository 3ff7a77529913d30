package reports

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/origen-analytics/origen/attribution"
)

// quality writes the Data quality sheet: every check as a row of an Excel
// table (input, check, count, channels concerned, what Origen did).
func (b *workbook) quality() {
	const sheet = sheetQuality
	b.text(sheet, "A1", "Data quality", b.titleStyle())
	b.text(sheet, "A2", "What Origen counted in the inputs and what it did about each finding. Row counts cover the whole mapped sources; the cohort checks cover the period "+periodText(b.r.Period)+".", 0)
	const top = 4
	headers := []string{"Input", "Check", "Count", "Channels", "What Origen did"}
	for i, h := range headers {
		k := kindText
		if h == "Count" {
			k = kindCount
		}
		b.text(sheet, b.cellName(i+1, top), h, b.headerStyle(k))
	}
	checks := append(qualityChecks(b.r), labelChecks(b.r)...)
	widths := []int{14, 0, 10, 12, 0}
	for _, c := range checks {
		widths[1] = max(widths[1], displayWidth(c.Label))
		for _, n := range c.Names {
			widths[3] = max(widths[3], displayWidth(n))
		}
	}
	namesW, actionW := colWidth(widths[3], qualityNamesChars), colWidth(qualityActionChars, 0)
	count := b.style("quality-count", &excelize.Style{CustomNumFmt: new("#,##0"), Alignment: &excelize.Alignment{Vertical: "top"}})
	for j, c := range checks {
		row := top + 1 + j
		b.text(sheet, b.cellName(1, row), c.Source, b.topStyle())
		b.text(sheet, b.cellName(2, row), c.Label, b.topStyle())
		b.int(sheet, b.cellName(3, row), c.Count, count)
		b.text(sheet, b.cellName(4, row), strings.Join(c.Names, "\n"), b.wrapStyle())
		b.text(sheet, b.cellName(5, row), c.Action, b.wrapStyle())
		b.fitRow(sheet, row, lineHeight, textCharWidth, []string{strings.Join(c.Names, "\n"), c.Action}, []float64{namesW, actionW})
	}
	b.width(sheet, 1, widths[0], 0)
	b.width(sheet, 2, widths[1], 0)
	b.width(sheet, 3, widths[2], 0)
	b.width(sheet, 4, widths[3], qualityNamesChars)
	b.width(sheet, 5, qualityActionChars, 0)
	if b.err == nil {
		b.check(b.f.AddTable(sheet, &excelize.Table{
			Range: "A4:" + b.cellName(len(headers), top+len(checks)), Name: "QualityTable", StyleName: "TableStyleLight9",
			ShowRowStripes: new(true),
		}))
		b.check(b.f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: top, TopLeftCell: "A5", ActivePane: "bottomLeft"}))
	}
	b.printLayout(sheet, "landscape")
	b.printTitles(sheet, "", "$4:$4")
}

// Widths of the Data quality sheet's wrapped columns, in characters: the
// channels concerned (at most) and what Origen did.
const (
	qualityNamesChars  = 30
	qualityActionChars = 80
)

// defaultColWidth is the width of a column that sets none (excelize's
// default, Excel's 8.43 characters and padding).
const defaultColWidth = 9.140625

// Widths of the About sheet's columns, in characters: the term and its
// definition (or a line of configuration or SQL, which wraps beyond it).
const (
	aboutKeyChars   = 26
	aboutValueChars = 110
)

// labelChecks are the findings about channel labels (METRICS.md, label
// rules): channels that look paid but have no spend, counted by their
// registrations, and labels that differ only by case, accents or white
// space, counted by groups, each group listed as its labels with their
// registrations.
func labelChecks(r attribution.Report) []check {
	const reg = "Registrations"
	regs := map[string]int64{}
	for _, m := range r.Channels {
		regs[m.Channel] = m.Registrations
	}
	var paid int64
	for _, ch := range r.Quality.PaidWithoutSpend {
		paid += regs[ch]
	}
	var groups []string
	for _, g := range attribution.LabelVariants(r.Channels) {
		parts := make([]string, len(g))
		for i, m := range g {
			parts[i] = fmt.Sprintf("%s (%s)", m.Channel, formatCount(m.Registrations))
		}
		groups = append(groups, strings.Join(parts, " · "))
	}
	return []check{
		{reg, "Of channels that look paid but have no spend", paid, r.Quality.PaidWithoutSpend,
			"Counted at no cost (cost per registration 0): add their spend, or map them to the channel their spend is booked under ([channels.aliases])."},
		{reg, "Channel labels that differ only by case, accents or white space (groups)", int64(len(groups)), groups,
			"Reported as separate channels, which splits their registrations and spend: merge them with [channels] merge_case = true or [channels.aliases], or fix the labels at the source."},
	}
}

func (b *workbook) topStyle() int {
	return b.style("top", &excelize.Style{Alignment: &excelize.Alignment{Vertical: "top"}})
}

func (b *workbook) monoStyle() int {
	return b.style("mono", &excelize.Style{Font: &excelize.Font{Family: "Courier New", Size: 9},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
}

// about writes the definitions (how to read every column, the window,
// Total, targets and change rules), where the numbers come from (version,
// time zone, as-of, generation time, configuration with secrets redacted,
// database) and the exact SQL that ran, with its arguments.
func (b *workbook) about() {
	const sheet = sheetAbout
	r := b.r
	row := 1
	b.text(sheet, "A1", "About this report", b.titleStyle())
	row += 2
	valueW := []float64{colWidth(aboutValueChars, aboutValueChars+10)}
	pair := func(k, v string) {
		b.text(sheet, b.cellName(1, row), k, b.boldStyle())
		b.text(sheet, b.cellName(2, row), v, b.wrapStyle())
		b.fitRow(sheet, row, lineHeight, textCharWidth, []string{v}, valueW)
		row++
	}
	mono := func(line string) {
		b.text(sheet, b.cellName(2, row), line, b.monoStyle())
		b.fitRow(sheet, row, monoLineHeight, monoCharWidth, []string{line}, valueW)
		row++
	}
	section := func(s string) {
		row++
		b.text(sheet, b.cellName(1, row), s, b.sectionStyle())
		b.styleOnly(sheet, b.cellName(2, row), b.sectionStyle())
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
	if r.Previous != nil {
		pair("Previous period", periodText(r.Previous.Period)+": the "+strconv.Itoa(r.Period.Days())+" days just before the period, read in the same database snapshot with the same as-of time. "+previousRule)
	}
	pair("Timezone", orDash(r.Timezone))
	pair("Currency", orDash(r.Currency.Code))
	pair("Conversion window", fmt.Sprintf("%d days. ", r.WindowDays)+windowRule(r.WindowDays))
	pair("Money", roundingRule(r.Currency)+" Cells hold the exact amount; their number format does the rounding.")
	pair("Formulas", formulaRule)
	pair("Total row", totalRowRule)
	pair("n/a", naRule+" In this workbook such a cell is empty; selecting it shows why (its input message; on the Summary, a note).")
	pair(wilsonName, fmt.Sprintf("%v, the z of the 95%% Wilson score interval: a defined name that the CR low and CR high formulas use.", attribution.WilsonZ))
	if !r.Targets.IsZero() {
		pair("Targets", targetRule)
	}
	row++
	b.text(sheet, b.cellName(1, row), "Column", b.headerStyle(kindText))
	b.text(sheet, b.cellName(2, row), "Definition", b.headerStyle(kindText))
	row++
	for _, c := range tableColumns(r) {
		pair(c.Header, c.definition())
	}

	if !r.Targets.IsZero() {
		section("Targets")
		b.targetsTable(sheet, &row)
	}
	b.aboutMaturity(pair, section)
	section("Configuration")
	if b.o.Database != "" {
		pair("Database", b.o.Database)
	}
	if b.o.Config == "" {
		pair("Configuration", "Not recorded.")
	} else {
		b.text(sheet, b.cellName(1, row), "As read, secrets redacted:", b.boldStyle())
		for _, line := range strings.Split(strings.TrimRight(b.o.Config, "\n"), "\n") {
			mono(line)
		}
	}
	section("SQL")
	if len(b.o.Statements) == 0 {
		pair("Statements", "Not recorded.")
	}
	first := map[string]int{} // SQL text → number of the statement that first had it
	for i, st := range b.o.Statements {
		n := i + 1
		b.text(sheet, b.cellName(1, row), fmt.Sprintf("%d. %s", n, st.Name), b.boldStyle())
		args := b.statementArgs(st.Args)
		b.text(sheet, b.cellName(2, row), args, b.wrapStyle())
		b.fitRow(sheet, row, lineHeight, textCharWidth, []string{args}, valueW)
		row++
		if m, ok := first[st.SQL]; ok {
			b.text(sheet, b.cellName(2, row), fmt.Sprintf("The same SQL as statement %d.", m), 0)
			row++
			continue
		}
		first[st.SQL] = n
		for _, line := range strings.Split(strings.TrimRight(st.SQL, "\n"), "\n") {
			mono(line)
		}
	}
	b.width(sheet, 1, aboutKeyChars, 0)
	b.width(sheet, 2, aboutValueChars, aboutValueChars+10)
	b.printLayout(sheet, "landscape")
}

// targetsTable lists the configured thresholds: the default, then each
// channel's own.
func (b *workbook) targetsTable(sheet string, row *int) {
	cur := b.r.Currency
	heads := []string{"Applies to", "CAC max", "Conversion rate min", "ROAS min"}
	for i, h := range heads {
		k := kindMoney
		if i == 0 {
			k = kindText
		}
		b.text(sheet, b.cellName(i+1, *row), h, b.headerStyle(k))
	}
	// Columns C and D keep the default width: their headers wrap.
	b.fitRow(sheet, *row, lineHeight, textCharWidth, heads[1:], []float64{colWidth(aboutValueChars, aboutValueChars+10), defaultColWidth, defaultColWidth})
	*row++
	line := func(name string, th attribution.Thresholds) {
		b.text(sheet, b.cellName(1, *row), name, 0)
		for i, c := range targetColumns[:3] {
			cell := b.cellName(i+2, *row)
			v := c.value(rowData{Th: th})
			b.styleOnly(sheet, cell, b.leftNumberStyle(numFmt(c, cur)))
			if v.OK {
				if c.Kind == kindMoney {
					b.check(b.f.SetCellFloat(sheet, cell, v.moneyFloat(), -1, 64))
				} else {
					b.check(b.f.SetCellFloat(sheet, cell, v.Float, -1, 64))
				}
			}
		}
		*row++
	}
	line("Default (every channel and the Total)", b.r.Targets.Default)
	for _, name := range sortedKeys(b.r.Targets.Channels) {
		line(name, b.r.Targets.Channels[name])
	}
}

// statementArgs describes a statement's arguments in order, naming the
// ones that are the report's or the previous period's bounds.
func (b *workbook) statementArgs(args []any) string {
	if len(args) == 0 {
		return "No arguments."
	}
	known := b.knownArgs()
	parts := make([]string, len(args))
	for i, a := range args {
		s := fmt.Sprint(a)
		if t, ok := a.(time.Time); ok {
			s = t.UTC().Format(time.RFC3339Nano)
		}
		if what, ok := known[s]; ok {
			s += " (" + what + ")"
		}
		parts[i] = fmt.Sprintf("#%d = %s", i+1, s)
	}
	return "Arguments in order ($1, $2, … or ?): " + strings.Join(parts, "; ")
}

// knownArgs names the values the embedded queries bind: instants in
// microseconds since 1970 and dates in days since 1970 (queries.Params).
func (b *workbook) knownArgs() map[string]string {
	m := map[string]string{}
	loc, err := time.LoadLocation(b.r.Timezone)
	if err != nil {
		loc = time.UTC
	}
	add := func(label string, p attribution.Period) {
		start, end := p.Bounds(loc)
		m[strconv.FormatInt(start.UnixMicro(), 10)] = label + " start " + start.Format(time.RFC3339) + ", µs since 1970"
		m[strconv.FormatInt(end.UnixMicro(), 10)] = label + " end " + end.Format(time.RFC3339) + ", µs since 1970"
		m[strconv.FormatInt(p.From.Unix(), 10)] = label + " first day " + p.From.String() + ", days since 1970"
		m[strconv.FormatInt(p.To.Unix(), 10)] = label + " end day " + p.To.String() + " (exclusive), days since 1970"
	}
	if b.r.Previous != nil {
		add("previous period", b.r.Previous.Period)
	}
	add("period", b.r.Period)
	m[strconv.FormatInt(b.r.AsOf.UnixMicro(), 10)] = "as-of " + b.r.AsOf.UTC().Format(time.RFC3339Nano) + ", µs since 1970"
	m[strconv.FormatInt(int64(b.r.WindowDays)*86400*1000000, 10)] = fmt.Sprintf("conversion window, %d days in µs", b.r.WindowDays)
	return m
}
