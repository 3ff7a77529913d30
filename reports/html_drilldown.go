package reports

import (
	_ "embed"
	"fmt"
	"html/template"
	"slices"

	"github.com/origen-analytics/origen/attribution"
)

// drilldownSource holds the page's drill-down sections (campaigns and
// sources per channel, declared dimensions), parsed into pageTemplate:
// <details> per channel, so they read with JavaScript off.
//
//go:embed templates/drilldown.html
var drilldownSource string

// MaxCampaigns is how many campaigns of a channel the page shows by name,
// the most registrations first; the others are one row, "(other
// campaigns)", whose ratios come from its sums. The workbook and the JSON
// keep every campaign.
const MaxCampaigns = 50

// otherCampaigns is the label of the campaigns the page adds up.
const otherCampaigns = "(other campaigns)"

// drillSection is the data of templates/drilldown.html.
type drillSection struct {
	Currency     string
	MaxCampaigns int
	CampaignNote string
	Campaigns    []drillGroup
	Sources      []drillGroup
	SpendNote    string
	Dimensions   []drillDimension
	// Folded says that the channels the page adds up have their
	// drill-down in the workbook and the JSON only; empty when none.
	Folded string
}

// drillGroup is one drill table: a channel's campaigns, sources or
// values of a dimension, or a dimension's values over all channels. First
// heads the row names, Label names the table for assistive technology.
type drillGroup struct {
	Name, Summary, First, Label string
	Color                       template.CSS
	Headers                     []string
	Rows                        []tableRow
}

type drillDimension struct {
	Name      string
	Values    drillGroup
	ByChannel []drillGroup
}

// drillHTMLColumns are the page's channel-table columns for drill rows:
// the metrics, status and projection, no comparison (drill rows have no
// previous period).
func drillHTMLColumns(r attribution.Report, projection bool) []column {
	var cols []column
	for _, c := range htmlColumns(r) {
		switch c.Group {
		case groupPrevious, groupChange:
			continue
		case groupProjection:
			if !projection {
				continue
			}
		}
		cols = append(cols, c)
	}
	return cols
}

// drillRow is the page row of d: spend n/a where it is not known.
func drillRow(cols []column, d attribution.DrillMetrics, label string, r attribution.Report, color string) tableRow {
	row := htmlRow(cols, rowData{M: d.ChannelMetrics, Th: d.Thresholds(r.Targets)}, r.Currency, color)
	row.Name = label
	if d.NoSpend {
		for i, c := range cols[1:] {
			if c.Key == "spend" {
				row.Cells[i] = tableCell{Text: "n/a", NA: true, Class: "na", Why: "n/a: spend is not known at this level; the channel's spend stays on its row"}
			}
		}
	}
	return row
}

// foldCampaigns keeps the first max rows (already by registrations) and
// adds up the others into one, with its channel's status.
func foldCampaigns(rows []attribution.DrillMetrics, max int, w int) []attribution.DrillMetrics {
	if len(rows) <= max {
		return rows
	}
	ms := make([]attribution.ChannelMetrics, 0, len(rows)-max)
	noSpend := false
	for _, d := range rows[max:] {
		ms = append(ms, d.ChannelMetrics)
		noSpend = noSpend || d.NoSpend
	}
	other := attribution.DrillMetrics{ChannelMetrics: sumChannels(otherCampaigns, ms, w), Parent: rows[0].Parent, Campaign: otherCampaigns, NoSpend: noSpend}
	if noSpend {
		other.CostPerRegistration, other.CostPerCustomer, other.ROAS = attribution.Quotient{}, attribution.Quotient{}, attribution.Ratio{}
		other.ProjectedCostPerCustomer = attribution.MoneyEstimate{}
	}
	return append(slices.Clone(rows[:max]), other)
}

