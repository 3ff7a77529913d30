package reports

import (
	"github.com/origen-analytics/origen/attribution"
)

// naProjection is why a projected figure can be undefined.
const naProjection = "no projection (no registrations, or no conversion curve followed through the whole window yet)"

// projectionColumns are the projected figures of the channel table
// (docs/METRICS-COHORTS.md, "Projection"); the table has them when the
// report's conversion curves were read (hasProjection). They come after
// every other column, so that the other columns keep their letters in the
// workbook. Projected customers and their interval are Origen's estimates,
// stored; the projected conversion rate and cost per customer are
// formulas over them, like the observed ones over the observed customers.
// The page shows those two next to the observed ones (After), with their
// interval under them (projectionBands).
var projectionColumns = []column{
	{
		Header: "Projected customers", Key: "projected_customers", Kind: kindEstimate, Group: groupProjection, NA: naProjection,
		Definition: "The customers the row is expected to have once every registration of the period has had its full conversion window: " +
			"the customers so far plus, for each immature registration that has not converted yet, the probability that it converts before the end of its window, " +
			"read off the channel's conversion curve (see Projection basis). The Total adds up the channels.",
		get: func(m attribution.ChannelMetrics) value { return ratioValue(m.ProjectedCustomers) },
	},
	{
		Header: "Projected customers low", Key: "projected_customers_low", Kind: kindEstimate, Group: groupProjection, NA: naProjection,
		Definition: "Lower bound of the 95% interval of projected customers: the conversion curve's own uncertainty and the chance in which registrations actually convert, combined; never below the customers so far.",
		get:        func(m attribution.ChannelMetrics) value { return ratioValue(m.ProjectedCustomersLow) },
	},
	{
		Header: "Projected customers high", Key: "projected_customers_high", Kind: kindEstimate, Group: groupProjection, NA: naProjection,
		Definition: "Upper bound of the same 95% interval; never above the customers so far plus the immature registrations that have not converted.",
		get:        func(m attribution.ChannelMetrics) value { return ratioValue(m.ProjectedCustomersHigh) },
	},
	{
		Header: "Projected conversion rate", Key: "projected_conversion_rate", Kind: kindRate, Group: groupProjection, NA: naProjection,
		HTML: true, After: "conversion_rate_high",
		Formula:    `IF(ISNUMBER({projected_customers}),IF({registrations}>0,{projected_customers}/{registrations},""),"")`,
		Definition: "Projected customers divided by registrations: the conversion rate the period is expected to reach once all its registrations are mature, so that a young period is not read as a bad one.",
		get:        func(m attribution.ChannelMetrics) value { return ratioValue(m.ProjectedConversionRate) },
	},
	{
		Header: "Projected CR low", Key: "projected_conversion_rate_low", Kind: kindRate, Group: groupProjection, NA: naProjection,
		Formula:    `IF(ISNUMBER({projected_customers_low}),IF({registrations}>0,{projected_customers_low}/{registrations},""),"")`,
		Definition: "Lower bound of the 95% interval of the projected conversion rate: projected customers low divided by registrations.",
		get:        func(m attribution.ChannelMetrics) value { return ratioValue(m.ProjectedConversionRateLow) },
	},
	{
		Header: "Projected CR high", Key: "projected_conversion_rate_high", Kind: kindRate, Group: groupProjection, NA: naProjection,
		Formula:    `IF(ISNUMBER({projected_customers_high}),IF({registrations}>0,{projected_customers_high}/{registrations},""),"")`,
		Definition: "Upper bound of the same interval: projected customers high divided by registrations.",
		get:        func(m attribution.ChannelMetrics) value { return ratioValue(m.ProjectedConversionRateHigh) },
	},
	{
		Header: "Projected cost per customer", Key: "projected_cost_per_customer", Kind: kindMoney, Group: groupProjection,
		HTML: true, After: "cost_per_customer",
		NA:         "no projection, or no projected customers",
		Formula:    projectedCostFormula("projected_customers"),
		Definition: "Spend divided by projected customers, rounded to 1/10000 of the currency: the cost per customer (CAC) the period is expected to reach.",
		get:        func(m attribution.ChannelMetrics) value { return estimateValue(m.ProjectedCostPerCustomer) },
	},
	{
		Header: "Projected CAC low", Key: "projected_cost_per_customer_low", Kind: kindMoney, Group: groupProjection,
		NA:         "no projection, or no projected customers",
		Formula:    projectedCostFormula("projected_customers_high"),
		Definition: "Lower bound of the 95% interval of the projected cost per customer: spend divided by projected customers high.",
		get:        func(m attribution.ChannelMetrics) value { return estimateValue(m.ProjectedCostPerCustomerLow) },
	},
	{
		Header: "Projected CAC high", Key: "projected_cost_per_customer_high", Kind: kindMoney, Group: groupProjection,
		NA:         "no projection, or projected customers low is 0 (the cost is unbounded)",
		Formula:    projectedCostFormula("projected_customers_low"),
		Definition: "Upper bound of the same interval: spend divided by projected customers low.",
		get:        func(m attribution.ChannelMetrics) value { return estimateValue(m.ProjectedCostPerCustomerHigh) },
	},
	{
		Header: "Projection basis", Key: "projection_basis", Kind: kindText, Group: groupProjection, NA: naProjection,
		Definition: "What the projection rests on: observed (every registration is mature or has converted, so projected equals observed); " +
			"channel (the channel's own conversion curve); all channels (the pooled curve of every channel, when the channel's own has nobody followed through the whole window yet).",
		get: func(m attribution.ChannelMetrics) value {
			return value{Text: m.ProjectionCurve, OK: m.ProjectionCurve != attribution.ProjectionNone}
		},
	},
}

// projectionBands name the bounds that the page shows under a projected
// figure, instead of as columns of their own.
var projectionBands = map[string][2]string{
	"projected_conversion_rate":   {"projected_conversion_rate_low", "projected_conversion_rate_high"},
	"projected_cost_per_customer": {"projected_cost_per_customer_low", "projected_cost_per_customer_high"},
}

// projectedCostFormula is spend divided by the estimate in column key,
// rounded like attribution's MoneyEstimate to 1/10000 of the currency
// (half away from zero, as ROUND does); empty when there is no estimate or
// it is 0.
func projectedCostFormula(key string) string {
	return `IF(ISNUMBER({` + key + `}),IF({` + key + `}>0,ROUND({spend}/{` + key + `},4),""),"")`
}

// estimateValue is a money estimate as a kindMoney value.
func estimateValue(m attribution.MoneyEstimate) value {
	return value{Money: attribution.Quotient{Num: m.Amount, Den: 1}, OK: m.Valid}
}

// bandText is the page's "low – high" line under a projected figure; ""
// when either bound is undefined.
func bandText(c column, x rowData, cur attribution.Currency) string {
	keys, ok := projectionBands[c.Key]
	if !ok {
		return ""
	}
	lo, hi := columnOf(projectionColumns, keys[0]), columnOf(projectionColumns, keys[1])
	lv, hv := lo.value(x), hi.value(x)
	switch {
	case lv.OK && hv.OK:
		return lo.display(lv, cur) + " – " + hi.display(hv, cur)
	case lv.OK:
		return "at least " + lo.display(lv, cur)
	}
	return ""
}
