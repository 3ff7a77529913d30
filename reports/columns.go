package reports

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/origen-analytics/origen/attribution"
)

// kind says how a column's values are stored in a spreadsheet cell and
// shown as text.
type kind int

const (
	kindText     kind = iota // the channel name
	kindCount                // an integer count
	kindRate                 // a ratio shown as a percentage
	kindMoney                // an exact amount in the report currency
	kindMultiple             // ROAS, shown as "2.35x"
	kindDays                 // median days to convert
)

// value is one cell of the channel table. OK is false when the metric is
// undefined (n/a): writers then show "n/a" or leave the cell empty, never
// 0, NaN or Inf (METRICS.md, "Ratios").
type value struct {
	Text  string               // kindText
	Count int64                // kindCount
	Float float64              // kindRate, kindMultiple, kindDays
	Money attribution.Quotient // kindMoney; a Money m is Quotient{Num: m, Den: 1}
	OK    bool
}

// column is one column of the channel table, shared by the workbook's
// Channels sheet, the HTML table and their definitions, so the outputs
// cannot drift apart. The writers reach metrics only through get, which is
// where a later change can add a spreadsheet formula per column (live
// formulas with cached values) without touching the layout.
type column struct {
	Header string // header text in the workbook and the HTML table
	Key    string // the same metric's key in the JSON rows
	Kind   kind
	// NA says why the value can be undefined, e.g. "no customers"; the
	// workbook puts "n/a: <NA>" in a note on the empty cell.
	NA string
	// Definition is the plain-word rule from METRICS.md.
	Definition string
	get        func(m attribution.ChannelMetrics) value
}

// columns is the layout of the channel table, in order. JSON rows use the
// same keys in the same order (see jsonChannel).
var columns = []column{
	{
		Header: "Channel", Key: "channel", Kind: kindText,
		Definition: "The marketing channel recorded on the registration or the spend row, trimmed of surrounding spaces and otherwise kept as written. Registrations without a channel are shown as " + attribution.NoChannel + ".",
		get:        func(m attribution.ChannelMetrics) value { return value{Text: m.Channel, OK: true} },
	},
	{
		Header: "Registrations", Key: "registrations", Kind: kindCount,
		Definition: "People who registered in the period (local dates in the report time zone), counted once per user at their first registration. Users who had already bought before registering are left out.",
		get:        func(m attribution.ChannelMetrics) value { return countValue(m.Registrations) },
	},
	{
		Header: "Customers", Key: "customers", Kind: kindCount,
		Definition: "Registrations whose first purchase came within the conversion window after registering and no later than the as-of time.",
		get:        func(m attribution.ChannelMetrics) value { return countValue(m.Customers) },
	},
	{
		Header: "Conversion rate", Key: "conversion_rate", Kind: kindRate, NA: "no registrations",
		Definition: "Customers divided by registrations.",
		get:        func(m attribution.ChannelMetrics) value { return ratioValue(m.ConversionRate) },
	},
	{
		Header: "CR low", Key: "conversion_rate_low", Kind: kindRate, NA: "no registrations",
		Definition: "Lower bound of the 95% Wilson score interval of the conversion rate: with this many registrations the true rate is plausibly no lower than this.",
		get:        func(m attribution.ChannelMetrics) value { return ratioValue(m.ConversionRateLow) },
	},
	{
		Header: "CR high", Key: "conversion_rate_high", Kind: kindRate, NA: "no registrations",
		Definition: "Upper bound of the same 95% Wilson score interval.",
		get:        func(m attribution.ChannelMetrics) value { return ratioValue(m.ConversionRateHigh) },
	},
	{
		Header: "Spend", Key: "spend", Kind: kindMoney,
		Definition: "Marketing spend dated within the period for the channel. A channel with spend and no registrations still gets a row.",
		get:        func(m attribution.ChannelMetrics) value { return moneyValue(m.Spend) },
	},
	{
		Header: "Cost per registration", Key: "cost_per_registration", Kind: kindMoney, NA: "no registrations",
		Definition: "Spend divided by registrations.",
		get:        func(m attribution.ChannelMetrics) value { return quotientValue(m.CostPerRegistration) },
	},
	{
		Header: "Cost per customer", Key: "cost_per_customer", Kind: kindMoney, NA: "no customers",
		Definition: "Spend divided by customers: the customer acquisition cost (CAC).",
		get:        func(m attribution.ChannelMetrics) value { return quotientValue(m.CostPerCustomer) },
	},
	{
		Header: "Revenue", Key: "revenue", Kind: kindMoney,
		Definition: "Purchases minus refunds of these registrations made within their conversion window and no later than the as-of time.",
		get:        func(m attribution.ChannelMetrics) value { return moneyValue(m.Revenue) },
	},
	{
		Header: "ROAS", Key: "roas", Kind: kindMultiple, NA: "no spend",
		Definition: "Return on ad spend: revenue divided by spend.",
		get:        func(m attribution.ChannelMetrics) value { return ratioValue(m.ROAS) },
	},
	{
		Header: "Median days to convert", Key: "median_days_to_convert", Kind: kindDays, NA: "no customers",
		Definition: "The middle of the customers' whole days from registering to their first purchase (the mean of the two middle values when the count is even).",
		get:        func(m attribution.ChannelMetrics) value { return ratioValue(m.MedianDaysToConvert) },
	},
	{
		Header: "Immature registrations", Key: "immature_registrations", Kind: kindCount,
		Definition: "Registrations whose conversion window had not ended at the as-of time. They may still convert, so the channel's conversion rate is understated until they mature.",
		get:        func(m attribution.ChannelMetrics) value { return countValue(m.Immature) },
	},
}

