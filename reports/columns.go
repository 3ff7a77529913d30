package reports

import (
	"fmt"
	"math"
	"math/big"
	"regexp"
	"slices"
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
	kindStatus               // a target status ("on target", ...)
	kindPoints               // a difference of two rates, in percentage points
	kindEstimate             // an expected count, such as projected customers, with one decimal
)

// value is one cell of the channel table. OK is false when the metric is
// undefined (n/a): writers then show "n/a" or leave the cell empty, never
// 0, NaN or Inf (METRICS.md, "Ratios").
type value struct {
	Text  string               // kindText, kindStatus
	Count int64                // kindCount
	Float float64              // kindRate, kindMultiple, kindDays, kindPoints
	Money attribution.Quotient // kindMoney; a Money m is Quotient{Num: m, Den: 1}
	// Exact, when set, is a kindMoney value that no Quotient holds, such
	// as the difference of two costs per customer, in currency units.
	Exact *big.Rat
	OK    bool
}

// moneyText formats a kindMoney value rounded half away from zero to
// digits decimal places.
func (v value) moneyText(digits int) string {
	if v.Exact != nil {
		return formatRat(v.Exact, digits)
	}
	return v.Money.Format(digits)
}

// moneyFloat is a kindMoney value as the nearest double, for spreadsheet
// cells and charts.
func (v value) moneyFloat() float64 {
	if v.Exact != nil {
		f, _ := v.Exact.Float64()
		return f
	}
	return v.Money.Float64()
}

// column is one column of the channel table, shared by the workbook's
// Channels sheet, the HTML table, the JSON rows and their definitions, so
// the outputs cannot drift apart. The writers reach values only through
// get (or of, for the columns that need more than the period's metrics),
// and the workbook writes Formula, with the value as its cached result.
type column struct {
	Header string // header text in the workbook and the HTML table
	Key    string // the same metric's key in the JSON rows
	Kind   kind
	// NA says why the value can be undefined, e.g. "no customers"; the
	// workbook puts "n/a: <NA>" in a note on the empty cell.
	NA string
	// Definition is the plain-word rule from METRICS.md.
	Definition string
	// Formula is the workbook formula of a derived column, over the cells
	// of the same row named by their column's key in braces, e.g.
	// IF({registrations}=0,"",{customers}/{registrations}). Its IF guards
	// give "" (an empty cell) exactly where get is undefined. Empty for a
	// stored value.
	Formula string
	// Sum makes the Total row SUM the channel rows (counts and money),
	// instead of applying Formula or storing the Total's value.
	Sum bool
	// Signed shows an explicit + on positive values (changes).
	Signed bool
	// Group is the block of the table the column belongs to.
	Group group
	// HTML includes the column in the page's table; After, when set, is
	// the key of the column it follows there (a change next to its
	// metric), instead of its place in the workbook.
	HTML  bool
	After string
	get   func(m attribution.ChannelMetrics) value
	of    func(x rowData) value // instead of get, for target and change columns
}

// group is a block of columns of the channel table. Only the metrics are
// always present; the others depend on the report (tableColumns).
type group int

const (
	groupMetric     group = iota // the period's metrics
	groupTarget                  // the thresholds that apply to the row, and its status
	groupPrevious                // the previous period's metrics
	groupChange                  // changes from the previous period
	groupProjection              // the projection once the period is mature (columns_projection.go)
)

// rowData is everything one row of the channel table shows: the period's
// metrics, the previous period's (nil when the report has none) and the
// thresholds that apply.
type rowData struct {
	M    attribution.ChannelMetrics
	Prev *attribution.ChannelMetrics
	Th   attribution.Thresholds
}

// value returns the column's value for a row.
func (c column) value(x rowData) value {
	if c.of != nil {
		return c.of(x)
	}
	return c.get(x.M)
}

