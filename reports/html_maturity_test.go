package reports

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/origen-analytics/origen/attribution"
)

// maturityData decodes the page's #origen-maturity-data.
func maturityData(t *testing.T, doc *html.Node) (raw string, charts []maturityChart) {
	t.Helper()
	raw = textOf(byID(t, doc, "origen-maturity-data"))
	var data struct {
		Charts []maturityChart `json:"charts"`
	}
	if err := json.Unmarshal([]byte(raw), &data); err != nil {
		t.Fatalf("maturity data is not JSON: %v", err)
	}
	return raw, data.Charts
}

// maturityChartIDs are the charts the page of r draws for registration
// quality over time, in page order.
func maturityChartIDs(r attribution.Report) []string {
	ids := []string{"chart-curves", "chart-cohorts-total"}
	seen := map[string]bool{}
	n := 0
	for _, c := range r.Cohorts {
		if seen[c.Channel] {
			continue
		}
		seen[c.Channel] = true
		var regs int64
		for _, d := range r.Cohorts {
			if d.Channel == c.Channel {
				regs += d.Registrations
			}
		}
		if regs > 0 {
			ids = append(ids, fmt.Sprintf("chart-cohorts-%d", n+1))
			n++
		}
	}
	return append(ids, "chart-trend-registrations", "chart-trend-conversion", "chart-trend-cac", "chart-calibration")
}

func TestHTMLMaturitySections(t *testing.T) {
	r := maturityReport(t)
	out := render(t, writeHTML, r)
	doc := parseHTML(t, out)
	raw, charts := maturityData(t, doc)

	t.Run("every chart has its element, a fixed height and data", func(t *testing.T) {
		var ids []string
		for _, c := range charts {
			ids = append(ids, c.ID)
			style, _ := attr(byID(t, doc, c.ID), "style")
			if !regexp.MustCompile(`^height: \d+px$`).MatchString(style) {
				t.Errorf("#%s style = %q, want a fixed pixel height", c.ID, style)
			}
		}
		if want := maturityChartIDs(r); !slices.Equal(ids, want) {
			t.Errorf("charts = %q, want %q", ids, want)
		}
		for _, id := range []string{"curves", "cohorts", "trend", "prospects"} {
			byID(t, doc, id)
		}
	})
	t.Run("names cannot escape the JSON", func(t *testing.T) {
		if strings.ContainsAny(raw, "<>") || strings.Contains(raw, "\u2028") {
			t.Errorf("maturity data holds a raw <, > or U+2028")
		}
		for _, name := range []string{chScript, chSocial, hostileNames[2]} {
			if !strings.Contains(raw, strings.NewReplacer("<", `\u003c`, ">", `\u003e`, "&", `\u0026`).Replace(name)) {
				t.Errorf("maturity data lacks %q, escaped", name)
			}
		}
		if regexp.MustCompile(`"formatter":\s*"?function`).MatchString(raw) {
			t.Errorf("maturity data holds code")
		}
	})
	t.Run("the page script is the one the policy allows", func(t *testing.T) {
		csp := ""
		for _, m := range elements(doc, "meta") {
			if v, _ := attr(m, "http-equiv"); v == "Content-Security-Policy" {
				csp, _ = attr(m, "content")
			}
		}
		var inline []string
		for _, s := range elements(doc, "script") {
			if typ, _ := attr(s, "type"); typ == "" {
				inline = append(inline, textOf(s))
			}
		}
		if !slices.Contains(inline, maturityJS) || !strings.Contains(csp, scriptHash(maturityJS)) {
			t.Errorf("maturity.js is not inlined verbatim or its hash is not in the CSP %q", csp)
		}
		if len(inline) != 3 {
			t.Errorf("%d inline scripts, want ECharts, the page script and maturity.js", len(inline))
		}
	})
	t.Run("prospects are text", func(t *testing.T) {
		section := textOf(byID(t, doc, "prospects"))
		for _, want := range []string{idFormula, idZero, idScript, campPlus, "2026-03-29 03:30:00 +02:00", "23.54%", "4.53x"} {
			if !strings.Contains(section, want) {
				t.Errorf("prospects section does not show %q", want)
			}
		}
		for _, s := range elements(byID(t, doc, "prospects"), "script") {
			t.Errorf("a prospect became a script: %q", textOf(s))
		}
	})
	t.Run("curves state their period", func(t *testing.T) {
		if text := textOf(byID(t, doc, "curves")); !strings.Contains(text, periodText(r.CurvePeriod)) {
			t.Errorf("curves section does not state %s", periodText(r.CurvePeriod))
		}
	})
}

