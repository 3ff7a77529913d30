package reports

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strconv"
	"strings"
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

// contentPolicy forbids every network request and every script but the
// inlined ones (by hash: ECharts, the page script and maturity.js), so
// even a name that slipped through escaping could neither run nor phone
// home. Styles stay inline-only.
var contentPolicy = sync.OnceValue(func() string {
	return "default-src 'none'; script-src " + scriptHash(echartsJS) + " " + scriptHash(pageJS) + " " + scriptHash(maturityJS) + " " + scriptHash(budgetJS) +
		"; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
})

// scriptHash is the CSP source expression of an inline script's text.
func scriptHash(src string) string {
	sum := sha256.Sum256([]byte(src))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// pageTemplate is parsed once: it is constant, and a parse error is a
// programming error that every test catches. The maturity sections'
// definitions (templates/maturity.html) are parsed into it.
var pageTemplate = template.Must(template.Must(template.Must(template.Must(template.Must(template.Must(template.Must(template.New("report.html").Parse(pageSource)).Parse(maturitySource)).Parse(drilldownSource)).Parse(decisionSource)).Parse(budgetSource)).Parse(touchSource)).Parse(ltvSource))

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
	return WriteHTMLWith(w, r, HTMLOptions{})
}

// HTMLOptions tune the page beyond what the Report holds.
type HTMLOptions struct {
	// MaxChannels is how many channels, those with the most registrations,
	// the page shows by name in its table and in every chart ([report]
	// max_channels); the others are added up in one "(N other channels)"
	// row, series or curve. 0 means DefaultMaxChannels. The workbook's
	// tables and the JSON keep every channel.
	MaxChannels int
}

// WriteHTMLWith writes r as WriteHTML does, with o.
func WriteHTMLWith(w io.Writer, r attribution.Report, o HTMLOptions) error {
	if err := checkReport(r); err != nil {
		return fmt.Errorf("write HTML report: %w", err)
	}
	p, err := newPage(r, o)
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
	// PreviousPeriod names the period the changes compare with; empty
	// without one.
	PreviousPeriod string
	Headers        []tableHeader // the metric columns' headers
	Rows           []tableRow
	// Other adds up the channels not shown by name (foldChannels), nil
	// when every channel is shown; Folded says so in words.
	Other  *tableRow
	Folded string
	Total  tableRow
	// ChannelHeader and Columns describe the table: the first column
	// holds the channel names as row headers, Headers the metrics.
	ChannelHeader string
	Columns       int
	Findings      []pageFinding
	Checks        []pageCheck
	Notes         []string
	Definitions   []definition
	Charts        []pageChart
	// ChartData is the JSON read by the page script: chart options built
	// with go-echarts plus pre-formatted tooltip rows.
	ChartData      template.JS
	ECharts        template.JS
	EChartsVersion string
	PageJS         template.JS
	// Decision is the first section: per channel, where the money works
	// (html_decision.go); nil without channels.
	Decision *decisionSection
	// Maturity holds the sections on registration quality over time
	// (html_maturity.go); nil when the report has none.
	Maturity *maturitySection
	// Drilldown holds the campaigns, sources and dimensions
	// (html_drilldown.go); nil when the report has none.
	Drilldown *drillSection
	// Budget is the budget plan's section (html_budget.go); nil without one.
	Budget *budgetSection
	// Touch is the multi-touch section (html_touch.go); nil without it.
	Touch *touchView
	// LTV is the lifetime-value section (html_ltv.go); nil without it.
	LTV *ltvSection
}

// kpi is one headline figure: the Total's value, its change from the
// previous period and its standing against the default target.
type kpi struct {
	Label, Value, Unit, Detail string
	// Change is e.g. "+7.7%" or "-0.15 pp", with Trend "up", "down" or
	// "flat" and Tone "good", "bad" or "neutral" (spend is neither);
	// Previous is the previous period's value.
	Change, Trend, Tone, Previous string
	// Status is "on target", "off target" or "not evaluated" against
	// Target (e.g. "target ≤ 110.00 EUR"); empty without a target.
	// StatusClass is its CSS class.
	Status, Target, StatusClass string
	// Projection is the figure once the period is mature, with its 95%
	// interval (kpiProjection); empty without one.
	Projection string
}

