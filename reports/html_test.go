package reports

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/origen-analytics/origen/attribution"
)

func writeHTML(b *bytes.Buffer, r attribution.Report) error { return WriteHTML(b, r) }

// Names that try to break out of each context the page puts names in.
var hostileNames = []string{
	"</script><script>alert(2)</script>",
	"<!--<script>",
	"__f__function(){alert(3)}__f__", // go-echarts' marker for raw JavaScript
	"line\u2028separator",
	`" onmouseover="alert(4)`,
	"{{.Title}}",
}

// hostileReport is the sample report plus channels named hostileNames.
func hostileReport(t *testing.T) attribution.Report {
	t.Helper()
	r := sampleReport(t)
	for i, name := range hostileNames {
		r.Channels = append(r.Channels, attribution.ChannelMetrics{
			Channel: name, Registrations: int64(10 + i), Customers: 1,
			ConversionRate:     attribution.Ratio{Value: 1 / float64(10+i), Valid: true},
			ConversionRateLow:  attribution.Ratio{Value: 0.01, Valid: true},
			ConversionRateHigh: attribution.Ratio{Value: 0.3, Valid: true},
			CostPerCustomer:    attribution.Quotient{Num: 10 * attribution.MoneyScale, Den: 1},
		})
	}
	return r
}

func parseHTML(t *testing.T, b []byte) *html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("parse HTML: %v", err)
	}
	return doc
}

// elements returns every element named tag, in document order.
func elements(n *html.Node, tag string) []*html.Node {
	var out []*html.Node
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && d.Data == tag {
			out = append(out, d)
		}
	}
	return out
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// textOf is the text content of n, as a browser shows it.
func textOf(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return b.String()
}

func byID(t *testing.T, doc *html.Node, id string) *html.Node {
	t.Helper()
	for d := range doc.Descendants() {
		if v, ok := attr(d, "id"); ok && v == id {
			return d
		}
	}
	t.Fatalf("no element #%s", id)
	return nil
}

// chartDataOf decodes the page's chart JSON.
func chartDataOf(t *testing.T, doc *html.Node) (raw string, data struct {
	Charts []struct {
		ID     string         `json:"id"`
		Option map[string]any `json:"option"`
	} `json:"charts"`
	Tips []map[string]string `json:"tips"`
}) {
	t.Helper()
	raw = textOf(byID(t, doc, "origen-chart-data"))
	if err := json.Unmarshal([]byte(raw), &data); err != nil {
		t.Fatalf("chart data is not JSON: %v", err)
	}
	return raw, data
}

func TestHTMLSelfContained(t *testing.T) {
	out := render(t, writeHTML, sampleReport(t))
	doc := parseHTML(t, out)
	remote := regexp.MustCompile(`(?i)^\s*(https?:|//|ftp:)`)

	t.Run("no remote sources", func(t *testing.T) {
		for d := range doc.Descendants() {
			if d.Type != html.ElementNode {
				continue
			}
			switch d.Data {
			case "link", "iframe", "img", "object", "embed", "frame", "video", "audio", "source":
				t.Errorf("page has a <%s> element", d.Data)
			}
			for _, a := range d.Attr {
				switch a.Key {
				case "src", "href", "action", "formaction", "poster", "data", "srcset":
					if remote.MatchString(a.Val) || d.Data == "script" {
						t.Errorf("<%s %s=%q> loads from outside the file", d.Data, a.Key, a.Val)
					}
				}
			}
		}
		for _, s := range elements(doc, "style") {
			css := textOf(s)
			if strings.Contains(css, "@import") || strings.Contains(css, "url(") || strings.Contains(css, "@font-face") {
				t.Errorf("stylesheet loads external resources")
			}
		}
	})

	t.Run("echarts inlined", func(t *testing.T) {
		found := false
		for _, s := range elements(doc, "script") {
			if textOf(s) == echartsJS {
				found = true
			}
		}
		if !found {
			t.Errorf("no <script> holds the embedded echarts.min.js")
		}
		if !strings.Contains(echartsJS, `version="`+echartsVersion+`"`) || !strings.HasPrefix(echartsJS, "\n/*\n* Licensed to the Apache Software Foundation") {
			t.Errorf("assets/echarts.min.js is not ECharts %s with its licence header", echartsVersion)
		}
	})

	t.Run("content security policy", func(t *testing.T) {
		var csp string
		for _, m := range elements(doc, "meta") {
			if v, _ := attr(m, "http-equiv"); strings.EqualFold(v, "Content-Security-Policy") {
				csp, _ = attr(m, "content")
			}
		}
		if !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe-eval") {
			t.Fatalf("CSP = %q, want default-src 'none' and no unsafe-eval", csp)
		}
		// Every script the browser runs must be allowed by hash, or the
		// charts would silently not draw.
		for _, s := range elements(doc, "script") {
			if typ, _ := attr(s, "type"); typ == "application/json" {
				continue
			}
			sum := sha256.Sum256([]byte(textOf(s)))
			if h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(csp, h) {
				t.Errorf("script starting %.40q is not allowed by the CSP", textOf(s))
			}
		}
	})

	t.Run("deterministic", func(t *testing.T) {
		if again := render(t, writeHTML, sampleReport(t)); !bytes.Equal(out, again) {
			t.Errorf("two renders of the same report differ")
		}
	})
}

