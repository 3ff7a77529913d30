package reports

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/origen-analytics/origen/attribution"
)

func TestHTMLKPIs(t *testing.T) {
	doc := parseHTML(t, render(t, writeHTML, fullReport(t)))
	var cards []string
	for d := range doc.Descendants() {
		if c, _ := attr(d, "class"); c == "kpi" {
			cards = append(cards, textOf(d))
		}
	}
	want := []string{
		"Registrations1,793▲ +7.7% (was 1,665)",
		"Customers148▲ +9.6% (was 135)",
		"Conversion rate8.25%95% interval 7.07% – 9.62%▲ +0.15 pp (was 8.11%)on target target ≥ 6.00%",
		// Paid: 15,465.68 / 142 = 108.91, was 14,400 / 135 = 106.67 (every
		// channel of the previous period had spend): +2.1%.
		"Paid CAC108.91 EURpaid channels' spend ÷ their customers▲ +2.1% (was 106.67)on target target ≤ 110.00 EUR",
		"Blended CAC104.50 EURall spend ÷ all customers▼ -2.0% (was 106.67)on target target ≤ 110.00 EUR",
		"ROAS0.33xrevenue ÷ spend▼ -9.0% (was 0.36x)",
		"Spend15,465.68 EUR▲ +7.4% (was 14,400.00)",
		"Revenue5,129.29 EUR▼ -2.3% (was 5,250.00)",
		"Immature registrations30may still convert",
	}
	if !slices.Equal(cards, want) {
		t.Errorf("cards =\n%q\nwant\n%q", cards, want)
	}
	tones := map[string]string{}
	for d := range doc.Descendants() {
		if c, _ := attr(d, "class"); strings.HasPrefix(c, "change ") {
			tones[textOf(d.Parent.FirstChild)] = strings.TrimPrefix(c, "change ")
		}
	}
	// A lower cost per customer is good; spend is neither good nor bad.
	for label, tone := range map[string]string{"Customers": "good", "Blended CAC": "good", "ROAS": "bad", "Spend": "neutral"} {
		if tones[label] != tone {
			t.Errorf("%s change is %q, want %q", label, tones[label], tone)
		}
	}
	t.Run("missed target", func(t *testing.T) {
		r := fullReport(t)
		low := attribution.Money(50 * attribution.MoneyScale)
		r.Targets.Default.CACMax = &low
		body := textOf(parseHTML(t, render(t, writeHTML, r)))
		if !strings.Contains(body, "off target target ≤ 50.00 EUR") {
			t.Errorf("the CAC card does not show the missed target")
		}
	})
	t.Run("no previous period, no target", func(t *testing.T) {
		body := textOf(parseHTML(t, render(t, writeHTML, sampleReport(t))))
		if strings.Contains(body, "(was ") || strings.Contains(body, "on target") {
			t.Errorf("the page shows changes or statuses it has no data for")
		}
	})
}

func TestChannelColors(t *testing.T) {
	names := []string{"Paid Search", "Email", "Organic Search", "Referral", "Affiliate", "Paid Social", "Display", attribution.NoChannel}
	a := channelColors(names)
	t.Run("keyed by name, not rank or set", func(t *testing.T) {
		b := channelColors([]string{"Display", "Email", "TikTok", attribution.NoChannel})
		for _, n := range []string{"Display", "Email", attribution.NoChannel} {
			if a[n] != b[n] {
				t.Errorf("%s is %s in one report and %s in another", n, a[n], b[n])
			}
		}
	})
	t.Run("distinct while the palette lasts", func(t *testing.T) {
		seen := map[string]string{}
		for n, c := range a {
			if other, ok := seen[c]; ok {
				t.Errorf("%s and %s share %s", n, other, c)
			}
			seen[c] = n
		}
	})
	t.Run("no channel is grey", func(t *testing.T) {
		if a[attribution.NoChannel] != noChannelColor {
			t.Errorf("(none) is %s", a[attribution.NoChannel])
		}
	})
	t.Run("a channel without a clash has its own entry", func(t *testing.T) {
		one := channelColors([]string{"Paid Search"})
		if one["Paid Search"] != channelPalette[paletteIndex("Paid Search")] {
			t.Errorf("Paid Search alone is %s", one["Paid Search"])
		}
	})
	t.Run("more channels than colours", func(t *testing.T) {
		var many []string
		for i := range 30 {
			many = append(many, fmt.Sprintf("channel %d", i))
		}
		if got := channelColors(many); len(got) != 30 {
			t.Errorf("%d colours for 30 channels", len(got))
		}
	})
}

// The table's swatch and every chart draw a channel in the same colour.
func TestHTMLColorsAgree(t *testing.T) {
	r := fullReport(t)
	doc := parseHTML(t, render(t, writeHTML, r))
	swatch := map[string]string{}
	for _, tr := range elements(byID(t, doc, "channel-table"), "tr") {
		for _, s := range elements(tr, "span") {
			if c, _ := attr(s, "class"); c == "swatch" {
				style, _ := attr(s, "style")
				swatch[textOf(elements(tr, "bdi")[0])] = strings.TrimPrefix(style, "background: ")
			}
		}
	}
	if len(swatch) != len(r.Channels)+1 {
		t.Fatalf("%d swatches, want one per row", len(swatch))
	}
	_, data := chartDataOf(t, doc)
	for _, c := range data.Charts {
		axis := "xAxis"
		if c.ID == "chart-conversion" {
			axis = "yAxis"
		}
		if c.ID == "chart-quadrant" {
			// One bubble per channel with customers, named.
			for _, d := range c.Option["series"].([]any)[0].(map[string]any)["data"].([]any) {
				b := d.(map[string]any)
				if color := b["itemStyle"].(map[string]any)["color"]; color != swatch[b["name"].(string)] {
					t.Errorf("%s: %s is %v, the table's swatch %s", c.ID, b["name"], color, swatch[b["name"].(string)])
				}
			}
			continue
		}
		cats := c.Option[axis].([]any)[0].(map[string]any)["data"].([]any)
		bars := c.Option["series"].([]any)[0].(map[string]any)["data"].([]any)
		for i, name := range cats {
			color := bars[i].(map[string]any)["itemStyle"].(map[string]any)["color"]
			if color != swatch[name.(string)] {
				t.Errorf("%s: %s is %v, the table's swatch %s", c.ID, name, color, swatch[name.(string)])
			}
		}
	}
}

