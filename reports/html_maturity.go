package reports

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/go-echarts/go-echarts/v2/types"

	"github.com/origen-analytics/origen/attribution"
)

// maturitySource holds the page's sections on registration quality over
// time ({{define "maturity"}} and its CSS, {{define "maturity-css"}}).
//
//go:embed templates/maturity.html
var maturitySource string

// maturityJS draws the charts of those sections from the JSON in
// #origen-maturity-data; like pageJS it is allowed by its hash.
//
//go:embed templates/maturity.js
var maturityJS string

// Colours of the heat maps: a sequential blue from no conversion to the
// highest of the report, and grey for cells that are not mature yet.
const (
	heatLow    = "#eef3fa"
	heatHigh   = "#1d4e89"
	heatNA     = "#e5e7eb"
	heatNAText = "#6b7280"
	colorTotal = "#1f2937"
	colorBand  = 0.10 // opacity of a curve's 95% band
)

// maturitySection is the data of the page's sections on registration
// quality over time; each part is nil when the report lacks it.
type maturitySection struct {
	Curves    *curvesView
	Cohorts   *cohortsView
	Trend     *trendView
	Prospects *prospectsView
	// Data is the JSON read by maturity.js: chart options built with
	// go-echarts and the tooltip and label texts, formatted here.
	Data   template.JS
	Script template.JS
}

// HasCharts reports whether the section draws any chart, so the page
// includes ECharts and the script.
func (m *maturitySection) HasCharts() bool { return m != nil && m.Data != "" }

type curvesView struct {
	Chart   pageChart
	Caption string
	// Days are the days of the table's F(d) columns, Rows one per curve.
	Days []string
	Rows []curveRow
}

type curveRow struct {
	Name          string
	Color         template.CSS
	Registrations string
	Conversions   string
	F             []string // F(d) with its band, for Days
	Complete      bool
	Total         bool
}

type cohortsView struct {
	Grain    string // "month" or "ISO week"
	Caption  string
	ScaleMax string // the darkest colour's value
	Low      template.CSS
	High     template.CSS
	Maps     []heatMapCard
	Headers  []string
	Rows     []cohortRow
}

type heatMapCard struct {
	ID     string
	Name   string
	Color  template.CSS
	Height int
	Total  bool
}

type cohortRow struct {
	Channel string
	Cohort  string
	Dates   string
	Color   template.CSS
	Cells   []tableCell
	Total   bool
}

type trendView struct {
	Charts []pageChart
}

type prospectsView struct {
	HorizonDays int
	Caption     string
	Listed      string
	Scored      string
	Headers     []string
	Rows        []prospectRow
	Backtest    *backtestView
}

type prospectRow struct {
	Rank, UserID, Channel, Campaign, RegisteredAt, Age, Probability, Basis string
	Color                                                                  template.CSS
}

type backtestView struct {
	Caption string
	Figures []kpi
	Chart   pageChart
	Deciles [][]string
}

// maturityChart is one chart of the sections: its option and the texts
// its tooltips and labels show.
type maturityChart struct {
	ID     string         `json:"id"`
	Option map[string]any `json:"option"`
	Tip    chartTipSpec   `json:"tip"`
}

// chartTipSpec holds a chart's tooltip texts, formatted here so that the
// numbers read exactly as in the tables. In "axis" mode (a tooltip per
// category: a day, a week, a decile) Titles[i] heads the tooltip of
// category i and Series[id].Values[i] is the row of that series; in "item"
// mode (heat maps) Cells["x,y"] are the lines of a cell's tooltip. Labels
// are the heat maps' cell texts. maturity.js escapes every text.
type chartTipSpec struct {
	Mode   string               `json:"mode"`
	Titles []string             `json:"titles,omitempty"`
	Series map[string]tipSeries `json:"series,omitempty"`
	Cells  map[string][]string  `json:"cells,omitempty"`
	Labels map[string]string    `json:"labels,omitempty"`
}

type tipSeries struct {
	Name   string   `json:"name"`
	Values []string `json:"values"`
}