func TestHTMLHeatMaps(t *testing.T) {
	r := maturityReport(t)
	doc := parseHTML(t, render(t, writeHTML, r))
	_, charts := maturityData(t, doc)
	var maps []maturityChart
	for _, c := range charts {
		if strings.HasPrefix(c.ID, "chart-cohorts-") {
			maps = append(maps, c)
		}
	}
	if len(maps) == 0 {
		t.Fatal("no heat maps")
	}
	for _, m := range maps {
		t.Run(m.ID, func(t *testing.T) {
			series := m.Option["series"].([]any)
			cells := series[0].(map[string]any)["data"].([]any)
			na := series[1].(map[string]any)["data"].([]any)
			rows := len(m.Option["yAxis"].([]any)[0].(map[string]any)["data"].([]any))
			if len(cells)+len(na) != rows*attribution.NumCohortDays {
				t.Errorf("%d + %d cells for %d cohorts", len(cells), len(na), rows)
			}
			for _, c := range na {
				v := c.(map[string]any)["value"].([]any)
				key := fmt.Sprint(v[0], ",", v[1])
				if m.Tip.Labels[key] != "n/a" || !strings.Contains(strings.Join(m.Tip.Cells[key], " "), "n/a") {
					t.Errorf("grey cell %s is labelled %q / %q, want n/a", key, m.Tip.Labels[key], m.Tip.Cells[key])
				}
			}
			for _, c := range cells {
				v := c.(map[string]any)["value"].([]any)
				key := fmt.Sprint(v[0], ",", v[1])
				if m.Tip.Labels[key] == "n/a" || m.Tip.Labels[key] == "" {
					t.Errorf("cell %s = %v has label %q", key, v[2], m.Tip.Labels[key])
				}
			}
			vm := m.Option["visualMap"].([]any)[0].(map[string]any)
			if !equalJSON(vm["seriesIndex"], []any{0}) {
				t.Errorf("the colour scale applies to %v, want only the first series (grey stays grey)", vm["seriesIndex"])
			}
		})
	}
	// Not mature is n/a, never 0: the total of the last week has no
	// day-60 conversion and the map's cell says n/a.
	total := maps[0]
	last := len(r.CohortTotals) - 1
	if key := fmt.Sprintf("3,%d", last); total.Tip.Labels[key] != "n/a" {
		t.Errorf("total day 60 of the last cohort is labelled %q", total.Tip.Labels[key])
	}
}

func TestHTMLProjectedColumns(t *testing.T) {
	r := maturityReport(t)
	doc := parseHTML(t, render(t, writeHTML, r))
	table := byID(t, doc, "channel-table")
	var heads []string
	for _, th := range elements(elements(table, "thead")[0], "th") {
		heads = append(heads, textOf(th))
	}
	i, j := slices.Index(heads, "Projected conversion rate"), slices.Index(heads, "Projected cost per customer")
	if i < 0 || j < 0 || heads[i-1] != "CR high" || heads[j-1] != "Cost per customer" {
		t.Fatalf("headers = %q, want the projected figures next to the observed ones", heads)
	}
	row := func(name string) []*html.Node {
		t.Helper()
		for _, tr := range elements(table, "tr") {
			if th := elements(tr, "th"); len(th) > 0 && textOf(th[0]) == name {
				return elements(tr, "td")
			}
		}
		t.Fatalf("no row %q", name)
		return nil
	}
	m := channel(t, r, chSearch)
	cells := row(chSearch)
	rate, cost := textOf(cells[i-1]), textOf(cells[j-1]) // the first header is the row's
	wantRate := formatPercent(m.ProjectedConversionRate.Value) + formatPercent(m.ProjectedConversionRateLow.Value) + " – " + formatPercent(m.ProjectedConversionRateHigh.Value)
	if rate != wantRate {
		t.Errorf("projected conversion rate cell = %q, want %q", rate, wantRate)
	}
	if !strings.HasPrefix(cost, attribution.GroupDigits(m.ProjectedCostPerCustomer.Format(2))) || !strings.Contains(cost, " – ") {
		t.Errorf("projected cost cell = %q", cost)
	}
	if got := textOf(row(chKanji)[i-1]); got != "n/a" {
		t.Errorf("spend-only channel's projection = %q, want n/a", got)
	}
	kpis := textOf(elements(doc, "section")[1]) // after the decision view
	if !strings.Contains(kpis, "projected "+formatPercent(r.Total.ProjectedConversionRate.Value)) {
		t.Errorf("the conversion rate card does not show the projection: %q", kpis)
	}
}

func TestHTMLWithoutMaturity(t *testing.T) {
	doc := parseHTML(t, render(t, writeHTML, sampleReport(t)))
	for d := range doc.Descendants() {
		if id, _ := attr(d, "id"); id == "origen-maturity-data" || id == "curves" || id == "cohorts" || id == "prospects" {
			t.Errorf("a report without curves, cohorts or prospects has #%s", id)
		}
	}
	for _, th := range elements(doc, "th") {
		if strings.HasPrefix(textOf(th), "Projected") {
			t.Errorf("a report without curves has the column %q", textOf(th))
		}
	}
}