// tableHeader is a column's header; Extra marks a column that is not
// one of defaultColumns, shown only with the column toggle.
type tableHeader struct {
	Text  string
	Extra bool
}

type tableRow struct {
	Name  string
	Color template.CSS // the channel's colour, as in the charts
	Cells []tableCell
}

type tableCell struct {
	Text string
	// Sort is the cell's value for the page script's sorting: a number,
	// or the text of a status; empty when n/a, which sorts last.
	Sort  string
	NA    bool
	Why   string // tooltip: why an n/a cell is n/a, or what a projection rests on
	Class string // "status on", "good", ... for the look of the cell
	// Sub is a second line under the value, such as a projection's 95%
	// interval (bandText).
	Sub string
	// Label is the column's header, shown before the value when a phone
	// lays the rows out as cards.
	Label string
}

type pageFinding struct {
	Label string
	Value string
	Names []string
	List  bool
}

// pageCheck is one row of the page's list of every data-quality check.
type pageCheck struct {
	Source, Label, Count, Action string
	Names                        []string
}

type definition struct{ Term, Text string }

type pageChart struct {
	ID, Title, Caption string
	Height             int // pixels: every chart has a fixed height
}

func newPage(r attribution.Report, o HTMLOptions) (*page, error) {
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
		ECharts:        template.JS(echartsJS),
		EChartsVersion: echartsVersion,
		PageJS:         template.JS(pageJS),
	}
	if r.Previous != nil {
		p.PreviousPeriod = periodText(r.Previous.Period)
	}
	_, total := tableRows(r)
	p.KPIs = kpis(r, total)
	cols := htmlColumns(r)
	p.Columns = len(cols)
	for _, c := range cols[1:] {
		p.Headers = append(p.Headers, tableHeader{Text: c.Header, Extra: !slices.Contains(defaultColumns, c.Key)})
	}
	fold := foldChannels(r, limitChannels(o.MaxChannels))
	colors := channelColors(rowNames(fold.Rows))
	for _, x := range fold.Rows {
		p.Rows = append(p.Rows, htmlRow(cols, x, cur, colors[x.M.Channel]))
	}
	if fold.Other != nil {
		colors[fold.Other.M.Channel] = otherColor
		other := htmlRow(cols, *fold.Other, cur, otherColor)
		p.Other = &other
		p.Folded = foldedText(len(fold.Rows)+fold.Folded, len(fold.Rows), fold.Other.M.Channel)
	}
	p.Total = htmlRow(cols, total, cur, "")
	if len(r.Channels) > 0 {
		p.Decision = newDecision(r, fold, colors)
		p.Decision.Budget = BudgetSummary(r)
	}
	for _, f := range qualityFindings(r) {
		pf := pageFinding{Label: f.Label, List: f.List, Names: f.Names}
		if !f.List {
			pf.Value = attribution.GroupDigits(fmt.Sprint(f.Count))
		}
		p.Findings = append(p.Findings, pf)
	}
	for _, c := range qualityChecks(r) {
		p.Checks = append(p.Checks, pageCheck{Source: c.Source, Label: c.Label, Count: attribution.GroupDigits(fmt.Sprint(c.Count)), Action: c.Action, Names: c.Names})
	}
	p.Definitions = definitions(r)

	if len(r.Channels) > 0 {
		charts, data, err := chartOptions(r, fold, colors)
		if err != nil {
			return nil, err
		}
		p.Charts = charts
		p.ChartData = data
	}
	m, err := newMaturitySection(r, colors, fold)
	if err != nil {
		return nil, err
	}
	p.Maturity = m
	p.Drilldown = newDrillSection(r, colors, fold)
	if p.Budget, err = newBudgetSection(r, colors); err != nil {
		return nil, err
	}
	p.Touch = newTouchSection(r)
	p.LTV = newLTVSection(r, colors)
	return p, nil
}

