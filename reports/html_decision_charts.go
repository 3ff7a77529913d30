package reports

import (
	"math"
	"strconv"

	"github.com/origen-analytics/origen/attribution"
)

// The decision charts are built as plain ECharts options (no go-echarts
// types): a bar chart of CAC per channel with each channel's CAC target,
// and the quadrant chart of CAC against customers. Channels with fewer
// than smallChannel registrations are drawn faded and the axes are scaled
// to the others (their bars and bubbles are clipped at the edge, and the
// tooltip and the table have their figures).

// fadedOpacity is the opacity of a small channel's bar or bubble.
const fadedOpacity = 0.35

// axisMax is a round upper bound of the axis for the largest value v of
// the channels that are not small, with a little room above it; 0 (let
// ECharts choose) when there is none.
func axisMax(v float64) float64 {
	if v <= 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	v *= 1.12
	step := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10} {
		if m*step >= v {
			return m * step
		}
	}
	return 10 * step
}

func opacity(m attribution.ChannelMetrics) float64 {
	if m.Registrations < smallChannel {
		return fadedOpacity
	}
	return 1
}

// axisName is an axis title that is never clipped: placed at the end of
// the axis and aligned into the chart.
func axisName(name, align string) map[string]any {
	return map[string]any{"name": name, "nameLocation": "end", "nameTextStyle": map[string]any{"align": align, "fontWeight": 600, "color": "#5b6472"}}
}

func cacAxisTitle(cur attribution.Currency) string {
	if cur.Code == "" {
		return "CAC"
	}
	return "CAC (" + cur.Code + ")"
}

// cacOption is the CAC of each channel as a bar in its colour, with the
// channel's CAC target as a short red mark on its bar (targets can differ
// by channel, so no line joins them). Channels without customers have no
// bar.
func cacOption(r attribution.Report, rows []rowData, colors map[string]string) map[string]any {
	names := rowNames(rows)
	bars := make([]any, len(rows))
	targets := make([]any, len(rows))
	top := 0.0
	for i, x := range rows {
		m := x.M
		bar := map[string]any{"value": "-", "itemStyle": map[string]any{"color": colors[m.Channel], "opacity": opacity(m)}}
		if q := m.CostPerCustomer; q.Valid() {
			bar["value"] = q.Float64()
			if m.Registrations >= smallChannel {
				top = max(top, q.Float64())
			}
		}
		bars[i] = bar
		targets[i] = "-"
		if th := x.Th.CACMax; th != nil {
			targets[i] = th.Float64()
			top = max(top, th.Float64())
		}
	}
	yAxis := map[string]any{"type": "value", "min": 0, "splitLine": map[string]any{"lineStyle": map[string]any{"color": "#e3e7ee"}}}
	for k, v := range axisName(cacAxisTitle(r.Currency), "left") {
		yAxis[k] = v
	}
	if m := axisMax(top); m > 0 {
		yAxis["max"] = m
	}
	return map[string]any{
		"animation": false,
		"textStyle": map[string]any{"fontFamily": fontStack},
		"legend":    map[string]any{"show": true, "top": 0, "left": "center", "type": "plain"},
		"tooltip":   map[string]any{"show": true, "trigger": "axis", "axisPointer": map[string]any{"type": "shadow"}},
		"grid":      map[string]any{"left": 8, "right": 16, "top": 56, "bottom": 8, "containLabel": true},
		"xAxis":     []any{map[string]any{"type": "category", "data": names, "axisLabel": map[string]any{"rotate": 35, "interval": 0}}},
		"yAxis":     []any{yAxis},
		"series": []any{
			map[string]any{"id": "cac", "name": "Cost per customer (CAC)", "type": "bar", "data": bars, "barMaxWidth": 48,
				"itemStyle": map[string]any{"color": "#9aa3af"}, "clip": true},
			map[string]any{"id": "cac-target", "name": "CAC target", "type": "scatter", "data": targets, "symbol": "rect",
				"symbolSize": []any{34, 3}, "itemStyle": map[string]any{"color": colorTarget}, "z": 10, "clip": true},
		},
	}
}

