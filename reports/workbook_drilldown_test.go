package reports

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/origen-analytics/origen/reports/reportstest"
)

// The Campaigns, Sources and Dimensions sheets hold a row per drill row
// with the channel table's formulas, caching Origen's values; LibreOffice,
// recalculating on load, computes every formula to the cached value.
func TestDrilldownSheetsRecalculatedInLibreOffice(t *testing.T) {
	if testing.Short() {
		t.Skip("starts LibreOffice")
	}
	r := drillReport(t)
	f, data := openWorkbookWith(t, r, WorkbookOptions{})
	// Layout first: Brand is row 2 of Campaigns with its spend.
	for _, c := range []struct{ sheet, cell, want string }{
		{sheetCampaigns, "A2", chSearch}, {sheetCampaigns, "B2", "Brand"}, {sheetCampaigns, "C2", "770"},
		{sheetSources, "B2", "google"}, {sheetSources, "C2", "cpc"},
		{sheetDimensions, "A2", drillAllChannels}, {sheetDimensions, "B2", "mobile"}, {sheetDimensions, "C2", "1170"},
	} {
		if got := rawValue(t, f, c.sheet, c.cell); got != c.want {
			t.Errorf("%s!%s = %q, want %q", c.sheet, c.cell, got, c.want)
		}
	}
	path := filepath.Join(t.TempDir(), "drill.xlsx")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	sheets := reportstest.ConvertToValues(t, path)
	for _, sheet := range []string{sheetCampaigns, sheetSources, sheetDimensions} {
		rows := sheets[sheet]
		n := eachFormula(t, f, sheet, func(row, col int, cell, formula, cached string) {
			got := ""
			if row <= len(rows) && col <= len(rows[row-1]) {
				got = rows[row-1][col-1]
			}
			if !closeEnough(got, cached) {
				t.Errorf("%s!%s = %s: LibreOffice computes %q, Origen cached %q", sheet, cell, formula, got, cached)
			}
		})
		if n < 8 { // at least the rates and the status of every row
			t.Errorf("%s has only %d formulas", sheet, n)
		}
		t.Logf("%s: %d formula cells agree", sheet, n)
	}
	// Brand's CAC: 10000.00 / 70, a formula over its spend and customers.
	if got, _ := strconv.ParseFloat(rawValue(t, f, sheetCampaigns, "J2"), 64); strconv.FormatFloat(got, 'f', 4, 64) != "142.8571" {
		t.Errorf("Brand CAC cell %v", got)
	}
	if fm, _ := f.GetCellFormula(sheetCampaigns, "J2"); fm != `IF(D2=0,"",H2/D2)` {
		t.Errorf("Brand CAC formula %q", fm)
	}
}
