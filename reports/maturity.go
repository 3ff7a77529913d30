package reports

import (
	"fmt"
	"strconv"
	"time"

	"github.com/origen-analytics/origen/attribution"
)

// This file holds what the workbook, the page and the JSON share about
// registration quality over time (docs/METRICS-COHORTS.md): the columns of
// the Cohorts and Trend tables, their n/a rules and definitions, and the
// words used for curves, projections and prospects.

// cohortColumn is one metric column of the Cohorts and Trend tables (the
// channel, the cohort and its dates come first and are not columns). Like
// the channel table's columns (columns.go) it names the value's JSON key,
// kind, n/a reason and definition, and the workbook formula of derived
// figures, over the same row ({key}).
type cohortColumn struct {
	Header string
	Key    string
	Kind   kind
	// NA says why the value can be undefined; day-N columns have their own
	// note per cell (cohortNote).
	NA         string
	Definition string
	Formula    string
	// Sum makes a Total row add up the channel rows of its cohort (SUMIF
	// over their first day), instead of storing the Total's value.
	Sum bool
	// Day is N for the day-N conversion columns, 0 otherwise.
	Day int
	// Trend includes the column in the weekly Trend table.
	Trend bool
	get   func(c attribution.CohortMetrics) value
}

// cohortColumns are the metric columns of the Cohorts table, in order; the
// Trend table has those with Trend set.
var cohortColumns = func() []cohortColumn {
	cols := []cohortColumn{
		{
			Header: "Registrations", Key: "registrations", Kind: kindCount, Sum: true, Trend: true,
			Definition: "Registrations of the channel whose local registration date falls in the cohort (and in the report period), counted as in the channel table.",
			get:        func(c attribution.CohortMetrics) value { return countValue(c.Registrations) },
		},
		{
			Header: "Customers", Key: "customers", Kind: kindCount, Sum: true, Trend: true,
			Definition: "Those registrations that converted inside the conversion window by the as-of time.",
			get:        func(c attribution.CohortMetrics) value { return countValue(c.Customers) },
		},
		{
			Header: "Immature registrations", Key: "immature_registrations", Kind: kindCount, Sum: true, Trend: true,
			Definition: "Registrations whose conversion window had not ended at the as-of time: while there are any, the cohort's conversion rate is understated.",
			get:        func(c attribution.CohortMetrics) value { return countValue(c.Immature) },
		},
		{
			Header: "Conversion rate", Key: "conversion_rate", Kind: kindRate, NA: "no registrations", Trend: true,
			Formula:    `IF({registrations}=0,"",{customers}/{registrations})`,
			Definition: "Customers divided by registrations (understated while the cohort has immature registrations).",
			get:        func(c attribution.CohortMetrics) value { return ratioValue(c.ConversionRate) },
		},
	}
	for i, n := range attribution.CohortDays() {
		cols = append(cols, cohortColumn{
			Header: fmt.Sprintf("Converted by day %d", n), Key: fmt.Sprintf("conversion_day_%d", n), Kind: kindRate, Day: n,
			NA: fmt.Sprintf("not every registration of the cohort is %d days old at the as-of time", n),
			Definition: fmt.Sprintf("The share of the cohort's registrations whose first purchase came within %d × 24 hours of registering, whatever the conversion window. "+
				"Only shown once every registration of the cohort is at least %d days old at the as-of time: before that it would be too low.", n, n),
			get: func(c attribution.CohortMetrics) value { return ratioValue(c.ConversionByDay()[i]) },
		})
	}
	return append(cols,
		cohortColumn{
			Header: "Revenue", Key: "revenue", Kind: kindMoney, Sum: true,
			Definition: "Window revenue of the cohort's registrations (purchases minus refunds within the conversion window, by the as-of time).",
			get:        func(c attribution.CohortMetrics) value { return moneyValue(c.Revenue) },
		},
		cohortColumn{
			Header: "Revenue per registration", Key: "revenue_per_registration", Kind: kindMoney, NA: "no registrations",
			Formula:    `IF({registrations}=0,"",{revenue}/{registrations})`,
			Definition: "Revenue divided by registrations.",
			get:        func(c attribution.CohortMetrics) value { return quotientValue(c.RevenuePerRegistration) },
		},
		cohortColumn{
			Header: "Spend", Key: "spend", Kind: kindMoney, Sum: true, Trend: true,
			Definition: "Spend rows of the channel dated on one of the cohort's dates.",
			get:        func(c attribution.CohortMetrics) value { return moneyValue(c.Spend) },
		},
		cohortColumn{
			Header: "Cost per registration", Key: "cost_per_registration", Kind: kindMoney, NA: "no registrations",
			Formula:    `IF({registrations}=0,"",{spend}/{registrations})`,
			Definition: "Spend divided by registrations.",
			get:        func(c attribution.CohortMetrics) value { return quotientValue(c.CostPerRegistration) },
		},
		cohortColumn{
			Header: "Cost per customer", Key: "cost_per_customer", Kind: kindMoney, NA: "no customers", Trend: true,
			Formula:    `IF({customers}=0,"",{spend}/{customers})`,
			Definition: "Spend divided by customers: the cohort's customer acquisition cost (CAC), overstated while it has immature registrations.",
			get:        func(c attribution.CohortMetrics) value { return quotientValue(c.CostPerCustomer) },
		},
	)
}()