// Sentences shared by the workbook's About sheet and the HTML page.
const (
	totalRowRule = "Counts and money are sums over the channels; its ratios are computed from those sums (never an average of the channels' ratios) and its median is over all customers."
	naRule       = "n/a means the value is undefined because it would divide by zero (no registrations, no customers or no spend). It is never shown as 0."
)

// windowRule states the conversion window rule (METRICS.md, "Conversion")
// with the report's window.
func windowRule(days int) string {
	return fmt.Sprintf("A registration converts when the user's first purchase happens at or after registering, less than %d × 24 hours later, and no later than the as-of time.", days)
}

// roundingRule says how money is rounded for display (METRICS.md, "Money").
func roundingRule(cur attribution.Currency) string {
	return fmt.Sprintf("Sums are exact; amounts are rounded half away from zero to %d decimal places (the minor unit of %s) only for display.", cur.Digits, currencyLabel(cur))
}

// columnByKey returns the column with the given JSON key. It panics on an
// unknown key, which is a programming error caught by every test.
func columnByKey(key string) column {
	for _, c := range columns {
		if c.Key == key {
			return c
		}
	}
	panic("reports: no column " + key)
}

func countValue(n int64) value { return value{Count: n, OK: true} }

func moneyValue(m attribution.Money) value {
	return value{Money: attribution.Quotient{Num: m, Den: 1}, OK: true}
}

func quotientValue(q attribution.Quotient) value { return value{Money: q, OK: q.Valid()} }

// ratioValue treats a Valid ratio that is not finite as undefined too, so
// no writer can ever print NaN or Inf.
func ratioValue(r attribution.Ratio) value {
	ok := r.Valid && !math.IsNaN(r.Value) && !math.IsInf(r.Value, 0)
	return value{Float: r.Value, OK: ok}
}

// definition is the column's definition with its n/a rule.
func (c column) definition() string {
	if c.NA == "" {
		return c.Definition
	}
	return c.Definition + " n/a for a row with " + c.NA + "."
}

// naNote is the note on an undefined cell, e.g. "n/a: no customers".
func (c column) naNote() string {
	if c.NA == "" {
		return "n/a"
	}
	return "n/a: " + c.NA
}

// display formats v as the HTML table shows it: counts and money with
// thousands separators, money rounded to the currency's minor unit without
// the currency code (the page states it once), "n/a" when undefined.
func (c column) display(v value, cur attribution.Currency) string {
	if !v.OK {
		return "n/a"
	}
	switch c.Kind {
	case kindText:
		return v.Text
	case kindCount:
		return groupDigits(strconv.FormatInt(v.Count, 10))
	case kindRate:
		return formatPercent(v.Float)
	case kindMoney:
		return groupDigits(v.Money.Format(cur.Digits))
	case kindMultiple:
		return strconv.FormatFloat(v.Float, 'f', 2, 64) + "x"
	case kindDays:
		return strconv.FormatFloat(v.Float, 'f', 1, 64)
	}
	panic(fmt.Sprintf("reports: unknown column kind %d", c.Kind))
}

// formatPercent shows a ratio as a percentage with two decimals, which
// keeps small conversion rates (0.42%) readable.
func formatPercent(f float64) string {
	return strconv.FormatFloat(f*100, 'f', 2, 64) + "%"
}

// groupDigits inserts thousands separators into a plain decimal such as
// "-1234567.50" → "-1,234,567.50".
func groupDigits(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	var b strings.Builder
	b.WriteString(sign)
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if hasDot {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}
