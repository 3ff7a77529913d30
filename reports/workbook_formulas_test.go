package reports

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/origen-analytics/origen/attribution"
)

// auditOptions are WorkbookOptions as origen report passes them, for
// tests of the About sheet.
func auditOptions() WorkbookOptions {
	return WorkbookOptions{
		Config:   "[database]\ndriver = \"postgres\"\ndsn = \"postgres://origen:xxxxx@db/shop\"\n\n[report]\ncurrency = \"EUR\"\n",
		Database: "postgres postgres://origen:xxxxx@db/shop",
		Statements: []Statement{
			{Name: "cohort", SQL: "-- cohort - the period's registrations\nSELECT 1\nFROM registrations", Args: []any{int64(1772319600000000), int64(30)}},
			{Name: "cohort", SQL: "-- cohort - the period's registrations\nSELECT 1\nFROM registrations", Args: []any{int64(1769641200000000)}},
		},
	}
}

// openWorkbookWith writes r with o and reads it back.
func openWorkbookWith(t *testing.T, r attribution.Report, o WorkbookOptions) (*excelize.File, []byte) {
	t.Helper()
	var b bytes.Buffer
	if err := WriteWorkbookWith(&b, r, o); err != nil {
		t.Fatalf("write workbook: %v", err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatalf("read workbook back: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f, b.Bytes()
}

// closeEnough compares two cell values: numbers to 1e-9 relative (the
// cached value has 15 significant digits; a change of nearly equal
// numbers computed in doubles differs from the exact one in the last
// places), anything else exactly.
func closeEnough(a, b string) bool {
	x, errA := strconv.ParseFloat(a, 64)
	y, errB := strconv.ParseFloat(b, 64)
	if errA != nil || errB != nil {
		return a == b
	}
	return math.Abs(x-y) <= 1e-9*math.Max(1, math.Max(math.Abs(x), math.Abs(y)))
}

// TestWorkbookFormulas checks every cell of the Channels table against the
// column specs: derived columns hold their formula over the same row, the
// Total row sums the channel rows, and every formula cell caches
// Origen's own value, which excelize's formula engine recomputes.
func TestWorkbookFormulas(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    attribution.Report
	}{{"metrics only", sampleReport(t)}, {"targets and previous period", fullReport(t)}} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.r
			f, _ := openWorkbookWith(t, r, WorkbookOptions{})
			cols := tableColumns(r)
			rows, total := tableRows(r)
			letters := map[string]string{}
			for i, c := range cols {
				letters[c.Key], _ = excelize.ColumnNumberToName(i + 1)
			}
			last := len(rows) + 1
			all := append(slices.Clone(rows), total)
			formulas := 0
			for j, x := range all {
				row := j + 2
				isTotal := j == len(all)-1
				for _, c := range cols {
					cell := letters[c.Key] + strconv.Itoa(row)
					got, err := f.GetCellFormula(sheetChannels, cell)
					if err != nil {
						t.Fatal(err)
					}
					want := ""
					switch {
					case isTotal && c.Sum:
						want = fmt.Sprintf("SUM(%[1]s2:%[1]s%[2]d)", letters[c.Key], last)
					case c.Formula != "":
						want = c.formulaAt(letters, row)
					}
					if got != want {
						t.Errorf("%s (%s, %s) formula = %q, want %q", cell, x.M.Channel, c.Header, got, want)
					}
					cached := rawValue(t, f, sheetChannels, cell)
					if wantV := cachedText(cellValue(c, c.value(x))); !closeEnough(cached, wantV) {
						t.Errorf("%s (%s, %s) holds %q, want Origen's %q", cell, x.M.Channel, c.Header, cached, wantV)
					}
					if got == "" {
						continue
					}
					formulas++
					// excelize's engine does not resolve a name that is a
					// constant: put Wilson_z's value in for the check.
					if strings.Contains(got, wilsonName) {
						sub := strings.ReplaceAll(got, wilsonName, strconv.FormatFloat(attribution.WilsonZ, 'f', -1, 64))
						if err := f.SetCellFormula(sheetChannels, cell, sub); err != nil {
							t.Fatal(err)
						}
					}
					calc, err := f.CalcCellValue(sheetChannels, cell, excelize.Options{RawCellValue: true})
					if err != nil {
						t.Errorf("%s: calculate %q: %v", cell, got, err)
						continue
					}
					if !closeEnough(calc, cached) {
						t.Errorf("%s (%s, %s) = %s computes %q, cached %q", cell, x.M.Channel, c.Header, got, calc, cached)
					}
				}
			}
			t.Logf("%d formula cells checked", formulas)
		})
	}
}