// trendColumns are the metric columns of the weekly Trend table.
func trendColumns() []cohortColumn {
	var cols []cohortColumn
	for _, c := range cohortColumns {
		if c.Trend {
			cols = append(cols, c)
		}
	}
	return cols
}

// asColumn views a cohort column as a channel-table column, for the
// shared display and spreadsheet-format code.
func (c cohortColumn) asColumn() column {
	return column{Header: c.Header, Key: c.Key, Kind: c.Kind, NA: c.NA, Definition: c.Definition}
}

// display formats a cohort value as the page shows it ("n/a" when
// undefined).
func (c cohortColumn) display(m attribution.CohortMetrics, cur attribution.Currency) string {
	return c.asColumn().display(c.get(m), cur)
}

// maturesAt is when day N of a cohort is complete: the end of its last
// local date plus N × 24 h (docs/METRICS-COHORTS.md, "Cohorts").
func maturesAt(c attribution.CohortMetrics, n int, loc *time.Location) time.Time {
	_, end := c.Dates.Bounds(loc)
	return end.Add(time.Duration(n) * 24 * time.Hour)
}

// cohortNote is the note on an undefined cohort cell, e.g. "n/a: not every
// registration of the cohort is 30 days old at the as-of time; it will be on
// 2026-11-30 00:00 +01:00".
// loc is the report's time zone (reportLocation).
func (c cohortColumn) cohortNote(m attribution.CohortMetrics, loc *time.Location) string {
	if c.Day == 0 || m.Registrations == 0 {
		if c.Day > 0 {
			return "n/a: no registrations"
		}
		return c.asColumn().naNote()
	}
	return fmt.Sprintf("n/a: not every registration of the cohort is %d days old at the as-of time; all are from %s",
		c.Day, maturesAt(m, c.Day, loc).In(loc).Format("2006-01-02 15:04 -07:00"))
}

// reportLocation is the report's time zone, UTC when it cannot be loaded
// (cmd/origen has validated it; only hand-built reports lack one).
func reportLocation(r attribution.Report) *time.Location {
	loc, err := time.LoadLocation(r.Timezone)
	if err != nil || r.Timezone == "" {
		return time.UTC
	}
	return loc
}

// grainWord names a cohort grain in prose.
func grainWord(g attribution.CohortGrain) string {
	if g == attribution.CohortWeek {
		return "ISO week"
	}
	return "month"
}

// hasMaturity reports whether r carries any analysis of registration
// quality over time (cmd/origen adds them to every report; hand-built
// reports may have none).
func hasMaturity(r attribution.Report) bool {
	return hasProjection(r) || len(r.Cohorts) > 0 || len(r.Trend) > 0 || r.ProspectsHorizonDays > 0 || r.Backtest != nil
}

