package reports

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/origen-analytics/origen/attribution"
)

// foldedPage renders r with at most max channels by name.
func foldedPage(t *testing.T, r attribution.Report, max int) *html.Node {
	t.Helper()
	var b bytes.Buffer
	if err := WriteHTMLWith(&b, r, HTMLOptions{MaxChannels: max}); err != nil {
		t.Fatal(err)
	}
	return parseHTML(t, b.Bytes())
}

// tableRowsOf returns the cells' texts of each row of a table section
// (thead, tbody or tfoot) of the channel table, the name first.
func tableRowsOf(t *testing.T, doc *html.Node, section string) [][]string {
	t.Helper()
	table := byID(t, doc, "channel-table")
	var out [][]string
	for _, s := range elements(table, section) {
		for _, tr := range elements(s, "tr") {
			var row []string
			for c := tr.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.ElementNode && (c.Data == "th" || c.Data == "td") {
					row = append(row, strings.TrimSpace(textOf(c)))
				}
			}
			out = append(out, row)
		}
	}
	return out
}

func TestHTMLFoldsChannels(t *testing.T) {
	r := fullReport(t) // 8 channels, one of the previous period only, targets
	const max = 3
	rows, total := tableRows(r)
	doc := foldedPage(t, r, max)
	body, foot := tableRowsOf(t, doc, "tbody"), tableRowsOf(t, doc, "tfoot")
	header := tableRowsOf(t, doc, "thead")[0]
	cell := func(t *testing.T, row []string, h string) string {
		t.Helper()
		i := slices.Index(header, h)
		if i < 0 {
			t.Fatalf("no column %q in %q", h, header)
		}
		return row[i]
	}

	t.Run("the channels with the most registrations, in table order", func(t *testing.T) {
		var names []string
		for _, row := range body {
			names = append(names, row[0])
		}
		if want := []string{chSearch, chSocial, chFormula}; !slices.Equal(names, want) {
			t.Errorf("rows = %q, want %q", names, want)
		}
	})
	other := foot[0]
	folded := rows[max:] // sampleReport's largest channels come first
	label := otherLabel(len(folded))
	t.Run("one row adds up the others, ratios from its sums", func(t *testing.T) {
		if len(foot) != 2 || other[0] != label || foot[1][0] != totalLabel {
			t.Fatalf("tfoot = %q, want %q then Total", foot, label)
		}
		var regs, customers int64
		var spend, revenue attribution.Money
		hist := make([]int64, r.WindowDays)
		for _, x := range folded {
			regs += x.M.Registrations
			customers += x.M.Customers
			spend += x.M.Spend
			revenue += x.M.Revenue
			for d, n := range x.M.DaysToConvert {
				hist[d] += n
			}
		}
		// The folded and shown rows add up to the Total.
		var shown int64
		for _, x := range rows[:max] {
			shown += x.M.Registrations
		}
		if shown+regs != total.M.Registrations {
			t.Fatalf("%d shown + %d folded registrations != %d", shown, regs, total.M.Registrations)
		}
		for _, tt := range []struct{ header, want string }{
			{"Registrations", formatCount(regs)},
			{"Customers", formatCount(customers)},
			{"Conversion rate", formatPercent(float64(customers) / float64(regs))},
			{"Spend", attribution.GroupDigits(spend.Format(2))},
			{"Revenue", attribution.GroupDigits(revenue.Format(2))},
			// Off the default target: the reason follows the value.
			{"Cost per customer", attribution.GroupDigits(attribution.Quotient{Num: spend, Den: customers}.Format(2)) +
				"CAC " + attribution.GroupDigits(attribution.Quotient{Num: spend, Den: customers}.Format(2)) + " > 110.00"},
			{"ROAS", formatLift(attribution.Ratio{Value: float64(revenue) / float64(spend), Valid: true})},
			{"Median days to convert", formatDays(attribution.MedianOfHistogram(hist))},
		} {
			if got := cell(t, other, tt.header); got != tt.want {
				t.Errorf("%s = %q, want %q", tt.header, got, tt.want)
			}
		}
		lo, hi := attribution.Wilson(customers, regs)
		if got := cell(t, other, "CR low"); got != formatPercent(lo.Value) {
			t.Errorf("CR low = %q, want %q (Wilson of the sums)", got, formatPercent(lo.Value))
		}
		if got := cell(t, other, "CR high"); got != formatPercent(hi.Value) {
			t.Errorf("CR high = %q, want %q", got, formatPercent(hi.Value))
		}
	})
	t.Run("its previous period adds up the same channels", func(t *testing.T) {
		var prev int64
		for _, x := range folded {
			prev += x.Prev.Customers
		}
		now := mustCount(t, cell(t, other, "Customers"))
		want := formatPercent(float64(now)/float64(prev) - 1)
		if got := cell(t, other, "Δ% Customers"); strings.TrimPrefix(got, "+") != want {
			t.Errorf("Δ%% customers = %q, want %s (%d now, %d before)", got, want, now, prev)
		}
	})
	t.Run("the page says what it folded and where the rest is", func(t *testing.T) {
		text := textOf(byID(t, doc, "folded"))
		for _, want := range []string{formatCount(int64(len(rows))) + " channels:", "show the 3 with the most registrations by name",
			"add up the other " + formatCount(int64(len(folded))) + " in the row “" + label + "”", "workbook and the JSON list every channel"} {
			if !strings.Contains(text, want) {
				t.Errorf("%q does not say %q", text, want)
			}
		}
	})
	t.Run("charts show the same rows", func(t *testing.T) {
		_, data := chartDataOf(t, doc)
		var specs struct {
			Charts []struct {
				ID   string `json:"id"`
				Rows []int  `json:"rows"`
			} `json:"charts"`
		}
		raw := textOf(byID(t, doc, "origen-chart-data"))
		if err := json.Unmarshal([]byte(raw), &specs); err != nil {
			t.Fatal(err)
		}
		for i, c := range data.Charts {
			axis := "xAxis"
			if c.ID == "chart-conversion" {
				axis = "yAxis"
			}
			var names []string
			if c.ID == "chart-quadrant" {
				// Bubbles of the channels with customers, named.
				for _, d := range c.Option["series"].([]any)[0].(map[string]any)["data"].([]any) {
					names = append(names, d.(map[string]any)["name"].(string))
				}
			} else {
				for _, n := range c.Option[axis].([]any)[0].(map[string]any)["data"].([]any) {
					names = append(names, n.(string))
				}
			}
			if want := []string{chSearch, chSocial, chFormula, label}; !slices.Equal(names, want) {
				t.Errorf("%s categories = %q, want %q", c.ID, names, want)
			}
			for j, row := range specs.Charts[i].Rows {
				if got := data.Tips[row]["name"]; got != names[j] {
					t.Errorf("%s category %d has the tooltip of %q, want %q", c.ID, j, got, names[j])
				}
			}
		}
		if len(data.Charts) != 4 {
			t.Errorf("%d charts, want 4 with the comparison", len(data.Charts))
		}
	})
	t.Run("no fold within the limit", func(t *testing.T) {
		doc := foldedPage(t, r, 0) // DefaultMaxChannels
		if foot := tableRowsOf(t, doc, "tfoot"); len(foot) != 1 || len(tableRowsOf(t, doc, "tbody")) != len(rows) {
			t.Errorf("tfoot = %q, want only the Total and every channel in the body", foot)
		}
		for d := range doc.Descendants() {
			if id, _ := attr(d, "id"); id == "folded" {
				t.Errorf("the page says it folded channels without folding any")
			}
		}
		if text := textOf(byID(t, doc, "channel-table")); strings.Contains(text, "other channels") {
			t.Errorf("the table has a row of other channels without folding any")
		}
	})
	t.Run("the JSON keeps every channel", func(t *testing.T) {
		var doc struct {
			Channels []struct {
				Channel string `json:"channel"`
			} `json:"channels"`
		}
		if err := json.Unmarshal(render(t, writeJSONFor, r), &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Channels) != len(r.Channels) {
			t.Errorf("JSON has %d channels, want %d", len(doc.Channels), len(r.Channels))
		}
	})
}

