package attribution

import (
	"sort"
	"strings"
	"unicode"
)

// MaxDimensions is how many declared dimensions ([registrations]
// dimensions) one report breaks its cohort down by.
const MaxDimensions = 4

// DrillRow is one row of a drill-down part of the one pass: the cohort
// aggregation of the period (as CohortRow) for one channel and one value
// of a finer key - a campaign, a source and medium, or a value of a
// declared dimension. Values are raw (NULL when not Valid).
type DrillRow struct {
	CohortRow
	Value       string
	ValueValid  bool
	Value2      string // the medium of a source row
	Value2Valid bool
}

// DimensionFacts are the drill-down rows of one declared dimension.
type DimensionFacts struct {
	Name string
	Rows []DrillRow
}

// drillRows are the drill-down parts of f, to rename their channels.
func (f *Facts) drillRows() [][]DrillRow {
	out := [][]DrillRow{f.Campaigns, f.Sources}
	for _, d := range f.Dimensions {
		out = append(out, d.Rows)
	}
	return out
}

// The labels of a drill-down row whose key is NULL, empty or only white
// space.
const (
	NoCampaignLabel = "(no campaign)"
	NoSourceLabel   = "(no source)"
	NoMediumLabel   = "(no medium)"
	NotSetLabel     = "(not set)"
)

// DrillMetrics is one row of a drill-down table (docs/METRICS.md,
// "Drill-down"): the metrics of the channel table for the registrations
// of one channel (Parent) that share a campaign, a source and medium, or
// a value of a declared dimension; Parent is "" for a dimension's value
// over all channels. The embedded ChannelMetrics' Channel is the row's
// label (the campaign, "source / medium", the value).
type DrillMetrics struct {
	ChannelMetrics
	Parent                          string
	Campaign, Source, Medium, Value string
	// NoSpend marks a row whose spend is not known at its grain (a
	// campaign without spend per campaign, a source, a dimension): its
	// spend, cost per registration, CAC, ROAS and projected CAC are n/a,
	// and the spend stays on the channel row.
	NoSpend bool
}

// Thresholds are the targets the row is judged against: its channel's
// (the default ones for a value over all channels), without the cost and
// ROAS targets when its spend is not known.
func (d DrillMetrics) Thresholds(t Targets) Thresholds {
	th := t.For(d.Parent)
	if d.Parent == "" {
		th = t.Default
	}
	if d.NoSpend {
		th.CACMax, th.ROASMin = nil, nil
	}
	return th
}

// DimensionReport is the drill-down of one declared dimension: each value
// over all channels, and each value × channel.
type DimensionReport struct {
	Name      string
	Values    []DrillMetrics
	ByChannel []DrillMetrics
}

// drillInputs are what every drill-down table is computed with.
type drillInputs struct {
	in       Inputs // the period's parameters (Cohort and Spend unused)
	channels []ChannelMetrics
	curves   CurveSet
	// campaignSpend is the period's spend per channel and campaign, nil
	// when the spend source has no campaign.
	campaignSpend map[string][]SpendRow
}

// drillKey is the label of a drill row and the fields of DrillMetrics it
// sets.
type drillKey func(r DrillRow, m *DrillMetrics) string

func campaignKey(r DrillRow, m *DrillMetrics) string {
	m.Campaign = drillLabel(r.Value, r.ValueValid, NoCampaignLabel)
	return m.Campaign
}

func sourceKey(r DrillRow, m *DrillMetrics) string {
	m.Source = drillLabel(r.Value, r.ValueValid, NoSourceLabel)
	m.Medium = drillLabel(r.Value2, r.Value2Valid, NoMediumLabel)
	return m.Source + " / " + m.Medium
}

func valueKey(r DrillRow, m *DrillMetrics) string {
	m.Value = drillLabel(r.Value, r.ValueValid, NotSetLabel)
	return m.Value
}

// drillLabel is a key as shown: trimmed, none when blank.
func drillLabel(raw string, valid bool, none string) string {
	s := strings.TrimFunc(raw, unicode.IsSpace)
	if !valid || s == "" {
		return none
	}
	return s
}

// table computes the drill rows of rows grouped by parent (the channel,
// or "" for all channels), each group by ComputeChecked exactly as the
// channel table, the groups in the order of the channel table and their
// rows by registrations (most first), then label.
func (d drillInputs) table(rows []DrillRow, key drillKey, byChannel bool, spend map[string][]SpendRow) ([]DrillMetrics, error) {
	type group struct {
		cohort []CohortRow
		keys   map[string]DrillMetrics
	}
	groups := map[string]*group{}
	for _, r := range rows {
		parent := ""
		if byChannel {
			parent = NormalizeChannel(r.Channel, r.ChannelValid)
		}
		g, ok := groups[parent]
		if !ok {
			g = &group{keys: map[string]DrillMetrics{}}
			groups[parent] = g
		}
		m := DrillMetrics{Parent: parent}
		label := key(r, &m)
		g.keys[label] = m
		c := r.CohortRow
		c.Channel, c.ChannelValid = label, true
		g.cohort = append(g.cohort, c)
	}
	order := []string{""}
	if byChannel {
		order = order[:0]
		for _, m := range d.channels {
			order = append(order, m.Channel)
		}
	}
	var out []DrillMetrics
	for _, parent := range order {
		g, ok := groups[parent]
		if !ok && spend[parent] == nil {
			continue
		}
		if !ok {
			g = &group{keys: map[string]DrillMetrics{}}
		}
		in := d.in
		in.Cohort, in.Spend = g.cohort, nil
		if spend != nil {
			in.Spend = spend[parent]
		}
		rep, err := ComputeChecked(in)
		if err != nil {
			return nil, err
		}
		sort.SliceStable(rep.Channels, func(i, j int) bool {
			a, b := rep.Channels[i], rep.Channels[j]
			if a.Registrations != b.Registrations {
				return a.Registrations > b.Registrations
			}
			return a.Channel < b.Channel
		})
		for _, m := range rep.Channels {
			row, ok := g.keys[m.Channel]
			if !ok { // spend of a campaign without registrations
				row = DrillMetrics{Parent: parent, Campaign: m.Channel}
			}
			row.ChannelMetrics = m
			if spend == nil {
				row.NoSpend = true
				row.CostPerRegistration, row.CostPerCustomer, row.ROAS = Quotient{}, Quotient{}, Ratio{}
			}
			out = append(out, row)
		}
	}
	return out, nil
}

