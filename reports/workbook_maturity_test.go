package reports

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/origen-analytics/origen/attribution"
)

// maturityWorkbook writes r's workbook and reads it back.
func maturityWorkbook(t *testing.T, r attribution.Report) *excelize.File {
	t.Helper()
	f, _ := openWorkbookWith(t, r, WorkbookOptions{})
	return f
}

// checkFormulas recalculates every formula of a sheet with excelize's
// engine and compares it with the value Origen cached; it returns how many
// there were.
func checkFormulas(t *testing.T, f *excelize.File, sheet string) int {
	t.Helper()
	return eachFormula(t, f, sheet, func(_, _ int, cell, formula, cached string) {
		got, err := f.CalcCellValue(sheet, cell, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Errorf("%s!%s: calculate %q: %v", sheet, cell, formula, err)
			return
		}
		if !closeEnough(got, cached) {
			t.Errorf("%s!%s = %s computes %q, Origen cached %q", sheet, cell, formula, got, cached)
		}
	})
}

func TestMaturitySheetNames(t *testing.T) {
	if got := maturitySheetNames(sampleReport(t)); len(got) != 0 {
		t.Errorf("a report without maturity data has sheets %q", got)
	}
	want := []string{sheetSummary, sheetChannels, sheetCharts, sheetSpend, sheetCohorts, sheetCurves, sheetTrend, sheetProspects, sheetQuality, sheetAbout}
	if got := maturityWorkbook(t, maturityReport(t)).GetSheetList(); !slices.Equal(got, want) {
		t.Errorf("sheets = %q, want %q", got, want)
	}
}