func writeJSONFor(b *bytes.Buffer, r attribution.Report) error { return WriteJSON(b, r) }

func mustCount(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	for _, c := range s {
		if c >= '0' && c <= '9' {
			n = n*10 + int64(c-'0')
		}
	}
	return n
}

func formatDays(r attribution.Ratio) string {
	c := columnByKey("median_days_to_convert")
	return c.display(ratioValue(r), attribution.Currency{})
}

func TestHTMLFoldsMaturitySections(t *testing.T) {
	r := maturityReport(t)
	const max = 2
	doc := foldedPage(t, r, max)
	fold := foldChannels(r, max)
	_, charts := maturityData(t, doc)
	byChart := map[string]maturityChart{}
	for _, c := range charts {
		byChart[c.ID] = c
	}

	t.Run("cohorts: the shown channels, one row of the others per cohort", func(t *testing.T) {
		var others []attribution.CohortMetrics
		rows, other := foldCohorts(r.Cohorts, r.CohortTotals, fold)
		for _, c := range rows {
			if !fold.Shown[c.Channel] {
				t.Errorf("cohort row of %q, which the page folds", c.Channel)
			}
		}
		others = other
		if len(others) != len(r.CohortTotals) {
			t.Fatalf("%d other rows for %d cohorts", len(others), len(r.CohortTotals))
		}
		for i, tot := range r.CohortTotals {
			var regs int64
			for _, c := range rows {
				if c.Cohort == tot.Cohort {
					regs += c.Registrations
				}
			}
			o := others[i]
			if o.Registrations+regs != tot.Registrations {
				t.Errorf("%s: %d other + %d shown registrations != %d", tot.Cohort, o.Registrations, regs, tot.Registrations)
			}
			count := func(c attribution.CohortMetrics, d int) int64 {
				return int64(math.Round(c.ConversionByDay()[d].Value * float64(c.Registrations)))
			}
			for d, v := range o.ConversionByDay() {
				if v.Valid != (tot.ConversionByDay()[d].Valid && o.Registrations > 0) {
					t.Errorf("%s day %d: other defined %v, total %v", tot.Cohort, d, v.Valid, tot.ConversionByDay()[d].Valid)
				}
				if !v.Valid {
					continue
				}
				// Its converted count is the Total's less the shown channels'.
				want := count(tot, d)
				for _, c := range rows {
					if c.Cohort == tot.Cohort && c.ConversionByDay()[d].Valid {
						want -= count(c, d)
					}
				}
				if got := count(o, d); got != want {
					t.Errorf("%s day %d: other converted %d, want %d", tot.Cohort, d, got, want)
				}
			}
		}
		// The heat maps: the Total, the shown channels with
		// registrations and the others.
		var maps []string
		for _, c := range charts {
			if strings.HasPrefix(c.ID, "chart-cohorts-") {
				maps = append(maps, c.ID)
			}
		}
		if len(maps) > 1+max+1 {
			t.Errorf("%d heat maps, want at most %d", len(maps), max+2)
		}
	})
	t.Run("trend: the stacked series still add up to each week", func(t *testing.T) {
		c := byChart["chart-trend-registrations"]
		series := c.Option["series"].([]any)
		if len(series) > max+1 {
			t.Errorf("%d series, want at most %d", len(series), max+1)
		}
		for w, tot := range r.TrendTotals {
			var sum float64
			for _, s := range series {
				if v, ok := s.(map[string]any)["data"].([]any)[w].(map[string]any)["value"].(float64); ok {
					sum += v
				}
			}
			if int64(sum) != tot.Registrations {
				t.Errorf("week %s: series add up to %v, want %d", tot.Cohort, sum, tot.Registrations)
			}
		}
	})
	t.Run("curves: the shown channels, the others pooled, the Total", func(t *testing.T) {
		curves, other := foldCurves(reportCurves(r), fold)
		if other == "" || curveLabel(curves[len(curves)-1]) != totalLabel || curveLabel(curves[len(curves)-2]) != other {
			t.Fatalf("curves end with %q, want the others then the Total", curveLabel(curves[len(curves)-2]))
		}
		pooled := curves[len(curves)-2]
		var regs int64
		for _, c := range reportCurves(r) {
			if curveLabel(c) != totalLabel && !fold.Shown[c.Channel] {
				regs += c.Registrations
			}
		}
		if pooled.Registrations != regs || pooled.F[pooled.WindowDays] <= 0 {
			t.Errorf("pooled curve of %d registrations (want %d), F(W) = %v", pooled.Registrations, regs, pooled.F[pooled.WindowDays])
		}
		series := byChart["chart-curves"].Option["legend"].(map[string]any)["data"].([]any)
		if len(series) != len(curves) {
			t.Errorf("legend %v, want the %d curves", series, len(curves))
		}
	})
}
