package reports

import (
	"cmp"
	"math"
	"slices"

	"github.com/origen-analytics/origen/attribution"
)

// Beyond a few dozen channels a page's charts and tables stop being
// readable (and, at thousands, a browser stops loading them): the page
// shows the channels with the most registrations by name and adds up the
// rest in one row, and the workbook's charts draw the same top channels.
// The workbook's tables and the JSON keep every channel.

// DefaultMaxChannels is how many channels the page and the workbook's
// charts show by name when the configuration sets no [report]
// max_channels.
const DefaultMaxChannels = 50

// otherColor is the colour of the row of folded channels: a darker grey
// than attribution.NoChannel's.
const otherColor = "#6b7280"

// limitChannels is n, or DefaultMaxChannels when n is not positive.
func limitChannels(n int) int {
	if n <= 0 {
		return DefaultMaxChannels
	}
	return n
}

// otherLabel names the row that adds up n folded channels, e.g.
// "(4,950 other channels)". The count keeps it apart from any real
// channel label "(other channels)".
func otherLabel(n int) string {
	if n == 1 {
		return "(1 other channel)"
	}
	return "(" + formatCount(int64(n)) + " other channels)"
}

// mostRegistrations returns the indexes of the max of n rows with the most
// registrations (registrations(i) of row i), ties in row order.
func mostRegistrations(n, max int, registrations func(i int) int64) []int {
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(registrations(b), registrations(a)) })
	return order[:min(max, n)]
}

// topChannels returns the names of the max channels with the most
// registrations in the period, ties in Report order (most customers first,
// then by name), or nil when r has no more than max channels.
func topChannels(r attribution.Report, max int) map[string]bool {
	if len(r.Channels) <= max {
		return nil
	}
	top := make(map[string]bool, max)
	for _, i := range mostRegistrations(len(r.Channels), max, func(i int) int64 { return r.Channels[i].Registrations }) {
		top[r.Channels[i].Channel] = true
	}
	return top
}

// channelFold is how a view of r shows its channels: Rows are the table
// rows (tableRows) shown by name, in table order; Other, when set, adds up
// the Folded rows after them.
type channelFold struct {
	Rows   []rowData
	Other  *rowData
	Folded int
	// Shown holds the names of Rows, for the sections that follow the
	// table (curves, cohorts, trend); nil when nothing is folded.
	Shown map[string]bool
}

// shows reports whether the channel is shown by name.
func (f channelFold) shows(name string) bool { return f.Shown == nil || f.Shown[name] }

// foldChannels keeps the max rows of the channel table with the most
// registrations in the period (channels of the previous period only have
// none) and adds up the others in one row (METRICS.md, "Total row": its
// counts and money are sums, its ratios are computed from those sums and
// its median is over all its customers). The other row's previous period
// adds up the same channels' previous figures, and it is judged against
// the default targets, like the Total.
func foldChannels(r attribution.Report, max int) channelFold {
	rows, _ := tableRows(r)
	if len(rows) <= max {
		return channelFold{Rows: rows}
	}
	keep := make([]bool, len(rows))
	for _, i := range mostRegistrations(len(rows), max, func(i int) int64 { return rows[i].M.Registrations }) {
		keep[i] = true
	}
	f := channelFold{Shown: make(map[string]bool, max)}
	var folded, prev []attribution.ChannelMetrics
	for i, x := range rows {
		if keep[i] {
			f.Rows = append(f.Rows, x)
			f.Shown[x.M.Channel] = true
			continue
		}
		folded = append(folded, x.M)
		if x.Prev != nil {
			prev = append(prev, *x.Prev)
		}
	}
	f.Folded = len(folded)
	label := otherLabel(f.Folded)
	other := rowData{M: sumChannels(label, folded, r.WindowDays), Th: r.Targets.Default}
	if r.Previous != nil {
		p := sumChannels(label, prev, r.Previous.WindowDays)
		p.ProjectionCurve = attribution.ProjectionNone // the page shows no previous projection
		other.Prev = &p
	}
	f.Other = &other
	return f
}

// projectionSummed marks the projection of a row of folded channels: the
// sum of its channels' projected customers, without an interval.
const projectionSummed = "summed"

// sumChannels adds up ms as one row named name: counts, money and the
// days-to-convert histogram are sums, the ratios are derived from them as
// attribution.Compute derives every row's (METRICS.md, "Ratios"). Projected
// customers add up like the Total's ("The Total adds up the channels"),
// defined when every channel with registrations has a projection; their
// 95% interval needs the channels' curve parts, which only the Total
// combines, so it is left undefined here.
func sumChannels(name string, ms []attribution.ChannelMetrics, w int) attribution.ChannelMetrics {
	for _, m := range ms {
		w = max(w, len(m.DaysToConvert))
	}
	s := attribution.ChannelMetrics{Channel: name, DaysToConvert: make([]int64, w)}
	projected, projectable := 0.0, true
	for _, m := range ms {
		s.Registrations += m.Registrations
		s.Customers += m.Customers
		s.Immature += m.Immature
		s.Spend += m.Spend
		s.Revenue += m.Revenue
		for d, n := range m.DaysToConvert {
			s.DaysToConvert[d] += n
		}
		if m.Registrations > 0 {
			if v := ratioValue(m.ProjectedCustomers); v.OK && m.ProjectionCurve != attribution.ProjectionNone {
				projected += v.Float
			} else {
				projectable = false
			}
		}
	}
	s.ConversionRate = quotientRatio(float64(s.Customers), float64(s.Registrations))
	s.ConversionRateLow, s.ConversionRateHigh = attribution.Wilson(s.Customers, s.Registrations)
	s.CostPerRegistration = attribution.Quotient{Num: s.Spend, Den: s.Registrations}
	s.CostPerCustomer = attribution.Quotient{Num: s.Spend, Den: s.Customers}
	s.ROAS = quotientRatio(float64(s.Revenue), float64(s.Spend))
	s.MedianDaysToConvert = attribution.MedianOfHistogram(s.DaysToConvert)
	if projectable && s.Registrations > 0 {
		s.ProjectionCurve = projectionSummed
		s.ProjectedCustomers = attribution.Ratio{Value: projected, Valid: true}
		s.ProjectedConversionRate = quotientRatio(projected, float64(s.Registrations))
		if projected > 0 {
			// Rounded to Money's unit like every projected cost.
			s.ProjectedCostPerCustomer = attribution.MoneyEstimate{Amount: attribution.Money(math.Round(float64(s.Spend) / projected)), Valid: true}
		}
	}
	return s
}