// hasProjection reports whether r's conversion curves were read, so that
// its channel table has the projected columns (n/a where no projection
// is possible).
func hasProjection(r attribution.Report) bool {
	if r.CurvePeriod != (attribution.Period{}) || len(r.Curves) > 0 {
		return true
	}
	for _, m := range r.Channels {
		if m.ProjectionCurve != attribution.ProjectionNone {
			return true
		}
	}
	return r.Total.ProjectionCurve != attribution.ProjectionNone
}

// projectionBasisText says in words what a row's projection rests on.
func projectionBasisText(basis string) string {
	switch basis {
	case attribution.ProjectionObserved:
		return "observed: nothing left to convert"
	case attribution.ProjectionChannel:
		return "the channel's own curve"
	case attribution.ProjectionAllChannels:
		return "the curve of all channels (too little history of its own)"
	case projectionSummed:
		return "its channels' projections, added up; the 95% interval is computed for each channel (in the workbook) and for the Total, not for a group"
	}
	return ""
}

// prospectBasisText says in words which curve scored a prospect.
func prospectBasisText(basis string) string {
	switch basis {
	case attribution.ScoreCampaign:
		return "campaign curve"
	case attribution.ScoreChannel:
		return "channel curve"
	case attribution.ScoreAllChannels:
		return "all channels' curve"
	}
	return basis
}

// curveLabel is the name of a curve in every output: its channel, or Total
// for the pooled curve of all channels.
func curveLabel(c attribution.Curve) string {
	if c.Channel == "" || c.Channel == totalLabel {
		return totalLabel
	}
	return c.Channel
}

// Sentences shared by the workbook and the page.
const (
	curvesRule = "Kaplan–Meier estimate of F(d), the share of registrations that make a first purchase within d days of registering. " +
		"Registrations younger than the conversion window count as followed up to their age (censored), not as non-converters. " +
		"The 95% band is Greenwood's, on the log(−log) scale."
	projectionRule = "Projected figures count each immature registration that has not converted yet with its probability of converting before the end of its window, " +
		"read off its channel's conversion curve (the curve of all channels when the channel has too little history); the interval (95%) covers the curve's uncertainty and which of them will actually convert."
	prospectsRule = "Registered users who have not bought and are still inside their conversion window at the as-of time, ranked by the probability of a first purchase in the next %d days, " +
		"given their age and their campaign's curve (with enough data), else their channel's, else all channels'."
	backtestRule = "The same scores made %d days before the as-of time, compared with who actually bought in those %d days: " +
		"precision in the top N is the share of the N best-scored who bought; top-decile lift is the conversion of the best-scored 10%% divided by everyone's (1 = no better than random); " +
		"calibration compares the mean predicted probability with the observed share per tenth of the prospects."
)

// curvesCaption states what the curves are estimated from.
func curvesCaption(r attribution.Report) string {
	s := curvesRule
	if r.CurvePeriod != (attribution.Period{}) {
		s = "Estimated from the registrations of " + periodText(r.CurvePeriod) + " (the period and the " +
			strconv.Itoa(attribution.CurveLookbackWindows) + " conversion windows before it), followed up to the as-of time. " + s
	}
	return s
}

// formatCount is a count with thousands separators.
func formatCount(n int64) string { return attribution.GroupDigits(strconv.FormatInt(n, 10)) }

// formatRatio is a ratio as a percentage, "n/a" when undefined.
func formatRatio(r attribution.Ratio) string {
	v := ratioValue(r)
	if !v.OK {
		return "n/a"
	}
	return formatPercent(v.Float)
}

// formatLift is a multiple such as "4.96x", "n/a" when undefined.
func formatLift(r attribution.Ratio) string {
	v := ratioValue(r)
	if !v.OK {
		return "n/a"
	}
	return strconv.FormatFloat(v.Float, 'f', 2, 64) + "x"
}