func TestHTMLEscapesNames(t *testing.T) {
	r := hostileReport(t)
	out := render(t, writeHTML, r)
	doc := parseHTML(t, out)

	t.Run("no raw markup", func(t *testing.T) {
		// "__f__…" and U+2028 are harmless in HTML text; the chart data test
		// checks them where they matter, in JavaScript.
		for _, bad := range []string{"<script>alert(", "<img src=x", "alert(2)</script>", "<!--<script>", `" onmouseover="`} {
			if bytes.Contains(out, []byte(bad)) {
				t.Errorf("output contains %q unescaped", bad)
			}
		}
		if n := len(elements(doc, "script")); n != 3 {
			t.Errorf("page has %d <script> elements, want 3 (chart data, ECharts, page script)", n)
		}
		for d := range doc.Descendants() {
			if d.Type == html.ElementNode {
				for _, a := range d.Attr {
					if strings.HasPrefix(strings.ToLower(a.Key), "on") {
						t.Errorf("<%s> has event handler attribute %s", d.Data, a.Key)
					}
				}
			}
		}
	})

	var want []string
	for _, m := range r.Channels {
		want = append(want, m.Channel)
	}

	t.Run("table shows names as text", func(t *testing.T) {
		var got []string
		for _, tbody := range elements(doc, "tbody") {
			if id, _ := attr(tbody.Parent, "id"); id == "decision-table" {
				continue // the decision view's rows, in their own order
			}
			for _, th := range elements(tbody, "th") {
				got = append(got, textOf(th))
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("row headers = %q\nwant          %q", got, want)
		}
	})

	t.Run("chart data keeps names as JSON strings", func(t *testing.T) {
		raw, data := chartDataOf(t, doc)
		if strings.ContainsAny(raw, "<>&\u2028") {
			t.Errorf("chart JSON contains a raw <, >, & or U+2028")
		}
		// go-echarts' renderer would turn "__f__…__f__" strings into code;
		// here the name must stay a quoted string.
		if !strings.Contains(raw, `"__f__function(){alert(3)}__f__"`) {
			t.Errorf("chart JSON does not keep the __f__ name as a string")
		}
		for _, c := range data.Charts {
			axis := "xAxis"
			if c.ID == "chart-conversion" {
				axis = "yAxis"
			}
			if c.ID == "chart-quadrant" {
				continue // value axes; its bubbles' names are checked in TestHTMLColorsAgree
			}
			var got []string
			for _, v := range c.Option[axis].([]any)[0].(map[string]any)["data"].([]any) {
				got = append(got, v.(string))
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s categories = %q, want %q", c.ID, got, want)
			}
		}
		var tips []string
		for _, tip := range data.Tips {
			tips = append(tips, tip["name"])
		}
		if !slices.Equal(tips, want) {
			t.Errorf("tooltip names = %q, want %q", tips, want)
		}
	})

	t.Run("tooltips escape names", func(t *testing.T) {
		var page string
		for _, s := range elements(doc, "script") {
			if strings.Contains(textOf(s), "origen-chart-data") {
				page = textOf(s)
			}
		}
		// The formatter is the only place names meet HTML in the browser.
		if !strings.Contains(page, "esc(t.name)") || !strings.Contains(page, `"<": "&lt;"`) {
			t.Errorf("page script does not escape names in tooltips")
		}
	})
}

func TestHTMLContent(t *testing.T) {
	r := sampleReport(t)
	r.GeneratedAt = time.Date(2026, 4, 10, 6, 0, 0, 0, time.UTC)
	doc := parseHTML(t, render(t, writeHTML, r))
	body := textOf(doc)
	tests := []struct {
		name string
		want []string
	}{
		{"header", []string{"2026-03-01 – 2026-03-31 (inclusive)", "As of2026-04-10 00:00:00 +02:00",
			"Conversion window30 days", "TimezoneEurope/Paris", "CurrencyEUR"}},
		{"headline figures", []string{"Registrations1,793", "Customers148", "Conversion rate8.25%", "95% interval 7.07% – 9.62%",
			"Spend15,465.68 EUR", "Blended CAC104.50 EUR", "Revenue5,129.29 EUR", "ROAS0.33x"}},
		{"data quality", []string{"Duplicate registrations ignored (a user counts once)7",
			"Existing customers left out (bought before registering)3", "Registrations without a channel, shown as (none)7",
			"Channels with spend but no registrations" + chKanji}},
		{"notes escaped", []string{"A note with <b>markup</b> & an ampersand."}},
		{"rules", []string{windowRule(30), totalRowRule, naRule}},
		{"footer", []string{"Generated by Origen v0.0.0-test at 2026-04-10 08:00:00 +02:00", "Apache ECharts 5.6.0"}},
	}
	for _, c := range columns {
		tests = append(tests, struct {
			name string
			want []string
		}{"definition of " + c.Header, []string{c.Header + c.definition()}})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("page text does not contain %q", w)
				}
			}
		})
	}
	if len(elements(doc, "b")) != 0 {
		t.Errorf("a note's markup became an element")
	}
}

