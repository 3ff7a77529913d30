package reports

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/reports/reportstest"
)

// These tests open the outputs in the programs people use: Chromium with the
// network cut off, and LibreOffice Calc. reportstest skips them when the
// program is missing (and fails them under CI=true).

func TestHTMLInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Chromium")
	}
	spendOnly := sampleReport(t)
	spendOnly.Channels = []attribution.ChannelMetrics{channel(t, spendOnly, chKanji)}
	reports := []struct {
		name  string
		r     attribution.Report
		names []string // names the page must show
	}{
		{"hostile names", hostileReport(t), []string{chScript, chImg, chSocial, chKanji, chFormula, hostileNames[0]}},
		{"only spend without registrations", spendOnly, []string{chKanji}},
	}
	for _, rep := range reports {
		path := htmlFile(t, rep.r)
		for _, width := range []int{1280, 390} {
			t.Run(fmt.Sprintf("%s at %d px", rep.name, width), func(t *testing.T) {
				c := reportstest.LoadPage(t, path, width, 900, "")
				if p := c.Problems(); len(p) > 0 {
					t.Errorf("problems: %q", p)
				}
				if c.Canvases != 3 || c.BlankCanvases != 0 {
					t.Errorf("%d canvases, %d blank; want 3 drawn charts", c.Canvases, c.BlankCanvases)
				}
				for _, name := range rep.names {
					if !strings.Contains(c.Text, name) {
						t.Errorf("page text does not show %q", name)
					}
				}
			})
		}
	}
}

func TestWorkbookInLibreOffice(t *testing.T) {
	if testing.Short() {
		t.Skip("starts LibreOffice")
	}
	path := filepath.Join(t.TempDir(), "report.xlsx")
	if err := os.WriteFile(path, render(t, writeWorkbook, sampleReport(t)), 0o644); err != nil {
		t.Fatal(err)
	}
	sheets := reportstest.ConvertToCSV(t, path)
	channels := sheets[sheetChannels]
	if len(channels) == 0 {
		t.Fatalf("no Channels sheet in %v", slices.Sorted(maps.Keys(sheets)))
	}
	row := func(name string) []string {
		t.Helper()
		for _, r := range channels {
			if len(r) > 0 && r[0] == name {
				return r
			}
		}
		t.Fatalf("LibreOffice shows no row %q", name)
		return nil
	}
	col := func(header string) int { return headerCol(t, header) - 1 }
	tests := []struct {
		name, channel, header, want string
	}{
		{"formula-like name stays text", chFormula, "Channel", chFormula},
		{"hyperlink-like name stays text", chHyperlnk, "Channel", chHyperlnk},
		{"money format", chSearch, "Spend", "12,345.67 EUR"},
		{"money rounds only for display", chImg, "Spend", "0.02 EUR"},
		{"percent format", chSearch, "Conversion rate", "9.23%"},
		{"ROAS format", chSearch, "ROAS", "0.34x"},
		{"count format", chSearch, "Registrations", "1,300"},
		{"n/a is empty", chKanji, "Cost per customer", ""},
		{"zero is shown", chFormula, "Spend", "0.00 EUR"},
		{"total", totalLabel, "Cost per customer", "104.50 EUR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := row(tt.channel)
			if c := col(tt.header); c >= len(r) || r[c] != tt.want {
				t.Errorf("%s / %s = %q, want %q", tt.channel, tt.header, r, tt.want)
			}
		})
	}
}

