package reports

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

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
		path := filepath.Join(t.TempDir(), "report.html")
		if err := os.WriteFile(path, render(t, writeHTML, rep.r), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, width := range []int{1280, 390} {
			t.Run(fmt.Sprintf("%s at %d px", rep.name, width), func(t *testing.T) {
				c := reportstest.LoadPage(t, path, width, 900, "")
				if p := c.Problems(); len(p) > 0 {
					t.Errorf("problems: %q", p)
				}
				if c.Canvases != 2 || c.BlankCanvases != 0 {
					t.Errorf("%d canvases, %d blank; want 2 drawn charts", c.Canvases, c.BlankCanvases)
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