func TestHTMLTable(t *testing.T) {
	doc := parseHTML(t, render(t, writeHTML, sampleReport(t)))
	table := byID(t, doc, "channel-table")
	t.Run("header", func(t *testing.T) {
		var got, want []string
		for _, th := range elements(elements(table, "thead")[0], "th") {
			got = append(got, textOf(th))
		}
		for _, c := range columns {
			want = append(want, c.Header)
		}
		if !slices.Equal(got, want) {
			t.Errorf("headers = %q, want %q", got, want)
		}
	})
	// cells returns the texts of the row whose header is name.
	cells := func(t *testing.T, name string) (texts []string, tds []*html.Node) {
		t.Helper()
		for _, tr := range elements(table, "tr") {
			if th := elements(tr, "th"); len(th) == 1 && textOf(th[0]) == name {
				tds = elements(tr, "td")
				for _, td := range tds {
					texts = append(texts, textOf(td))
				}
				return texts, tds
			}
		}
		t.Fatalf("no row %q", name)
		return nil, nil
	}
	tests := []struct {
		name, channel string
		want          []string // Registrations … Immature registrations
	}{
		{"spend without registrations", chKanji, []string{"0", "0", "n/a", "n/a", "n/a", "999.99", "n/a", "n/a", "0.00", "0.00x", "n/a", "0"}},
		{"registrations without spend", chFormula, []string{"50", "5", "10.00%", "4.35%", "21.36%", "0.00", "0.00", "0.00", "99.95", "n/a", "0.0", "0"}},
		{"no customers", chScript, []string{"30", "0", "0.00%", "0.00%", "11.35%", "120.00", "4.00", "n/a", "0.00", "0.00x", "n/a", "0"}},
		{"thousands separators", chSearch, []string{"1,300", "120", "9.23%", "7.78%", "10.93%", "12,345.67", "9.50", "102.88", "4,199.25", "0.34x", "1.0", "30"}},
		{"non-ASCII", chSocial, []string{"400", "20", "5.00%", "3.26%", "7.60%", "2,000.01", "5.00", "100.00", "800.10", "0.40x", "1.0", "0"}},
		{"total", "Total", []string{"1,793", "148", "8.25%", "7.07%", "9.62%", "15,465.68", "8.63", "104.50", "5,129.29", "0.33x", "1.0", "30"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, tds := cells(t, tt.channel)
			if !slices.Equal(got, tt.want) {
				t.Errorf("cells = %q\nwant    %q", got, tt.want)
			}
			for i, td := range tds {
				class, _ := attr(td, "class")
				class = strings.TrimSpace(strings.TrimSuffix(class, "extra")) // behind the column toggle
				title, _ := attr(td, "title")
				if (got[i] == "n/a") != (class == "na") || (got[i] == "n/a") != strings.HasPrefix(title, "n/a: ") {
					t.Errorf("cell %d (%q) has class %q and title %q", i, got[i], class, title)
				}
			}
		})
	}
	t.Run("total in tfoot", func(t *testing.T) {
		if got := textOf(elements(elements(table, "tfoot")[0], "th")[0]); got != "Total" {
			t.Errorf("tfoot row = %q", got)
		}
	})
}