// columns is the layout of the channel table, in order. JSON rows use the
// same keys in the same order (see jsonChannel).
var columns = []column{
	{
		Header: "Channel", Key: "channel", Kind: kindText, HTML: true,
		Definition: "The marketing channel recorded on the registration or the spend row, trimmed of surrounding spaces and otherwise kept as written. Registrations without a channel are shown as " + attribution.NoChannel + ".",
		get:        func(m attribution.ChannelMetrics) value { return value{Text: m.Channel, OK: true} },
	},
	{
		Header: "Registrations", Key: "registrations", Kind: kindCount, Sum: true, HTML: true,
		Definition: "People who registered in the period (local dates in the report time zone), counted once per user at their first registration. Users who had already bought before registering are left out.",
		get:        func(m attribution.ChannelMetrics) value { return countValue(m.Registrations) },
	},
	{
		Header: "Customers", Key: "customers", Kind: kindCount, Sum: true, HTML: true,
		Definition: "Registrations whose first purchase came within the conversion window after registering and no later than the as-of time.",
		get:        func(m attribution.ChannelMetrics) value { return countValue(m.Customers) },
	},
	{
		Header: "Conversion rate", Key: "conversion_rate", Kind: kindRate, NA: "no registrations", HTML: true,
		Formula:    `IF({registrations}=0,"",{customers}/{registrations})`,
		Definition: "Customers divided by registrations.",
		get:        func(m attribution.ChannelMetrics) value { return ratioValue(m.ConversionRate) },
	},
	{
		Header: "CR low", Key: "conversion_rate_low", Kind: kindRate, NA: "no registrations", HTML: true,
		Formula:    wilsonFormula("MAX(0,", "-"),
		Definition: "Lower bound of the 95% Wilson score interval of the conversion rate: with this many registrations the true rate is plausibly no lower than this.",
		get:        func(m attribution.ChannelMetrics) value { return ratioValue(m.ConversionRateLow) },
	},
	{
		Header: "CR high", Key: "conversion_rate_high", Kind: kindRate, NA: "no registrations", HTML: true,
		Formula:    wilsonFormula("MIN(1,", "+"),
		Definition: "Upper bound of the same 95% Wilson score interval.",
		get:        func(m attribution.ChannelMetrics) value { return ratioValue(m.ConversionRateHigh) },
	},
	{
		Header: "Spend", Key: "spend", Kind: kindMoney, Sum: true, HTML: true,
		Definition: "Marketing spend dated within the period for the channel. A channel with spend and no registrations still gets a row.",
		get:        func(m attribution.ChannelMetrics) value { return moneyValue(m.Spend) },
	},
	{
		Header: "Cost per registration", Key: "cost_per_registration", Kind: kindMoney, NA: "no registrations", HTML: true,
		Formula:    `IF({registrations}=0,"",{spend}/{registrations})`,
		Definition: "Spend divided by registrations.",
		get:        func(m attribution.ChannelMetrics) value { return quotientValue(m.CostPerRegistration) },
	},
	{
		Header: "Cost per customer", Key: "cost_per_customer", Kind: kindMoney, NA: "no customers", HTML: true,
		Formula:    `IF({customers}=0,"",{spend}/{customers})`,
		Definition: "Spend divided by customers: the customer acquisition cost (CAC).",
		get:        func(m attribution.ChannelMetrics) value { return quotientValue(m.CostPerCustomer) },
	},
	{
		Header: "Revenue", Key: "revenue", Kind: kindMoney, Sum: true, HTML: true,
		Definition: "Purchases minus refunds of these registrations made within their conversion window and no later than the as-of time.",
		get:        func(m attribution.ChannelMetrics) value { return moneyValue(m.Revenue) },
	},
	{
		Header: "ROAS", Key: "roas", Kind: kindMultiple, NA: "no spend", HTML: true,
		Formula:    `IF({spend}=0,"",{revenue}/{spend})`,
		Definition: "Return on ad spend: revenue divided by spend.",
		get:        func(m attribution.ChannelMetrics) value { return ratioValue(m.ROAS) },
	},
	{
		Header: "Median days to convert", Key: "median_days_to_convert", Kind: kindDays, NA: "no customers", HTML: true,
		Definition: "The middle of the customers' whole days from registering to their first purchase (the mean of the two middle values when the count is even).",
		get:        func(m attribution.ChannelMetrics) value { return ratioValue(m.MedianDaysToConvert) },
	},
	{
		Header: "Immature registrations", Key: "immature_registrations", Kind: kindCount, Sum: true, HTML: true,
		Definition: "Registrations whose conversion window had not ended at the as-of time. They may still convert, so the channel's conversion rate is understated until they mature.",
		get:        func(m attribution.ChannelMetrics) value { return countValue(m.Immature) },
	},
}

