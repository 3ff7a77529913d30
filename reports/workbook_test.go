package reports

import (
	"bytes"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/origen-analytics/origen/attribution"
)

func writeWorkbook(b *bytes.Buffer, r attribution.Report) error { return WriteWorkbook(b, r) }

// openWorkbook writes r and reads the result back with excelize.
func openWorkbook(t *testing.T, r attribution.Report) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(render(t, writeWorkbook, r)))
	if err != nil {
		t.Fatalf("read workbook back: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func cellName(t *testing.T, col, row int) string {
	t.Helper()
	name, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		t.Fatal(err)
	}
	return name
}

// headerCol returns the 1-based column of a Channels header.
func headerCol(t *testing.T, header string) int {
	t.Helper()
	for i, c := range columns {
		if c.Header == header {
			return i + 1
		}
	}
	t.Fatalf("no column %q", header)
	return 0
}

// rowOf returns the 1-based row whose column A holds text.
func rowOf(t *testing.T, f *excelize.File, sheet, text string) int {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if len(r) > 0 && r[0] == text {
			return i + 1
		}
	}
	t.Fatalf("sheet %s has no row %q", sheet, text)
	return 0
}

func rawValue(t *testing.T, f *excelize.File, sheet, cell string) string {
	t.Helper()
	v, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func shownValue(t *testing.T, f *excelize.File, sheet, cell string) string {
	t.Helper()
	v, err := f.GetCellValue(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func comments(t *testing.T, f *excelize.File, sheet string) map[string]string {
	t.Helper()
	list, err := f.GetComments(sheet)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, c := range list {
		m[c.Cell] = c.Text
	}
	return m
}

// inputMessages returns the input message (data validation prompt) of
// every cell of sheet that has one, by cell, expanding the ranges of each
// validation.
func inputMessages(t testing.TB, f *excelize.File, sheet string) map[string]string {
	t.Helper()
	dvs, err := f.GetDataValidations(sheet)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, dv := range dvs {
		if !dv.ShowInputMessage || dv.Prompt == nil {
			continue
		}
		for _, ref := range strings.Fields(dv.Sqref) {
			from, to, _ := strings.Cut(ref, ":")
			if to == "" {
				to = from
			}
			c1, r1, err := excelize.CellNameToCoordinates(from)
			if err != nil {
				t.Fatalf("sqref %q: %v", dv.Sqref, err)
			}
			c2, r2, err := excelize.CellNameToCoordinates(to)
			if err != nil {
				t.Fatalf("sqref %q: %v", dv.Sqref, err)
			}
			for c := c1; c <= c2; c++ {
				for r := r1; r <= r2; r++ {
					cell, _ := excelize.CoordinatesToCellName(c, r)
					if _, dup := m[cell]; dup {
						t.Errorf("%s!%s has two input messages", sheet, cell)
					}
					m[cell] = *dv.Prompt
				}
			}
		}
	}
	return m
}

// cellStyle returns the style of a cell.
func cellStyle(t *testing.T, f *excelize.File, sheet, cell string) *excelize.Style {
	t.Helper()
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func numFmtOf(s *excelize.Style) string {
	if s.CustomNumFmt != nil {
		return *s.CustomNumFmt
	}
	return "builtin " + strconv.Itoa(s.NumFmt)
}

// wantNumber checks that a cell is a real numeric cell holding want, not
// text that looks like a number.
func wantNumber(t *testing.T, f *excelize.File, sheet, cell string, want float64) {
	t.Helper()
	typ, err := f.GetCellType(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	if typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("%s!%s has cell type %v, want a number", sheet, cell, typ)
	}
	raw := rawValue(t, f, sheet, cell)
	got, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		t.Errorf("%s!%s = %q, want the number %v", sheet, cell, raw, want)
		return
	}
	if math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
		t.Errorf("%s!%s = %v, want %v", sheet, cell, got, want)
	}
}

func TestWorkbookSheets(t *testing.T) {
	f := openWorkbook(t, sampleReport(t))
	if got, want := f.GetSheetList(), []string{sheetSummary, sheetChannels, sheetCharts, sheetSpend, sheetQuality, sheetAbout}; !slices.Equal(got, want) {
		t.Errorf("sheets = %q, want %q (no Sheet1)", got, want)
	}
	if got := f.GetSheetName(f.GetActiveSheetIndex()); got != sheetChannels {
		t.Errorf("active sheet = %q, want %q", got, sheetChannels)
	}
}

func TestWorkbookChannelsLayout(t *testing.T) {
	r := sampleReport(t)
	f := openWorkbook(t, r)
	rows, err := f.GetRows(sheetChannels)
	if err != nil {
		t.Fatal(err)
	}
	wantHeader := []string{"Channel", "Registrations", "Customers", "Conversion rate", "CR low", "CR high", "Spend",
		"Cost per registration", "Cost per customer", "Revenue", "ROAS", "Median days to convert", "Immature registrations"}
	t.Run("header row", func(t *testing.T) {
		if !slices.Equal(rows[0], wantHeader) {
			t.Errorf("header = %q\nwant     %q", rows[0], wantHeader)
		}
		for i := range wantHeader {
			if s := cellStyle(t, f, sheetChannels, cellName(t, i+1, 1)); s.Font == nil || !s.Font.Bold {
				t.Errorf("header %q is not bold", wantHeader[i])
			}
		}
	})
	t.Run("rows in report order then Total", func(t *testing.T) {
		var want []string
		for _, m := range r.Channels {
			want = append(want, m.Channel)
		}
		want = append(want, "Total")
		var got []string
		for _, row := range rows[1:] {
			got = append(got, row[0])
		}
		if !slices.Equal(got, want) {
			t.Errorf("column A = %q, want %q", got, want)
		}
	})
	t.Run("frozen header and first column", func(t *testing.T) {
		p, err := f.GetPanes(sheetChannels)
		if err != nil {
			t.Fatal(err)
		}
		if !p.Freeze || p.XSplit != 1 || p.YSplit != 1 || p.TopLeftCell != "B2" {
			t.Errorf("panes = %+v, want frozen at B2", p)
		}
	})
	t.Run("column widths fit the content", func(t *testing.T) {
		for i, c := range columns {
			col, _ := excelize.ColumnNumberToName(i + 1)
			w, err := f.GetColWidth(sheetChannels, col)
			if err != nil {
				t.Fatal(err)
			}
			need := headerWidth(c.Header)
			for _, m := range append(slices.Clone(r.Channels), r.Total) {
				need = max(need, displayWidth(workbookDisplay(c, c.get(m), r.Currency)))
			}
			if w < float64(min(need, maxColWidth)) || w > maxColWidth {
				t.Errorf("column %s (%s) width %v, want at least %d and at most %d", col, c.Header, w, need, maxColWidth)
			}
		}
	})
}

// TestWorkbookNamesAreText: names that look like formulas, HTML or that
// use other scripts are stored as string cells, never as formulas.
func TestWorkbookNamesAreText(t *testing.T) {
	f := openWorkbook(t, sampleReport(t))
	for _, name := range []string{chFormula, chHyperlnk, chScript, chImg, chSocial, chKanji, chNone} {
		t.Run(name, func(t *testing.T) {
			cell := cellName(t, 1, rowOf(t, f, sheetChannels, name))
			typ, err := f.GetCellType(sheetChannels, cell)
			if err != nil {
				t.Fatal(err)
			}
			if typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
				t.Errorf("cell type = %v, want a string", typ)
			}
			if formula, err := f.GetCellFormula(sheetChannels, cell); err != nil || formula != "" {
				t.Errorf("formula = %q (%v), want none", formula, err)
			}
			if got := rawValue(t, f, sheetChannels, cell); got != name {
				t.Errorf("value = %q, want %q", got, name)
			}
		})
	}
	t.Run("formulas only where the layout puts them", func(t *testing.T) {
		// Channels: derived columns and the Total row; Charts: the chart
		// data block; Summary: the headline figures. Nowhere else, and
		// never from a name.
		for _, sheet := range f.GetSheetList() {
			rows, err := f.GetRows(sheet)
			if err != nil {
				t.Fatal(err)
			}
			for i, row := range rows {
				for j := range row {
					cell := cellName(t, j+1, i+1)
					formula, _ := f.GetCellFormula(sheet, cell)
					if formula == "" {
						continue
					}
					switch {
					case sheet == sheetChannels && j > 0 && (columns[j].Formula != "" || row[0] == totalLabel):
					case sheet == sheetCharts && j+1 >= chartCol:
					case sheet == sheetSummary && j >= 1 && j <= 3: // the headline figures
					case sheet == sheetSpend && j >= 1 && j <= 3 && strings.Contains(rawValue(t, f, sheetSpend, "A4"), "Channel"): // the reconciliation
					default:
						t.Errorf("%s!%s has formula %q", sheet, cell, formula)
					}
					for _, name := range hostileNames {
						if strings.Contains(formula, name) {
							t.Errorf("%s!%s formula %q contains a channel name", sheet, cell, formula)
						}
					}
				}
			}
		}
	})
}

func TestWorkbookChannelCells(t *testing.T) {
	r := sampleReport(t)
	f := openWorkbook(t, r)
	notes := inputMessages(t, f, sheetChannels)
	const na = -1 // want an empty cell with a message saying why
	tests := []struct {
		name, channel, header string
		want                  float64 // or na
		note                  string  // the input message of an n/a cell
	}{
		{"spend without registrations: rate n/a", chKanji, "Conversion rate", na, "n/a: no registrations"},
		{"spend without registrations: low n/a", chKanji, "CR low", na, "n/a: no registrations"},
		{"spend without registrations: high n/a", chKanji, "CR high", na, "n/a: no registrations"},
		{"spend without registrations: CPR n/a", chKanji, "Cost per registration", na, "n/a: no registrations"},
		{"spend without registrations: CAC n/a", chKanji, "Cost per customer", na, "n/a: no customers"},
		{"spend without registrations: spend", chKanji, "Spend", 999.99, ""},
		{"spend without registrations: ROAS 0", chKanji, "ROAS", 0, ""},
		{"spend without registrations: registrations 0", chKanji, "Registrations", 0, ""},
		{"registrations without spend: spend 0", chFormula, "Spend", 0, ""},
		{"registrations without spend: cost 0", chFormula, "Cost per customer", 0, ""},
		{"registrations without spend: ROAS n/a", chFormula, "ROAS", na, "n/a: no spend"},
		{"registrations without spend: median day 0", chFormula, "Median days to convert", 0, ""},
		{"no customers: customers 0", chScript, "Customers", 0, ""},
		{"no customers: rate 0", chScript, "Conversion rate", 0, ""},
		{"no customers: CAC n/a", chScript, "Cost per customer", na, "n/a: no customers"},
		{"no customers: median n/a", chScript, "Median days to convert", na, "n/a: no customers"},
		{"no customers: CPR", chScript, "Cost per registration", 4, ""},
		{"exact money, not rounded", chImg, "Spend", 0.015, ""},
		{"exact quotient, not rounded", chImg, "Cost per customer", 0.0075, ""},
		{"four-decimal spend", chSocial, "Spend", 2000.005, ""},
		{"rate", chSocial, "Conversion rate", 0.05, ""},
		{"refunds in revenue", chSearch, "Revenue", 4199.25, ""},
		{"immature", chSearch, "Immature registrations", 30, ""},
		{"total registrations", totalLabel, "Registrations", 1793, ""},
		{"total customers", totalLabel, "Customers", 148, ""},
		{"total rate from sums", totalLabel, "Conversion rate", 148.0 / 1793, ""},
		{"total spend", totalLabel, "Spend", 15465.68, ""},
		{"total CAC from sums", totalLabel, "Cost per customer", 15465.68 / 148, ""},
		{"total revenue", totalLabel, "Revenue", 5129.29, ""},
		{"total ROAS", totalLabel, "ROAS", 5129.29 / 15465.68, ""},
		{"total median", totalLabel, "Median days to convert", 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cell := cellName(t, headerCol(t, tt.header), rowOf(t, f, sheetChannels, tt.channel))
			if tt.want == na {
				if got := rawValue(t, f, sheetChannels, cell); got != "" {
					t.Errorf("%s = %q, want an empty cell", cell, got)
				}
				if got := notes[cell]; got != tt.note {
					t.Errorf("message on %s = %q, want %q", cell, got, tt.note)
				}
				return
			}
			wantNumber(t, f, sheetChannels, cell, tt.want)
			if got, ok := notes[cell]; ok {
				t.Errorf("defined cell %s has message %q", cell, got)
			}
		})
	}
}