// byParent splits drill rows into their channels, in order.
func byParent(rows []attribution.DrillMetrics, fold channelFold) (names []string, groups map[string][]attribution.DrillMetrics) {
	groups = map[string][]attribution.DrillMetrics{}
	for _, d := range rows {
		if !fold.shows(d.Parent) {
			continue
		}
		if _, ok := groups[d.Parent]; !ok {
			names = append(names, d.Parent)
		}
		groups[d.Parent] = append(groups[d.Parent], d)
	}
	return names, groups
}

func headersOf(cols []column) []string {
	var out []string
	for _, c := range cols[1:] {
		out = append(out, c.Header)
	}
	return out
}

// groupSummary is the line a channel's details show while closed.
func groupSummary(n int, what string, rows []attribution.DrillMetrics) string {
	if n == 1 {
		what = map[string]string{"campaigns": "campaign", "sources / media": "source / medium", "values": "value"}[what]
	}
	var regs int64
	for _, d := range rows {
		regs += d.Registrations
	}
	return fmt.Sprintf("%s %s, %s registrations", attribution.GroupDigits(fmt.Sprint(n)), what, attribution.GroupDigits(fmt.Sprint(regs)))
}

// newDrillSection is the page's drill-down, nil when r has none: the
// channels the page shows by name (fold), each with its rows.
func newDrillSection(r attribution.Report, colors map[string]string, fold channelFold) *drillSection {
	if len(r.Campaigns)+len(r.Sources)+len(r.Dimensions) == 0 {
		return nil
	}
	s := &drillSection{Currency: r.Currency.Code, SpendNote: drillNoSpendNote, MaxCampaigns: MaxCampaigns}
	if fold.Other != nil {
		s.Folded = fmt.Sprintf("Only the %d channels shown by name above are broken down here; the others are in the workbook's sheets and the JSON.", len(fold.Rows))
	}
	if !r.CampaignSpend {
		s.CampaignNote = drillCampaignNoSpend
	}
	campCols := drillHTMLColumns(r, true)
	names, groups := byParent(r.Campaigns, fold)
	for _, name := range names {
		rows := groups[name]
		g := drillGroup{Name: name, Color: template.CSS(colors[name]), Summary: groupSummary(len(rows), "campaigns", rows),
			First: "Campaign", Label: "Campaigns of " + name, Headers: headersOf(campCols)}
		for _, d := range foldCampaigns(rows, MaxCampaigns, r.WindowDays) {
			g.Rows = append(g.Rows, drillRow(campCols, d, d.Campaign, r, ""))
		}
		s.Campaigns = append(s.Campaigns, g)
	}
	plain := drillHTMLColumns(r, false)
	names, groups = byParent(r.Sources, fold)
	for _, name := range names {
		rows := groups[name]
		g := drillGroup{Name: name, Color: template.CSS(colors[name]), Summary: groupSummary(len(rows), "sources / media", rows),
			First: "Source / medium", Label: "Sources of " + name, Headers: headersOf(plain)}
		for _, d := range rows {
			g.Rows = append(g.Rows, drillRow(plain, d, d.Source+" / "+d.Medium, r, ""))
		}
		s.Sources = append(s.Sources, g)
	}
	for _, dim := range r.Dimensions {
		pd := drillDimension{Name: dim.Name, Values: drillGroup{First: dim.Name, Label: dim.Name + ", all channels", Headers: headersOf(plain)}}
		for _, d := range dim.Values {
			pd.Values.Rows = append(pd.Values.Rows, drillRow(plain, d, d.Value, r, ""))
		}
		names, groups = byParent(dim.ByChannel, fold)
		for _, name := range names {
			rows := groups[name]
			g := drillGroup{Name: name, Color: template.CSS(colors[name]), Summary: groupSummary(len(rows), "values", rows),
				First: dim.Name, Label: dim.Name + " of " + name, Headers: headersOf(plain)}
			for _, d := range rows {
				g.Rows = append(g.Rows, drillRow(plain, d, d.Value, r, ""))
			}
			pd.ByChannel = append(pd.ByChannel, g)
		}
		s.Dimensions = append(s.Dimensions, pd)
	}
	return s
}