// Sentences shared by the workbook's About sheet and the HTML page.
const (
	totalRowRule = "Counts and money are sums over the channels; its ratios are computed from those sums (never an average of the channels' ratios) and its median is over all customers."
	naRule       = "n/a means the value is undefined because it would divide by zero (no registrations, no customers or no spend). It is never shown as 0."
)

// More sentences of the definitions.
const (
	formulaRule = "In the Channels sheet, counts and money are stored values; every derived figure (conversion rate and its interval, costs, ROAS, status, the previous period's ratios, changes) is a formula over the same row, and the Total row sums the channel rows. " +
		"Each formula cell also holds Origen's own result, so the numbers show without recalculating; change a count or an amount and its row follows."
	previousRule = "Δ is a figure minus the previous period's and Δ% the ratio of the two minus 1. The previous period's registrations had more time to convert before as-of, so a lower conversion rate now can partly be immaturity (see Immature registrations)."
	targetRule   = "From [targets] in the configuration: a channel's own thresholds override the default ones, and the Total row uses the default ones. A cell that misses its target is shown in red."
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

// columnOf returns the column with the given key from cols; it panics on
// an unknown key, a programming error.
func columnOf(cols []column, key string) column {
	for _, c := range cols {
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
		if c.Group == groupTarget && c.Kind != kindStatus {
			return "—" // no such target
		}
		return "n/a"
	}
	var s string
	switch c.Kind {
	case kindText, kindStatus:
		return v.Text
	case kindCount:
		s = attribution.GroupDigits(strconv.FormatInt(v.Count, 10))
	case kindRate:
		s = formatPercent(v.Float)
	case kindMoney:
		s = attribution.GroupDigits(v.moneyText(cur.Digits))
	case kindMultiple:
		s = strconv.FormatFloat(v.Float, 'f', 2, 64) + "x"
	case kindDays:
		s = strconv.FormatFloat(v.Float, 'f', 1, 64)
	case kindEstimate:
		s = attribution.GroupDigits(strconv.FormatFloat(v.Float, 'f', 1, 64))
	case kindPoints:
		s = strconv.FormatFloat(v.Float*100, 'f', 2, 64) + " pp"
	default:
		panic(fmt.Sprintf("reports: unknown column kind %d", c.Kind))
	}
	switch {
	case strings.Trim(s, "-0.,%xp ") == "":
		s = strings.TrimPrefix(s, "-") // a change that rounds to zero has no sign
	case c.Signed && !strings.HasPrefix(s, "-"):
		s = "+" + s
	}
	return s
}

// formatPercent shows a ratio as a percentage with two decimals, which
// keeps small conversion rates (0.42%) readable.
func formatPercent(f float64) string {
	return strconv.FormatFloat(f*100, 'f', 2, 64) + "%"
}

// wilsonName is the workbook's defined name for attribution.WilsonZ, so
// that the interval formulas read like METRICS.md.
const wilsonName = "Wilson_z"

// wilsonFormula is one bound of the 95% Wilson score interval (METRICS.md,
// "Ratios"): (p + z²/2n ∓ z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n), clamped
// to [0, 1] like attribution.Wilson. clamp is "MAX(0," or "MIN(1,", sign
// "-" or "+".
func wilsonFormula(clamp, sign string) string {
	n, p, z := "{registrations}", "{customers}/{registrations}", wilsonName
	return `IF(` + n + `=0,"",` + clamp + `(` + p + `+` + z + `^2/(2*` + n + `)` + sign + z + `*SQRT(` + p + `*(1-` + p + `)/` +
		n + `+` + z + `^2/(4*` + n + `^2)))/(1+` + z + `^2/` + n + `)))`
}

// targetColumns show the thresholds that apply to each row and its status
// (METRICS.md, "Targets"); the table has them when the report has targets.
// The status formula mirrors attribution.Thresholds.Evaluate.
var targetColumns = []column{
	{
		Header: "Target CAC max", Key: "target_cac_max", Kind: kindMoney, Group: groupTarget,
		Definition: "The highest cost per customer that is on target for the row: the channel's own cac_max, else the default one ([targets] in the configuration). Empty: no such target.",
		of: func(x rowData) value {
			if x.Th.CACMax == nil {
				return value{}
			}
			return moneyValue(*x.Th.CACMax)
		},
	},
	{
		Header: "Target conversion rate min", Key: "target_conversion_rate_min", Kind: kindRate, Group: groupTarget,
		Definition: "The lowest conversion rate that is on target for the row (conversion_rate_min). Empty: no such target.",
		of:         func(x rowData) value { return optionalFloat(x.Th.ConversionRateMin) },
	},
	{
		Header: "Target ROAS min", Key: "target_roas_min", Kind: kindMultiple, Group: groupTarget,
		Definition: "The lowest ROAS that is on target for the row (roas_min). Empty: no such target.",
		of:         func(x rowData) value { return optionalFloat(x.Th.ROASMin) },
	},
	{
		Header: "Status", Key: "status", Kind: kindStatus, Group: groupTarget, HTML: true, After: "channel",
		Definition: "on target: every target that could be checked is met; off target: at least one is missed; not evaluated: targets apply but none could be checked; no target: none applies. " +
			"The CAC target is checked when the row has customers, and is missed when it has spend but no customer; the conversion rate target when it has registrations; the ROAS target when it has spend.",
		Formula: `IF(COUNT({target_cac_max},{target_conversion_rate_min},{target_roas_min})=0,"` + statusNoTarget + `",` +
			`IF(OR(IF(ISNUMBER({target_cac_max}),IF({customers}>0,{spend}/{customers}>{target_cac_max},{spend}>0),FALSE),` +
			`IF(AND(ISNUMBER({target_conversion_rate_min}),{registrations}>0),{customers}/{registrations}<{target_conversion_rate_min},FALSE),` +
			`IF(AND(ISNUMBER({target_roas_min}),{spend}>0),{revenue}/{spend}<{target_roas_min},FALSE)),"` + statusOff + `",` +
			`IF(OR(AND(ISNUMBER({target_cac_max}),OR({customers}>0,{spend}>0)),AND(ISNUMBER({target_conversion_rate_min}),{registrations}>0),` +
			`AND(ISNUMBER({target_roas_min}),{spend}>0)),"` + statusOn + `","` + statusNotEvaluated + `")))`,
		of: func(x rowData) value { return value{Text: statusText(x.Th.Evaluate(x.M).Status), OK: true} },
	},
}

// The words of the Status column, the same in every output.
const (
	statusOn           = "on target"
	statusOff          = "off target"
	statusNotEvaluated = "not evaluated"
	statusNoTarget     = "no target"
)

func statusText(s attribution.Status) string {
	switch s {
	case attribution.StatusOnTarget:
		return statusOn
	case attribution.StatusOffTarget:
		return statusOff
	case attribution.StatusNotEvaluated:
		return statusNotEvaluated
	}
	return statusNoTarget
}

// previousColumns hold the previous period's counts and money and its
// ratios derived from them; the table has them when the report has a
// previous period. A channel without rows in one of the periods has zeros
// there.
var previousColumns = []column{
	{
		Header: "Registrations (previous)", Key: "previous_registrations", Kind: kindCount, Group: groupPrevious, Sum: true,
		Definition: "Registrations in the previous period: the period of the same length just before this one, read from the same data with the same as-of time.",
		of:         prevValue(func(m attribution.ChannelMetrics) value { return countValue(m.Registrations) }),
	},
	{
		Header: "Customers (previous)", Key: "previous_customers", Kind: kindCount, Group: groupPrevious, Sum: true,
		Definition: "Customers of the previous period's registrations.",
		of:         prevValue(func(m attribution.ChannelMetrics) value { return countValue(m.Customers) }),
	},
	{
		Header: "Spend (previous)", Key: "previous_spend", Kind: kindMoney, Group: groupPrevious, Sum: true,
		Definition: "Spend dated within the previous period.",
		of:         prevValue(func(m attribution.ChannelMetrics) value { return moneyValue(m.Spend) }),
	},
	{
		Header: "Revenue (previous)", Key: "previous_revenue", Kind: kindMoney, Group: groupPrevious, Sum: true,
		Definition: "Window revenue of the previous period's registrations.",
		of:         prevValue(func(m attribution.ChannelMetrics) value { return moneyValue(m.Revenue) }),
	},
	{
		Header: "Conversion rate (previous)", Key: "previous_conversion_rate", Kind: kindRate, Group: groupPrevious,
		NA: "no registrations in the previous period", Definition: "The previous period's customers divided by its registrations.",
		Formula: `IF({previous_registrations}=0,"",{previous_customers}/{previous_registrations})`,
		of:      prevValue(func(m attribution.ChannelMetrics) value { return ratioValue(m.ConversionRate) }),
	},
	{
		Header: "Cost per customer (previous)", Key: "previous_cost_per_customer", Kind: kindMoney, Group: groupPrevious,
		NA: "no customers in the previous period", Definition: "The previous period's spend divided by its customers.",
		Formula: `IF({previous_customers}=0,"",{previous_spend}/{previous_customers})`,
		of:      prevValue(func(m attribution.ChannelMetrics) value { return quotientValue(m.CostPerCustomer) }),
	},
	{
		Header: "ROAS (previous)", Key: "previous_roas", Kind: kindMultiple, Group: groupPrevious,
		NA: "no spend in the previous period", Definition: "The previous period's revenue divided by its spend.",
		Formula: `IF({previous_spend}=0,"",{previous_revenue}/{previous_spend})`,
		of:      prevValue(func(m attribution.ChannelMetrics) value { return ratioValue(m.ROAS) }),
	},
}

// changeColumns compare the period with the previous one, in absolute (Δ)
// and relative (Δ%) terms; their guards leave a change empty when either
// side is undefined or the relative change would divide by zero.
var changeColumns = []column{
	{
		Header: "Δ Registrations", Key: "change_registrations", Kind: kindCount, Group: groupChange, Signed: true,
		Definition: "Registrations minus the previous period's.",
		Formula:    `{registrations}-{previous_registrations}`,
		of: func(x rowData) value {
			return countValue(x.M.Registrations - x.Prev.Registrations)
		},
	},
	{
		Header: "Δ% Registrations", Key: "change_registrations_pct", Kind: kindRate, Group: groupChange, Signed: true,
		NA: "no registrations in the previous period", Definition: "Registrations divided by the previous period's, minus 1.",
		Formula: `IF({previous_registrations}=0,"",{registrations}/{previous_registrations}-1)`,
		of:      func(x rowData) value { return relative(float64(x.M.Registrations), float64(x.Prev.Registrations)) },
	},
	{
		Header: "Δ Customers", Key: "change_customers", Kind: kindCount, Group: groupChange, Signed: true,
		Definition: "Customers minus the previous period's.",
		Formula:    `{customers}-{previous_customers}`,
		of:         func(x rowData) value { return countValue(x.M.Customers - x.Prev.Customers) },
	},
	{
		Header: "Δ% Customers", Key: "change_customers_pct", Kind: kindRate, Group: groupChange, Signed: true, HTML: true, After: "customers",
		NA: "no customers in the previous period", Definition: "Customers divided by the previous period's, minus 1.",
		Formula: `IF({previous_customers}=0,"",{customers}/{previous_customers}-1)`,
		of:      func(x rowData) value { return relative(float64(x.M.Customers), float64(x.Prev.Customers)) },
	},
	{
		Header: "Δ Conversion rate (pp)", Key: "change_conversion_rate", Kind: kindPoints, Group: groupChange, Signed: true, HTML: true, After: "conversion_rate_high",
		NA:         "no registrations in one of the periods",
		Definition: "Conversion rate minus the previous period's, in percentage points (+1.50 pp: from 4.00% to 5.50%).",
		// The workbook stores points, not a fraction: a cell of 1.5 shows
		// "+1.50 pp" (pointsFormat), as on the Summary.
		Formula: `IF(OR({registrations}=0,{previous_registrations}=0),"",100*({conversion_rate}-{previous_conversion_rate}))`,
		of: func(x rowData) value {
			if x.M.Registrations == 0 || x.Prev.Registrations == 0 {
				return value{}
			}
			return ratioValue(attribution.Ratio{Value: x.M.ConversionRate.Value - x.Prev.ConversionRate.Value, Valid: true})
		},
	},
	{
		Header: "Δ% Conversion rate", Key: "change_conversion_rate_pct", Kind: kindRate, Group: groupChange, Signed: true,
		NA: "no registrations now or no customers in the previous period", Definition: "Conversion rate divided by the previous period's, minus 1.",
		Formula: `IF(OR({registrations}=0,{previous_customers}=0),"",{conversion_rate}/{previous_conversion_rate}-1)`,
		of: func(x rowData) value {
			if x.M.Registrations == 0 || x.Prev.Customers == 0 {
				return value{}
			}
			return relative(x.M.ConversionRate.Value, x.Prev.ConversionRate.Value)
		},
	},
	{
		Header: "Δ Cost per customer", Key: "change_cost_per_customer", Kind: kindMoney, Group: groupChange, Signed: true,
		NA: "no customers in one of the periods", Definition: "Cost per customer minus the previous period's.",
		Formula: `IF(OR({customers}=0,{previous_customers}=0),"",{cost_per_customer}-{previous_cost_per_customer})`,
		of: func(x rowData) value {
			if x.M.Customers == 0 || x.Prev.Customers == 0 {
				return value{}
			}
			d := new(big.Rat).Sub(quotientRat(x.M.CostPerCustomer), quotientRat(x.Prev.CostPerCustomer))
			return value{Exact: d, OK: true}
		},
	},
	{
		Header: "Δ% Cost per customer", Key: "change_cost_per_customer_pct", Kind: kindRate, Group: groupChange, Signed: true, HTML: true, After: "cost_per_customer",
		NA:         "no customers in one of the periods, or no spend in the previous one",
		Definition: "Cost per customer divided by the previous period's, minus 1. A rise means customers got more expensive.",
		Formula:    `IF(OR({customers}=0,{previous_customers}=0,{previous_spend}=0),"",{cost_per_customer}/{previous_cost_per_customer}-1)`,
		of: func(x rowData) value {
			if x.M.Customers == 0 || x.Prev.Customers == 0 || x.Prev.Spend == 0 {
				return value{}
			}
			r := new(big.Rat).Quo(quotientRat(x.M.CostPerCustomer), quotientRat(x.Prev.CostPerCustomer))
			f, _ := r.Float64()
			return ratioValue(attribution.Ratio{Value: f - 1, Valid: true})
		},
	},
	{
		Header: "Δ ROAS", Key: "change_roas", Kind: kindMultiple, Group: groupChange, Signed: true, HTML: true, After: "roas",
		NA: "no spend in one of the periods", Definition: "ROAS minus the previous period's.",
		Formula: `IF(OR({spend}=0,{previous_spend}=0),"",{roas}-{previous_roas})`,
		of: func(x rowData) value {
			if x.M.Spend == 0 || x.Prev.Spend == 0 {
				return value{}
			}
			return ratioValue(attribution.Ratio{Value: x.M.ROAS.Value - x.Prev.ROAS.Value, Valid: true})
		},
	},
	{
		Header: "Δ% ROAS", Key: "change_roas_pct", Kind: kindRate, Group: groupChange, Signed: true,
		NA: "no spend in one of the periods, or no revenue in the previous one", Definition: "ROAS divided by the previous period's, minus 1.",
		Formula: `IF(OR({spend}=0,{previous_spend}=0,{previous_revenue}=0),"",{roas}/{previous_roas}-1)`,
		of: func(x rowData) value {
			if x.M.Spend == 0 || x.Prev.Spend == 0 || x.Prev.Revenue == 0 {
				return value{}
			}
			return relative(x.M.ROAS.Value, x.Prev.ROAS.Value)
		},
	},
}

// tableColumns is the layout of r's channel table: the metrics, then the
// targets and status when r has targets, then the previous period and the
// changes when r has one, then the projection when r's conversion curves
// were read. New blocks go last, so that a column keeps its letter.
func tableColumns(r attribution.Report) []column {
	cols := slices.Clone(columns)
	if !r.Targets.IsZero() {
		cols = append(cols, targetColumns...)
	}
	if r.Previous != nil {
		cols = append(cols, previousColumns...)
		cols = append(cols, changeColumns...)
	}
	if hasProjection(r) {
		cols = append(cols, projectionColumns...)
	}
	return cols
}

// htmlColumns are the table columns the page shows: the metrics, with
// the status after the channel and each headline change after its metric
// (After), where a reader compares them.
func htmlColumns(r attribution.Report) []column {
	var cols, later []column
	for _, c := range tableColumns(r) {
		switch {
		case !c.HTML:
		case c.After != "":
			later = append(later, c)
		default:
			cols = append(cols, c)
		}
	}
	for _, c := range later {
		i := slices.IndexFunc(cols, func(x column) bool { return x.Key == c.After })
		cols = slices.Insert(cols, i+1, c)
	}
	return cols
}

// tableRows returns the rows of r's channel table: the channels in Report
// order, then, when r has a previous period, the channels that had rows
// only in the previous period (with zeros now), so the Total row's
// previous figures are the sums of the rows above it; and the Total row.
func tableRows(r attribution.Report) (rows []rowData, total rowData) {
	var prev map[string]attribution.ChannelMetrics
	if r.Previous != nil {
		prev = make(map[string]attribution.ChannelMetrics, len(r.Previous.Channels))
		for _, m := range r.Previous.Channels {
			prev[m.Channel] = m
		}
	}
	seen := make(map[string]bool, len(r.Channels))
	for _, m := range r.Channels {
		x := rowData{M: m, Th: r.Targets.For(m.Channel)}
		if prev != nil {
			p, ok := prev[m.Channel]
			if !ok {
				p = attribution.ChannelMetrics{Channel: m.Channel}
			}
			x.Prev = &p
		}
		seen[m.Channel] = true
		rows = append(rows, x)
	}
	if r.Previous != nil {
		for _, p := range r.Previous.Channels {
			if !seen[p.Channel] {
				p := p
				rows = append(rows, rowData{M: attribution.ChannelMetrics{Channel: p.Channel}, Prev: &p, Th: r.Targets.For(p.Channel)})
			}
		}
	}
	total = rowData{M: r.Total, Th: r.Targets.Default}
	total.M.Channel = totalLabel
	if r.Previous != nil {
		p := r.Previous.Total
		total.Prev = &p
	}
	return rows, total
}

// prevValue reads a metric of the previous period; undefined when the
// report has none.
func prevValue(get func(m attribution.ChannelMetrics) value) func(x rowData) value {
	return func(x rowData) value {
		if x.Prev == nil {
			return value{}
		}
		return get(*x.Prev)
	}
}

// relative is cur / prev − 1, undefined when prev is 0.
func relative(cur, prev float64) value {
	if prev == 0 {
		return value{}
	}
	return ratioValue(attribution.Ratio{Value: cur/prev - 1, Valid: true})
}

func optionalFloat(f *float64) value {
	if f == nil {
		return value{}
	}
	return value{Float: *f, OK: true}
}

// quotientRat is a defined quotient in currency units, exactly.
func quotientRat(q attribution.Quotient) *big.Rat {
	return new(big.Rat).SetFrac(big.NewInt(int64(q.Num)), new(big.Int).Mul(big.NewInt(q.Den), big.NewInt(attribution.MoneyScale)))
}

// formatRat rounds r half away from zero to digits decimal places, like
// attribution.Quotient.Format.
func formatRat(r *big.Rat, digits int) string {
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(digits)), nil)
	num := new(big.Int).Mul(r.Num(), scale)
	neg := num.Sign() < 0
	num.Abs(num)
	quo, rem := new(big.Int).QuoRem(num, r.Denom(), new(big.Int))
	if rem.Mul(rem, big.NewInt(2)).Cmp(r.Denom()) >= 0 {
		quo.Add(quo, big.NewInt(1))
	}
	s := quo.String()
	if digits > 0 {
		if len(s) <= digits {
			s = strings.Repeat("0", digits-len(s)+1) + s
		}
		s = s[:len(s)-digits] + "." + s[len(s)-digits:]
	}
	if neg && strings.Trim(s, "0.") != "" {
		s = "-" + s
	}
	return s
}

// placeholder matches a {key} in a column's Formula.
var placeholder = regexp.MustCompile(`\{([a-z_]+)\}`)

// formulaAt renders the column's Formula for one row: each {key} becomes
// the reference of that key's cell in row, using letters (key → column
// letter). It panics on a key that is not in the table, a programming
// error every workbook test catches.
func (c column) formulaAt(letters map[string]string, row int) string {
	r := strconv.Itoa(row)
	var b strings.Builder
	rest := c.Formula
	for {
		loc := placeholder.FindStringIndex(rest)
		if loc == nil {
			b.WriteString(rest)
			return b.String()
		}
		if b.Len() == 0 {
			b.Grow(len(c.Formula) + 16)
		}
		key := rest[loc[0]+1 : loc[1]-1]
		l, ok := letters[key]
		if !ok {
			panic(fmt.Sprintf("reports: column %s: formula refers to {%s}, which the table does not have", c.Key, key))
		}
		b.WriteString(rest[:loc[0]])
		b.WriteString(l)
		b.WriteString(r)
		rest = rest[loc[1]:]
	}
}

// sortedKeys returns m's keys in order, for output that must not depend on
// map iteration.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