func TestWorkbookNumberFormats(t *testing.T) {
	f := openWorkbook(t, sampleReport(t))
	search := rowOf(t, f, sheetChannels, chSearch)
	total := rowOf(t, f, sheetChannels, totalLabel)
	tests := []struct {
		header, format, shown string // shown: Search's value as formatted
	}{
		{"Channel", "@", "Search"},
		{"Registrations", "#,##0", "1,300"},
		{"Customers", "#,##0", "120"},
		{"Conversion rate", "0.00%", "9.23%"},
		{"CR low", "0.00%", "7.78%"},
		{"CR high", "0.00%", "10.93%"},
		{"Spend", `#,##0.00 "EUR"`, "12,345.67 EUR"},
		{"Cost per registration", `#,##0.00 "EUR"`, "9.50 EUR"},
		{"Cost per customer", `#,##0.00 "EUR"`, "102.88 EUR"},
		{"Revenue", `#,##0.00 "EUR"`, "4,199.25 EUR"},
		{"ROAS", `0.00"x"`, "0.34x"},
		{"Median days to convert", "0.0", "1.0"},
		{"Immature registrations", "#,##0", "30"},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			col := headerCol(t, tt.header)
			for _, row := range []int{search, total} {
				cell := cellName(t, col, row)
				s := cellStyle(t, f, sheetChannels, cell)
				if got := numFmtOf(s); got != tt.format {
					t.Errorf("%s number format = %q, want %q", cell, got, tt.format)
				}
				if row == total && (s.Font == nil || !s.Font.Bold) {
					t.Errorf("Total cell %s is not bold", cell)
				}
			}
			if got := shownValue(t, f, sheetChannels, cellName(t, col, search)); got != tt.shown {
				t.Errorf("shown as %q, want %q", got, tt.shown)
			}
		})
	}
	t.Run("n/a cells keep the column format", func(t *testing.T) {
		cell := cellName(t, headerCol(t, "Cost per customer"), rowOf(t, f, sheetChannels, chKanji))
		if got := numFmtOf(cellStyle(t, f, sheetChannels, cell)); got != `#,##0.00 "EUR"` {
			t.Errorf("format = %q", got)
		}
	})
}

