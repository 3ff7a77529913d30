package reports

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/origen-analytics/origen/attribution"
)

// jsonReport is the machine contract of `origen report --format json`,
// read by scheduled jobs: keys are part of the contract, so rename nothing.
type jsonReport struct {
	Period jsonPeriod `json:"period"`
	// AsOf is the data cutoff in UTC, RFC 3339 with fractional seconds only
	// when the cutoff has them, so the exact instant survives.
	AsOf                 string `json:"as_of"`
	Timezone             string `json:"timezone"`
	Currency             string `json:"currency"`
	ConversionWindowDays int    `json:"conversion_window_days"`
	// There is deliberately no generation time: the same data, period and
	// as_of give byte-identical JSON, so scheduled jobs can diff reruns.
	OrigenVersion string                `json:"origen_version"`
	Channels      jsonList[jsonChannel] `json:"channels"`
	Total         jsonTotal             `json:"total"`
	DataQuality   jsonQuality           `json:"data_quality"`
	Notes         []string              `json:"notes"`
	// PreviousPeriod is the report of the period of the same length just
	// before, from the same snapshot and as-of; null when not computed.
	PreviousPeriod *jsonPrevPeriod `json:"previous_period"`
	// Targets are the configured thresholds; null without [targets].
	Targets *jsonTargets `json:"targets"`
	// The curves, cohorts, weekly trend, prospects and backtest
	// (json_maturity.go): their keys follow.
	jsonMaturity
	// The drill-down by campaign, source and declared dimension
	// (json_drilldown.go).
	jsonDrilldown
	// Budget is the budget plan (json_budget.go); null when not computed.
	Budget *jsonBudget `json:"budget"`
	// LTV is the lifetime-value section (json_ltv.go); null without it.
	LTV *jsonLTV `json:"ltv"`
	// Multi-touch attribution (json_touch.go): "attribution".
	jsonTouch
}

// jsonPrevPeriod is the previous period's own table.
type jsonPrevPeriod struct {
	Period jsonPeriod `json:"period"`
	// Comparison says which period it is ("the previous calendar
	// month", "the same month a year earlier", "the previous period of the
	// same length").
	Comparison string                `json:"comparison"`
	Channels   jsonList[jsonChannel] `json:"channels"`
	Total      jsonChannel           `json:"total"`
}

// jsonTargets are the thresholds: the default ones (also the Total row's)
// and each channel's own, which override the default field by field.
type jsonTargets struct {
	Default  jsonThresholds            `json:"default"`
	Channels map[string]jsonThresholds `json:"channels"`
}

// jsonThresholds is one set of thresholds; null where not set.
type jsonThresholds struct {
	CACMax            *string  `json:"cac_max"`
	ConversionRateMin *float64 `json:"conversion_rate_min"`
	ROASMin           *float64 `json:"roas_min"`
}

// jsonPrevious is a row's figures in the previous period.
type jsonPrevious struct {
	Registrations   int64    `json:"registrations"`
	Customers       int64    `json:"customers"`
	ConversionRate  *float64 `json:"conversion_rate"`
	Spend           string   `json:"spend"`
	CostPerCustomer *string  `json:"cost_per_customer"`
	Revenue         string   `json:"revenue"`
	ROAS            *float64 `json:"roas"`
}

// jsonChange is a row's change from the previous period: absolute, and
// relative (_pct, a fraction: 0.25 is +25%); null where undefined. The
// conversion rate's absolute change is a difference of fractions (0.01 is
// one percentage point).
type jsonChange struct {
	Registrations      int64    `json:"registrations"`
	RegistrationsPct   *float64 `json:"registrations_pct"`
	Customers          int64    `json:"customers"`
	CustomersPct       *float64 `json:"customers_pct"`
	ConversionRate     *float64 `json:"conversion_rate"`
	ConversionRatePct  *float64 `json:"conversion_rate_pct"`
	CostPerCustomer    *string  `json:"cost_per_customer"`
	CostPerCustomerPct *float64 `json:"cost_per_customer_pct"`
	ROAS               *float64 `json:"roas"`
	ROASPct            *float64 `json:"roas_pct"`
}