// quadrantOption places each channel with customers by its customers (x)
// and CAC (y), the bubble's area proportional to its spend, with the
// default CAC target as a horizontal line and the average customers per
// channel as a vertical one: expensive small channels sit top left. Its
// data index i is the tips row index[i].
func quadrantOption(r attribution.Report, rows []rowData, tipIndex []int, colors map[string]string) (map[string]any, []int) {
	var data []any
	var index []int
	var maxSpend float64
	for _, x := range rows {
		maxSpend = max(maxSpend, x.M.Spend.Float64())
	}
	topX, topY := 0.0, 0.0
	var customers int64
	n := 0
	for i, x := range rows {
		m := x.M
		if !m.CostPerCustomer.Valid() {
			continue
		}
		cac := m.CostPerCustomer.Float64()
		size := 10.0
		if maxSpend > 0 && m.Spend > 0 {
			size = 10 + 50*math.Sqrt(m.Spend.Float64()/maxSpend) // area ∝ spend
		}
		if m.Registrations >= smallChannel {
			topX, topY = max(topX, float64(m.Customers)), max(topY, cac)
		}
		customers += m.Customers
		n++
		data = append(data, map[string]any{
			"name": m.Channel, "value": []any{m.Customers, cac}, "symbolSize": size,
			"itemStyle": map[string]any{"color": colors[m.Channel], "opacity": opacity(m) * 0.85, "borderColor": "#fff", "borderWidth": 1},
		})
		index = append(index, tipIndex[i])
	}
	var lines []any
	if th := r.Targets.Default.CACMax; th != nil {
		lines = append(lines, map[string]any{"yAxis": th.Float64(), "label": map[string]any{
			"formatter": "CAC target " + attribution.GroupDigits(th.Format(r.Currency.Digits)), "position": "insideEndTop", "color": colorTarget},
			"lineStyle": map[string]any{"color": colorTarget, "type": "dashed", "width": 1.5}})
		topY = max(topY, th.Float64())
	}
	if n > 0 {
		avg := float64(customers) / float64(n)
		lines = append(lines, map[string]any{"xAxis": avg, "label": map[string]any{
			"formatter": "average " + strconv.FormatFloat(avg, 'f', 0, 64), "position": "insideEndTop", "color": "#5b6472"},
			"lineStyle": map[string]any{"color": "#9aa3af", "type": "dashed", "width": 1}})
	}
	xAxis := map[string]any{"type": "value", "min": 0, "name": "Customers", "nameLocation": "middle", "nameGap": 26,
		"nameTextStyle": map[string]any{"fontWeight": 600, "color": "#5b6472"}, "minInterval": 1,
		"splitLine": map[string]any{"lineStyle": map[string]any{"color": "#e3e7ee"}}}
	if m := axisMax(topX); m > 0 {
		xAxis["max"] = m
	}
	yAxis := map[string]any{"type": "value", "min": 0, "splitLine": map[string]any{"lineStyle": map[string]any{"color": "#e3e7ee"}}}
	for k, v := range axisName(cacAxisTitle(r.Currency), "left") {
		yAxis[k] = v
	}
	if m := axisMax(topY); m > 0 {
		yAxis["max"] = m
	}
	series := map[string]any{"id": "channels", "name": "Channels", "type": "scatter", "data": nonNilAny(data), "clip": true,
		"label":       map[string]any{"show": true, "formatter": "{b}", "position": "right", "color": "#1f2937", "fontSize": 11},
		"labelLayout": map[string]any{"hideOverlap": true}, "emphasis": map[string]any{"focus": "self"}}
	if len(lines) > 0 {
		series["markLine"] = map[string]any{"silent": true, "symbol": "none", "data": lines}
	}
	return map[string]any{
		"animation": false,
		"textStyle": map[string]any{"fontFamily": fontStack},
		"tooltip":   map[string]any{"show": true, "trigger": "item"},
		"grid":      map[string]any{"left": 8, "right": 24, "top": 40, "bottom": 30, "containLabel": true},
		"xAxis":     []any{xAxis},
		"yAxis":     []any{yAxis},
		"series":    []any{series},
	}, index
}

func nonNilAny(s []any) []any {
	if s == nil {
		return []any{}
	}
	return s
}
