package reports

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/origen-analytics/origen/reports/reportstest"
)

// TestWorkbookSummaryFormulas: the Summary's headline figures are
// references to the Channels Total row (and the changes formulas over
// them) that cache Origen's values, which excelize's engine recomputes.
func TestWorkbookSummaryFormulas(t *testing.T) {
	r := fullReport(t)
	f, data := openWorkbookWith(t, r, WorkbookOptions{})
	n := eachFormula(t, f, sheetSummary, func(row, col int, cell, formula, cached string) {
		calc, err := f.CalcCellValue(sheetSummary, cell, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Errorf("%s = %s: %v", cell, formula, err)
			return
		}
		if !closeEnough(calc, cached) {
			t.Errorf("Summary!%s = %s computes %q, cached %q", cell, formula, calc, cached)
		}
	})
	if n != 8+7+8 { // this period, previous (no immature column in Channels), change
		t.Errorf("%d formulas on the Summary, want 23", n)
	}
	cell, _ := summaryValue(t, f, "Spend")
	if got, _ := f.GetCellFormula(sheetSummary, cell); got != "Channels!$G$11" {
		t.Errorf("Summary spend = %q, want the Channels Total row's spend", got)
	}
	// Cached values are numbers, not text typed "str".
	part := sheetXML(t, data, sheetSummary)
	if i := bytes.Index([]byte(part), []byte(`<c r="`+cell+`"`)); i < 0 || bytes.Contains([]byte(part[i:i+40]), []byte(`t="str"`)) {
		t.Errorf("Summary %s caches its value as text: %s", cell, part[i:i+60])
	}
}

// TestSummaryFollowsChannelsInLibreOffice edits one channel's spend in the
// Channels sheet, as a person would, and checks in LibreOffice that the
// Summary's spend and CAC follow: spend + 100 and (spend + 100) /
// customers, computed here by hand.
func TestSummaryFollowsChannelsInLibreOffice(t *testing.T) {
	if testing.Short() {
		t.Skip("starts LibreOffice")
	}
	r := sampleReport(t)
	f, _ := openWorkbookWith(t, r, WorkbookOptions{})
	spendCol := headerCol(t, "Spend")
	first := cellName(t, spendCol, 2)
	old, err := strconv.ParseFloat(rawValue(t, f, sheetChannels, first), 64)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellFloat(sheetChannels, first, old+100, -1, 64); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "edited.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	sheets := reportstest.ConvertToValues(t, path)
	summary := sheets[sheetSummary]
	value := func(label string) float64 {
		t.Helper()
		for _, row := range summary {
			if len(row) > 1 && row[0] == label {
				v, err := strconv.ParseFloat(row[1], 64)
				if err != nil {
					t.Fatalf("Summary %s = %q", label, row[1])
				}
				return v
			}
		}
		t.Fatalf("no Summary row %q in %q", label, summary)
		return 0
	}
	spend := r.Total.Spend.Float64() + 100
	if got := value("Spend"); !closeEnough(strconv.FormatFloat(got, 'g', -1, 64), strconv.FormatFloat(spend, 'g', -1, 64)) {
		t.Errorf("Summary spend after the edit = %v, want %v", got, spend)
	}
	cac := spend / float64(r.Total.Customers)
	if got := value("Cost per customer (CAC)"); !closeEnough(strconv.FormatFloat(got, 'g', -1, 64), strconv.FormatFloat(cac, 'g', -1, 64)) {
		t.Errorf("Summary CAC after the edit = %v, want %v", got, cac)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
}