// quotientRatio is num / den, undefined when den is 0.
func quotientRatio(num, den float64) attribution.Ratio {
	if den == 0 {
		return attribution.Ratio{}
	}
	return attribution.Ratio{Value: num / den, Valid: true}
}

// sumCohorts adds up cohort rows of the same cohort (Cohorts or Trend) as
// one row named name, with its ratios derived from the sums as
// attribution.Cohorts derives each row's. A day-N conversion is defined
// when the cohort is that old, which is the same for every channel of the
// cohort: the rows with registrations then all have it, and their
// converted counts add up. Each count is recovered from its row's ratio as
// round(ratio × registrations), which is exact: the ratio is the nearest
// double of count ÷ registrations.
func sumCohorts(name string, cs []attribution.CohortMetrics) attribution.CohortMetrics {
	if len(cs) == 0 {
		return attribution.CohortMetrics{Channel: name}
	}
	s := attribution.CohortMetrics{Channel: name, Cohort: cs[0].Cohort, Dates: cs[0].Dates}
	var converted [attribution.NumCohortDays]float64
	var valid [attribution.NumCohortDays]bool
	mature := [attribution.NumCohortDays]bool{true, true, true, true}
	for _, c := range cs {
		s.Registrations += c.Registrations
		s.Customers += c.Customers
		s.Immature += c.Immature
		s.Revenue += c.Revenue
		s.Spend += c.Spend
		if c.Registrations == 0 {
			continue
		}
		for i, v := range c.ConversionByDay() {
			if x := ratioValue(v); x.OK {
				converted[i] += math.Round(x.Float * float64(c.Registrations))
				valid[i] = true
			} else {
				mature[i] = false
			}
		}
	}
	s.ConversionRate = quotientRatio(float64(s.Customers), float64(s.Registrations))
	s.RevenuePerRegistration = attribution.Quotient{Num: s.Revenue, Den: s.Registrations}
	s.CostPerRegistration = attribution.Quotient{Num: s.Spend, Den: s.Registrations}
	s.CostPerCustomer = attribution.Quotient{Num: s.Spend, Den: s.Customers}
	var byDay [attribution.NumCohortDays]attribution.Ratio
	for i := range byDay {
		if valid[i] && mature[i] {
			byDay[i] = quotientRatio(converted[i], float64(s.Registrations))
		}
	}
	s.ConversionDay7, s.ConversionDay14, s.ConversionDay30, s.ConversionDay60 = byDay[0], byDay[1], byDay[2], byDay[3]
	return s
}

// foldCohorts returns the rows of the channels f shows, in their order,
// and one row per cohort adding up the other channels' rows, in the
// cohort order of totals (one per cohort of the period), named after how
// many channels they add up.
func foldCohorts(rows, totals []attribution.CohortMetrics, f channelFold) (shown, other []attribution.CohortMetrics) {
	if f.Shown == nil {
		return rows, nil
	}
	byCohort := map[attribution.Date][]attribution.CohortMetrics{}
	channels := map[string]bool{}
	for _, c := range rows {
		if f.Shown[c.Channel] {
			shown = append(shown, c)
		} else {
			byCohort[c.Dates.From] = append(byCohort[c.Dates.From], c)
			channels[c.Channel] = true
		}
	}
	if len(byCohort) == 0 {
		return shown, nil
	}
	label := otherLabel(len(channels))
	for _, t := range totals {
		s := sumCohorts(label, byCohort[t.Dates.From])
		s.Cohort, s.Dates = t.Cohort, t.Dates
		other = append(other, s)
	}
	return shown, other
}

// foldCurves returns the curves of the channels f shows and one curve of
// the other channels' registrations pooled (their per-day conversions,
// censorings and open registrations added up, then estimated like any
// curve), named other; the pooled Total stays last.
func foldCurves(curves []attribution.Curve, f channelFold) (out []attribution.Curve, other string) {
	if f.Shown == nil {
		return curves, ""
	}
	var total *attribution.Curve
	var events, censored, open, next []int64
	w, pooled := 0, 0
	for i, c := range curves {
		switch {
		case curveLabel(c) == totalLabel:
			total = &curves[i]
		case f.Shown[c.Channel]:
			out = append(out, c)
		default:
			pooled++
			w = max(w, c.WindowDays)
			for len(events) < w+1 {
				events, censored, open, next = append(events, 0), append(censored, 0), append(open, 0), append(next, 0)
			}
			for d := range c.Events {
				events[d] += c.Events[d]
				censored[d] += c.Censored[d]
				open[d] += c.Open[d]
				next[d] += c.OpenNext[d]
			}
		}
	}
	if pooled > 0 {
		other = otherLabel(pooled)
		out = append(out, attribution.NewCurve(other, attribution.NoCampaign, false, w, events[:w], censored, open, next))
	}
	if total != nil {
		out = append(out, *total)
	}
	return out, other
}