// newMaturitySection builds the sections of r; colors are the channel
// table's colours, extended to channels that only have a curve. Like the
// table, the sections show the channels fold shows by name and add up the
// others in one curve, one cohort row per cohort and one trend series.
func newMaturitySection(r attribution.Report, colors map[string]string, fold channelFold) (*maturitySection, error) {
	if !hasMaturity(r) {
		return nil, nil
	}
	m := &maturitySection{Script: template.JS(maturityJS)}
	curves, otherCurve := foldCurves(reportCurves(r), fold)
	cohorts, otherCohorts := foldCohorts(r.Cohorts, r.CohortTotals, fold)
	trend, otherTrend := foldCohorts(r.Trend, r.TrendTotals, fold)
	var names, others []string
	for _, c := range curves {
		names = append(names, curveLabel(c))
	}
	for _, c := range trend {
		names = append(names, c.Channel)
	}
	for _, p := range r.Prospects {
		names = append(names, p.Channel)
	}
	if otherCurve != "" {
		others = append(others, otherCurve)
	}
	for _, c := range [][]attribution.CohortMetrics{otherCohorts, otherTrend} {
		if len(c) > 0 {
			others = append(others, c[0].Channel)
		}
	}
	colors = extendColors(colors, slices.DeleteFunc(names, func(n string) bool { return slices.Contains(others, n) }))
	for _, n := range others {
		colors[n] = otherColor
	}
	var specs []maturityChart
	if len(r.Curves) > 0 || r.CurvesTotal.WindowDays > 0 {
		view, spec, err := curvesSection(r, curves, colors)
		if err != nil {
			return nil, err
		}
		view.Caption += foldedCaption(fold)
		m.Curves = view
		specs = append(specs, spec)
	}
	if len(r.Cohorts) > 0 || len(r.CohortTotals) > 0 {
		view, s, err := cohortsSection(r, cohorts, otherCohorts, colors)
		if err != nil {
			return nil, err
		}
		view.Caption += foldedCaption(fold)
		m.Cohorts = view
		specs = append(specs, s...)
	}
	if len(r.Trend) > 0 || len(r.TrendTotals) > 0 {
		view, s, err := trendSection(r, trend, otherTrend, colors)
		if err != nil {
			return nil, err
		}
		if len(view.Charts) > 0 {
			view.Charts[0].Caption += foldedCaption(fold)
		}
		m.Trend = view
		specs = append(specs, s...)
	}
	if r.ProspectsHorizonDays > 0 || r.Backtest != nil {
		view, s, err := prospectsSection(r, colors)
		if err != nil {
			return nil, err
		}
		m.Prospects = view
		specs = append(specs, s...)
	}
	if len(specs) > 0 {
		// HTML-safe JSON: <, > and & become \u003c, \u003e, \u0026, so no
		// name can close the <script> element that holds it.
		b, err := json.Marshal(map[string]any{"charts": specs})
		if err != nil {
			return nil, fmt.Errorf("encode maturity charts: %w", err)
		}
		m.Data = template.JS(b)
	}
	return m, nil
}

// extendColors gives the names that colors lacks (channels with a curve or
// prospects but no row in the table) their own palette entry, the first
// free one from their preferred one, so no two channels share a colour
// while the palette lasts; the table's channels keep theirs.
func extendColors(colors map[string]string, names []string) map[string]string {
	out := make(map[string]string, len(colors)+len(names))
	used := map[string]bool{}
	for k, v := range colors {
		out[k] = v
		used[v] = true
	}
	sorted := slices.Clone(names)
	slices.Sort(sorted)
	for _, name := range slices.Compact(sorted) {
		if _, ok := out[name]; ok {
			continue
		}
		if name == attribution.NoChannel {
			out[name] = noChannelColor
			continue
		}
		i := paletteIndex(name)
		for n := 0; n < len(channelPalette) && used[channelPalette[i]]; n++ {
			i = (i + 1) % len(channelPalette)
		}
		out[name] = channelPalette[i]
		used[channelPalette[i]] = true
	}
	return out
}

// curveColor is a curve's colour: its channel's, dark grey for the pooled
// Total.
func curveColor(c attribution.Curve, colors map[string]string) string {
	if curveLabel(c) == totalLabel {
		return colorTotal
	}
	return colors[curveLabel(c)]
}

// tableDays are the days of the curves table: 7, 14 and the window.
func tableDays(w int) []int {
	var days []int
	for _, d := range []int{7, 14} {
		if d < w {
			days = append(days, d)
		}
	}
	return append(days, w)
}

// foldedCaption is the sentence a section adds when the page folds
// channels; "" when it shows them all.
func foldedCaption(fold channelFold) string {
	if fold.Other == nil {
		return ""
	}
	return fmt.Sprintf(" Only the %s channels with the most registrations are shown by name; the others are added up as one, in grey (the workbook has each of them).",
		formatCount(int64(len(fold.Rows))))
}

