package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/origen-analytics/origen/fixtures"
	"github.com/origen-analytics/origen/reports/reportstest"
)

var updateDocs = flag.Bool("update-docs", false, "write the demo screenshots to docs/")

// The demo's outputs opened as people open them: the workbook with
// excelize and LibreOffice (values equal to the JSON), the page in
// Chromium with the network cut off (no errors, no requests, charts drawn).
func TestDemoOutputsInRealClients(t *testing.T) {
	if testing.Short() {
		t.Skip("starts LibreOffice and Chromium")
	}
	dir := runDemo(t)
	p := fixtures.DemoPeriod()
	base := filepath.Join(dir, "origen_"+p.From.String()+"_"+p.To.String())
	doc := readJSON(t, base+".json")
	rows := append(append([]jsonRowDoc{}, doc.Channels...), doc.Total)

	t.Run("excelize", func(t *testing.T) {
		f, err := excelize.OpenFile(base + ".xlsx")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		header, _ := f.GetRows("Channels")
		// The metrics, then the demo's targets and status, then the
		// previous period and the changes.
		wantHeader := "Channel,Registrations,Customers,Conversion rate,CR low,CR high,Spend,Cost per registration,Cost per customer,Revenue,ROAS,Median days to convert,Immature registrations," +
			"Target CAC max,Target conversion rate min,Target ROAS min,Status,Registrations (previous)"
		if len(header) == 0 || !strings.HasPrefix(strings.Join(header[0], ","), wantHeader) {
			t.Fatalf("Channels header = %v", header)
		}
		for i, r := range rows {
			row := i + 2
			if i == len(rows)-1 {
				row = len(header) // the Total is the last row, below any channel of the previous period only
			}
			cell := func(col string) string {
				v, err := f.GetCellValue("Channels", fmt.Sprintf("%s%d", col, row), excelize.Options{RawCellValue: true})
				if err != nil {
					t.Fatal(err)
				}
				return v
			}
			if cell("A") != r.Channel {
				t.Errorf("row %d channel %q, want %q", row, cell("A"), r.Channel)
			}
			for col, want := range map[string]int64{"B": r.Registrations, "C": r.Customers, "M": r.Immature} {
				if got := cell(col); got != strconv.FormatInt(want, 10) {
					t.Errorf("%s %s%d = %s, want %d", r.Channel, col, row, got, want)
				}
			}
			for col, want := range map[string]string{"G": r.Spend, "J": r.Revenue} {
				got, _ := strconv.ParseFloat(cell(col), 64)
				w, _ := strconv.ParseFloat(want, 64)
				if fmt.Sprintf("%.2f", got) != fmt.Sprintf("%.2f", w) {
					t.Errorf("%s %s%d = %s, want %s", r.Channel, col, row, cell(col), want)
				}
			}
		}
	})

	t.Run("libreoffice", func(t *testing.T) {
		sheets := reportstest.ConvertToCSV(t, base+".xlsx")
		ch := sheets["Channels"]
		if len(ch) < len(rows)+1 {
			t.Fatalf("LibreOffice shows %d rows of Channels, want %d", len(ch), len(rows)+1)
		}
		for i, r := range rows {
			got := ch[i+1]
			if i == len(rows)-1 {
				got = ch[len(ch)-1]
			}
			if got[0] != r.Channel {
				t.Errorf("LibreOffice row %d: channel %q, want %q", i+2, got[0], r.Channel)
			}
			// Counts shown with thousands separators, money with the currency.
			if strings.ReplaceAll(got[1], ",", "") != strconv.FormatInt(r.Registrations, 10) ||
				strings.ReplaceAll(got[2], ",", "") != strconv.FormatInt(r.Customers, 10) {
				t.Errorf("LibreOffice row %d: %v, want registrations %d customers %d", i+2, got, r.Registrations, r.Customers)
			}
			if !strings.Contains(strings.ReplaceAll(got[6], ",", ""), r.Spend) {
				t.Errorf("LibreOffice row %d: spend %q, want %s", i+2, got[6], r.Spend)
			}
		}
		for _, s := range []string{"Summary", "About"} {
			if len(sheets[s]) == 0 {
				t.Errorf("sheet %s is empty or missing in LibreOffice", s)
			}
		}
	})

	t.Run("libreoffice recalculates every formula to Origen's value", func(t *testing.T) {
		f, err := excelize.OpenFile(base + ".xlsx")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		values := reportstest.ConvertToValues(t, base+".xlsx")
		n := 0
		for _, sheet := range []string{"Channels", "Charts"} {
			rows, _ := f.GetRows(sheet)
			for i, row := range rows {
				for j := range row {
					cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
					if formula, _ := f.GetCellFormula(sheet, cell); formula == "" {
						continue
					}
					n++
					cached, _ := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
					got := ""
					if lo := values[sheet]; i < len(lo) && j < len(lo[i]) {
						got = lo[i][j]
					}
					if !sameValue(got, cached) {
						t.Errorf("%s!%s: LibreOffice %q, Origen %q", sheet, cell, got, cached)
					}
				}
			}
		}
		if n < 100 {
			t.Errorf("only %d formula cells", n)
		}
		t.Logf("%d formula cells agree", n)
	})

	t.Run("chromium", func(t *testing.T) {
		for _, width := range []int{1280, 390} {
			shot := ""
			if *updateDocs {
				shot = filepath.Join("..", "..", "docs", fmt.Sprintf("demo-page-%d.png", width))
			}
			c := reportstest.LoadPage(t, base+".html", width, 900, shot)
			if p := c.Problems(); len(p) > 0 {
				t.Errorf("at %d px: %q", width, p)
			}
			if c.Canvases < 2 || c.BlankCanvases != 0 {
				t.Errorf("at %d px: %d canvases, %d blank", width, c.Canvases, c.BlankCanvases)
			}
			for _, want := range []string{doc.Channels[0].Channel, "2026-10-01", "2026-11-20"} {
				if !strings.Contains(c.Text, want) {
					t.Errorf("at %d px the page does not show %q", width, want)
				}
			}
		}
	})

	if *updateDocs {
		for sheet, name := range map[int]string{2: "demo-workbook.png", 3: "demo-workbook-charts.png"} {
			reportstest.ConvertSheetToPNG(t, base+".xlsx", sheet, filepath.Join("..", "..", "docs", name))
			if _, err := os.Stat(filepath.Join("..", "..", "docs", name)); err != nil {
				t.Error(err)
			}
		}
	}
}

// sameValue compares a value LibreOffice computed with the one Origen
// cached: numbers to 1e-9 relative (15 significant digits each; a change
// of nearly equal numbers differs in its last places), text exactly.
func sameValue(a, b string) bool {
	x, errA := strconv.ParseFloat(a, 64)
	y, errB := strconv.ParseFloat(b, 64)
	if errA != nil || errB != nil {
		return a == b
	}
	return math.Abs(x-y) <= 1e-9*math.Max(1, math.Max(math.Abs(x), math.Abs(y)))
}