// cachedText is how a cell's value reads back raw.
func cachedText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	panic(fmt.Sprintf("unexpected cell value %T", v))
}

// TestWorkbookCachedValuesAreNumbers: a formula with a numeric result
// caches a number (no t="str"), so viewers format it; an undefined one
// caches nothing.
func TestWorkbookCachedValuesAreNumbers(t *testing.T) {
	_, data := openWorkbookWith(t, fullReport(t), WorkbookOptions{})
	sheet := sheetXML(t, data, sheetChannels)
	for _, want := range []string{
		`<c r="D2" s="`, `<f>IF(B2=0,&#34;&#34;,C2/B2)</f><v>0.0923076923076923</v></c>`,
		`<f>SUM(B2:B10)</f><v>1793</v>`,
	} {
		if !strings.Contains(sheet, want) {
			t.Errorf("Channels XML lacks %s", want)
		}
	}
	if i := strings.Index(sheet, `<c r="D2"`); i < 0 || strings.Contains(sheet[i:i+40], `t="str"`) {
		t.Errorf("the conversion rate formula cell is typed as a string")
	}
}

// sheetXML returns the worksheet part of the named sheet.
func sheetXML(t *testing.T, data []byte, sheet string) string {
	t.Helper()
	book := zipFile(t, data, "xl/workbook.xml")
	m := regexp.MustCompile(`<sheet name="` + regexp.QuoteMeta(sheet) + `" sheetId="\d+" r:id="(rId\d+)"`).FindStringSubmatch(book)
	if m == nil {
		t.Fatalf("workbook has no sheet %q", sheet)
	}
	rels := zipFile(t, data, "xl/_rels/workbook.xml.rels")
	target := regexp.MustCompile(`Id="` + m[1] + `" Target="([^"]+)"|Target="([^"]+)"[^>]*Id="` + m[1] + `"`).FindStringSubmatch(rels)
	if target == nil {
		t.Fatalf("no relationship %s", m[1])
	}
	path := target[1] + target[2]
	return zipFile(t, data, "xl/"+strings.TrimPrefix(path, "/xl/"))
}

