package reports

import (
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/reports/reportstest"
)

// budgetRowOf returns the Budget sheet's row whose first cell is name.
func budgetRowOf(rows [][]string, name string) []string {
	for _, r := range rows {
		if len(r) > 0 && r[0] == name {
			return r
		}
	}
	return nil
}

// The Budget sheet holds the plan's table, a Total row, the moves, the
// caveat and the weekly data each fit used; a channel named like a formula
// stays text.
func TestWorkbookBudgetSheet(t *testing.T) {
	r := budgetReport(t)
	f, _ := openWorkbookWith(t, r, WorkbookOptions{})
	rows, err := f.GetRows(sheetBudget)
	if err != nil {
		t.Fatal(err)
	}
	if got := rows[budgetHeaderRow-1][0]; got != "Channel" {
		t.Fatalf("header row starts with %q", got)
	}
	text := ""
	for _, r := range rows {
		text += strings.Join(r, "\t") + "\n"
	}
	for _, want := range []string{attribution.BudgetAssociationCaveat, "Weekly data each fit used", "Move ", chFormula} {
		if !strings.Contains(text, want) {
			t.Errorf("Budget sheet lacks %q", want)
		}
	}
	p := r.Budget.Plan
	for i, c := range p.Channels {
		row := budgetHeaderRow + 1 + i
		if v, _ := f.GetCellValue(sheetBudget, cellName(t, 1, row)); v != c.Channel {
			t.Errorf("row %d channel %q, want %q", row, v, c.Channel)
		}
		if v, _ := f.GetCellValue(sheetBudget, cellName(t, 24, row)); v != c.Recommendation {
			t.Errorf("%s recommendation %q, want %q", c.Channel, v, c.Recommendation)
		}
		if typ, _ := f.GetCellType(sheetBudget, cellName(t, 1, row)); c.Channel == chFormula && typ == 0 {
			if fm, _ := f.GetCellFormula(sheetBudget, cellName(t, 1, row)); fm != "" {
				t.Errorf("channel %q became a formula", chFormula)
			}
		}
	}
	// One weekly row per channel and lookback week.
	n := 0
	for _, r := range rows {
		if len(r) > 8 && (r[8] == "yes" || r[8] == "no (no spend)") {
			n++
		}
	}
	if want := len(p.Channels) * r.Budget.LookbackWeeks; n != want {
		t.Errorf("%d weekly rows, want %d", n, want)
	}
}

// LibreOffice opens the Budget sheet and, recalculating every formula,
// gets the change per channel, the totals and the gain Origen computed.
func TestWorkbookBudgetInLibreOffice(t *testing.T) {
	if testing.Short() {
		t.Skip("starts LibreOffice")
	}
	r := budgetReport(t)
	_, data := openWorkbookWith(t, r, WorkbookOptions{})
	path := filepath.Join(t.TempDir(), "budget.xlsx")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	values := reportstest.ConvertToValues(t, path)
	rows := values[sheetBudget]
	if len(rows) < budgetHeaderRow+len(r.Budget.Plan.Channels)+10 {
		t.Fatalf("LibreOffice shows %d rows of %s", len(rows), sheetBudget)
	}
	num := func(row []string, col int) float64 {
		t.Helper()
		if col > len(row) {
			t.Fatalf("row %q has no column %d", row, col)
		}
		v, err := strconv.ParseFloat(row[col-1], 64)
		if err != nil {
			t.Fatalf("column %d of %q: %v", col, row, err)
		}
		return v
	}
	near := func(what string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
			t.Errorf("%s: LibreOffice %v, Origen %v", what, got, want)
		}
	}
	p := r.Budget.Plan
	for _, c := range p.Channels {
		row := budgetRowOf(rows, c.Channel)
		if row == nil {
			t.Fatalf("no row for %q", c.Channel)
		}
		near(c.Channel+" change", num(row, budgetColChange), c.Change)
		near(c.Channel+" suggested", num(row, budgetColSuggested), c.Suggested.Float64())
	}
	total := budgetRowOf(rows, totalLabel)
	near("total current", num(total, budgetColCurrent), p.TotalCurrent.Float64())
	near("total suggested", num(total, budgetColSuggested), p.TotalSuggested.Float64())
	near("total now", num(total, budgetColNow), p.OutcomeCurrent.Value)
	near("total after", num(total, budgetColAfter), p.OutcomeSuggested.Value)
	near("gain", num(budgetRowOf(rows, "Expected gain"), 2), p.Gain.Value)
}