// jsonPeriod holds the period's local dates. To is EXCLUSIVE ("to_exclusive"
// semantics, the same as --to): the period covers From ≤ date < To, so a
// March report reads {"from":"2026-03-01","to":"2026-04-01"}. The key stays
// "to" for compatibility with the command-line flag.
type jsonPeriod struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// jsonChannel is one channel row or the total. Its keys are the columns'
// keys in the same order. Money is a decimal string rounded to the
// currency's minor unit; every undefined ratio or quotient is null.
type jsonChannel struct {
	Channel               string   `json:"channel"`
	Registrations         int64    `json:"registrations"`
	Customers             int64    `json:"customers"`
	ConversionRate        *float64 `json:"conversion_rate"`
	ConversionRateLow     *float64 `json:"conversion_rate_low"`
	ConversionRateHigh    *float64 `json:"conversion_rate_high"`
	Spend                 string   `json:"spend"`
	CostPerRegistration   *string  `json:"cost_per_registration"`
	CostPerCustomer       *string  `json:"cost_per_customer"`
	Revenue               string   `json:"revenue"`
	ROAS                  *float64 `json:"roas"`
	MedianDaysToConvert   *float64 `json:"median_days_to_convert"`
	ImmatureRegistrations int64    `json:"immature_registrations"`
	// The projection (json_maturity.go): its keys follow the observed
	// figures, null when the row has none.
	jsonProjection

	// Status is the row's standing against its targets (on_target,
	// off_target, not_evaluated, no_target), MissedTargets the keys of the
	// missed thresholds and Targets the thresholds that apply; all null
	// when the report has no targets.
	Status        *attribution.Status `json:"status"`
	MissedTargets *[]string           `json:"missed_targets"`
	// StatusReason says in words why the row is off target, one reason
	// per missed threshold joined by "; " ("CAC 258.57 > 60.00; ROAS
	// 0.19 < 1.00", attribution.Thresholds.Judge); null unless off target.
	StatusReason *string         `json:"status_reason"`
	Targets      *jsonThresholds `json:"targets"`
	// PaidChannel is whether the channel is paid (METRICS.md, "Paid and
	// unpaid channels"): true for total.paid, false for total.unpaid,
	// null for the Total row.
	PaidChannel *bool `json:"paid_channel"`
	// Previous and Change compare the row with the previous period; null
	// when the report has none. A channel without rows in one of the
	// periods has zeros there.
	Previous *jsonPrevious `json:"previous"`
	Change   *jsonChange   `json:"change"`
}

// jsonTotal is the Total row, with the same row of the paid channels and of
// the unpaid ones (attribution.Report.TotalPaid, TotalUnpaid): paid CAC is
// total.paid.cost_per_customer, the blended CAC total.cost_per_customer.
type jsonTotal struct {
	jsonChannel
	Paid   jsonChannel `json:"paid"`
	Unpaid jsonChannel `json:"unpaid"`
}

// jsonQuality mirrors attribution.DataQuality. The first four keys are the
// original contract; the source-wide counts follow.
type jsonQuality struct {
	DuplicateRegistrations    int64    `json:"duplicate_registrations"`
	ExistingCustomers         int64    `json:"existing_customers"`
	NoChannelRegistrations    int64    `json:"no_channel_registrations"`
	SpendWithoutRegistrations []string `json:"spend_without_registrations"`

	SpendWithoutRegistrationsRows   int64  `json:"spend_without_registrations_rows"`
	SpendWithoutRegistrationsAmount string `json:"spend_without_registrations_amount"`
	RegistrationRows                int64  `json:"registration_rows"`
	RegistrationsNoUser             int64  `json:"registrations_without_user"`
	RegistrationsNoTime             int64  `json:"registrations_without_time"`
	RegistrationsAfterAsOf          int64  `json:"registrations_after_as_of"`
	PurchaseRows                    int64  `json:"purchase_rows"`
	PurchasesIgnored                int64  `json:"purchases_ignored"`
	PurchasesNullAmount             int64  `json:"purchases_null_amount"`
	PurchasesAfterAsOf              int64  `json:"purchases_after_as_of"`
	Refunds                         int64  `json:"refunds"`
	ZeroAmountPurchases             int64  `json:"zero_amount_purchases"`
	SpendRows                       int64  `json:"spend_rows"`
	SpendRowsInPeriod               int64  `json:"spend_rows_in_period"`
	SpendIgnored                    int64  `json:"spend_ignored"`
	SpendNullAmount                 int64  `json:"spend_null_amount"`
}

// totalLabel is the channel name of the Total row in every output.
const totalLabel = "Total"

