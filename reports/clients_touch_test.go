package reports

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/origen-analytics/origen/reports/reportstest"
)

// The Attribution and Paths sheets as LibreOffice shows them: the
// position-based credit of the example and every model's Total.
func TestAttributionWorkbookInLibreOffice(t *testing.T) {
	if testing.Short() {
		t.Skip("starts LibreOffice")
	}
	_, data := openWorkbookWith(t, touchReport(t), WorkbookOptions{})
	path := filepath.Join(t.TempDir(), "report.xlsx")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	shown := reportstest.ConvertToCSV(t, path)
	sheet := shown[sheetAttribution]
	if len(sheet) < touchHeaderRow+3 {
		t.Fatalf("LibreOffice shows %d rows of %s", len(sheet), sheetAttribution)
	}
	groups, header := sheet[touchHeaderRow-2], sheet[touchHeaderRow-1]
	pb := slices.Index(groups, "Position-based")
	if pb < 0 || header[pb] != "Conversions" || header[pb+1] != "Revenue" {
		t.Fatalf("groups %q, header %q", groups, header)
	}
	var direct, total []string
	for _, row := range sheet {
		switch {
		case len(row) > 0 && row[0] == "Direct" && direct == nil: // not the removal effects below
			direct = row
		case len(row) > 0 && row[0] == totalLabel:
			total = row
		}
	}
	if direct == nil || direct[pb] != "0.80" || direct[pb+1] != "112.00 EUR" || direct[pb+2] != "35.00 EUR" || direct[pb+3] != "4.00" {
		t.Errorf("Direct row %q", direct)
	}
	for col := 2; col < 2+4*8; col += 4 {
		if total == nil || total[col] != "2.00" || total[col+1] != "140.00 EUR" {
			t.Errorf("Total row %q at column %d", total, col)
		}
	}
	paths := shown[sheetPaths]
	if len(paths) < 6 || paths[4][0] != chScript || paths[5][0] != "C1 > C2 > C3" {
		t.Errorf("Paths sheet %q", paths)
	}
}

// The page's section in Chromium with no network: nothing broken, the
// bars and tables shown, and a screenshot for docs/ when asked
// (ORIGEN_TOUCH_SCREENSHOT=path).
func TestAttributionPageInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Chromium")
	}
	path := htmlFile(t, touchReport(t))
	c := reportstest.LoadPage(t, path, 1280, 900, os.Getenv("ORIGEN_TOUCH_SCREENSHOT"))
	if p := c.Problems(); len(p) > 0 {
		t.Errorf("problems: %q", p)
	}
	for _, s := range []string{"Multi-touch attribution", "Cost per attributed conversion (CAC) by model", "Markov removal effects", "Top paths", "Direct > Organic Search > Direct", chScript} {
		if !strings.Contains(c.Text, s) {
			t.Errorf("page does not show %q", s)
		}
	}
}