func curvesSection(r attribution.Report, curves []attribution.Curve, colors map[string]string) (*curvesView, maturityChart, error) {
	w := r.WindowDays
	for _, c := range curves {
		w = max(w, c.WindowDays)
	}
	view := &curvesView{
		Chart: pageChart{
			ID:      "chart-curves",
			Title:   "Conversion curves",
			Caption: curvesCaption(r) + " Shaded: the 95% band of each channel; dashed: all channels.",
			Height:  440,
		},
	}
	days := tableDays(w)
	for _, d := range days {
		label := fmt.Sprintf("Day %d", d)
		if d == w {
			label += " (window)"
		}
		view.Days = append(view.Days, label)
	}
	xs := make([]string, w+1)
	for d := range xs {
		xs[d] = strconv.Itoa(d)
	}
	tip := chartTipSpec{Mode: "axis", Series: map[string]tipSeries{}}
	for d := 0; d <= w; d++ {
		tip.Titles = append(tip.Titles, fmt.Sprintf("Within %d days of registering", d))
	}
	line := charts.NewLine()
	line.SetGlobalOptions(append(baseChartOpts(view.Chart),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "16", Top: "64", Bottom: "28", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", Name: "Days since registering", NameLocation: "middle", NameGap: 28}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Min: 0, AxisLabel: &opts.AxisLabel{Formatter: "{value}%"}}),
	)...)
	line.SetXAxis(xs)
	// Beyond a dozen curves the bands only blur into each other (and cost
	// the browser three series a curve): the tooltip and the table below
	// still give every band.
	bands := len(curves) <= maxChartCurves+1
	if !bands {
		view.Chart.Caption = strings.Replace(view.Chart.Caption, " Shaded: the 95% band of each channel;", " The 95% bands are in the tooltip and the table (too many curves to shade);", 1)
	}
	var legend []string
	for i, c := range curves {
		name, color := curveLabel(c), curveColor(c, colors)
		total := name == totalLabel
		n := min(c.WindowDays+1, len(c.F))
		f, lo, band := make([]opts.LineData, w+1), make([]opts.LineData, w+1), make([]opts.LineData, w+1)
		values := make([]string, w+1)
		for d := range f {
			f[d], lo[d], band[d] = opts.LineData{Value: "-"}, opts.LineData{Value: "-"}, opts.LineData{Value: "-"}
			if d < n {
				f[d].Value, lo[d].Value, band[d].Value = pct(c.F[d]), pct(c.Low[d]), pct(c.High[d]-c.Low[d])
				values[d] = fmt.Sprintf("%s (%s – %s), %s at risk", formatPercent(c.F[d]), formatPercent(c.Low[d]), formatPercent(c.High[d]), formatCount(c.AtRisk[d]))
			}
		}
		id := fmt.Sprintf("f-%d", i)
		tip.Series[id] = tipSeries{Name: name, Values: values}
		legend = append(legend, name)
		style := opts.LineStyle{Color: color, Width: 2}
		if total {
			style.Type, style.Width = "dashed", 2.5
		}
		line.AddSeries(name, f, charts.WithSeriesId(id),
			charts.WithLineChartOpts(opts.LineChart{Symbol: "none", ShowSymbol: opts.Bool(false)}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: color}),
			charts.WithLineStyleOpts(style))
		if total || !bands {
			continue // the pooled band is narrow and would hide the channels'
		}
		// The band: its low end, invisible, with the band's width stacked
		// on it as a filled area; same name as the line, so the legend
		// shows and hides them together.
		stack := fmt.Sprintf("band-%d", i)
		line.AddSeries(name, lo, charts.WithSeriesId(fmt.Sprintf("lo-%d", i)),
			charts.WithLineChartOpts(opts.LineChart{Stack: stack, Symbol: "none", ShowSymbol: opts.Bool(false)}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: color}),
			charts.WithLineStyleOpts(opts.LineStyle{Opacity: opts.Float(0)}))
		line.AddSeries(name, band, charts.WithSeriesId(fmt.Sprintf("hi-%d", i)),
			charts.WithLineChartOpts(opts.LineChart{Stack: stack, Symbol: "none", ShowSymbol: opts.Bool(false)}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: color}),
			charts.WithLineStyleOpts(opts.LineStyle{Opacity: opts.Float(0)}),
			charts.WithAreaStyleOpts(opts.AreaStyle{Color: color, Opacity: opts.Float(colorBand)}))
	}
	line.Validate()
	opt, err := plainOption(line.JSON())
	if err != nil {
		return nil, maturityChart{}, err
	}
	setPath(opt, map[string]any{"type": "scroll", "top": 0, "left": "center", "data": legend}, "legend")
	for i := range opt["series"].([]any) {
		setPath(opt, true, "series", i, "silent")
		setPath(opt, map[string]any{"disabled": true}, "series", i, "emphasis")
	}
	setPath(opt, map[string]any{"type": "line"}, "tooltip", "axisPointer")

	for _, c := range curves {
		row := curveRow{Name: curveLabel(c), Color: template.CSS(curveColor(c, colors)), Registrations: formatCount(c.Registrations),
			Conversions: formatCount(c.Conversions), Complete: c.Complete(), Total: curveLabel(c) == totalLabel}
		for _, d := range days {
			if d >= len(c.F) {
				row.F = append(row.F, "n/a")
				continue
			}
			row.F = append(row.F, fmt.Sprintf("%s (%s – %s)", formatPercent(c.F[d]), formatPercent(c.Low[d]), formatPercent(c.High[d])))
		}
		view.Rows = append(view.Rows, row)
	}
	view.Caption = view.Chart.Caption
	return view, maturityChart{ID: view.Chart.ID, Option: opt, Tip: tip}, nil
}