// WriteJSON writes r as an indented JSON document ending in a newline. The
// output depends only on r, so the same report always gives the same bytes.
func WriteJSON(w io.Writer, r attribution.Report) error {
	if err := checkReport(r); err != nil {
		return fmt.Errorf("write JSON report: %w", err)
	}
	if err := encodeIndented(w, jsonDocument(r)); err != nil {
		return fmt.Errorf("write JSON report: %w", err)
	}
	return nil
}

// jsonDocument is the JSON document of r.
func jsonDocument(r attribution.Report) jsonReport {
	doc := jsonReport{
		Period:               jsonPeriod{From: r.Period.From.String(), To: r.Period.To.String()},
		AsOf:                 r.AsOf.UTC().Format(time.RFC3339Nano),
		Timezone:             r.Timezone,
		Currency:             r.Currency.Code,
		ConversionWindowDays: r.WindowDays,
		OrigenVersion:        r.Version,
		Total:                jsonTotal{jsonChannel: jsonRow(r.Total, r.Currency)},
		DataQuality:          jsonQualityOf(r),
		Notes:                nonNil(r.Notes),
		jsonMaturity:         jsonMaturityOf(r),
		jsonDrilldown:        jsonDrilldownOf(r),
		Budget:               jsonBudgetOf(r),
		LTV:                  jsonLTVOf(r),
		jsonTouch:            jsonTouchOf(r),
	}
	doc.Total.Channel = totalLabel
	rows, total := tableRows(r)
	doc.Channels = jsonListOf(len(r.Channels), func(i int) jsonChannel {
		row := jsonRow(r.Channels[i], r.Currency)
		addComparison(&row, rows[i], r)
		return row
	})
	addComparison(&doc.Total.jsonChannel, total, r)
	doc.Total.PaidChannel = nil
	paid, unpaid := paidRows(r)
	doc.Total.Paid, doc.Total.Unpaid = jsonRow(paid.M, r.Currency), jsonRow(unpaid.M, r.Currency)
	addComparison(&doc.Total.Paid, paid, r)
	addComparison(&doc.Total.Unpaid, unpaid, r)
	if p := r.Previous; p != nil {
		prev := &jsonPrevPeriod{
			Period:     jsonPeriod{From: p.Period.From.String(), To: p.Period.To.String()},
			Comparison: r.ComparisonRule,
			Channels:   jsonListOf(len(p.Channels), func(i int) jsonChannel { return jsonRow(p.Channels[i], p.Currency) }),
			Total:      jsonRow(p.Total, p.Currency),
		}
		prev.Total.Channel = totalLabel
		doc.PreviousPeriod = prev
	}
	if !r.Targets.IsZero() {
		t := &jsonTargets{Default: jsonThresholdsOf(r.Targets.Default, r.Currency), Channels: map[string]jsonThresholds{}}
		for name, th := range r.Targets.Channels {
			t.Channels[name] = jsonThresholdsOf(th, r.Currency)
		}
		doc.Targets = t
	}
	return doc
}

func jsonRow(m attribution.ChannelMetrics, cur attribution.Currency) jsonChannel {
	return jsonChannel{
		Channel:               m.Channel,
		Registrations:         m.Registrations,
		Customers:             m.Customers,
		ConversionRate:        jsonRatio(m.ConversionRate),
		ConversionRateLow:     jsonRatio(m.ConversionRateLow),
		ConversionRateHigh:    jsonRatio(m.ConversionRateHigh),
		Spend:                 m.Spend.Format(cur.Digits),
		CostPerRegistration:   jsonQuotient(m.CostPerRegistration, cur),
		CostPerCustomer:       jsonQuotient(m.CostPerCustomer, cur),
		Revenue:               m.Revenue.Format(cur.Digits),
		ROAS:                  jsonRatio(m.ROAS),
		MedianDaysToConvert:   jsonRatio(m.MedianDaysToConvert),
		ImmatureRegistrations: m.Immature,
		jsonProjection:        jsonProjectionOf(m, cur),
		PaidChannel:           &m.Paid,
	}
}

// jsonRatio is nil (JSON null) for an undefined or non-finite ratio.
func jsonRatio(r attribution.Ratio) *float64 {
	v := ratioValue(r)
	if !v.OK {
		return nil
	}
	return &v.Float
}

