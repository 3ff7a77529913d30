package reports

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"sync"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/origen-analytics/origen/attribution"
)

// echartsJS is Apache ECharts 5.6.0 (dist/echarts.min.js from the npm
// package, Apache-2.0: see assets/LICENSE and assets/NOTICE). It is inlined
// into every page because the HTML must render with no network, and
// go-echarts would otherwise load it from a CDN.
//
//go:embed assets/echarts.min.js
var echartsJS string

// echartsVersion is the version of assets/echarts.min.js.
const echartsVersion = "5.6.0"

//go:embed templates/report.html
var pageSource string

// pageJS draws the charts from the page's JSON data.
//
//go:embed templates/report.js
var pageJS string

// contentPolicy forbids every network request and every script but the two
// inlined ones (by hash), so even a name that slipped through escaping
// could neither run nor phone home. Styles stay inline-only.
var contentPolicy = sync.OnceValue(func() string {
	return "default-src 'none'; script-src " + scriptHash(echartsJS) + " " + scriptHash(pageJS) +
		"; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
})

// scriptHash is the CSP source expression of an inline script's text.
func scriptHash(src string) string {
	sum := sha256.Sum256([]byte(src))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// pageTemplate is parsed once: it is constant, and a parse error is a
// programming error that every test catches.
var pageTemplate = template.Must(template.New("report.html").Parse(pageSource))

// fontStack is used by the page and by the charts' canvas text, with CJK
// fallbacks so names such as "検索" render on every desktop and phone.
const fontStack = `system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", "Microsoft YaHei", sans-serif`

// WriteHTML writes r as one self-contained HTML page: header, headline
// figures, a chart of customers and cost per customer, a chart of
// conversion rates with their 95% Wilson intervals, the full channel table,
// data-quality findings and definitions. ECharts is inlined and nothing is
// fetched, so the file works offline when double-clicked. Channel names are
// escaped as HTML in the page and as JSON (with <, > and & as \u00XX) in the
// chart data, and chart tooltips escape them again before showing them.
func WriteHTML(w io.Writer, r attribution.Report) error {
	if err := checkReport(r); err != nil {
		return fmt.Errorf("write HTML report: %w", err)
	}
	p, err := newPage(r)
	if err != nil {
		return fmt.Errorf("write HTML report: %w", err)
	}
	if err := pageTemplate.Execute(w, p); err != nil {
		return fmt.Errorf("write HTML report: %w", err)
	}
	return nil
}

// page is the data of templates/report.html.
type page struct {
	CSP         string
	Title       string
	FontStack   template.CSS
	From, To    string // first and last day, inclusive
	AsOf        string
	Timezone    string
	Currency    string
	WindowDays  int
	GeneratedAt string
	Version     string
	KPIs        []kpi
	Headers     []string // the metric columns' headers
	Rows        []tableRow
	Total       tableRow
	// ChannelHeader and Columns describe the table: the first column
	// holds the channel names as row headers, Headers the metrics.
	ChannelHeader string
	Columns       int
	Findings      []pageFinding
	Notes         []string
	Definitions   []definition
	Charts        []pageChart
	// ChartData is the JSON read by the page script: chart options built
	// with go-echarts plus pre-formatted tooltip rows.
	ChartData      template.JS
	ECharts        template.JS
	EChartsVersion string
	PageJS         template.JS
}

type kpi struct{ Label, Value, Unit, Detail string }

type tableRow struct {
	Name  string
	Cells []tableCell
}

type tableCell struct {
	Text string
	NA   bool
	Why  string // tooltip of an n/a cell
}

type pageFinding struct {
	Label string
	Value string
	Names []string
	List  bool
}

type definition struct{ Term, Text string }

type pageChart struct {
	ID, Title, Caption string
	Height             int // pixels: every chart has a fixed height
}

func newPage(r attribution.Report) (*page, error) {
	cur := r.Currency
	p := &page{
		Title:          reportTitle(r),
		FontStack:      template.CSS(fontStack),
		From:           r.Period.From.String(),
		To:             lastDay(r.Period).String(),
		AsOf:           humanTime(r.AsOf, r.Timezone),
		Timezone:       r.Timezone,
		Currency:       r.Currency.Code,
		WindowDays:     r.WindowDays,
		GeneratedAt:    humanTime(r.GeneratedAt, r.Timezone),
		Version:        r.Version,
		Notes:          r.Notes,
		CSP:            contentPolicy(),
		ChannelHeader:  columns[0].Header,
		Columns:        len(columns),
		ECharts:        template.JS(echartsJS),
		EChartsVersion: echartsVersion,
		PageJS:         template.JS(pageJS),
	}
	total := r.Total
	total.Channel = totalLabel
	p.KPIs = kpis(total, cur)
	for _, c := range columns[1:] {
		p.Headers = append(p.Headers, c.Header)
	}
	for _, m := range r.Channels {
		p.Rows = append(p.Rows, htmlRow(m, cur))
	}
	p.Total = htmlRow(total, cur)
	for _, f := range qualityFindings(r) {
		pf := pageFinding{Label: f.Label, List: f.List, Names: f.Names}
		if !f.List {
			pf.Value = groupDigits(fmt.Sprint(f.Count))
		}
		p.Findings = append(p.Findings, pf)
	}
	p.Definitions = definitions(r)

	if len(r.Channels) > 0 {
		customers, conversion, data, err := chartOptions(r)
		if err != nil {
			return nil, err
		}
		p.Charts = []pageChart{customers, conversion}
		p.ChartData = data
	}
	return p, nil
}

// kpis are the headline figures of the Total row.
func kpis(total attribution.ChannelMetrics, cur attribution.Currency) []kpi {
	show := func(label, key, detail string) kpi {
		c := columnByKey(key)
		v := c.get(total)
		k := kpi{Label: label, Value: c.display(v, cur), Detail: detail}
		if c.Kind == kindMoney && v.OK {
			k.Unit = cur.Code
		}
		return k
	}
	interval := ""
	if lo, hi := ratioValue(total.ConversionRateLow), ratioValue(total.ConversionRateHigh); lo.OK && hi.OK {
		interval = "95% interval " + formatPercent(lo.Float) + " – " + formatPercent(hi.Float)
	}
	return []kpi{
		show("Registrations", "registrations", ""),
		show("Customers", "customers", ""),
		show("Conversion rate", "conversion_rate", interval),
		show("Spend", "spend", ""),
		show("Cost per customer (CAC)", "cost_per_customer", ""),
		show("Revenue", "revenue", ""),
		show("ROAS", "roas", "revenue ÷ spend"),
		show("Immature registrations", "immature_registrations", "may still convert"),
	}
}

func htmlRow(m attribution.ChannelMetrics, cur attribution.Currency) tableRow {
	row := tableRow{Name: m.Channel}
	for _, c := range columns[1:] {
		v := c.get(m)
		cell := tableCell{Text: c.display(v, cur), NA: !v.OK}
		if !v.OK {
			cell.Why = c.naNote()
		}
		row.Cells = append(row.Cells, cell)
	}
	return row
}

func definitions(r attribution.Report) []definition {
	var defs []definition
	for _, c := range columns {
		defs = append(defs, definition{Term: c.Header, Text: c.definition()})
	}
	return append(defs,
		definition{Term: "Conversion window", Text: fmt.Sprintf("%d days. ", r.WindowDays) + windowRule(r.WindowDays)},
		definition{Term: "Period", Text: fmt.Sprintf("Local dates %s in %s; a registration belongs to the period when its local date falls in this range (the exclusive end is %s).", periodText(r.Period), orDash(r.Timezone), r.Period.To)},
		definition{Term: "As of", Text: "The data cutoff: registrations and purchases after it are not counted, so the same data, period and as-of always give the same numbers."},
		definition{Term: "Total row", Text: totalRowRule},
		definition{Term: "Money", Text: roundingRule(r.Currency)},
		definition{Term: "n/a", Text: naRule},
	)
}

// chartData is what the page script reads: one ECharts option per chart,
// and the tooltip text of each channel, formatted here exactly as in the
// table so numbers agree everywhere.
type chartData struct {
	Charts []chartSpec `json:"charts"`
	Tips   []chartTip  `json:"tips"`
}

type chartSpec struct {
	ID     string         `json:"id"`
	Option map[string]any `json:"option"`
}

type chartTip struct {
	Name            string `json:"name"`
	Registrations   string `json:"registrations"`
	Customers       string `json:"customers"`
	CostPerCustomer string `json:"cac"`
	Rate            string `json:"rate"`
	Low             string `json:"low"`
	High            string `json:"high"`
}

// chartOptions builds both charts' options with go-echarts and returns the
// JSON for the page script. The options are marshalled with encoding/json's
// HTML escaping (<, >, & become \u003c, \u003e, \u0026; U+2028/2029 are
// escaped too), so no channel name can close the <script> element.
// go-echarts' own renderer is not used: it points at a CDN and writes the
// options unescaped into the script, with "__f__" markers turned into code.
func chartOptions(r attribution.Report) (customers, conversion pageChart, data template.JS, err error) {
	cur := r.Currency
	names := make([]string, len(r.Channels))
	tips := make([]chartTip, len(r.Channels))
	for i, m := range r.Channels {
		names[i] = m.Channel
		show := func(key string) string { c := columnByKey(key); return c.display(c.get(m), cur) }
		tips[i] = chartTip{
			Name: m.Channel, Registrations: show("registrations"), Customers: show("customers"),
			CostPerCustomer: show("cost_per_customer"), Rate: show("conversion_rate"),
			Low: show("conversion_rate_low"), High: show("conversion_rate_high"),
		}
	}

	customers = pageChart{
		ID:      "chart-customers",
		Title:   "Customers and cost per customer",
		Caption: "Bars on the left axis: customers. Bars on the right axis: cost per customer (CAC) in " + currencyLabel(cur) + "; missing where a channel has no customers.",
		Height:  380,
	}
	c1, err := customersOption(r, names, customers)
	if err != nil {
		return customers, conversion, "", err
	}

	conversion = pageChart{
		ID:      "chart-conversion",
		Title:   "Conversion rate with 95% interval",
		Caption: "Bars: customers ÷ registrations. Whiskers: 95% Wilson score interval; a wide interval means few registrations. Missing where a channel has no registrations.",
		Height:  max(180, 90+36*len(names)),
	}
	c2, err := conversionOption(r, names, conversion)
	if err != nil {
		return customers, conversion, "", err
	}

	b, err := json.Marshal(chartData{Charts: []chartSpec{{ID: customers.ID, Option: c1}, {ID: conversion.ID, Option: c2}}, Tips: tips})
	if err != nil {
		return customers, conversion, "", fmt.Errorf("encode chart data: %w", err)
	}
	return customers, conversion, template.JS(b), nil
}

// Colours of the chart series.
const (
	colorCustomers = "#2563eb"
	colorCost      = "#f59e0b"
	colorRate      = "#10b981"
	colorInterval  = "#1f2937"
)

func baseChartOpts(c pageChart) []charts.GlobalOpts {
	return []charts.GlobalOpts{
		charts.WithInitializationOpts(opts.Initialization{
			ChartID: c.ID, Width: "100%", Height: fmt.Sprintf("%dpx", c.Height), Renderer: "canvas",
		}),
		charts.WithAnimation(false),
		charts.WithTooltipOpts(opts.Tooltip{
			Show: opts.Bool(true), Trigger: "axis", AxisPointer: &opts.AxisPointer{Type: "shadow"},
		}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "0", Left: "center"}),
	}
}