// foldedText tells the reader of a page that folds channels how many it
// shows by name and where the others are; channels counts the rows of the
// channel table (with those of the previous period only).
func foldedText(channels, shown int, other string) string {
	return fmt.Sprintf("%s channels: the table and every chart show the %s with the most registrations by name, "+
		"and add up the other %s in the row “%s” (its counts and money are sums, its ratios are computed from those sums, like the Total's). "+
		"The workbook and the JSON list every channel.",
		formatCount(int64(channels)), formatCount(int64(shown)), formatCount(int64(channels-shown)), other)
}

func rowNames(rows []rowData) []string {
	names := make([]string, len(rows))
	for i, x := range rows {
		names[i] = x.M.Channel
	}
	return names
}

// kpis are the headline figures of the Total row, with their change
// from the previous period and their standing against the default
// targets.
func kpis(r attribution.Report, total rowData) []kpi {
	paid, _ := paidRows(r)
	show := func(label, key, detail string) kpi { return kpiOf(r, total, label, key, detail) }
	interval := ""
	if lo, hi := ratioValue(total.M.ConversionRateLow), ratioValue(total.M.ConversionRateHigh); lo.OK && hi.OK {
		interval = "95% interval " + formatPercent(lo.Float) + " – " + formatPercent(hi.Float)
	}
	return []kpi{
		show("Registrations", "registrations", ""),
		show("Customers", "customers", ""),
		show("Conversion rate", "conversion_rate", interval),
		kpiOf(r, paid, "Paid CAC", "cost_per_customer", "paid channels' spend ÷ their customers"),
		show("Blended CAC", "cost_per_customer", "all spend ÷ all customers"),
		show("ROAS", "roas", "revenue ÷ spend"),
		show("Spend", "spend", ""),
		show("Revenue", "revenue", ""),
		show("Immature registrations", "immature_registrations", "may still convert"),
	}
}

// kpiOf is the headline figure key of row x (the Total row, or the paid
// channels' row).
func kpiOf(r attribution.Report, total rowData, label, key, detail string) kpi {
	cur := r.Currency
	{
		c := columnByKey(key)
		v := c.get(total.M)
		k := kpi{Label: label, Value: c.display(v, cur), Detail: detail}
		if c.Kind == kindMoney && v.OK {
			k.Unit = cur.Code
		}
		if total.Prev != nil {
			k.Previous = c.display(c.get(*total.Prev), cur)
			if ch, ok := totalChange(key, total); ok {
				k.Change, k.Trend, k.Tone = kpiChange(key, ch)
			}
		}
		k.Status, k.Target = kpiTarget(key, r.Targets.Default, total.M, cur)
		k.Projection = kpiProjection(key, total, cur)
		k.StatusClass = strings.ReplaceAll(k.Status, " ", "-")
		return k
	}
}

// kpiChange formats a headline change (totalChange) and judges it: more
// customers is good, a higher cost per customer is bad, spend is neither.
func kpiChange(key string, ch float64) (text, trend, tone string) {
	if key == "conversion_rate" {
		text = strconv.FormatFloat(ch*100, 'f', 2, 64) + " pp"
	} else {
		text = strconv.FormatFloat(ch*100, 'f', 1, 64) + "%"
	}
	switch {
	case strings.Trim(text, "-0.%p ") == "":
		return strings.TrimPrefix(text, "-"), "flat", "neutral"
	case ch > 0:
		text, trend = "+"+text, "up"
	default:
		trend = "down"
	}
	switch key {
	case "spend", "immature_registrations":
		tone = "neutral"
	case "cost_per_customer":
		tone = map[string]string{"up": "bad", "down": "good"}[trend]
	default:
		tone = map[string]string{"up": "good", "down": "bad"}[trend]
	}
	return text, trend, tone
}

