package reports

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/reports/reportstest"
)

// The page of a report with curves, cohorts, trend and prospects, in
// Chromium with no network, at a desktop's and a phone's width: every
// chart drawn, nothing broken.
func TestMaturityPageInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Chromium")
	}
	r := maturityReport(t)
	path := htmlFile(t, r)
	want := 3 + len(maturityChartIDs(r)) // the quadrant, CAC and conversion charts, then these
	for _, width := range []int{1280, 390} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			c := reportstest.LoadPage(t, path, width, 900, "")
			checkDrawn(t, c, want, "Conversion curves", "Cohorts: conversion by day N", "Weekly trend", idFormula, "Top-decile lift", "Projected conversion rate")
		})
	}
}

// Tooltips are HTML: a hostile name shows as text in them and runs
// nothing.
func TestMaturityTooltipsInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Chromium")
	}
	r := maturityReport(t)
	path := htmlFile(t, r)
	// The heat map of chScript follows the Total's and those of the
	// channels before it that have registrations.
	var order []string
	for _, c := range r.Cohorts {
		if !slices.Contains(order, c.Channel) && c.Registrations > 0 {
			order = append(order, c.Channel)
		}
	}
	mapIndex := slices.Index(order, chScript) + 1
	show := func(id string, series, index int) string {
		return fmt.Sprintf(`(() => {
			const chart = echarts.getInstanceByDom(document.getElementById(%q));
			chart.dispatchAction({type: "showTip", seriesIndex: %d, dataIndex: %d});
			const tips = Array.from(document.querySelectorAll("#%s div")).filter(d => d.innerHTML.includes("max-width:320px") && !d.querySelector("canvas"));
			const tip = tips.length ? tips[0] : null;
			return tip ? tip.textContent + " | scripts in tooltip: " + tip.querySelectorAll("script, img").length : "no tooltip";
		})()`, id, series, index, id)
	}
	got := reportstest.EvalInPage(t, path, reportstest.PageOptions{},
		show(fmt.Sprintf("chart-cohorts-%d", mapIndex), 0, 0),
		show("chart-curves", 0, 7),
	)
	t.Logf("tooltips: %q", got[:2])
	if !strings.Contains(got[0], chScript) || !strings.Contains(got[0], "scripts in tooltip: 0") {
		t.Errorf("heat map tooltip = %q, want the name %q as text", got[0], chScript)
	}
	if !strings.Contains(got[1], "Within 7 days of registering") || !strings.Contains(got[1], chSearch) || !strings.Contains(got[1], "at risk") {
		t.Errorf("curves tooltip = %q", got[1])
	}
}

// The new sheets as LibreOffice shows them, every formula recalculated:
// the formulas of Cohorts, Trend and the projected columns of Channels
// come out as Origen cached them, and n/a stays empty.
func TestMaturityWorkbookInLibreOffice(t *testing.T) {
	if testing.Short() {
		t.Skip("starts LibreOffice")
	}
	r := maturityReport(t)
	f, data := openWorkbookWith(t, r, WorkbookOptions{})
	path := filepath.Join(t.TempDir(), "report.xlsx")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	shown := reportstest.ConvertToCSV(t, path)
	values := reportstest.ConvertToValues(t, path)
	for _, sheet := range []string{sheetCohorts, sheetCurves, sheetTrend, sheetProspects} {
		if len(shown[sheet]) < 5 {
			t.Errorf("LibreOffice shows %d rows of %s", len(shown[sheet]), sheet)
		}
	}
	t.Run("formulas", func(t *testing.T) {
		for _, sheet := range []string{sheetChannels, sheetCohorts, sheetTrend} {
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
					cached := rawValue(t, f, sheet, cell)
					got := ""
					if lo := values[sheet]; i < len(lo) && j < len(lo[i]) {
						got = lo[i][j]
					}
					if !closeEnough(got, cached) {
						t.Errorf("%s!%s = %s: LibreOffice %q, Origen %q", sheet, cell, formula, got, cached)
					}
				}
			}
			t.Logf("%s: %d formula cells agree", sheet, n)
		}
	})
	t.Run("shown", func(t *testing.T) {
		cohorts := shown[sheetCohorts]
		header := cohorts[maturityHeaderRow-1]
		first := cohorts[maturityHeaderRow]
		col := func(h string) int { return slices.Index(header, h) }
		if first[0] != chSearch || first[col("Converted by day 7")] != "4.88%" || first[col("Converted by day 60")] != "" {
			t.Errorf("first cohort row = %q", first)
		}
		if first[col("Cost per customer")] != "99.50 EUR" {
			t.Errorf("cost per customer shows %q", first[col("Cost per customer")])
		}
		prospects := shown[sheetProspects]
		if got := prospects[maturityHeaderRow][1]; got != idFormula {
			t.Errorf("the first prospect's id shows %q, want the text %q", got, idFormula)
		}
		if got := prospects[maturityHeaderRow+1][1]; got != idZero {
			t.Errorf("a leading zero is lost: %q", got)
		}
		if got := prospects[maturityHeaderRow+1][4]; got != "2026-03-29 03:30:00" {
			t.Errorf("registered at shows %q", got)
		}
	})
}