func TestHTMLComparisonTable(t *testing.T) {
	r := fullReport(t)
	doc := parseHTML(t, render(t, writeHTML, r))
	table := byID(t, doc, "channel-table")
	var headers []string
	for _, th := range elements(elements(table, "thead")[0], "th") {
		headers = append(headers, textOf(th))
	}
	wantHeaders := []string{"Channel", "Status", "Registrations", "Customers", "Δ% Customers", "Conversion rate", "CR low", "CR high", "Δ Conversion rate (pp)",
		"Spend", "Cost per registration", "Cost per customer", "Δ% Cost per customer", "Revenue", "ROAS", "Δ ROAS", "Median days to convert", "Immature registrations"}
	if !slices.Equal(headers, wantHeaders) {
		t.Errorf("headers = %q\nwant      %q", headers, wantHeaders)
	}
	row := func(name string) []*html.Node {
		for _, tr := range elements(table, "tr") {
			if th := elements(tr, "th"); len(th) == 1 && strings.HasSuffix(textOf(th[0]), name) {
				return elements(tr, "td")
			}
		}
		t.Fatalf("no row %q", name)
		return nil
	}
	cell := func(name, header string) (text, class, sort string) {
		td := row(name)[slices.Index(headers, header)-1]
		class, _ = attr(td, "class")
		class = strings.TrimSpace(strings.TrimSuffix(class, "extra")) // behind the column toggle
		sort, _ = attr(td, "data-sort")
		return textOf(td), class, sort
	}
	tests := []struct{ name, header, text, class, sort string }{
		{chSocial, "Status", "off targetCAC 100.00 > 90.00; conversion rate 5.00% < 6.00%", "status off-target", "off target"},
		{chSearch, "Status", "on target", "status on-target", "on target"},
		{chGone, "Status", "not evaluated", "status not-evaluated", "not evaluated"},
		{chSearch, "Δ% Customers", "+20.00%", "good", "0.19999999999999996"},
		{chSocial, "Δ% Customers", "-20.00%", "bad", "-0.19999999999999996"},
		{chSearch, "Δ% Cost per customer", "-6.47%", "good", "-0.06472196969696975"},
		{chSearch, "Δ Conversion rate (pp)", "+0.90 pp", "good", "0.008974358974358984"},
		{chKanji, "Δ% Customers", "n/a", "na", ""},
		{chSearch, "Registrations", "1,300", "", "1300"},
		{chGone, "Customers", "0", "", "0"},
		{chSocial, "Δ% Cost per customer", "0.00%", "", "2.4999999999053557e-06"}, // rounds to no change: no sign, no colour
	}
	for _, tt := range tests {
		t.Run(tt.name+" "+tt.header, func(t *testing.T) {
			text, class, sort := cell(tt.name, tt.header)
			if text != tt.text || class != tt.class || sort != tt.sort {
				t.Errorf("cell = %q class %q sort %q, want %q class %q sort %q", text, class, sort, tt.text, tt.class, tt.sort)
			}
		})
	}
	t.Run("comparison chart includes the previous period's channels", func(t *testing.T) {
		_, data := chartDataOf(t, doc)
		if len(data.Charts) != 4 || data.Charts[2].ID != "chart-change" {
			t.Fatalf("charts = %d, want the comparison third", len(data.Charts))
		}
		cats := data.Charts[2].Option["xAxis"].([]any)[0].(map[string]any)["data"].([]any)
		if cats[len(cats)-1] != chGone {
			t.Errorf("categories = %v, want %q last", cats, chGone)
		}
	})
	t.Run("target line on the conversion chart", func(t *testing.T) {
		_, data := chartDataOf(t, doc)
		ml := data.Charts[1].Option["series"].([]any)[0].(map[string]any)["markLine"].(map[string]any)
		if x := ml["data"].([]any)[0].(map[string]any)["xAxis"]; x != 6.0 {
			t.Errorf("target line at %v, want 6 (%%)", x)
		}
	})
	t.Run("every check listed", func(t *testing.T) {
		body := textOf(doc)
		for _, c := range qualityChecks(r) {
			if !strings.Contains(body, c.Label) || !strings.Contains(body, c.Action) {
				t.Errorf("the page does not list the check %q", c.Label)
			}
		}
	})
	t.Run("print and phone styles", func(t *testing.T) {
		css := textOf(elements(doc, "style")[0])
		for _, want := range []string{"@media print", "@page { size: A4 landscape", ".table-tools { display: none; }", "@media (max-width: 640px)"} {
			if !strings.Contains(css, want) {
				t.Errorf("stylesheet lacks %q", want)
			}
		}
	})
}