// pct is a fraction as a percentage for the charts, rounded to 4 decimal
// places to keep the page small (the tooltips show the exact figures).
func pct(f float64) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return math.Round(f*1e6) / 1e4
}

// cohortsSection draws a heat map of the Total, of each channel of rows
// with registrations and of the other channels (other, one row per cohort,
// when the page folds channels), and lists them all in a table.
func cohortsSection(r attribution.Report, rows, other []attribution.CohortMetrics, colors map[string]string) (*cohortsView, []maturityChart, error) {
	cur, loc := r.Currency, reportLocation(r)
	view := &cohortsView{Grain: grainWord(r.CohortGrain), Low: template.CSS(heatLow), High: template.CSS(heatHigh)}
	view.Caption = fmt.Sprintf("Per channel, each %s of registration: the share that bought within 7, 14, 30 and 60 days of registering. "+
		"Grey cells are not mature yet (not every registration of the cohort is that old at as-of) — shown as n/a, never as a too-low number. "+
		"One colour scale for every channel.", view.Grain)
	// One scale for every map, so channels compare.
	scale := 0.0
	for _, c := range slices.Concat(rows, other, r.CohortTotals) {
		for _, v := range c.ConversionByDay() {
			if x := ratioValue(v); x.OK {
				scale = math.Max(scale, x.Float)
			}
		}
	}
	if scale == 0 {
		scale = 0.01
	}
	view.ScaleMax = formatPercent(scale)

	// The maps: the Total first, then each channel with registrations.
	type group struct {
		name  string
		rows  []attribution.CohortMetrics
		total bool
	}
	var groups []group
	if len(r.CohortTotals) > 0 {
		groups = append(groups, group{totalLabel, r.CohortTotals, true})
	}
	var order []string
	byChannel := map[string][]attribution.CohortMetrics{}
	for _, c := range slices.Concat(rows, other) {
		if _, ok := byChannel[c.Channel]; !ok {
			order = append(order, c.Channel)
		}
		byChannel[c.Channel] = append(byChannel[c.Channel], c)
	}
	for _, ch := range order {
		var regs int64
		for _, c := range byChannel[ch] {
			regs += c.Registrations
		}
		if regs > 0 {
			groups = append(groups, group{name: ch, rows: byChannel[ch]})
		}
	}
	xs := make([]string, attribution.NumCohortDays)
	for i, n := range attribution.CohortDays() {
		xs[i] = fmt.Sprintf("Day %d", n)
	}
	var specs []maturityChart
	for gi, g := range groups {
		card := heatMapCard{ID: fmt.Sprintf("chart-cohorts-%d", gi), Name: g.name, Color: template.CSS(colors[g.name]),
			Height: 58 + 26*len(g.rows), Total: g.total}
		if g.total {
			card.ID, card.Color = "chart-cohorts-total", template.CSS(colorTotal)
		}
		ys := make([]string, len(g.rows))
		var cells, na []opts.HeatMapData
		tip := chartTipSpec{Mode: "item", Cells: map[string][]string{}, Labels: map[string]string{}}
		for y, c := range g.rows {
			ys[y] = c.Cohort
			for x, v := range c.ConversionByDay() {
				key := strconv.Itoa(x) + "," + strconv.Itoa(y)
				col := cohortColumns[4+x]
				title := fmt.Sprintf("%s, %s (%s): %s registrations", g.name, c.Cohort, periodText(c.Dates), formatCount(c.Registrations))
				if rv := ratioValue(v); rv.OK {
					cells = append(cells, opts.HeatMapData{Value: []any{x, y, pct(rv.Float)}})
					tip.Labels[key] = formatPercent(rv.Float)
					tip.Cells[key] = []string{title, fmt.Sprintf("Bought within %d days: %s", col.Day, formatPercent(rv.Float))}
				} else {
					// A grey cell: the value only places it; the label
					// and tooltip say n/a.
					na = append(na, opts.HeatMapData{Value: []any{x, y, 0}})
					tip.Labels[key] = "n/a"
					tip.Cells[key] = []string{title, fmt.Sprintf("Bought within %d days: %s", col.Day, col.cohortNote(c, loc))}
				}
			}
		}
		pc := pageChart{ID: card.ID, Title: "Conversion by day N: " + g.name, Height: card.Height}
		hm := charts.NewHeatMap()
		hm.SetGlobalOptions(
			charts.WithInitializationOpts(opts.Initialization{ChartID: pc.ID, Width: "100%", Height: fmt.Sprintf("%dpx", pc.Height), Renderer: "canvas"}),
			charts.WithAnimation(false),
			charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
			charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
			charts.WithGridOpts(opts.Grid{Left: "12", Right: "8", Top: "4", Bottom: "4", ContainLabel: opts.Bool(true)}),
			charts.WithXAxisOpts(opts.XAxis{Type: "category", Data: xs, Position: "top"}),
			charts.WithYAxisOpts(opts.YAxis{Type: "category", Data: ys, Inverse: opts.Bool(true)}),
			charts.WithVisualMapOpts(opts.VisualMap{Type: "continuous", Show: opts.Bool(false), Min: 0, Max: float32(pct(scale)),
				InRange: &opts.VisualMapInRange{Color: []string{heatLow, heatHigh}}}),
		)
		hm.AddSeries("Converted", nonNilHeat(cells), charts.WithSeriesId("cells"),
			charts.WithLabelOpts(opts.Label{Show: opts.Bool(true)}),
			charts.WithItemStyleOpts(opts.ItemStyle{BorderColor: "#ffffff", BorderWidth: 2}))
		hm.AddSeries("Not mature yet", nonNilHeat(na), charts.WithSeriesId("na"),
			charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Color: heatNAText}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: heatNA, BorderColor: "#ffffff", BorderWidth: 2}))
		hm.Validate()
		opt, err := plainOption(hm.JSON())
		if err != nil {
			return nil, nil, err
		}
		// The colour scale maps the first series only: n/a cells stay grey.
		setPath(opt, []any{0}, "visualMap", 0, "seriesIndex")
		setPath(opt, 0, "yAxis", 0, "axisLabel", "interval")
		setPath(opt, map[string]any{"show": true, "color": "#111827", "fontSize": 11}, "series", 0, "label")
		// White text on the darker half of the scale.
		for _, item := range opt["series"].([]any)[0].(map[string]any)["data"].([]any) {
			cell := item.(map[string]any)
			if v, ok := cell["value"].([]any)[2].(float64); ok && v > pct(scale)/2 {
				cell["label"] = map[string]any{"color": "#ffffff"}
			}
		}
		setPath(opt, map[string]any{"show": true, "color": heatNAText, "fontSize": 11}, "series", 1, "label")
		for i := range 2 {
			setPath(opt, map[string]any{"disabled": true}, "series", i, "emphasis")
		}
		specs = append(specs, maturityChart{ID: card.ID, Option: opt, Tip: tip})
		view.Maps = append(view.Maps, card)
	}

	// The table, complete without JavaScript.
	view.Headers = []string{"Cohort", "Dates"}
	for _, c := range cohortColumns {
		view.Headers = append(view.Headers, c.Header)
	}
	row := func(c attribution.CohortMetrics, total bool) cohortRow {
		name := c.Channel
		color := colors[name]
		if total {
			name, color = totalLabel, ""
		}
		out := cohortRow{Channel: name, Cohort: c.Cohort, Dates: periodText(c.Dates), Color: template.CSS(color), Total: total}
		for _, col := range cohortColumns {
			v := col.get(c)
			cell := tableCell{Text: col.display(c, cur), NA: !v.OK, Sort: sortKey(col.asColumn(), v)}
			if !v.OK {
				cell.Why, cell.Class = col.cohortNote(c, loc), "na"
			}
			out.Cells = append(out.Cells, cell)
		}
		return out
	}
	for _, c := range slices.Concat(rows, other) {
		view.Rows = append(view.Rows, row(c, false))
	}
	for _, c := range r.CohortTotals {
		view.Rows = append(view.Rows, row(c, true))
	}
	return view, specs, nil
}