// degenerateReport has every part of registration quality over time, each
// as empty as it can be: a curve with no conversion (no projection
// anywhere), cohorts of spend only, no prospect and a backtest of nobody.
func degenerateReport(t *testing.T) attribution.Report {
	t.Helper()
	r := sampleReport(t)
	loc, err := time.LoadLocation(r.Timezone)
	if err != nil {
		t.Fatal(err)
	}
	set, err := attribution.BuildCurves([]attribution.CurveRow{{Channel: chSearch, ChannelValid: true, Day: 3, Censored: 5, Open: 5}}, r.WindowDays)
	if err != nil {
		t.Fatal(err)
	}
	r.CurvePeriod = attribution.ReportCurvePeriod(r.Period, r.WindowDays)
	r.Curves, r.CurvesTotal = set.Channels, set.All
	attribution.Project(&r, set)
	spend := []attribution.DailySpendRow{{Channel: chKanji, ChannelValid: true, Date: r.Period.From, Amount: 5 * attribution.MoneyScale}}
	in := attribution.CohortInputs{Period: r.Period, Grain: attribution.CohortMonth, Location: loc, AsOf: r.AsOf, WindowDays: r.WindowDays}
	r.CohortGrain = attribution.CohortMonth
	r.Cohorts, r.CohortTotals = attribution.Cohorts(nil, spend, in)
	in.Grain = attribution.CohortWeek
	r.Trend, r.TrendTotals = attribution.Cohorts(nil, spend, in)
	r.ProspectsHorizonDays = 7
	bt := attribution.EvaluateBacktest(nil, 100)
	r.Backtest = &bt
	return r
}

// A report whose analyses are all empty still renders: n/a everywhere,
// and every chart it has drawn.
func TestDegenerateMaturityInClients(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Chromium and LibreOffice")
	}
	r := degenerateReport(t)
	if r.Total.ProjectionCurve != attribution.ProjectionNone || len(r.Cohorts) == 0 {
		t.Fatalf("fixture: total projection %q, %d cohorts", r.Total.ProjectionCurve, len(r.Cohorts))
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	if err := os.WriteFile(page, render(t, writeHTML, r), 0o644); err != nil {
		t.Fatal(err)
	}
	c := reportstest.LoadPage(t, page, 1280, 900, "")
	if p := c.Problems(); len(p) > 0 {
		t.Errorf("problems: %q", p)
	}
	if c.BlankCanvases != 0 || c.Canvases < 5 {
		t.Errorf("%d canvases, %d blank", c.Canvases, c.BlankCanvases)
	}
	if !strings.Contains(c.Text, "No prospect is open at the as-of time.") {
		t.Errorf("the page does not say there is no prospect")
	}
	doc := maturityJSONDoc(t, r)
	if v := doc["total"].(map[string]any)["projected_conversion_rate"]; v != nil {
		t.Errorf("total projected_conversion_rate = %v, want null", v)
	}
	book := filepath.Join(dir, "report.xlsx")
	if err := os.WriteFile(book, render(t, writeWorkbook, r), 0o644); err != nil {
		t.Fatal(err)
	}
	sheets := reportstest.ConvertToCSV(t, book)
	for _, s := range []string{sheetCohorts, sheetCurves, sheetTrend, sheetProspects} {
		if len(sheets[s]) < 4 {
			t.Errorf("LibreOffice shows %d rows of %s", len(sheets[s]), s)
		}
	}
}