// zipFile returns one part of an .xlsx package.
func zipFile(t *testing.T, data []byte, name string) string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range z.File {
		if f.Name == name {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			b, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
	t.Fatalf("workbook has no part %s", name)
	return ""
}

func TestWorkbookChannelsTable(t *testing.T) {
	r := fullReport(t)
	f, data := openWorkbookWith(t, r, WorkbookOptions{})
	rows, _ := tableRows(r)
	cols := tableColumns(r)
	lastCol, _ := excelize.ColumnNumberToName(len(cols))
	t.Run("Excel table over the channel rows, Total below it", func(t *testing.T) {
		tables, err := f.GetTables(sheetChannels)
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("A1:%s%d", lastCol, len(rows)+1)
		if len(tables) != 1 || tables[0].Range != want || tables[0].Name != tableName {
			t.Errorf("tables = %+v, want %s over %s", tables, tableName, want)
		}
		if got := shownValue(t, f, sheetChannels, fmt.Sprintf("A%d", len(rows)+2)); got != totalLabel {
			t.Errorf("row under the table = %q, want the Total", got)
		}
	})
	t.Run("rows: the period's channels, then the previous period's only", func(t *testing.T) {
		var got []string
		for _, x := range rows {
			got = append(got, x.M.Channel)
		}
		if got[len(got)-1] != chGone || len(got) != len(r.Channels)+1 {
			t.Errorf("rows = %q, want the channels then %q", got, chGone)
		}
	})
	t.Run("print setup", func(t *testing.T) {
		lay, err := f.GetPageLayout(sheetChannels)
		if err != nil {
			t.Fatal(err)
		}
		if lay.Orientation == nil || *lay.Orientation != "landscape" || lay.FitToWidth == nil || *lay.FitToWidth != 1 {
			t.Errorf("page layout = %+v, want landscape, one page wide", lay)
		}
		props, err := f.GetSheetProps(sheetChannels)
		if err != nil {
			t.Fatal(err)
		}
		if props.FitToPage == nil || !*props.FitToPage {
			t.Errorf("sheet does not fit to page")
		}
		var titles string
		for _, d := range f.GetDefinedName() {
			if d.Name == "_xlnm.Print_Titles" && d.Scope == sheetChannels {
				titles = d.RefersTo
			}
		}
		if titles != "'Channels'!$1:$1" {
			t.Errorf("print titles = %q, want the header row", titles)
		}
	})
	t.Run("comparison columns are a collapsible group", func(t *testing.T) {
		sheet := sheetXML(t, data, sheetChannels)
		first := slices.IndexFunc(cols, func(c column) bool { return c.Group == groupPrevious }) + 1
		if !strings.Contains(sheet, fmt.Sprintf(`<col min="%d" max="%d" width=`, first, first)) ||
			!strings.Contains(sheet, `outlineLevel="1"`) {
			t.Errorf("previous-period columns are not grouped")
		}
	})
	t.Run("conditional formats", func(t *testing.T) {
		cf, err := f.GetConditionalFormats(sheetChannels)
		if err != nil {
			t.Fatal(err)
		}
		var refs []string
		for ref := range cf {
			refs = append(refs, ref)
		}
		slices.Sort(refs)
		status := columnOf(cols, "status")
		_ = status
		for _, key := range []string{"status", "cost_per_customer", "conversion_rate", "roas", "change_customers_pct", "change_cost_per_customer_pct"} {
			i := slices.IndexFunc(cols, func(c column) bool { return c.Key == key })
			col, _ := excelize.ColumnNumberToName(i + 1)
			if ref := fmt.Sprintf("%s2:%s%d", col, col, len(rows)+2); !slices.Contains(refs, ref) {
				t.Errorf("no conditional format on %s (%s); have %q", ref, key, refs)
			}
		}
	})
	t.Run("Wilson z is a defined name", func(t *testing.T) {
		found := false
		for _, d := range f.GetDefinedName() {
			if d.Name == wilsonName && d.RefersTo == "1.959964" {
				found = true
			}
		}
		if !found {
			t.Errorf("no defined name %s = 1.959964", wilsonName)
		}
	})
}

func TestWorkbookCharts(t *testing.T) {
	r := sampleReport(t)
	_, data := openWorkbookWith(t, r, WorkbookOptions{})
	n := len(r.Channels) + 4
	tests := []struct {
		part string
		want []string
	}{
		{"xl/charts/chart1.xml", []string{"<barChart>", "<lineChart>", `<varyColors val="0">`, fmt.Sprintf("Charts!$N$5:$N$%d", n),
			fmt.Sprintf("Charts!$O$5:$O$%d", n), fmt.Sprintf("Charts!$S$5:$S$%d", n), "Customers and cost per customer"}},
		{"xl/charts/chart2.xml", []string{"<barChart>", "<hiLowLines>", fmt.Sprintf("Charts!$P$5:$P$%d", n), fmt.Sprintf("Charts!$R$5:$R$%d", n),
			fmt.Sprintf("Charts!$S$5:$S$%d", n), "Conversion rate with 95% interval"}},
	}
	for _, tt := range tests {
		t.Run(tt.part, func(t *testing.T) {
			xml := zipFile(t, data, tt.part)
			for _, w := range tt.want {
				if !strings.Contains(xml, w) {
					t.Errorf("%s lacks %q", tt.part, w)
				}
			}
		})
	}
	t.Run("chart data reads the Channels table", func(t *testing.T) {
		f, _ := openWorkbookWith(t, r, WorkbookOptions{})
		for _, tt := range []struct{ cell, formula, value string }{
			{"M5", "Channels!A2", chSearch},
			{"N5", "Channels!C2", "120"},
			{"O5", "IF(ISNUMBER(Channels!I2),Channels!I2,NA())", "102.880583333333"},
		} {
			got, _ := f.GetCellFormula(sheetCharts, tt.cell)
			if got != tt.formula || rawValue(t, f, sheetCharts, tt.cell) != tt.value {
				t.Errorf("%s = %q (%q), want %q (%q)", tt.cell, got, rawValue(t, f, sheetCharts, tt.cell), tt.formula, tt.value)
			}
		}
		// A channel without customers has no CAC: #N/A, a gap in the chart.
		row := 5 + slices.IndexFunc(r.Channels, func(m attribution.ChannelMetrics) bool { return m.Channel == chScript })
		if got := rawValue(t, f, sheetCharts, fmt.Sprintf("O%d", row)); got != "#N/A" {
			t.Errorf("CAC of %s = %q, want #N/A", chScript, got)
		}
	})
	t.Run("at most MaxChannels, the most registrations", func(t *testing.T) {
		f, data := openWorkbookWith(t, r, WorkbookOptions{MaxChannels: 3})
		// sampleReport's three largest channels by registrations, in
		// table order (most customers first).
		want := []string{chSearch, chSocial, chFormula}
		for i, name := range want {
			if got := rawValue(t, f, sheetCharts, fmt.Sprintf("M%d", 5+i)); got != name {
				t.Errorf("M%d = %q, want %q", 5+i, got, name)
			}
		}
		if got := rawValue(t, f, sheetCharts, "M8"); got != "" {
			t.Errorf("M8 = %q, want the chart data to end after 3 channels", got)
		}
		for _, part := range []string{"xl/charts/chart1.xml", "xl/charts/chart2.xml"} {
			if xml := zipFile(t, data, part); !strings.Contains(xml, "Charts!$S$5:$S$7") || strings.Contains(xml, "Channels!") {
				t.Errorf("%s does not read the 3 rows of chart data", part)
			}
		}
		if got := rawValue(t, f, sheetCharts, "A2"); !strings.HasPrefix(got, fmt.Sprintf("The charts show the 3 channels with the most registrations of the period's %d;", len(r.Channels))) {
			t.Errorf("A2 = %q, want it to say which channels the charts show", got)
		}
		if rows, _ := f.GetRows(sheetChannels); len(rows) != len(r.Channels)+2 {
			t.Errorf("Channels has %d rows, want every channel and the Total", len(rows))
		}
	})
	t.Run("long names get short labels", func(t *testing.T) {
		f, _ := openWorkbookWith(t, r, WorkbookOptions{})
		for i, m := range r.Channels {
			c := fmt.Sprintf("S%d", 5+i)
			want := m.Channel
			if n := []rune(m.Channel); len(n) > 16 {
				want = string(n[:7]) + "…" + string(n[len(n)-8:])
			}
			formula, _ := f.GetCellFormula(sheetCharts, c)
			if got := rawValue(t, f, sheetCharts, c); got != want || !strings.HasPrefix(formula, fmt.Sprintf("IF(LEN(M%d)>16,", 5+i)) {
				t.Errorf("%s = %q (=%s), want %q", c, got, formula, want)
			}
		}
	})
	t.Run("many channels: wider charts, upright labels, the data right of them", func(t *testing.T) {
		r := scaleReport(t, scaleOptions{Channels: 200, Registrations: 3000, Days: 31, Grain: attribution.CohortMonth, Seed: 9})
		f, data := openWorkbookWith(t, r, WorkbookOptions{MaxChannels: 40})
		// 40 channels: 18 × 40 + 240 = 960 pixels, 4 more columns.
		if got := rawValue(t, f, sheetCharts, "Q3"); got != "Chart data" {
			t.Errorf("Q3 = %q, want the chart data block right of the wider charts", got)
		}
		xml := zipFile(t, data, "xl/charts/chart1.xml")
		for _, want := range []string{"Charts!$W$5:$W$44", `rot="-5400000"`} {
			if !strings.Contains(xml, want) {
				t.Errorf("chart1.xml lacks %q", want)
			}
		}
		if rows, _ := f.GetRows(sheetChannels); len(rows) != len(r.Channels)+2 {
			t.Errorf("Channels has %d rows, want every channel and the Total", len(rows))
		}
	})
	t.Run("no channels, no charts", func(t *testing.T) {
		r := sampleReport(t)
		r.Channels = nil
		f, _ := openWorkbookWith(t, r, WorkbookOptions{})
		if slices.Contains(f.GetSheetList(), sheetCharts) {
			t.Errorf("sheets = %q, want no Charts sheet", f.GetSheetList())
		}
	})
}

func TestWorkbookDataQualitySheet(t *testing.T) {
	r := sampleReport(t)
	r.Quality.RegistrationRows, r.Quality.PurchasesNullAmount, r.Quality.Refunds = 2000, 4, 12
	f, _ := openWorkbookWith(t, r, WorkbookOptions{})
	rows, err := f.GetRows(sheetQuality)
	if err != nil {
		t.Fatal(err)
	}
	find := func(source, label string) []string {
		for _, row := range rows {
			if len(row) > 2 && row[0] == source && row[1] == label {
				return row
			}
		}
		t.Fatalf("no check %s / %s", source, label)
		return nil
	}
	tests := []struct{ source, label, count, action string }{
		{"Registrations", "Rows read", "2,000", "before any check"},
		{"Registrations", "Duplicate registrations of the period's users", "7", "each user counts once"},
		{"Registrations", "Without a channel (NULL, empty or blank)", "7", "(none)"},
		{"Registrations", "Purchased before registering (existing customers)", "3", "Left out of the cohort"},
		{"Purchases", "… of which a NULL or unreadable amount", "4", "Ignored"},
		{"Purchases", "Refunds (negative amount)", "12", "Subtracted from revenue"},
		{"Spend", "Negative amount", "0", "Refused"},
		{"Spend", "Rows of channels with spend but no registrations", "3", "999.99 EUR in total"},
	}
	for _, tt := range tests {
		t.Run(tt.label, func(t *testing.T) {
			row := find(tt.source, tt.label)
			if row[2] != tt.count || !strings.Contains(row[4], tt.action) {
				t.Errorf("row = %q, want count %s and an action with %q", row, tt.count, tt.action)
			}
		})
	}
	if got := find("Spend", "Rows of channels with spend but no registrations")[3]; got != chKanji {
		t.Errorf("channels = %q, want %q", got, chKanji)
	}
	tables, _ := f.GetTables(sheetQuality)
	if len(tables) != 1 {
		t.Errorf("Data quality has %d tables, want 1", len(tables))
	}
}

func TestWorkbookAboutAudit(t *testing.T) {
	r := fullReport(t)
	f, _ := openWorkbookWith(t, r, auditOptions())
	rows, err := f.GetRows(sheetAbout)
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for _, row := range rows {
		text.WriteString(strings.Join(row, " | ") + "\n")
	}
	for _, want := range []string{
		"Database | postgres postgres://origen:xxxxx@db/shop",
		` | dsn = "postgres://origen:xxxxx@db/shop"`,
		"1. cohort | Arguments in order ($1, $2, … or ?): #1 = 1772319600000000 (period start 2026-03-01T00:00:00+01:00, µs since 1970); #2 = 30",
		" | -- cohort - the period's registrations\n | SELECT 1\n | FROM registrations\n",
		"2. cohort | Arguments in order ($1, $2, … or ?): #1 = 1769641200000000 (previous period start 2026-01-29T00:00:00+01:00, µs since 1970)\n | The same SQL as statement 1.",
		"Previous period | 2026-01-29 to 2026-02-28: the 31 days just before the period",
		"Wilson_z | 1.959964",
		"Default (every channel and the Total) | 110.00 EUR | 6.00%\n",
		chSocial + " | 90.00 EUR |  | 0.30x",
		"Δ% Cost per customer | Cost per customer divided by the previous period's, minus 1.",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("About does not show %q", want)
		}
	}
	t.Run("without an audit trail", func(t *testing.T) {
		f, _ := openWorkbookWith(t, sampleReport(t), WorkbookOptions{})
		rows, _ := f.GetRows(sheetAbout)
		var n int
		for _, row := range rows {
			if len(row) > 1 && row[1] == "Not recorded." {
				n++
			}
		}
		if n != 2 {
			t.Errorf("%d 'Not recorded.' lines, want 2 (configuration and SQL)", n)
		}
	})
}