// kpiTarget is a headline figure's standing against its default target
// (METRICS.md, "Targets"), and the target in words; empty without one.
func kpiTarget(key string, th attribution.Thresholds, m attribution.ChannelMetrics, cur attribution.Currency) (status, target string) {
	var set, checked bool
	var name string
	switch key {
	case "cost_per_customer":
		set, checked, name = th.CACMax != nil, m.Customers > 0 || m.Spend > 0, attribution.TargetCACMax
		if set {
			target = "target ≤ " + attribution.GroupDigits(th.CACMax.Format(cur.Digits)) + " " + cur.Code
		}
	case "conversion_rate":
		set, checked, name = th.ConversionRateMin != nil, m.Registrations > 0, attribution.TargetConversionRateMin
		if set {
			target = "target ≥ " + formatPercent(*th.ConversionRateMin)
		}
	case "roas":
		set, checked, name = th.ROASMin != nil, m.Spend > 0, attribution.TargetROASMin
		if set {
			target = "target ≥ " + strconv.FormatFloat(*th.ROASMin, 'f', 2, 64) + "x"
		}
	}
	switch {
	case !set:
		return "", ""
	case !checked:
		return statusNotEvaluated, target
	case slices.Contains(th.Evaluate(m).Missed, name):
		return statusOff, target
	}
	return statusOn, target
}

// htmlRow is one row of the page's table. Cells carry their raw value for
// the page script's sorting, and the status and changes a class for
// their colour.
func htmlRow(cols []column, x rowData, cur attribution.Currency, color string) tableRow {
	row := tableRow{Name: x.M.Channel, Color: template.CSS(color)}
	for _, c := range cols[1:] {
		v := c.value(x)
		cell := tableCell{Text: c.display(v, cur), NA: !v.OK, Sort: sortKey(c, v), Sub: bandText(c, x, cur), Label: c.Header}
		if !v.OK && c.NA != "" {
			cell.Why = c.naNote()
		}
		if c.Group == groupProjection && v.OK {
			cell.Why = "95% interval; projected from " + projectionBasisText(x.M.ProjectionCurve)
			if x.M.ProjectionCurve == projectionSummed {
				cell.Why = "Projected from " + projectionBasisText(x.M.ProjectionCurve)
			}
		}
		switch miss := missText(c.Key, x, cur); {
		case c.Kind == kindStatus:
			cell.Class = "status " + strings.ReplaceAll(v.Text, " ", "-")
			cell.Sub = strings.Join(x.Th.Judge(x.M, cur).Reasons, "; ")
		case miss != "":
			// A missed target: red, with the reason in words (not only
			// colour).
			cell.Class, cell.Sub = "miss", miss
		case c.Group == groupChange && v.OK && strings.Trim(cell.Text, "+-0.,%xp ") != "":
			if tone := changeTone(c, v); tone != "" {
				cell.Class = tone
			}
		}
		if cell.NA && cell.Class == "" {
			cell.Class = "na"
		}
		if !slices.Contains(defaultColumns, c.Key) {
			cell.Class = strings.TrimSpace(cell.Class + " extra")
		}
		row.Cells = append(row.Cells, cell)
	}
	return row
}

// sortKey is a cell's value as the page script sorts it.
func sortKey(c column, v value) string {
	if !v.OK {
		return ""
	}
	switch c.Kind {
	case kindText, kindStatus:
		return v.Text
	case kindCount:
		return strconv.FormatInt(v.Count, 10)
	case kindMoney:
		return strconv.FormatFloat(v.moneyFloat(), 'g', -1, 64)
	}
	return strconv.FormatFloat(v.Float, 'g', -1, 64)
}