func customersOption(r attribution.Report, names []string, pc pageChart) (map[string]any, error) {
	costName, costAxis := "Cost per customer", "CAC"
	if r.Currency.Code != "" {
		costName += " (" + r.Currency.Code + ")"
		costAxis += " (" + r.Currency.Code + ")"
	}
	custData := make([]opts.BarData, len(r.Channels))
	costData := make([]opts.BarData, len(r.Channels))
	for i, m := range r.Channels {
		custData[i] = opts.BarData{Value: m.Customers}
		costData[i] = opts.BarData{Value: "-"} // ECharts' "no value"
		if q := m.CostPerCustomer; q.Valid() {
			costData[i].Value = q.Float64()
		}
	}
	bar := charts.NewBar()
	bar.SetGlobalOptions(append(baseChartOpts(pc),
		charts.WithColorsOpts(opts.Colors{colorCustomers, colorCost}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "8", Top: "56", Bottom: "8", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: &opts.AxisLabel{Rotate: 35, Width: 100, Overflow: "truncate"}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: "Customers", MinInterval: 1}),
	)...)
	bar.ExtendYAxis(opts.YAxis{Type: "value", Name: costAxis, Position: "right", SplitLine: &opts.SplitLine{Show: opts.Bool(false)}})
	bar.SetXAxis(names).
		AddSeries("Customers", custData, charts.WithSeriesId("customers")).
		AddSeries(costName, costData, charts.WithSeriesId("cac"), charts.WithBarChartOpts(opts.BarChart{YAxisIndex: 1}))
	bar.Validate()
	opt, err := plainOption(bar.JSON())
	if err != nil {
		return nil, err
	}
	// go-echarts types axisLabel.interval as a string, which ECharts would
	// concatenate; 0 (a number) shows every channel name.
	setPath(opt, 0, "xAxis", 0, "axisLabel", "interval")
	return opt, nil
}