func nonNilHeat(d []opts.HeatMapData) []opts.HeatMapData {
	if d == nil {
		return []opts.HeatMapData{}
	}
	return d
}

// trendSection draws the weekly trend: stacked registrations per channel,
// and lines of the conversion rate and the cost per customer per channel
// with the Total dashed; weeks with immature registrations are shaded as
// still maturing.
//
// rows are the weekly rows of the channels shown by name and other, when
// the page folds channels, the weekly sums of the others: a series of its
// own, so the stacked registrations still add up to each week's total.
func trendSection(r attribution.Report, rows, other []attribution.CohortMetrics, colors map[string]string) (*trendView, []maturityChart, error) {
	cur := r.Currency
	var weeks []attribution.CohortMetrics // the Totals, one per week
	weeks = append(weeks, r.TrendTotals...)
	index := map[string]int{}
	var labels []string
	for i, t := range weeks {
		index[t.Cohort] = i
		labels = append(labels, t.Cohort)
	}
	var order []string
	series := map[string][]attribution.CohortMetrics{}
	regs := map[string]int64{}
	for _, c := range slices.Concat(rows, other) {
		if _, ok := index[c.Cohort]; !ok {
			continue
		}
		if _, ok := series[c.Channel]; !ok {
			order = append(order, c.Channel)
			series[c.Channel] = make([]attribution.CohortMetrics, len(weeks))
		}
		series[c.Channel][index[c.Cohort]] = c
		regs[c.Channel] += c.Registrations
	}
	order = slices.DeleteFunc(order, func(ch string) bool { return regs[ch] == 0 })
	titles := make([]string, len(weeks))
	maturing := -1 // the first week with immature registrations
	for i, t := range weeks {
		titles[i] = fmt.Sprintf("%s (%s)", t.Cohort, periodText(t.Dates))
		if t.Dates.Days() < 7 {
			titles[i] += ", a partial week"
		}
		if t.Immature > 0 && maturing < 0 {
			maturing = i
		}
	}
	shade := func(opt map[string]any) {
		if maturing < 0 || len(opt["series"].([]any)) == 0 {
			return
		}
		setPath(opt, map[string]any{
			"silent":    true,
			"itemStyle": map[string]any{"color": "rgba(148,163,184,0.16)"},
			"label":     map[string]any{"show": true, "position": "insideTop", "color": "#5b6472", "formatter": "still maturing"},
			"data":      []any{[]any{map[string]any{"xAxis": labels[maturing]}, map[string]any{"xAxis": labels[len(labels)-1]}}},
		}, "series", 0, "markArea")
	}
	base := func(pc pageChart, yName, yFormat string) *charts.Line {
		line := charts.NewLine()
		line.SetGlobalOptions(append(baseChartOpts(pc),
			charts.WithGridOpts(opts.Grid{Left: "8", Right: "16", Top: "64", Bottom: "8", ContainLabel: opts.Bool(true)}),
			charts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: &opts.AxisLabel{Rotate: 35}}),
			charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: yName, Min: 0, AxisLabel: &opts.AxisLabel{Formatter: types.FuncStr(yFormat)}}),
		)...)
		line.SetXAxis(labels)
		return line
	}
	view := &trendView{}
	var specs []maturityChart
	finish := func(pc pageChart, opt map[string]any, tip chartTipSpec, legend []string) {
		setPath(opt, map[string]any{"type": "scroll", "top": 0, "left": "center", "data": legend}, "legend")
		setPath(opt, 0, "xAxis", 0, "axisLabel", "interval")
		view.Charts = append(view.Charts, pc)
		specs = append(specs, maturityChart{ID: pc.ID, Option: opt, Tip: tip})
	}
	legend := append(slices.Clone(order), totalLabel)

	// Registrations, stacked by channel.
	pc := pageChart{ID: "chart-trend-registrations", Title: "Registrations per week",
		Caption: "Registrations of each ISO week, stacked by channel; the first and last weeks may be partial.", Height: 380}
	bar := charts.NewBar()
	bar.SetGlobalOptions(append(baseChartOpts(pc),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "16", Top: "64", Bottom: "8", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: &opts.AxisLabel{Rotate: 35}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", MinInterval: 1}),
	)...)
	bar.SetXAxis(labels)
	tip := chartTipSpec{Mode: "axis", Series: map[string]tipSeries{}}
	for i, t := range weeks {
		tip.Titles = append(tip.Titles, titles[i]+": "+formatCount(t.Registrations)+" registrations")
	}
	for i, ch := range order {
		data := make([]opts.BarData, len(weeks))
		values := make([]string, len(weeks))
		for w, c := range series[ch] {
			data[w] = opts.BarData{Value: c.Registrations}
			values[w] = formatCount(c.Registrations)
		}
		id := fmt.Sprintf("c-%d", i)
		tip.Series[id] = tipSeries{Name: ch, Values: values}
		bar.AddSeries(ch, data, charts.WithSeriesId(id), charts.WithBarChartOpts(opts.BarChart{Stack: "registrations"}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: colors[ch]}))
	}
	bar.Validate()
	opt, err := plainOption(bar.JSON())
	if err != nil {
		return nil, nil, err
	}
	finish(pc, opt, tip, order)

	// Conversion rate and cost per customer: a line per channel and the
	// Total, dashed.
	// A dot on every week of every line is noise beyond a dozen lines (and
	// a drawing each): then the tooltip shows the values.
	few := len(order) <= maxChartCurves
	lines := func(pc pageChart, yName, yFormat string, get func(c attribution.CohortMetrics) (float64, string, bool)) error {
		line := base(pc, yName, yFormat)
		tip := chartTipSpec{Mode: "axis", Titles: titles, Series: map[string]tipSeries{}}
		add := func(id, name, color string, rows []attribution.CohortMetrics, total bool) {
			data := make([]opts.LineData, len(weeks))
			values := make([]string, len(weeks))
			for w, c := range rows {
				data[w] = opts.LineData{Value: "-"}
				v, text, ok := get(c)
				switch {
				case ok && !total && c.Registrations < minTrendRegistrations:
					values[w] = fmt.Sprintf("%s (%s registrations: too few to draw)", text, formatCount(c.Registrations))
				case ok:
					data[w].Value = v
					values[w] = text
				case c.Cohort != "":
					values[w] = "n/a"
				}
			}
			tip.Series[id] = tipSeries{Name: name, Values: values}
			style := opts.LineStyle{Color: color, Width: 2}
			if total {
				style.Type, style.Width = "dashed", 2.5
			}
			line.AddSeries(name, data, charts.WithSeriesId(id),
				charts.WithLineChartOpts(opts.LineChart{Symbol: "circle", SymbolSize: 5, ShowSymbol: opts.Bool(few), ConnectNulls: opts.Bool(false)}),
				charts.WithItemStyleOpts(opts.ItemStyle{Color: color}), charts.WithLineStyleOpts(style))
		}
		for i, ch := range order {
			add(fmt.Sprintf("c-%d", i), ch, colors[ch], series[ch], false)
		}
		add("total", totalLabel, colorTotal, weeks, true)
		line.Validate()
		opt, err := plainOption(line.JSON())
		if err != nil {
			return err
		}
		shade(opt)
		finish(pc, opt, tip, legend)
		return nil
	}
	shaded := fmt.Sprintf(" A channel's week with fewer than %d registrations is left out of its line (too noisy to read; its tooltip has it).", minTrendRegistrations)
	if maturing >= 0 {
		shaded += " Shaded: weeks with registrations still inside their conversion window, whose conversion rate is understated and cost per customer overstated."
	}
	err = lines(pageChart{ID: "chart-trend-conversion", Title: "Conversion rate per week",
		Caption: "Customers ÷ registrations of each week's registrations, per channel; dashed: all channels." + shaded, Height: 380},
		"", "{value}%", func(c attribution.CohortMetrics) (float64, string, bool) {
			v := ratioValue(c.ConversionRate)
			return pct(v.Float), formatPercent(v.Float), v.OK
		})
	if err != nil {
		return nil, nil, err
	}
	err = lines(pageChart{ID: "chart-trend-cac", Title: "Cost per customer per week",
		Caption: "Spend of the week ÷ customers of the week's registrations, in " + currencyLabel(cur) + ", per channel; missing where a week has no customers; dashed: all channels." + shaded, Height: 380},
		cur.Code, "{value}", func(c attribution.CohortMetrics) (float64, string, bool) {
			q := c.CostPerCustomer
			if !q.Valid() {
				return 0, "", false
			}
			return q.Float64(), attribution.GroupDigits(q.Format(cur.Digits)) + unitSuffix(cur), true
		})
	if err != nil {
		return nil, nil, err
	}
	return view, specs, nil
}

