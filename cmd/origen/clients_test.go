package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
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
	more := readMaturityJSON(t, base+".json")

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
		// The projection comes last, so the other columns keep their letters.
		if h := strings.Join(header[0], ","); !strings.HasSuffix(h, ",Projected cost per customer,Projected CAC low,Projected CAC high,Projection basis") {
			t.Errorf("Channels header does not end with the projection: %v", header[0])
		}
		if got := f.GetSheetList(); !slices.Equal(got, []string{"Summary", "Channels", "Charts", "Spend", "Cohorts", "Curves", "Trend", "Prospects", "Campaigns", "Sources", "Dimensions", "Budget", "Lifetime value", "Attribution", "Paths", "Data quality", "About"}) {
			t.Errorf("sheets = %q", got)
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
		// The sheets of registration quality over time: a title, two lines
		// of explanation, then each table's header.
		header := func(sheet string) []string {
			t.Helper()
			if len(sheets[sheet]) < 5 {
				t.Fatalf("LibreOffice shows %d rows of %s", len(sheets[sheet]), sheet)
			}
			return sheets[sheet][3]
		}
		if h := header("Cohorts"); !slices.Contains(h, "Converted by day 7") || !slices.Contains(h, "Cost per customer") {
			t.Errorf("Cohorts header = %q", h)
		}
		// The channel rows, the Totals (a blank row, a title, a header) and
		// the fill times of converted by day N (the same again).
		if got, want := len(sheets["Cohorts"]), 4+len(more.Cohorts)+2*(3+len(more.CohortTotals)); got != want {
			t.Errorf("Cohorts has %d rows, want %d", got, want)
		}
		// Day-N conversion not mature yet is empty, never a too-low number.
		day60 := slices.Index(header("Cohorts"), "Converted by day 60")
		for i, c := range more.Cohorts {
			if got := sheets["Cohorts"][4+i][day60]; c.Day60 == nil && got != "" {
				t.Errorf("Cohorts row %d: day 60 shows %q, want empty", 5+i, got)
			}
		}
		if got, want := len(sheets["Curves"]), 4+(len(more.Curves)+1)*(more.Window+1); got != want {
			t.Errorf("Curves has %d rows, want %d (every curve and the Total, days 0 to %d)", got, want, more.Window)
		}
		if got := sheets["Trend"][4][1]; len(more.Trend) == 0 || got != more.Trend[0].Week {
			t.Errorf("Trend starts with week %q", got)
		}
		if p := sheets["Prospects"]; len(more.Prospects.Top) == 0 || p[4][1] != more.Prospects.Top[0].UserID || p[4][2] != more.Prospects.Top[0].Channel {
			t.Errorf("Prospects starts with %q, want %+v", p[4], more.Prospects.Top)
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
		for _, sheet := range []string{"Channels", "Charts", "Cohorts", "Trend"} {
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
			// The quadrant, CAC, conversion and the comparison; the curves,
			// a heat map of the Total and of each channel with
			// registrations, three of the weekly trend, the backtest's
			// calibration, and a response curve per paid channel.
			want := 4 + 1 + 1 + more.channelsWithCohorts() + 3 + 1 + budgetChannels(t, base+".json")
			if c.Canvases != want || c.BlankCanvases != 0 {
				t.Errorf("at %d px: %d canvases, %d blank; want %d drawn", width, c.Canvases, c.BlankCanvases, want)
			}
			for _, want := range []string{"Conversion curves", "Cohorts: conversion by day N", "Weekly trend", "Projected conversion rate", "Top-decile lift"} {
				if !strings.Contains(c.Text, want) {
					t.Errorf("at %d px the page does not show %q", width, want)
				}
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

// maturityDoc is the part of the JSON about registration quality over
// time that the client tests read.
type maturityDoc struct {
	Window  int                        `json:"conversion_window_days"`
	Curves  []struct{ Channel string } `json:"curves"`
	Cohorts []struct {
		Channel       string
		Registrations int64
		Day60         *float64 `json:"conversion_day_60"`
	} `json:"cohorts"`
	CohortTotals []struct{ Cohort string } `json:"cohort_totals"`
	Trend        []struct{ Week string }   `json:"trend"`
	Prospects    struct {
		Top []struct {
			UserID  string `json:"user_id"`
			Channel string
		}
	} `json:"prospects"`
}

func readMaturityJSON(t *testing.T, path string) maturityDoc {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var d maturityDoc
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return d
}

// channelsWithCohorts counts the channels with registrations in some
// cohort: each has a heat map.
func (d maturityDoc) channelsWithCohorts() int {
	regs := map[string]int64{}
	for _, c := range d.Cohorts {
		regs[c.Channel] += c.Registrations
	}
	n := 0
	for _, r := range regs {
		if r > 0 {
			n++
		}
	}
	return n
}