func TestWorkbookCurrencyFormats(t *testing.T) {
	tests := []struct {
		name string
		cur  attribution.Currency
		want string
	}{
		{"two digits", attribution.Currency{Code: "EUR", Digits: 2}, `#,##0.00 "EUR"`},
		{"no minor unit", attribution.Currency{Code: "JPY", Digits: 0}, `#,##0 "JPY"`},
		{"three digits", attribution.Currency{Code: "KWD", Digits: 3}, `#,##0.000 "KWD"`},
		{"four digits", attribution.Currency{Code: "CLF", Digits: 4}, `#,##0.0000 "CLF"`},
		{"no code", attribution.Currency{Digits: 2}, `#,##0.00`},
		{"code that would break the format", attribution.Currency{Code: `E"R`, Digits: 2}, `#,##0.00`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := sampleReport(t)
			r.Currency = tt.cur
			f := openWorkbook(t, r)
			cell := cellName(t, headerCol(t, "Spend"), rowOf(t, f, sheetChannels, chSearch))
			if got := numFmtOf(cellStyle(t, f, sheetChannels, cell)); got != tt.want {
				t.Errorf("format = %q, want %q", got, tt.want)
			}
			wantNumber(t, f, sheetChannels, cell, 12345.67)
		})
	}
}