// TestWorkbookRecalculatedInLibreOffice opens the workbook of a report with
// targets and a previous period in LibreOffice, which recalculates every
// formula on load, and checks that each formula cell of Channels and
// Charts comes out equal to the value Origen cached in it, and that the
// Channels table equals Origen's JSON.
func TestWorkbookRecalculatedInLibreOffice(t *testing.T) {
	if testing.Short() {
		t.Skip("starts LibreOffice")
	}
	r := fullReport(t)
	path := filepath.Join(t.TempDir(), "report.xlsx")
	f, data := openWorkbookWith(t, r, auditOptions())
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	sheets := reportstest.ConvertToValues(t, path)
	lo := func(sheet string, row, col int) string { // 1-based
		rows := sheets[sheet]
		if row > len(rows) || col > len(rows[row-1]) {
			return ""
		}
		return rows[row-1][col-1]
	}

	t.Run("every formula equals its cached value", func(t *testing.T) {
		for _, sheet := range []string{sheetSummary, sheetChannels, sheetCharts, sheetSpend} {
			n := eachFormula(t, f, sheet, func(row, col int, cell, formula, cached string) {
				if got := lo(sheet, row, col); !closeEnough(got, cached) {
					t.Errorf("%s!%s = %s: LibreOffice computes %q, Origen cached %q", sheet, cell, formula, got, cached)
				}
			})
			if n < 20 {
				t.Errorf("%s has only %d formulas", sheet, n)
			}
			t.Logf("%s: %d formula cells agree", sheet, n)
		}
	})

	t.Run("the table equals the JSON", func(t *testing.T) {
		var doc map[string]any
		if err := json.Unmarshal(render(t, writeJSON, r), &doc); err != nil {
			t.Fatal(err)
		}
		cols := tableColumns(r)
		col := func(key string) int { return slices.IndexFunc(cols, func(c column) bool { return c.Key == key }) + 1 }
		// JSON location of each column: the row itself, or its previous
		// and change objects.
		where := func(key string) (object, field string) {
			switch {
			case strings.HasPrefix(key, "previous_"):
				return "previous", strings.TrimPrefix(key, "previous_")
			case strings.HasPrefix(key, "change_"):
				return "change", strings.TrimPrefix(key, "change_")
			case strings.HasPrefix(key, "target_"):
				return "targets", strings.TrimPrefix(key, "target_")
			}
			return "", key
		}
		jsonRows := append(doc["channels"].([]any), doc["total"])
		half := 0.5 * math.Pow10(-r.Currency.Digits)
		for i, jr := range jsonRows {
			row := jr.(map[string]any)
			sheetRow := i + 2
			if i == len(jsonRows)-1 {
				sheetRow = len(r.Channels) + 3 // below the previous period's channel
			}
			for _, c := range cols {
				object, field := where(c.Key)
				src := row
				if object != "" {
					src = row[object].(map[string]any)
				}
				want, ok := src[field]
				if !ok {
					t.Fatalf("JSON has no %s.%s", object, field)
				}
				got := lo(sheetChannels, sheetRow, col(c.Key))
				what := fmt.Sprintf("%s / %s: LibreOffice %q, JSON %v", row["channel"], c.Header, got, want)
				switch w := want.(type) {
				case nil:
					if got != "" {
						t.Errorf("%s, want empty", what)
					}
				case float64:
					if c.Kind == kindPoints {
						w *= 100 // JSON: a difference of fractions; the workbook: points
					}
					if !closeEnough(got, strconv.FormatFloat(w, 'g', -1, 64)) {
						t.Errorf("%s", what)
					}
				case string:
					if c.Kind == kindMoney {
						g, err1 := strconv.ParseFloat(got, 64)
						m, err2 := strconv.ParseFloat(w, 64)
						if err1 != nil || err2 != nil || math.Abs(g-m) > half+1e-9 {
							t.Errorf("%s, want equal to the currency's minor unit", what)
						}
					} else if got != strings.ReplaceAll(w, "_", " ") {
						t.Errorf("%s", what)
					}
				}
			}
		}
	})
}

// The Registrations sheet as LibreOffice shows it: local times to the
// millisecond, money in the currency.
func TestWorkbookDetailInLibreOffice(t *testing.T) {
	if testing.Short() {
		t.Skip("starts LibreOffice")
	}
	r, rows := detailReport(t, 6)
	_, data := openWorkbookWith(t, r, WorkbookOptions{Detail: yieldAll(rows), maxSheetRows: 4})
	path := filepath.Join(t.TempDir(), "detail.xlsx")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	sheets := reportstest.ConvertToCSV(t, path)
	want := map[string][][]string{
		sheetRegistrations: {
			detailHeaders,
			{"u00000", "2026-03-01 00:00:00.123", chSearch, "2026-03-01 01:00:00.123", "0", "0.00 EUR", "yes"},
			{"u00001", "2026-03-01 00:37:00.123", chSocial, "", "", "0.00 EUR", "yes"},
			{"u00002", "2026-03-01 01:14:00.123", chFormula, "", "", "0.00 EUR", "yes"},
		},
		"Registrations (2)": {
			detailHeaders,
			{"u00003", "2026-03-01 01:51:00.123", attribution.NoChannel, "2026-03-04 02:51:00.123", "3", "3.70 EUR", "yes"},
			{"u00004", "2026-03-01 02:28:00.123", chSearch, "", "", "0.00 EUR", "yes"},
			{"u00005", "2026-03-01 03:05:00.123", chSocial, "", "", "0.00 EUR", "yes"},
		},
	}
	for name, rows := range want {
		if got := sheets[name]; !slices.EqualFunc(got, rows, slices.Equal[[]string]) {
			t.Errorf("%s as LibreOffice shows it:\n%q\nwant\n%q", name, got, rows)
		}
	}
}