// unitSuffix is " EUR" after an amount, or nothing without a currency code.
func unitSuffix(cur attribution.Currency) string {
	if cur.Code == "" {
		return ""
	}
	return " " + cur.Code
}

// minTrendRegistrations is the fewest registrations of a channel's week
// that the trend's rate and cost lines draw: below it a single customer
// more or less swings the rate by 5 points or more.
const minTrendRegistrations = 20

// pageProspects is how many prospects the page lists (the workbook has
// all of the report's).
const pageProspects = 10

func prospectsSection(r attribution.Report, colors map[string]string) (*prospectsView, []maturityChart, error) {
	view := &prospectsView{HorizonDays: r.ProspectsHorizonDays, Scored: formatCount(r.ProspectsScored),
		Listed: formatCount(int64(min(len(r.Prospects), pageProspects)))}
	if r.ProspectsHorizonDays > 0 {
		view.Caption = fmt.Sprintf(prospectsRule, r.ProspectsHorizonDays) + fmt.Sprintf(" %s prospects were scored at the as-of time; the %s best are below, the %s best in the workbook's Prospects sheet, and origen prospects writes them all.",
			view.Scored, view.Listed, formatCount(int64(len(r.Prospects))))
	}
	view.Headers = []string{"Rank", "User ID", "Channel", "Campaign", "Registered at", "Age (days)", "Probability", "Scored from"}
	for i, p := range r.Prospects[:min(len(r.Prospects), pageProspects)] {
		view.Rows = append(view.Rows, prospectRow{
			Rank: strconv.Itoa(i + 1), UserID: p.UserID, Channel: p.Channel, Campaign: orDash(p.Campaign),
			RegisteredAt: humanTime(p.RegisteredAt, r.Timezone), Age: strconv.Itoa(p.AgeDays),
			Probability: formatPercent(p.Probability), Basis: prospectBasisText(p.Basis), Color: template.CSS(colors[p.Channel]),
		})
	}
	bt := r.Backtest
	if bt == nil {
		return view, nil, nil
	}
	b := &backtestView{
		Caption: fmt.Sprintf(backtestRule, bt.HorizonDays, bt.HorizonDays) + fmt.Sprintf(" Scored at %s, outcome up to %s.", humanTime(bt.AsOf, r.Timezone), humanTime(bt.OutcomeEnd, r.Timezone)),
		Chart: pageChart{ID: "chart-calibration", Title: "Calibration by decile",
			Caption: "Per tenth of the prospects by score (1 = best scored): the mean predicted probability and the share that actually bought. Close bars mean the probabilities can be taken at face value.",
			Height:  300},
	}
	b.Figures = []kpi{
		{Label: "Precision in the top " + formatCount(bt.TopN), Value: formatRatio(bt.PrecisionAtN), Detail: "base rate " + formatRatio(bt.BaseRate)},
		{Label: "Top-decile lift", Value: formatLift(bt.TopDecileLift), Detail: "top 10% bought at " + formatRatio(bt.TopDecileRate)},
		{Label: "Calibration error", Value: formatPoints(bt.CalibrationError), Detail: "largest decile gap " + formatPoints(bt.MaxCalibrationGap)},
		{Label: "Prospects scored", Value: formatCount(bt.Users), Detail: formatCount(bt.Converted) + " bought within " + strconv.Itoa(bt.HorizonDays) + " days"},
	}
	xs := make([]string, len(bt.Deciles))
	pred, obs := make([]opts.BarData, len(bt.Deciles)), make([]opts.BarData, len(bt.Deciles))
	tip := chartTipSpec{Mode: "axis", Series: map[string]tipSeries{"predicted": {Name: "Mean predicted"}, "observed": {Name: "Bought"}}}
	p, o := tip.Series["predicted"], tip.Series["observed"]
	for i, d := range bt.Deciles {
		xs[i] = strconv.Itoa(d.Decile)
		pred[i] = opts.BarData{Value: pct(d.MeanScore)}
		obs[i] = opts.BarData{Value: pct(d.ObservedRate)}
		p.Values = append(p.Values, formatPercent(d.MeanScore))
		o.Values = append(o.Values, formatPercent(d.ObservedRate))
		tip.Titles = append(tip.Titles, fmt.Sprintf("Decile %d: %s prospects", d.Decile, strconv.FormatFloat(d.Users, 'f', 1, 64)))
		b.Deciles = append(b.Deciles, []string{strconv.Itoa(d.Decile), strconv.FormatFloat(d.Users, 'f', 1, 64), formatPercent(d.MeanScore), formatPercent(d.ObservedRate)})
	}
	tip.Series["predicted"], tip.Series["observed"] = p, o
	bar := charts.NewBar()
	bar.SetGlobalOptions(append(baseChartOpts(b.Chart),
		charts.WithColorsOpts(opts.Colors{"#9aa3af", "#4e79a7"}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "16", Top: "40", Bottom: "24", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", Name: "Decile", NameLocation: "middle", NameGap: 24}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Min: 0, AxisLabel: &opts.AxisLabel{Formatter: "{value}%"}}),
	)...)
	bar.SetXAxis(xs).
		AddSeries("Mean predicted", pred, charts.WithSeriesId("predicted")).
		AddSeries("Bought", obs, charts.WithSeriesId("observed"))
	bar.Validate()
	opt, err := plainOption(bar.JSON())
	if err != nil {
		return nil, nil, err
	}
	view.Backtest = b
	return view, []maturityChart{{ID: b.Chart.ID, Option: opt, Tip: tip}}, nil
}

// formatPoints is a difference of two rates in percentage points.
func formatPoints(r attribution.Ratio) string {
	v := ratioValue(r)
	if !v.OK {
		return "n/a"
	}
	return strconv.FormatFloat(v.Float*100, 'f', 2, 64) + " pp"
}

// kpiProjection is the line under a headline figure with its projection,
// e.g. "projected 12.13% (12.08% – 12.24%)"; "" without one.
func kpiProjection(key string, total rowData, cur attribution.Currency) string {
	var col column
	switch key {
	case "conversion_rate":
		col = columnOf(projectionColumns, "projected_conversion_rate")
	case "cost_per_customer":
		col = columnOf(projectionColumns, "projected_cost_per_customer")
	default:
		return ""
	}
	v := col.value(total)
	if !v.OK {
		return ""
	}
	s := "projected " + col.display(v, cur)
	if col.Kind == kindMoney && cur.Code != "" {
		s += " " + cur.Code
	}
	if band := bandText(col, total, cur); band != "" {
		s += " (" + band + ")"
	}
	return s
}