func jsonQuotient(q attribution.Quotient, cur attribution.Currency) *string {
	if !q.Valid() {
		return nil
	}
	s := q.Format(cur.Digits)
	return &s
}

// nonNil makes an empty list encode as [] rather than null, so readers need
// not special-case it.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// addComparison fills a row's status and comparison with the previous
// period from the table's column specs, so the JSON holds the numbers the
// workbook and the page show.
func addComparison(j *jsonChannel, x rowData, r attribution.Report) {
	cur := r.Currency
	val := func(cols []column, key string) value { return columnOf(cols, key).value(x) }
	f := func(cols []column, key string) *float64 {
		v := val(cols, key)
		if !v.OK {
			return nil
		}
		return &v.Float
	}
	money := func(cols []column, key string) *string {
		v := val(cols, key)
		if !v.OK {
			return nil
		}
		s := v.moneyText(cur.Digits)
		return &s
	}
	if !r.Targets.IsZero() {
		v := x.Th.Judge(x.M, cur)
		missed := nonNil(v.Missed)
		th := jsonThresholdsOf(x.Th, cur)
		j.Status, j.MissedTargets, j.Targets = &v.Status, &missed, &th
		if len(v.Reasons) > 0 {
			reason := strings.Join(v.Reasons, "; ")
			j.StatusReason = &reason
		}
	}
	if x.Prev == nil {
		return
	}
	p := previousColumns
	j.Previous = &jsonPrevious{
		Registrations:   val(p, "previous_registrations").Count,
		Customers:       val(p, "previous_customers").Count,
		ConversionRate:  f(p, "previous_conversion_rate"),
		Spend:           *money(p, "previous_spend"),
		CostPerCustomer: money(p, "previous_cost_per_customer"),
		Revenue:         *money(p, "previous_revenue"),
		ROAS:            f(p, "previous_roas"),
	}
	c := changeColumns
	j.Change = &jsonChange{
		Registrations:      val(c, "change_registrations").Count,
		RegistrationsPct:   f(c, "change_registrations_pct"),
		Customers:          val(c, "change_customers").Count,
		CustomersPct:       f(c, "change_customers_pct"),
		ConversionRate:     f(c, "change_conversion_rate"),
		ConversionRatePct:  f(c, "change_conversion_rate_pct"),
		CostPerCustomer:    money(c, "change_cost_per_customer"),
		CostPerCustomerPct: f(c, "change_cost_per_customer_pct"),
		ROAS:               f(c, "change_roas"),
		ROASPct:            f(c, "change_roas_pct"),
	}
}

func jsonThresholdsOf(th attribution.Thresholds, cur attribution.Currency) jsonThresholds {
	j := jsonThresholds{ConversionRateMin: th.ConversionRateMin, ROASMin: th.ROASMin}
	if th.CACMax != nil {
		s := th.CACMax.Format(cur.Digits)
		j.CACMax = &s
	}
	return j
}

func jsonQualityOf(r attribution.Report) jsonQuality {
	q := r.Quality
	return jsonQuality{
		DuplicateRegistrations:          q.DuplicateRegistrations,
		ExistingCustomers:               q.ExistingCustomers,
		NoChannelRegistrations:          q.NoChannel,
		SpendWithoutRegistrations:       nonNil(q.SpendWithoutRegistrations),
		SpendWithoutRegistrationsRows:   q.SpendWithoutRegistrationsRows,
		SpendWithoutRegistrationsAmount: q.SpendWithoutRegistrationsAmount.Format(r.Currency.Digits),
		RegistrationRows:                q.RegistrationRows,
		RegistrationsNoUser:             q.RegistrationsNoUser,
		RegistrationsNoTime:             q.RegistrationsNoTime,
		RegistrationsAfterAsOf:          q.RegistrationsAfterAsOf,
		PurchaseRows:                    q.PurchaseRows,
		PurchasesIgnored:                q.PurchasesIgnored,
		PurchasesNullAmount:             q.PurchasesNullAmount,
		PurchasesAfterAsOf:              q.PurchasesAfterAsOf,
		Refunds:                         q.Refunds,
		ZeroAmountPurchases:             q.ZeroAmountPurchases,
		SpendRows:                       q.SpendRows,
		SpendRowsInPeriod:               q.SpendRowsInPeriod,
		SpendIgnored:                    q.SpendIgnored,
		SpendNullAmount:                 q.SpendNullAmount,
	}
}