// summaryValue returns the shown value in column B next to a label.
func summaryValue(t *testing.T, f *excelize.File, label string) (cell, shown string) {
	t.Helper()
	cell = cellName(t, 2, rowOf(t, f, sheetSummary, label))
	return cell, shownValue(t, f, sheetSummary, cell)
}

func TestWorkbookSummary(t *testing.T) {
	r := sampleReport(t)
	f := openWorkbook(t, r)
	tests := []struct {
		label, want string
		number      bool // the cell must be numeric
	}{
		{"Period from", "2026-03-01", true},
		{"Period to (inclusive)", "2026-03-31", true},
		{"As of (data cutoff)", "2026-04-10 00:00:00 +02:00", false},
		{"Conversion window", "30 days", true},
		{"Timezone", "Europe/Paris", false},
		{"Currency", "EUR", false},
		{"Registrations", "1,793", true},
		{"Customers", "148", true},
		{"Conversion rate", "8.25%", true},
		{"Spend", "15,465.68 EUR", true},
		{"Cost per customer (CAC)", "104.50 EUR", true},
		{"Revenue", "5,129.29 EUR", true},
		{"ROAS", "0.33x", true},
		{"Immature registrations", "30", true},
		{"Duplicate registrations ignored (a user counts once)", "7", true},
		{"Existing customers left out (bought before registering)", "3", true},
		{"Registrations without a channel, shown as (none)", "7", true},
		{"Channels with spend but no registrations", chKanji, false},
	}
	for _, tt := range tests {
		t.Run(tt.label, func(t *testing.T) {
			cell, got := summaryValue(t, f, tt.label)
			if got != tt.want {
				t.Errorf("%s = %q, want %q", cell, got, tt.want)
			}
			typ, _ := f.GetCellType(sheetSummary, cell)
			if isNum := typ == excelize.CellTypeUnset || typ == excelize.CellTypeNumber; isNum != tt.number {
				t.Errorf("%s has cell type %v, want numeric %v", cell, typ, tt.number)
			}
		})
	}
	t.Run("notes", func(t *testing.T) {
		for _, n := range r.Notes {
			rowOf(t, f, sheetSummary, n)
		}
	})
	t.Run("n/a total", func(t *testing.T) {
		r := sampleReport(t)
		r.Total.ROAS = attribution.Ratio{}
		f := openWorkbook(t, r)
		cell, got := summaryValue(t, f, "ROAS")
		if got != "" {
			t.Errorf("ROAS = %q, want an empty cell", got)
		}
		if note := comments(t, f, sheetSummary)[cell]; note != "n/a: no spend" {
			t.Errorf("note = %q, want %q", note, "n/a: no spend")
		}
	})
}