func TestWorkbookCohortsSheet(t *testing.T) {
	r := maturityReport(t)
	f := maturityWorkbook(t, r)
	rows, err := f.GetRows(sheetCohorts)
	if err != nil {
		t.Fatal(err)
	}
	header := rows[maturityHeaderRow-1]
	col := func(h string) int {
		t.Helper()
		i := slices.Index(header, h)
		if i < 0 {
			t.Fatalf("Cohorts has no column %q: %q", h, header)
		}
		return i + 1
	}
	cell := func(h string, row int) string { return cellName(t, col(h), row) }

	t.Run("header", func(t *testing.T) {
		want := []string{"Channel", "Cohort", "First day", "Last day", "Registrations", "Customers", "Immature registrations", "Conversion rate",
			"Converted by day 7", "Converted by day 14", "Converted by day 30", "Converted by day 60",
			"Revenue", "Revenue per registration", "Spend", "Cost per registration", "Cost per customer"}
		if !slices.Equal(header, want) {
			t.Errorf("header = %q\nwant %q", header, want)
		}
		if !strings.Contains(rows[0][0], "ISO week") || !strings.Contains(rows[2][0], "never a too-low number") {
			t.Errorf("title and explanation = %q / %q", rows[0], rows[2])
		}
	})
	t.Run("one row per channel and cohort, then the totals", func(t *testing.T) {
		for i, m := range r.Cohorts {
			row := maturityHeaderRow + 1 + i
			if got := rawValue(t, f, sheetCohorts, cell("Channel", row)); got != m.Channel {
				t.Errorf("row %d channel %q, want %q", row, got, m.Channel)
			}
			if got := rawValue(t, f, sheetCohorts, cell("Cohort", row)); got != m.Cohort {
				t.Errorf("row %d cohort %q, want %q", row, got, m.Cohort)
			}
			wantNumber(t, f, sheetCohorts, cell("Registrations", row), float64(m.Registrations))
			wantNumber(t, f, sheetCohorts, cell("First day", row), dateSerial(m.Dates.From))
			if got := shownValue(t, f, sheetCohorts, cell("First day", row)); got != m.Dates.From.String() {
				t.Errorf("row %d first day shows %q, want %s", row, got, m.Dates.From)
			}
		}
		top := maturityHeaderRow + len(r.Cohorts) + 3 // a blank row, the section, the header
		if rows[top-2][0] != "Total per cohort" || !slices.Equal(rows[top-1], header) {
			t.Errorf("totals section = %q / %q", rows[top-2], rows[top-1])
		}
		for i, m := range r.CohortTotals {
			row := top + 1 + i
			if got := rawValue(t, f, sheetCohorts, cell("Channel", row)); got != totalLabel {
				t.Errorf("total row %d is %q", row, got)
			}
			wantNumber(t, f, sheetCohorts, cell("Customers", row), float64(m.Customers))
			formula, _ := f.GetCellFormula(sheetCohorts, cell("Customers", row))
			if !strings.HasPrefix(formula, "SUMIF($C$5:$C$") {
				t.Errorf("total customers formula = %q, want a SUMIF over the channel rows", formula)
			}
		}
		tables, _ := f.GetTables(sheetCohorts)
		if len(tables) != 1 || tables[0].Name != "CohortTable" || tables[0].Range != fmt.Sprintf("A4:Q%d", maturityHeaderRow+len(r.Cohorts)) {
			t.Errorf("tables = %+v", tables)
		}
		if p, _ := f.GetPanes(sheetCohorts); !p.Freeze || p.TopLeftCell != "C5" {
			t.Errorf("panes = %+v, want frozen at C5", p)
		}
	})
	t.Run("day-N conversion is empty with a message until mature", func(t *testing.T) {
		notes := inputMessages(t, f, sheetCohorts)
		var empty, shown int
		for i, m := range r.Cohorts {
			row := maturityHeaderRow + 1 + i
			for j, n := range attribution.CohortDays() {
				c := cell(fmt.Sprintf("Converted by day %d", n), row)
				v := m.ConversionByDay()[j]
				got := rawValue(t, f, sheetCohorts, c)
				switch {
				case !v.Valid:
					empty++
					if got != "" {
						t.Errorf("%s (%s %s day %d) = %q, want empty", c, m.Channel, m.Cohort, n, got)
					}
					if !strings.HasPrefix(notes[c], "n/a: ") {
						t.Errorf("%s has message %q", c, notes[c])
					}
				default:
					shown++
					wantNumber(t, f, sheetCohorts, c, v.Value)
				}
			}
		}
		if empty == 0 || shown == 0 {
			t.Errorf("%d empty and %d shown day-N cells: the fixture should have both", empty, shown)
		}
		if got := numFmtOf(cellStyle(t, f, sheetCohorts, cell("Converted by day 7", 5))); got != "0.00%" {
			t.Errorf("day-7 format %q", got)
		}
		if got := numFmtOf(cellStyle(t, f, sheetCohorts, cell("Cost per customer", 5))); got != `#,##0.00 "EUR"` {
			t.Errorf("cost format %q", got)
		}
	})
	t.Run("a row per cohort says when each day-N column fills", func(t *testing.T) {
		loc := reportLocation(r)
		messages := inputMessages(t, f, sheetCohorts)
		top := maturityHeaderRow + len(r.Cohorts) + 3 + len(r.CohortTotals) + 2 // the channel rows, the totals, a blank row
		if !strings.HasPrefix(rawValue(t, f, sheetCohorts, cellName(t, 1, top)), "When converted by day N is filled") {
			t.Fatalf("A%d = %q, want the fill times' title", top, rawValue(t, f, sheetCohorts, cellName(t, 1, top)))
		}
		for i, m := range r.CohortTotals {
			row := top + 2 + i
			if got := rawValue(t, f, sheetCohorts, cellName(t, 2, row)); got != m.Cohort {
				t.Errorf("B%d = %q, want cohort %s", row, got, m.Cohort)
			}
			for d, n := range attribution.CohortDays() {
				c := cell(fmt.Sprintf("Converted by day %d", n), row)
				wantNumber(t, f, sheetCohorts, c, excelSerial(maturesAt(m, n, loc), loc))
				if got := numFmtOf(cellStyle(t, f, sheetCohorts, c)); got != "yyyy-mm-dd hh:mm" {
					t.Errorf("%s format %q", c, got)
				}
				// The message of an empty cell of the cohort names the same time.
				for j, ch := range r.Cohorts {
					if ch.Cohort == m.Cohort && ch.Registrations > 0 && !ch.ConversionByDay()[d].Valid {
						msg := messages[cell(fmt.Sprintf("Converted by day %d", n), maturityHeaderRow+1+j)]
						if want := maturesAt(m, n, loc).In(loc).Format("2006-01-02 15:04"); !strings.Contains(msg, want) {
							t.Errorf("message %q does not name %s", msg, want)
						}
					}
				}
			}
		}
		// Wide enough for a date and time, or the cells show ###.
		name, _ := excelize.ColumnNumberToName(col("Converted by day 7"))
		if w, _ := f.GetColWidth(sheetCohorts, name); w < 18 {
			t.Errorf("day-7 column is %v wide, too narrow for its fill times", w)
		}
	})
	t.Run("formulas compute Origen's values", func(t *testing.T) {
		if n := checkFormulas(t, f, sheetCohorts); n < 4*len(r.Cohorts) {
			t.Errorf("only %d formulas", n)
		}
	})
}