// changeTone is "good" or "bad" for a change, by the metric's direction.
func changeTone(c column, v value) string {
	sign := v.Float
	switch c.Kind {
	case kindCount:
		sign = float64(v.Count)
	case kindMoney:
		sign = v.moneyFloat()
	}
	if strings.Contains(c.Key, "cost_per_customer") {
		sign = -sign
	}
	switch {
	case sign > 0:
		return "good"
	case sign < 0:
		return "bad"
	}
	return ""
}

func definitions(r attribution.Report) []definition {
	var defs []definition
	for _, c := range htmlColumns(r) {
		defs = append(defs, definition{Term: c.Header, Text: c.definition()})
	}
	if r.Previous != nil {
		defs = append(defs, definition{Term: "Previous period", Text: fmt.Sprintf("%s: the %d days just before the period, read from the same database snapshot with the same as-of time. %s",
			periodText(r.Previous.Period), r.Period.Days(), previousRule)})
	}
	if !r.Targets.IsZero() {
		defs = append(defs, definition{Term: "Targets", Text: targetRule})
	}
	defs = append(defs, definition{Term: "Colours", Text: "Each channel has its own colour, chosen from its name, so it keeps it in every chart and in every report."})
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
	// Other is the name of the row of folded channels, which the page
	// script never shortens; empty without one.
	Other string `json:"other,omitempty"`
}

type chartSpec struct {
	ID     string         `json:"id"`
	Option map[string]any `json:"option"`
	// Rows[i] is the index in Tips of the chart's i-th category.
	Rows []int `json:"rows"`
}

type chartTip struct {
	Name            string `json:"name"`
	Registrations   string `json:"registrations"`
	Customers       string `json:"customers"`
	CostPerCustomer string `json:"cac"`
	Rate            string `json:"rate"`
	Low             string `json:"low"`
	High            string `json:"high"`
	// The previous period's customers and the change, for the comparison
	// chart; empty without a previous period.
	PrevCustomers   string `json:"prev_customers,omitempty"`
	ChangeCustomers string `json:"change_customers,omitempty"`
	// For the decision charts: spend, ROAS, the CAC target ("" without
	// one) and the status with its reasons.
	Spend     string `json:"spend"`
	ROAS      string `json:"roas"`
	CACTarget string `json:"cac_target,omitempty"`
	Status    string `json:"status,omitempty"`
}

