package reports

import (
	"encoding/json"
	"fmt"
	"io"
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
	// GeneratedAt is the run time in UTC to the second, null when the
	// Report has none (deterministic runs and tests).
	GeneratedAt   *string       `json:"generated_at"`
	OrigenVersion string        `json:"origen_version"`
	Channels      []jsonChannel `json:"channels"`
	Total         jsonChannel   `json:"total"`
	DataQuality   jsonQuality   `json:"data_quality"`
	Notes         []string      `json:"notes"`
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
}

// jsonQuality mirrors attribution.DataQuality.
type jsonQuality struct {
	DuplicateRegistrations    int64    `json:"duplicate_registrations"`
	ExistingCustomers         int64    `json:"existing_customers"`
	NoChannelRegistrations    int64    `json:"no_channel_registrations"`
	SpendWithoutRegistrations []string `json:"spend_without_registrations"`
}

// totalLabel is the channel name of the Total row in every output.
const totalLabel = "Total"

// WriteJSON writes r as an indented JSON document ending in a newline. The
// output depends only on r, so the same report always gives the same bytes.
func WriteJSON(w io.Writer, r attribution.Report) error {
	if err := checkReport(r); err != nil {
		return fmt.Errorf("write JSON report: %w", err)
	}
	doc := jsonReport{
		Period:               jsonPeriod{From: r.Period.From.String(), To: r.Period.To.String()},
		AsOf:                 r.AsOf.UTC().Format(time.RFC3339Nano),
		Timezone:             r.Timezone,
		Currency:             r.Currency.Code,
		ConversionWindowDays: r.WindowDays,
		OrigenVersion:        r.Version,
		Channels:             make([]jsonChannel, 0, len(r.Channels)),
		Total:                jsonRow(r.Total, r.Currency),
		DataQuality: jsonQuality{
			DuplicateRegistrations:    r.Quality.DuplicateRegistrations,
			ExistingCustomers:         r.Quality.ExistingCustomers,
			NoChannelRegistrations:    r.Quality.NoChannel,
			SpendWithoutRegistrations: nonNil(r.Quality.SpendWithoutRegistrations),
		},
		Notes: nonNil(r.Notes),
	}
	doc.Total.Channel = totalLabel
	if !r.GeneratedAt.IsZero() {
		s := r.GeneratedAt.UTC().Format(time.RFC3339)
		doc.GeneratedAt = &s
	}
	for _, m := range r.Channels {
		doc.Channels = append(doc.Channels, jsonRow(m, r.Currency))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write JSON report: %w", err)
	}
	return nil
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