// The decision page of a report with targets and a previous period, in
// Chromium with no network: three charts drawn, nothing broken, at a
// desktop's and a phone's width.
func TestComparisonPageInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Chromium")
	}
	path := htmlFile(t, fullReport(t))
	for _, width := range []int{1280, 390} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			c := reportstest.LoadPage(t, path, width, 900, "")
			checkDrawn(t, c, 4, "▲ +9.6% (was 135)", "off target", chGone)
		})
	}
}

// The table sorts and filters in a real browser, and is complete with
// JavaScript off.
func TestTableInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Chromium")
	}
	r := fullReport(t)
	path := htmlFile(t, r)
	const names = `Array.from(document.querySelectorAll("#channel-table tbody tr")).filter(r => !r.hidden).map(r => r.cells[0].textContent).join("|")`
	click := func(header string) string {
		return `(Array.from(document.querySelectorAll("#channel-table thead button")).find(b => b.textContent === ` + strconv.Quote(header) + `).click(), ` + names + `)`
	}
	got := reportstest.EvalInPage(t, path, reportstest.PageOptions{},
		names,
		click("Cost per customer"),
		click("Cost per customer"),
		click("Channel"),
		`(() => { const i = document.querySelector("#table-tools input"); i.value = "SEARCH"; i.dispatchEvent(new Event("input")); return `+names+` + " / " + document.querySelector("#table-tools .count").textContent; })()`,
		`document.querySelector("#channel-table tfoot th").textContent`,
	)
	byOrder := func(names ...string) string { return strings.Join(names, "|") }
	want := []string{
		byOrder(chSearch, chSocial, chFormula, chImg, chNone, chScript, chHyperlnk, chKanji, chGone),
		// Descending first; n/a last whichever the direction.
		byOrder(chSearch, chSocial, chImg, chFormula, chNone, chScript, chHyperlnk, chKanji, chGone),
		byOrder(chFormula, chNone, chImg, chSocial, chSearch, chScript, chHyperlnk, chKanji, chGone),
		byOrder(chNone, chImg, chScript, chFormula, chHyperlnk, chGone, chSocial, chSearch, chKanji),
		chSearch + " / 1 of 9 channels shown; the Total row covers all of them",
		totalLabel,
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("step %d:\n got %q\nwant %q", i, got[i], want[i])
		}
	}
	t.Run("JavaScript off", func(t *testing.T) {
		got := reportstest.EvalInPage(t, path, reportstest.PageOptions{NoJavaScript: true},
			names,
			`String(document.getElementById("table-tools").hidden)`,
			`String(document.querySelectorAll("#channel-table thead button").length)`,
		)
		if got[0] != want[0] || got[1] != "true" || got[2] != "0" {
			t.Errorf("without JavaScript: rows %q, tools hidden %s, %s sort buttons", got[0], got[1], got[2])
		}
	})
}

// htmlFile renders r as a page into a temporary file and returns its path.
func htmlFile(t *testing.T, r attribution.Report) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(path, render(t, writeHTML, r), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// checkDrawn fails t when the page has problems or does not show exactly
// canvases drawn charts, or lacks any of texts.
func checkDrawn(t *testing.T, c reportstest.PageCheck, canvases int, texts ...string) {
	t.Helper()
	if p := c.Problems(); len(p) > 0 {
		t.Errorf("problems: %q", p)
	}
	if c.Canvases != canvases || c.BlankCanvases != 0 {
		t.Errorf("%d canvases, %d blank; want %d drawn charts", c.Canvases, c.BlankCanvases, canvases)
	}
	for _, s := range texts {
		if !strings.Contains(c.Text, s) {
			t.Errorf("page does not show %q", s)
		}
	}
}

// eachFormula calls check for every formula cell of sheet with its
// formula and the value Origen cached, and returns how many there were.
func eachFormula(t *testing.T, f *excelize.File, sheet string, check func(row, col int, cell, formula, cached string)) int {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for i, row := range rows {
		for j := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			formula, _ := f.GetCellFormula(sheet, cell)
			if formula == "" {
				continue
			}
			n++
			check(i+1, j+1, cell, formula, rawValue(t, f, sheet, cell))
		}
	}
	return n
}