// projectCampaigns fills the projection of campaign rows as Project does
// for channels: the campaign's open registrations, each with its
// probability of converting before day W read off its channel's curve
// when that is complete, else off the curve of all channels.
func (d drillInputs) projectCampaigns(rows []DrillMetrics) {
	for i := range rows {
		m := &rows[i]
		if m.Registrations == 0 {
			m.ProjectionCurve = ProjectionNone
			continue
		}
		own, _ := d.curves.Campaign(m.Parent, campaignNorm(m.Campaign))
		var open int64
		for _, n := range own.Open {
			open += n
		}
		ch, _ := d.curves.Channel(m.Parent)
		var part projectionPart
		switch {
		case open == 0:
			c := float64(m.Customers)
			part = projectionPart{point: c, curveLow: c, curveHigh: c, floor: c, ceiling: c}
			m.ProjectionCurve = ProjectionObserved
		case ch.Complete():
			ch.Open = own.Open
			part = project(m.Customers, ch)
			m.ProjectionCurve = ProjectionChannel
		case d.curves.All.Complete():
			pooled := d.curves.All
			pooled.Open = own.Open
			part = project(m.Customers, pooled)
			m.ProjectionCurve = ProjectionAllChannels
		default:
			m.ProjectionCurve = ProjectionNone
			continue
		}
		setProjection(&m.ChannelMetrics, part)
		if m.NoSpend {
			m.ProjectedCostPerCustomer, m.ProjectedCostPerCustomerLow, m.ProjectedCostPerCustomerHigh = MoneyEstimate{}, MoneyEstimate{}, MoneyEstimate{}
		}
	}
}

// campaignNorm is the campaign label of the curves (NormalizeCampaign).
func campaignNorm(label string) string {
	if label == NoCampaignLabel {
		return NoCampaign
	}
	return label
}

// DrillDown computes the report's drill-down tables from the pass's
// drill rows (docs/METRICS.md, "Drill-down"): campaigns and sources per
// channel and every declared dimension; curves are the report's (for the
// campaigns' projection) and campaignSpend the period's spend per channel
// and campaign (nil: not known per campaign).
func DrillDown(rep *Report, f Facts, in Inputs, curves CurveSet, campaignSpend map[string][]SpendRow) error {
	d := drillInputs{in: in, channels: rep.Channels, curves: curves, campaignSpend: campaignSpend}
	var err error
	if rep.Campaigns, err = d.table(f.Campaigns, campaignKey, true, campaignSpend); err != nil {
		return err
	}
	d.projectCampaigns(rep.Campaigns)
	rep.CampaignSpend = campaignSpend != nil
	if rep.Sources, err = d.table(f.Sources, sourceKey, true, nil); err != nil {
		return err
	}
	for _, dim := range f.Dimensions {
		r := DimensionReport{Name: dim.Name}
		if r.Values, err = d.table(dim.Rows, valueKey, false, nil); err != nil {
			return err
		}
		if r.ByChannel, err = d.table(dim.Rows, valueKey, true, nil); err != nil {
			return err
		}
		rep.Dimensions = append(rep.Dimensions, r)
	}
	return nil
}

// drillDownReport is DrillDown in BuildReport: the period's parameters of
// req, the report's curves and its daily spend.
func drillDownReport(rep *Report, f Facts, req ReportRequest, curves CurveSet, spend []DailySpendRow) error {
	in := Inputs{Period: req.Period, AsOf: req.AsOf, Timezone: req.Timezone, Currency: req.Currency, WindowDays: req.WindowDays}
	return DrillDown(rep, f, in, curves, campaignSpend(spend, req.Period))
}

// campaignSpend is the spend of p per channel, as rows per campaign, or
// nil when the spend does not carry campaigns.
func campaignSpend(days []DailySpendRow, p Period) map[string][]SpendRow {
	days = DaysIn(days, p)
	if len(days) == 0 {
		return nil
	}
	type key struct{ channel, campaign string }
	at := map[key]int{}
	out := map[string][]SpendRow{}
	for _, d := range days {
		if !d.PerCampaign {
			return nil
		}
		k := key{NormalizeChannel(d.Channel, d.ChannelValid), drillLabel(d.Campaign, d.CampaignValid, NoCampaignLabel)}
		i, ok := at[k]
		if !ok {
			i = len(out[k.channel])
			at[k] = i
			out[k.channel] = append(out[k.channel], SpendRow{Channel: k.campaign, ChannelValid: true})
		}
		out[k.channel][i].Amount += d.Amount
		out[k.channel][i].Rows += d.Rows
	}
	return out
}