func TestHTMLCharts(t *testing.T) {
	r := sampleReport(t)
	doc := parseHTML(t, render(t, writeHTML, r))
	_, data := chartDataOf(t, doc)
	t.Run("fixed heights", func(t *testing.T) {
		for _, c := range data.Charts {
			style, _ := attr(byID(t, doc, c.ID), "style")
			if !regexp.MustCompile(`^height: \d+px$`).MatchString(style) {
				t.Errorf("#%s style = %q, want a fixed pixel height", c.ID, style)
			}
		}
	})
	t.Run("canvas renderer", func(t *testing.T) {
		if !strings.Contains(pageJS, `echarts.init(node, null, { renderer: "canvas" })`) {
			t.Errorf("page script does not ask for the canvas renderer")
		}
	})
	if len(data.Charts) != 3 {
		t.Fatalf("%d charts, want 3", len(data.Charts))
	}
	t.Run("CAC as bars, no line across channels", func(t *testing.T) {
		opt := data.Charts[0].Option
		series := opt["series"].([]any)
		cac := series[0].(map[string]any)
		if cac["type"] != "bar" || series[1].(map[string]any)["type"] != "scatter" {
			t.Errorf("series types %v, %v: want CAC bars and target marks", cac["type"], series[1].(map[string]any)["type"])
		}
		for _, s := range series {
			if s.(map[string]any)["type"] == "line" {
				t.Errorf("a line joins the channels")
			}
		}
		for i, m := range r.Channels {
			d := cac["data"].([]any)[i].(map[string]any)
			if m.CostPerCustomer.Valid() != (d["value"] != "-") {
				t.Errorf("%s CAC bar = %v, want \"-\" exactly when n/a", m.Channel, d["value"])
			}
			faded := d["itemStyle"].(map[string]any)["opacity"] != 1.0
			if faded != (m.Registrations < smallChannel) {
				t.Errorf("%s (%d registrations) faded = %v", m.Channel, m.Registrations, faded)
			}
		}
		// The axis is scaled to channels of 30 registrations or more:
		// Search's 102.88 is the largest of them (<img> costs 0.01).
		if max := opt["yAxis"].([]any)[0].(map[string]any)["max"]; max != 120.0 {
			t.Errorf("CAC axis max = %v, want 120 (102.88 with room, rounded)", max)
		}
	})
	t.Run("quadrant: CAC against customers, bubble area by spend", func(t *testing.T) {
		q := data.Charts[2]
		if q.ID != "chart-quadrant" {
			t.Fatalf("third chart is %s", q.ID)
		}
		sizes := map[string]float64{}
		for _, d := range q.Option["series"].([]any)[0].(map[string]any)["data"].([]any) {
			b := d.(map[string]any)
			sizes[b["name"].(string)] = b["symbolSize"].(float64)
		}
		// Channels with customers only; Search has the most spend: the
		// largest bubble, 10 + 50.
		if len(sizes) != 5 || sizes[chSearch] != 60 || sizes[chSocial] >= sizes[chSearch] {
			t.Errorf("bubbles = %v", sizes)
		}
	})
	t.Run("conversion with Wilson interval", func(t *testing.T) {
		series := data.Charts[1].Option["series"].([]any)
		custom := series[1].(map[string]any)
		if custom["type"] != "custom" {
			t.Fatalf("second series is %v, want the custom error bars", custom["type"])
		}
		var got [][]float64
		for _, d := range custom["data"].([]any) {
			var p []float64
			for _, v := range d.(map[string]any)["value"].([]any) {
				p = append(p, v.(float64))
			}
			got = append(got, p)
		}
		var want [][]float64
		for i, m := range r.Channels {
			if m.ConversionRateLow.Valid {
				want = append(want, []float64{float64(i), m.ConversionRateLow.Value * 100, m.ConversionRateHigh.Value * 100})
			}
		}
		if !slices.EqualFunc(got, want, slices.Equal[[]float64]) {
			t.Errorf("error bars = %v, want %v", got, want)
		}
	})
}

func TestHTMLEmptyReport(t *testing.T) {
	r := attribution.Report{
		Period:   attribution.Period{From: attribution.Date{Year: 2026, Month: 1, Day: 1}, To: attribution.Date{Year: 2026, Month: 2, Day: 1}},
		Currency: attribution.Currency{Code: "USD", Digits: 2},
	}
	doc := parseHTML(t, render(t, writeHTML, r))
	if n := len(elements(doc, "script")); n != 0 {
		t.Errorf("page without channels has %d scripts, want none", n)
	}
	if !strings.Contains(textOf(doc), "No channels in this period.") {
		t.Errorf("page does not say there are no channels")
	}
}