func conversionOption(r attribution.Report, names []string, pc pageChart) (map[string]any, error) {
	rates := make([]opts.BarData, len(r.Channels))
	intervals := []opts.CustomData{} // [] rather than null when no channel has registrations
	for i, m := range r.Channels {
		rates[i] = opts.BarData{Value: "-"}
		if v := ratioValue(m.ConversionRate); v.OK {
			rates[i].Value = v.Float * 100
		}
		lo, hi := ratioValue(m.ConversionRateLow), ratioValue(m.ConversionRateHigh)
		if lo.OK && hi.OK {
			// [channel index, low %, high %]; drawn by the page's renderItem.
			intervals = append(intervals, opts.CustomData{Value: []any{i, lo.Float * 100, hi.Float * 100}})
		}
	}
	bar := charts.NewBar()
	bar.SetGlobalOptions(append(baseChartOpts(pc),
		charts.WithColorsOpts(opts.Colors{colorRate, colorInterval}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "24", Top: "40", Bottom: "8", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Min: 0, AxisLabel: &opts.AxisLabel{Formatter: "{value}%"}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true), AxisLabel: &opts.AxisLabel{Width: 140, Overflow: "truncate"}}),
	)...)
	bar.XYReversal()
	bar.SetXAxis(names).AddSeries("Conversion rate", rates, charts.WithSeriesId("rate"), charts.WithBarChartOpts(opts.BarChart{BarWidth: "55%"}))
	errBars := charts.NewCustom()
	errBars.AddSeries("95% interval", intervals,
		charts.WithSeriesId("wilson"),
		charts.WithEncodeOpts(opts.Encode{X: []int{1, 2}, Y: 0}))
	bar.Overlap(errBars)
	bar.Validate()
	opt, err := plainOption(bar.JSON())
	if err != nil {
		return nil, err
	}
	setPath(opt, 0, "yAxis", 0, "axisLabel", "interval")
	// Draw the whiskers over the bars, which they overlap.
	setPath(opt, 10, "series", 1, "z")
	return opt, nil
}

// plainOption turns go-echarts' typed option into plain JSON values, so a
// few settings go-echarts does not model can be set, and adds the page's
// font to canvas text.
func plainOption(o map[string]any) (map[string]any, error) {
	b, err := json.Marshal(o)
	if err != nil {
		return nil, fmt.Errorf("encode chart option: %w", err)
	}
	var opt map[string]any
	if err := json.Unmarshal(b, &opt); err != nil {
		return nil, fmt.Errorf("decode chart option: %w", err)
	}
	opt["textStyle"] = map[string]any{"fontFamily": fontStack}
	return opt, nil
}

// setPath sets opt[k0][k1]...= v, creating maps on the way; integer keys
// index arrays. It is only used on paths the charts above always have.
func setPath(opt map[string]any, v any, path ...any) {
	var node any = opt
	for i, k := range path {
		last := i == len(path)-1
		switch key := k.(type) {
		case string:
			m := node.(map[string]any)
			if last {
				m[key] = v
				return
			}
			if m[key] == nil {
				m[key] = map[string]any{}
			}
			node = m[key]
		case int:
			node = node.([]any)[key]
		}
	}
}