func TestWorkbookAbout(t *testing.T) {
	r := sampleReport(t)
	f := openWorkbook(t, r)
	for _, c := range columns {
		t.Run(c.Header, func(t *testing.T) {
			cell := cellName(t, 2, rowOf(t, f, sheetAbout, c.Header))
			got := shownValue(t, f, sheetAbout, cell)
			if !strings.HasPrefix(got, c.Definition) {
				t.Errorf("definition = %q, want it to start with %q", got, c.Definition)
			}
			if c.NA != "" && !strings.Contains(got, "n/a") {
				t.Errorf("definition %q does not say when the column is n/a", got)
			}
		})
	}
	for label, want := range map[string]string{
		"Produced by":         "Origen v0.0.0-test",
		"Conversion window":   "less than 30 × 24 hours",
		"As of (data cutoff)": "2026-04-10 00:00:00 +02:00",
		"Total row":           "never an average",
		"Generated at":        "—",
	} {
		t.Run(label, func(t *testing.T) {
			if got := shownValue(t, f, sheetAbout, cellName(t, 2, rowOf(t, f, sheetAbout, label))); !strings.Contains(got, want) {
				t.Errorf("%s = %q, want it to contain %q", label, got, want)
			}
		})
	}
}

func TestWorkbookDocProps(t *testing.T) {
	generated := time.Date(2026, 4, 10, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name        string
		generatedAt time.Time
		created     string
	}{
		{"generation time", generated, "2026-04-10T08:00:00Z"},
		{"as-of when not generated", time.Time{}, "2026-04-09T22:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := sampleReport(t)
			r.GeneratedAt = tt.generatedAt
			p, err := openWorkbook(t, r).GetDocProps()
			if err != nil {
				t.Fatal(err)
			}
			if p.Creator != "Origen" || p.Created != tt.created || p.Title != "Origen channel report 2026-03-01 to 2026-03-31" {
				t.Errorf("properties = %+v", p)
			}
		})
	}
}

func TestWorkbookEmptyReport(t *testing.T) {
	r := attribution.Report{
		Period:     attribution.Period{From: attribution.Date{Year: 2026, Month: 1, Day: 1}, To: attribution.Date{Year: 2026, Month: 2, Day: 1}},
		AsOf:       time.Date(2026, 2, 5, 0, 0, 0, 0, time.UTC),
		Timezone:   "UTC",
		Currency:   attribution.Currency{Code: "USD", Digits: 2},
		WindowDays: 7,
	}
	f := openWorkbook(t, r)
	rows, err := f.GetRows(sheetChannels)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[1][0] != "Total" {
		t.Fatalf("rows = %q, want the header and the Total row", rows)
	}
	notes := inputMessages(t, f, sheetChannels)
	for _, header := range []string{"Conversion rate", "Cost per customer", "ROAS"} {
		cell := cellName(t, headerCol(t, header), 2)
		if !strings.HasPrefix(notes[cell], "n/a: ") {
			t.Errorf("Total %s message = %q, want an n/a message", header, notes[cell])
		}
	}
	wantNumber(t, f, sheetChannels, cellName(t, headerCol(t, "Spend"), 2), 0)
}