// chartOptions builds the charts' options with go-echarts and returns the
// JSON for the page script. The options are marshalled with encoding/json's
// HTML escaping (<, >, & become \u003c, \u003e, \u0026; U+2028/2029 are
// escaped too), so no channel name can close the <script> element.
// go-echarts' own renderer is not used: it points at a CDN and writes the
// options unescaped into the script, with "__f__" markers turned into code.
//
// Every bar of a channel has the channel's colour (channelColors), the
// same in every chart and every report. The first two charts show the
// period's channels that the page shows by name, the comparison chart
// every row shown, including channels of the previous period only; all
// three end with the row of the other channels when fold has one.
func chartOptions(r attribution.Report, fold channelFold, colors map[string]string) ([]pageChart, template.JS, error) {
	cur := r.Currency
	rows := slices.Clone(fold.Rows)
	if fold.Other != nil {
		rows = append(rows, *fold.Other)
	}
	period := map[string]bool{}
	for _, m := range r.Channels {
		period[m.Channel] = true
	}
	// The rows of the first two charts, and their index in tips.
	var now []rowData
	var nowIndex, allIndex []int
	for i, x := range rows {
		allIndex = append(allIndex, i)
		if period[x.M.Channel] || (fold.Other != nil && i == len(rows)-1) {
			now = append(now, x)
			nowIndex = append(nowIndex, i)
		}
	}
	names := rowNames(now)
	tips := make([]chartTip, len(rows))
	for i, x := range rows {
		show := func(key string) string { c := columnByKey(key); return c.display(c.get(x.M), cur) }
		tips[i] = chartTip{
			Name: x.M.Channel, Registrations: show("registrations"), Customers: show("customers"),
			CostPerCustomer: show("cost_per_customer"), Rate: show("conversion_rate"),
			Low: show("conversion_rate_low"), High: show("conversion_rate_high"),
			Spend: show("spend"), ROAS: show("roas"),
		}
		if th := x.Th.CACMax; th != nil {
			tips[i].CACTarget = "≤ " + attribution.GroupDigits(th.Format(cur.Digits))
		}
		if !r.Targets.IsZero() {
			v := x.Th.Judge(x.M, cur)
			tips[i].Status = statusText(v.Status)
			if len(v.Reasons) > 0 {
				tips[i].Status += ": " + strings.Join(v.Reasons, "; ")
			}
		}
		if x.Prev != nil {
			c := columnOf(changeColumns, "change_customers_pct")
			tips[i].PrevCustomers = attribution.GroupDigits(strconv.FormatInt(x.Prev.Customers, 10))
			tips[i].ChangeCustomers = c.display(c.value(x), cur)
		}
	}

	quadrant := pageChart{
		ID:    "chart-quadrant",
		Title: "Cost per customer against customers",
		Caption: "Each bubble is a channel: customers across, cost per customer (CAC) in " + currencyLabel(cur) +
			" up, its area proportional to spend. Top left: few customers at a high cost. Dashed lines: the default CAC target and the average customers per channel. " +
			"Faded: fewer than 30 registrations (the axes are scaled to the others). Channels without customers have no CAC and are not drawn.",
		Height: 420,
	}
	c0, quadIndex := quadrantOption(r, now, nowIndex, colors)
	cac := pageChart{
		ID:    "chart-cac",
		Title: "Cost per customer by channel",
		Caption: "Bars: cost per customer (CAC) in " + currencyLabel(cur) + ", in each channel's colour; missing where a channel has no customers. " +
			"Red marks: the channel's CAC target. Faded: fewer than 30 registrations.",
		Height: 380,
	}
	c1 := cacOption(r, now, colors)
	conversion := pageChart{
		ID:      "chart-conversion",
		Title:   "Conversion rate with 95% interval",
		Caption: "Bars: customers ÷ registrations. Whiskers: 95% Wilson score interval; a wide interval means few registrations. Missing where a channel has no registrations.",
		Height:  max(180, 90+36*len(names)),
	}
	if th := r.Targets.Default.ConversionRateMin; th != nil {
		conversion.Caption += " Dashed line: the default target, " + formatPercent(*th) + "."
	}
	c2, err := conversionOption(r, now, colors, conversion)
	if err != nil {
		return nil, "", err
	}
	// The quadrant chart is shown first but listed last, so the others keep
	// their place in the chart data.
	pages := []pageChart{quadrant, cac, conversion}
	specs := []chartSpec{{ID: cac.ID, Option: c1, Rows: nowIndex}, {ID: conversion.ID, Option: c2, Rows: nowIndex}}
	if r.Previous != nil {
		change := pageChart{
			ID:      "chart-change",
			Title:   "Customers compared with the previous period",
			Caption: "Solid bars: customers in this period; pale bars: in the previous period (" + periodText(r.Previous.Period) + ").",
			Height:  380,
		}
		c3, err := changeOption(rows, colors, change)
		if err != nil {
			return nil, "", err
		}
		pages = append(pages, change)
		specs = append(specs, chartSpec{ID: change.ID, Option: c3, Rows: allIndex})
	}
	specs = append(specs, chartSpec{ID: quadrant.ID, Option: c0, Rows: quadIndex})
	cd := chartData{Charts: specs, Tips: tips}
	if fold.Other != nil {
		cd.Other = fold.Other.M.Channel
	}
	b, err := json.Marshal(cd)
	if err != nil {
		return nil, "", fmt.Errorf("encode chart data: %w", err)
	}
	return pages, template.JS(b), nil
}

