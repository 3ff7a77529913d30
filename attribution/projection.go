package attribution

import (
	"math"
	"time"
)

// CurveLookbackWindows is how far before a report period the curve
// population starts, in conversion windows: with W = 30 the curves of an
// October report also use the registrations of July to September, which
// are mature and estimate the late days of the curve that October's own
// registrations have not reached yet.
const CurveLookbackWindows = 3

// ReportCurvePeriod returns the local dates of a report's curve population
// (docs/METRICS-COHORTS.md, "Conversion curves"): from CurveLookbackWindows
// windows before the period's first date to the period's end.
func ReportCurvePeriod(p Period, w int) Period {
	return Period{From: p.From.AddDays(-CurveLookbackWindows * w), To: p.To}
}

// ProspectCurveWindow returns the registration instants [start, end) of the
// curve population of prospect scores at asOf: the (CurveLookbackWindows+1)
// windows up to and including asOf.
func ProspectCurveWindow(asOf time.Time, w int) (start, end time.Time) {
	day := 24 * time.Hour
	return asOf.Add(-time.Duration((CurveLookbackWindows+1)*w) * day), asOf.Add(time.Microsecond)
}

// MoneyEstimate is an amount derived from an estimate, such as spend per
// projected customer, rounded half away from zero to Money's 1/10000 unit.
// It is undefined (n/a) when Valid is false.
type MoneyEstimate struct {
	Amount Money
	Valid  bool
}

// Format rounds the amount to digits decimal places; "" when undefined.
func (m MoneyEstimate) Format(digits int) string {
	if !m.Valid {
		return ""
	}
	return m.Amount.Format(digits)
}

// Float64 returns the amount in currency units; 0 when undefined.
func (m MoneyEstimate) Float64() float64 {
	if !m.Valid {
		return 0
	}
	return m.Amount.Float64()
}

// Projection curve sources, ChannelMetrics.ProjectionCurve.
const (
	ProjectionNone        = ""             // nothing to project (no registrations) or no usable curve
	ProjectionObserved    = "observed"     // every registration is mature or converted: projected = observed
	ProjectionChannel     = "channel"      // the channel's own curve
	ProjectionAllChannels = "all channels" // the channel's curve is incomplete: the pooled curve of all channels
)

// projectionPart is one channel's projection before ratios.
type projectionPart struct {
	point, curveLow, curveHigh float64 // customers
	bernoulli                  float64 // Σ open·q(1−q)
	ceiling                    float64 // observed + open: no more can convert
	floor                      float64 // observed
}

// project returns the expected customers of a channel once every
// registration is W days old: the observed customers plus, for each open
// registration of age a, q(a) = P(convert on a day in [a, W) | not by a)
// from curve c.
func project(observed int64, c Curve) projectionPart {
	w := c.WindowDays
	obs := float64(observed)
	part := projectionPart{point: obs, curveLow: obs, curveHigh: obs, floor: obs, ceiling: obs}
	for a := 0; a < w; a++ {
		n := float64(c.Open[a])
		if n == 0 {
			continue
		}
		q, lo, hi := c.ConditionalBand(a, w)
		part.point += n * q
		part.curveLow += n * lo
		part.curveHigh += n * hi
		part.bernoulli += n * q * (1 - q)
		part.ceiling += n
	}
	return part
}

// interval combines the curve's uncertainty (its band, taken as fully
// correlated across ages because every age reads the same hazards) with the
// randomness of which open registrations will actually convert (a sum of
// independent Bernoulli trials, variance Σ q(1−q)), in quadrature, and
// clamps the result to what can still happen.
func (p projectionPart) interval() (low, high float64) {
	z2 := WilsonZ * WilsonZ
	dl, dh := p.point-p.curveLow, p.curveHigh-p.point
	low = p.point - math.Sqrt(dl*dl+z2*p.bernoulli)
	high = p.point + math.Sqrt(dh*dh+z2*p.bernoulli)
	return math.Max(low, p.floor), math.Min(high, p.ceiling)
}

// Project fills the projected customers, conversion rate and cost per
// customer of every channel and of the Total row (docs/METRICS-COHORTS.md,
// "Projection"). Each channel uses its own curve from curves when that is
// complete, otherwise the pooled curve of all channels; the Total row sums
// the channels' expected customers, with the channels' curve deviations
// added in quadrature (independent estimates) and the Bernoulli variances
// summed.
func Project(rep *Report, curves CurveSet) {
	var total projectionPart
	var totalCurveLow2, totalCurveHigh2 float64
	totalValid := true
	for i := range rep.Channels {
		m := &rep.Channels[i]
		if m.Registrations == 0 {
			m.ProjectionCurve = ProjectionNone
			continue
		}
		c, ok := curves.Channel(m.Channel)
		var open int64
		if ok {
			for _, n := range c.Open {
				open += n
			}
		}
		var part projectionPart
		switch {
		case open == 0:
			part = projectionPart{point: float64(m.Customers), curveLow: float64(m.Customers),
				curveHigh: float64(m.Customers), floor: float64(m.Customers), ceiling: float64(m.Customers)}
			m.ProjectionCurve = ProjectionObserved
		case c.Complete():
			part = project(m.Customers, c)
			m.ProjectionCurve = ProjectionChannel
		case curves.All.Complete():
			pooled := curves.All
			pooled.Open = c.Open
			part = project(m.Customers, pooled)
			m.ProjectionCurve = ProjectionAllChannels
		default:
			m.ProjectionCurve = ProjectionNone
			totalValid = false
			continue
		}
		setProjection(m, part)
		total.point += part.point
		total.floor += part.floor
		total.ceiling += part.ceiling
		total.bernoulli += part.bernoulli
		totalCurveLow2 += (part.point - part.curveLow) * (part.point - part.curveLow)
		totalCurveHigh2 += (part.curveHigh - part.point) * (part.curveHigh - part.point)
	}
	if !totalValid || rep.Total.Registrations == 0 {
		rep.Total.ProjectionCurve = ProjectionNone
		return
	}
	total.curveLow = total.point - math.Sqrt(totalCurveLow2)
	total.curveHigh = total.point + math.Sqrt(totalCurveHigh2)
	rep.Total.ProjectionCurve = ProjectionChannel
	setProjection(&rep.Total, total)
}

func setProjection(m *ChannelMetrics, part projectionPart) {
	low, high := part.interval()
	m.ProjectedCustomers = Ratio{Value: part.point, Valid: true}
	m.ProjectedCustomersLow = Ratio{Value: low, Valid: true}
	m.ProjectedCustomersHigh = Ratio{Value: high, Valid: true}
	regs := float64(m.Registrations)
	m.ProjectedConversionRate = ratio(part.point, regs)
	m.ProjectedConversionRateLow = ratio(low, regs)
	m.ProjectedConversionRateHigh = ratio(high, regs)
	m.ProjectedCostPerCustomer = perCustomer(m.Spend, part.point)
	// More customers means a lower cost: the bounds swap.
	m.ProjectedCostPerCustomerLow = perCustomer(m.Spend, high)
	m.ProjectedCostPerCustomerHigh = perCustomer(m.Spend, low)
}

// perCustomer is spend / customers rounded to Money's unit; undefined when
// there are no customers (the cost is unbounded or 0/0).
func perCustomer(spend Money, customers float64) MoneyEstimate {
	if customers <= 0 {
		return MoneyEstimate{}
	}
	return MoneyEstimate{Amount: Money(math.Round(float64(spend) / customers)), Valid: true}
}