func TestWorkbookTrendSheet(t *testing.T) {
	r := maturityReport(t)
	f := maturityWorkbook(t, r)
	rows, err := f.GetRows(sheetTrend)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Channel", "Week", "First day", "Last day", "Registrations", "Customers", "Immature registrations", "Conversion rate", "Spend", "Cost per customer"}
	if got := rows[maturityHeaderRow-1]; !slices.Equal(got, want) {
		t.Errorf("header = %q\nwant %q", got, want)
	}
	if got, want := len(rows), maturityHeaderRow+len(r.Trend)+3+len(r.TrendTotals); got != want {
		t.Errorf("%d rows, want %d", got, want)
	}
	if rows[maturityHeaderRow][1] != "2026-W09" {
		t.Errorf("first week %q, want 2026-W09 (1 March 2026 is a Sunday)", rows[maturityHeaderRow][1])
	}
	if n := checkFormulas(t, f, sheetTrend); n == 0 {
		t.Errorf("no formulas")
	}
}

func TestWorkbookCurvesSheet(t *testing.T) {
	r := maturityReport(t)
	f := maturityWorkbook(t, r)
	rows, err := f.GetRows(sheetCurves, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rows[1][0], periodText(r.CurvePeriod)) {
		t.Errorf("the estimation period is not stated: %q", rows[1][0])
	}
	wantHeader := []string{"Channel", "Day", "At risk", "Converted on the day", "Censored", "Converted within d days (F)", "F low (95%)", "F high (95%)"}
	if got := rows[maturityHeaderRow-1]; !slices.Equal(got, wantHeader) {
		t.Errorf("header = %q", got)
	}
	curves := reportCurves(r)
	if got, want := len(rows)-maturityHeaderRow, len(curves)*(r.WindowDays+1); got != want {
		t.Fatalf("%d curve rows, want %d", got, want)
	}
	row := maturityHeaderRow
	for _, c := range curves {
		for d := 0; d <= r.WindowDays; d++ {
			row++
			got := rows[row-1]
			if got[0] != curveLabel(c) || got[1] != strconv.Itoa(d) || got[2] != strconv.FormatInt(c.AtRisk[d], 10) {
				t.Fatalf("row %d = %q, want %s day %d at risk %d", row, got, c.Channel, d, c.AtRisk[d])
			}
			for i, v := range []float64{c.F[d], c.Low[d], c.High[d]} {
				if !closeEnough(got[5+i], strconv.FormatFloat(v, 'g', -1, 64)) {
					t.Errorf("row %d column %d = %s, want %v", row, 6+i, got[5+i], v)
				}
			}
		}
	}
	if rows[len(rows)-1][0] != totalLabel {
		t.Errorf("the pooled curve comes last as %s, got %q", totalLabel, rows[len(rows)-1][0])
	}
	charts := 0
	for _, name := range zipNames(t, f) {
		if v, ok := f.Pkg.Load(name); ok && strings.HasPrefix(name, "xl/charts/chart") && strings.Contains(strings.ReplaceAll(string(v.([]byte)), "&#39;", "'"), "'Curves'!$F$5:$F$35") {
			charts++
		}
	}
	if charts != 1 {
		t.Errorf("%d charts of the curves, want 1", charts)
	}
}