// Colours of the series that are not channels.
const (
	colorCost     = "#1f2937"
	colorInterval = "#1f2937"
	colorTarget   = "#b91c1c"
)

// channelBar is a bar in its channel's colour.
func channelBar(v any, color string, opacity float32) opts.BarData {
	return opts.BarData{Value: v, ItemStyle: &opts.ItemStyle{Color: color, Opacity: opts.Float(opacity)}}
}

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

func conversionOption(r attribution.Report, rows []rowData, colors map[string]string, pc pageChart) (map[string]any, error) {
	names := rowNames(rows)
	rates := make([]opts.BarData, len(rows))
	intervals := []opts.CustomData{} // [] rather than null when no channel has registrations
	top := 0.0
	if th := r.Targets.Default.ConversionRateMin; th != nil {
		top = *th * 100
	}
	for i, x := range rows {
		m := x.M
		rates[i] = channelBar("-", colors[m.Channel], float32(opacity(m)))
		if hi := ratioValue(m.ConversionRateHigh); hi.OK && m.Registrations >= smallChannel {
			top = max(top, hi.Float*100)
		}
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
		charts.WithColorsOpts(opts.Colors{"#9aa3af", colorInterval}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "24", Top: "40", Bottom: "8", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Min: 0, AxisLabel: &opts.AxisLabel{Formatter: "{value}%"}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true)}), // report.js shortens long names
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
	// Small channels' rates (often 0% or 100%) do not stretch the axis:
	// their bars are clipped at its end.
	if m := axisMax(top); m > 0 {
		setPath(opt, min(m, 100.0), "xAxis", 0, "max")
		setPath(opt, true, "series", 0, "clip")
		setPath(opt, true, "series", 1, "clip")
	}
	if th := r.Targets.Default.ConversionRateMin; th != nil {
		setPath(opt, map[string]any{
			"silent": true, "symbol": "none",
			"lineStyle": map[string]any{"color": colorTarget, "type": "dashed", "width": 1.5},
			// The y axis is inverted, so "start" is the top: the label
			// stays clear of the ticks at the bottom.
			"label": map[string]any{"formatter": "target " + formatPercent(*th), "position": "start", "color": colorTarget},
			"data":  []any{map[string]any{"xAxis": *th * 100}},
		}, "series", 0, "markLine")
	}
	return opt, nil
}

// changeOption compares each row's customers with the previous period's:
// the channel's colour, solid now and pale before.
func changeOption(rows []rowData, colors map[string]string, pc pageChart) (map[string]any, error) {
	names := rowNames(rows)
	now := make([]opts.BarData, len(rows))
	before := make([]opts.BarData, len(rows))
	for i, x := range rows {
		now[i] = channelBar(x.M.Customers, colors[x.M.Channel], 1)
		before[i] = channelBar(x.Prev.Customers, colors[x.M.Channel], 0.35)
	}
	bar := charts.NewBar()
	bar.SetGlobalOptions(append(baseChartOpts(pc),
		charts.WithColorsOpts(opts.Colors{"#4b5563", "#c7cbd1"}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "8", Top: "56", Bottom: "8", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: &opts.AxisLabel{Rotate: 35}}), // report.js shortens long names
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: "Customers", MinInterval: 1}),
	)...)
	bar.SetXAxis(names).
		AddSeries("This period", now, charts.WithSeriesId("now")).
		AddSeries("Previous period", before, charts.WithSeriesId("before"))
	bar.Validate()
	opt, err := plainOption(bar.JSON())
	if err != nil {
		return nil, err
	}
	setPath(opt, 0, "xAxis", 0, "axisLabel", "interval")
	setPath(opt, map[string]any{"color": "#4b5563"}, "series", 0, "itemStyle")
	setPath(opt, map[string]any{"color": "#c7cbd1"}, "series", 1, "itemStyle")
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