func TestWorkbookSummaryComparison(t *testing.T) {
	f, _ := openWorkbookWith(t, fullReport(t), WorkbookOptions{})
	row := rowOf(t, f, sheetSummary, "Customers")
	for col, want := range map[string]string{"B": "148", "C": "135", "D": "+9.6%"} {
		if got := shownValue(t, f, sheetSummary, fmt.Sprintf("%s%d", col, row)); got != want {
			t.Errorf("Summary %s%d = %q, want %q", col, row, got, want)
		}
	}
	row = rowOf(t, f, sheetSummary, "Conversion rate")
	if got := shownValue(t, f, sheetSummary, fmt.Sprintf("D%d", row)); got != "+0.15 pp" {
		t.Errorf("conversion rate change = %q, want +0.15 pp", got)
	}
	// One encoding of percentage points: the Channels Total row holds the
	// same number, in points, with the same format.
	r := fullReport(t)
	cols := tableColumns(r)
	pp := slices.IndexFunc(cols, func(c column) bool { return c.Key == "change_conversion_rate" }) + 1
	total := cellName(t, pp, len(r.Channels)+3) // below the previous period's channel
	if got := shownValue(t, f, sheetChannels, total); got != "+0.15 pp" {
		t.Errorf("Channels %s (Total, Δ conversion rate) = %q, want +0.15 pp", total, got)
	}
	summary, channels := rawValue(t, f, sheetSummary, fmt.Sprintf("D%d", row)), rawValue(t, f, sheetChannels, total)
	if !closeEnough(summary, channels) {
		t.Errorf("Summary holds %s points, Channels %s", summary, channels)
	}
	if a, b := numFmtOf(cellStyle(t, f, sheetSummary, fmt.Sprintf("D%d", row))), numFmtOf(cellStyle(t, f, sheetChannels, total)); a != b || a != `+0.00" pp";-0.00" pp";0.00" pp"` {
		t.Errorf("number formats: Summary %q, Channels %q", a, b)
	}
	if _, got := summaryValue(t, f, "Status against the default targets"); got != "on target" {
		t.Errorf("status = %q", got)
	}
	if _, got := summaryValue(t, f, "Previous period"); !strings.HasPrefix(got, "2026-01-29 to 2026-02-28") {
		t.Errorf("previous period = %q", got)
	}
}