// zipNames lists the parts of a workbook.
func zipNames(t *testing.T, f *excelize.File) []string {
	t.Helper()
	var names []string
	f.Pkg.Range(func(k, _ any) bool {
		names = append(names, k.(string))
		return true
	})
	return names
}

func TestWorkbookProspectsSheet(t *testing.T) {
	r := maturityReport(t)
	f := maturityWorkbook(t, r)
	const sheet = sheetProspects
	if got := rawValue(t, f, sheet, "E4"); got != "Registered at (Europe/Paris)" {
		t.Errorf("E4 = %q", got)
	}
	for i, p := range r.Prospects {
		row := maturityHeaderRow + 1 + i
		for col, want := range map[int]string{2: p.UserID, 3: p.Channel, 4: p.Campaign} {
			c := cellName(t, col, row)
			if got := rawValue(t, f, sheet, c); got != want {
				t.Errorf("%s = %q, want %q", c, got, want)
			}
			if formula, _ := f.GetCellFormula(sheet, c); formula != "" {
				t.Errorf("%s became the formula %q", c, formula)
			}
			if typ, _ := f.GetCellType(sheet, c); want != "" && typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
				t.Errorf("%s has type %v, want a string", c, typ)
			}
		}
		wantNumber(t, f, sheet, cellName(t, 1, row), float64(i+1))
		wantNumber(t, f, sheet, cellName(t, 7, row), p.Probability)
	}
	// 2026-03-29T01:30:00Z is 03:30 in Paris, just after the switch to
	// summer time.
	if got := shownValue(t, f, sheet, "E6"); got != "2026-03-29 03:30:00" {
		t.Errorf("registered at shows %q, want the local time", got)
	}
	bt := r.Backtest
	for label, want := range map[string]string{
		"Top-decile lift":          strconv.FormatFloat(bt.TopDecileLift.Value, 'g', -1, 64),
		"Base rate":                strconv.FormatFloat(bt.BaseRate.Value, 'g', -1, 64),
		"Precision in the top 100": strconv.FormatFloat(bt.PrecisionAtN.Value, 'g', -1, 64),
	} {
		row := rowIn(t, f, sheet, prospectsBacktestCol, label)
		if got := rawValue(t, f, sheet, cellName(t, prospectsBacktestCol+1, row)); !closeEnough(got, want) {
			t.Errorf("%s = %s, want %s", label, got, want)
		}
	}
	tables, _ := f.GetTables(sheet)
	var names []string
	for _, tb := range tables {
		names = append(names, tb.Name+" "+tb.Range)
	}
	if len(tables) != 2 || !strings.HasPrefix(names[0], "ProspectTable A4:H8") || !strings.HasPrefix(names[1], "CalibrationTable J") {
		t.Errorf("tables = %q", names)
	}
	decile := rowIn(t, f, sheet, prospectsBacktestCol, "Decile (1 = best scored)")
	for i, d := range bt.Deciles {
		wantNumber(t, f, sheet, cellName(t, prospectsBacktestCol+2, decile+1+i), d.MeanScore)
		wantNumber(t, f, sheet, cellName(t, prospectsBacktestCol+3, decile+1+i), d.ObservedRate)
	}
}

// rowIn returns the row whose cell in column col holds text.
func rowIn(t *testing.T, f *excelize.File, sheet string, col int, text string) int {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if len(r) >= col && r[col-1] == text {
			return i + 1
		}
	}
	t.Fatalf("sheet %s has no %q in column %d", sheet, text, col)
	return 0
}

// TestWorkbookMaturityLayoutGolden pins the cells, formulas, formats and
// notes of a workbook with curves, cohorts, trend and prospects. Refresh
// with go test ./reports -run TestWorkbookMaturityLayoutGolden -update and
// review the diff.
func TestWorkbookMaturityLayoutGolden(t *testing.T) {
	golden(t, "workbook_maturity.golden.txt", []byte(layout(t, maturityWorkbook(t, maturityReport(t)))))
}
