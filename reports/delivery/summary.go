package delivery

import (
	"math"
	"strconv"
	"time"

	"github.com/origen-analytics/origen/attribution"
)

// TopChannels is how many channels a Summary lists, the first ones of the
// report's order (most customers first).
const TopChannels = 5

// na is shown for an undefined figure, as in the workbook and the page.
const na = "n/a"

// Summary is the headline of one report, every figure already formatted
// for people: counts with thousands separators, money rounded to the
// currency's minor unit and followed by its code, rates as percentages,
// "n/a" where a figure is undefined. It is the data of the e-mail body,
// the Slack text and the subject template (SMTPConfig.SubjectTemplate), so
// its field names are part of the configuration's contract.
type Summary struct {
	// Job is the name of the scheduled job; Summarize leaves it empty and
	// the caller sets it.
	Job string
	// Title is "Origen channel report <Period>".
	Title string
	// Period is the period as people read it, last day inclusive:
	// "2026-10-01 to 2026-10-31".
	Period string
	// From is the first day and To the EXCLUSIVE end (YYYY-MM-DD), the same
	// as --from, --to and the JSON report; LastDay is the last included day.
	From, To, LastDay string
	// AsOf is the data cutoff in the report's time zone with its UTC
	// offset, "2026-11-20 00:00:00 +01:00".
	AsOf       string
	Timezone   string
	Currency   string
	WindowDays int
	Version    string

	// The Total row's figures.
	Registrations string
	Customers     string
	// ConversionRate is "5.14%"; ConversionInterval its 95% Wilson
	// interval, "4.87% – 5.43%", or "" when undefined.
	ConversionRate     string
	ConversionInterval string
	Spend              string
	// CAC is the cost per customer, spend ÷ customers.
	CAC      string
	Revenue  string
	ROAS     string // "2.35x"
	Immature string

	// TopChannels are the first TopChannels channels of the report;
	// OtherChannels counts the rest.
	TopChannels   []ChannelSummary
	OtherChannels int
	// Notes are the report's findings a reader should see.
	Notes []string
}

// ChannelSummary is one channel's line in a Summary, formatted like the
// Summary's own figures.
type ChannelSummary struct {
	Channel        string
	Registrations  string
	Customers      string
	ConversionRate string
	Spend          string
	CAC            string
	Revenue        string
	ROAS           string
}

// Summarize extracts the headline figures of r. It formats only: every
// number is the Report's, rounded the way the workbook and the page round
// it (METRICS.md, "Money").
func Summarize(r attribution.Report) Summary {
	cur := r.Currency
	t := r.Total
	s := Summary{
		Title:              "Origen channel report " + periodText(r.Period),
		Period:             periodText(r.Period),
		From:               r.Period.From.String(),
		To:                 r.Period.To.String(),
		LastDay:            r.Period.To.AddDays(-1).String(),
		AsOf:               humanTime(r.AsOf, r.Timezone),
		Timezone:           r.Timezone,
		Currency:           cur.Code,
		WindowDays:         r.WindowDays,
		Version:            r.Version,
		Registrations:      formatCount(t.Registrations),
		Customers:          formatCount(t.Customers),
		ConversionRate:     formatPercent(t.ConversionRate),
		ConversionInterval: formatInterval(t.ConversionRateLow, t.ConversionRateHigh),
		Spend:              formatMoney(t.Spend, cur),
		CAC:                formatQuotient(t.CostPerCustomer, cur),
		Revenue:            formatMoney(t.Revenue, cur),
		ROAS:               formatMultiple(t.ROAS),
		Immature:           formatCount(t.Immature),
		Notes:              append([]string(nil), r.Notes...),
	}
	for i, m := range r.Channels {
		if i == TopChannels {
			s.OtherChannels = len(r.Channels) - TopChannels
			break
		}
		s.TopChannels = append(s.TopChannels, ChannelSummary{
			Channel:        m.Channel,
			Registrations:  formatCount(m.Registrations),
			Customers:      formatCount(m.Customers),
			ConversionRate: formatPercent(m.ConversionRate),
			Spend:          formatMoney(m.Spend, cur),
			CAC:            formatQuotient(m.CostPerCustomer, cur),
			Revenue:        formatMoney(m.Revenue, cur),
			ROAS:           formatMultiple(m.ROAS),
		})
	}
	return s
}

// periodText shows the period with its last day inclusive, as people read
// ranges (the same words as the workbook and the page).
func periodText(p attribution.Period) string {
	return p.From.String() + " to " + p.To.AddDays(-1).String()
}

// humanTime formats an instant in the report's time zone with its UTC
// offset; it keeps t's own zone when tz cannot be loaded (cmd/origen has
// validated it, so that only happens in hand-built reports).
func humanTime(t time.Time, tz string) string {
	if t.IsZero() {
		return ""
	}
	if loc, err := time.LoadLocation(tz); tz != "" && err == nil {
		t = t.In(loc)
	}
	return t.Format("2006-01-02 15:04:05 -07:00")
}

// Formatting below mirrors reports/columns.go (display), which is
// unexported there: the mail must show the same text as the page.

func formatCount(n int64) string { return attribution.GroupDigits(strconv.FormatInt(n, 10)) }

// digits is the currency's minor unit, kept inside the 0..4 that Money can
// format: the report writers reject any other value before delivery runs.
func digits(cur attribution.Currency) int { return min(max(cur.Digits, 0), 4) }

func withCode(amount string, cur attribution.Currency) string {
	if cur.Code == "" {
		return amount
	}
	return amount + " " + cur.Code
}

func formatMoney(m attribution.Money, cur attribution.Currency) string {
	return withCode(attribution.GroupDigits(m.Format(digits(cur))), cur)
}

func formatQuotient(q attribution.Quotient, cur attribution.Currency) string {
	if !q.Valid() {
		return na
	}
	return withCode(attribution.GroupDigits(q.Format(digits(cur))), cur)
}

// finite treats a Valid ratio that is not finite as undefined, so no text
// ever shows NaN or Inf.
func finite(r attribution.Ratio) bool {
	return r.Valid && !math.IsNaN(r.Value) && !math.IsInf(r.Value, 0)
}

func formatPercent(r attribution.Ratio) string {
	if !finite(r) {
		return na
	}
	return strconv.FormatFloat(r.Value*100, 'f', 2, 64) + "%"
}

func formatInterval(lo, hi attribution.Ratio) string {
	if !finite(lo) || !finite(hi) {
		return ""
	}
	return formatPercent(lo) + " – " + formatPercent(hi)
}

func formatMultiple(r attribution.Ratio) string {
	if !finite(r) {
		return na
	}
	return strconv.FormatFloat(r.Value, 'f', 2, 64) + "x"
}
