package attribution

import (
	"fmt"
	"math/big"
	"sort"
)

// Cohort revenue curves and payback (docs/LTV.md, "Revenue curves"): each
// acquisition cohort (the registrations of one local calendar month, per
// channel) is followed for LTVMaxMonths months of LTVMonthDays days after
// each registration. Month m of a registration covers days
// [30(m−1), 30m) after it; a curve's point m is the cumulative figure of
// months 1…m, so it counts everything within the first 30m days.

// LTVMonthDays is the length of a curve month, LTVMaxMonths the last one.
const (
	LTVMonthDays = 30
	LTVMaxMonths = 24
)

// LTVHorizons are the months at which curves are reported.
var LTVHorizons = [...]int{1, 3, 6, 12, 24}

// LTVCohort is one channel × cohort month: its registrations, the channel's
// spend in that month (the cohort's cost), and the age at as_of of its
// youngest registration in whole days, which decides the months at which
// every registration of the cohort has been observed.
type LTVCohort struct {
	Channel         string
	Cohort          Date // the first day of the local month
	Registrations   int64
	Spend           Money
	YoungestAgeDays int
}

// LTVMonthRow is the aggregate of one channel × cohort × month since
// registration, as the facts query returns it: Revenue is the sum of all
// purchases and refunds (negative amounts) of the cohort's users whose time
// after their registration falls in the month, wherever the purchase they
// refund was; NewCustomers counts the users whose first purchase (amount
// > 0) falls in it and NewRepeaters those whose second purchase day does.
// Months without any purchase need no row.
type LTVMonthRow struct {
	Channel      string
	Cohort       Date
	Month        int // 1…LTVMaxMonths
	Revenue      Money
	NewCustomers int64
	NewRepeaters int64
}

// LTVPoint is a curve's cumulative figures at a month. Mature says every
// registration counted is at least Month × 30 days old at as_of; the
// ratios are undefined otherwise (a too-low number is never shown). In a
// pooled curve the point counts only the cohorts mature at that month, so
// Registrations and Spend can differ from month to month.
type LTVPoint struct {
	Month         int
	Mature        bool
	Cohorts       int
	Registrations int64
	Spend         Money
	Customers     int64
	Repeaters     int64
	Revenue       Money
}

// RevenuePerRegistration is the cumulative revenue per registration.
func (p LTVPoint) RevenuePerRegistration() Quotient {
	if !p.Mature {
		return Quotient{}
	}
	return Quotient{Num: p.Revenue, Den: p.Registrations}
}

// RevenuePerCustomer is the cumulative revenue per customer (users of the
// cohorts with a first purchase within the first Month × 30 days).
func (p LTVPoint) RevenuePerCustomer() Quotient {
	if !p.Mature {
		return Quotient{}
	}
	return Quotient{Num: p.Revenue, Den: p.Customers}
}

// CostPerRegistration is the cohorts' spend per registration.
func (p LTVPoint) CostPerRegistration() Quotient {
	if !p.Mature {
		return Quotient{}
	}
	return Quotient{Num: p.Spend, Den: p.Registrations}
}

// RepeatRate is the share of the customers with a second purchase day
// within the first Month × 30 days.
func (p LTVPoint) RepeatRate() Ratio {
	if !p.Mature {
		return Ratio{}
	}
	return ratio(float64(p.Repeaters), float64(p.Customers))
}

// LTVCurve is the revenue curve of one channel × cohort, or of a channel's
// cohorts pooled (Cohort is the zero Date). Points[m−1] is month m.
type LTVCurve struct {
	Channel       string
	Cohort        Date
	Registrations int64 // all the cohorts' registrations
	Spend         Money // all the cohorts' spend
	Points        [LTVMaxMonths]LTVPoint
}

// At returns the point of month m (1…LTVMaxMonths).
func (c LTVCurve) At(m int) LTVPoint { return c.Points[m-1] }

// ObservedMonths is the last month at which the curve has a mature point
// (0 when none is): how far the data can answer.
func (c LTVCurve) ObservedMonths() int {
	n := 0
	for _, p := range c.Points {
		if p.Mature {
			n = p.Month
		}
	}
	return n
}

// LTVTotal is the Channel of the curves that pool every channel.
const LTVTotal = "Total"

// BuildLTVCurves turns the aggregates into one curve per channel × cohort
// (sorted by channel, then cohort) and one pooled curve per channel plus
// the LTVTotal curve of all channels (sorted by channel, Total last). A
// row or cohort that does not fit is an error naming it; nothing is
// dropped silently.
func BuildLTVCurves(cohorts []LTVCohort, rows []LTVMonthRow) (byCohort, pooled []LTVCurve, err error) {
	type key struct {
		ch string
		c  Date
	}
	idx := map[key]int{}
	curves := make([]LTVCurve, 0, len(cohorts))
	for _, c := range cohorts {
		k := key{c.Channel, c.Cohort}
		where := fmt.Sprintf("channel %q, cohort %s", c.Channel, c.Cohort)
		switch {
		case c.Cohort.Day != 1:
			return nil, nil, Errorf(KindData, "lifetime value: %s does not start on the first day of a month", where)
		case c.Registrations <= 0:
			return nil, nil, Errorf(KindData, "lifetime value: %s has %d registrations", where, c.Registrations)
		case c.YoungestAgeDays < 0:
			return nil, nil, Errorf(KindData, "lifetime value: %s has a registration after as_of (age %d days)", where, c.YoungestAgeDays)
		case c.Spend < 0:
			return nil, nil, Errorf(KindData, "lifetime value: %s has negative spend %s", where, c.Spend)
		}
		if _, dup := idx[k]; dup {
			return nil, nil, Errorf(KindData, "lifetime value: %s appears twice", where)
		}
		idx[k] = len(curves)
		cv := LTVCurve{Channel: c.Channel, Cohort: c.Cohort, Registrations: c.Registrations, Spend: c.Spend}
		for m := 1; m <= LTVMaxMonths; m++ {
			cv.Points[m-1] = LTVPoint{Month: m, Mature: c.YoungestAgeDays >= m*LTVMonthDays, Cohorts: 1,
				Registrations: c.Registrations, Spend: c.Spend}
		}
		curves = append(curves, cv)
	}
	// Month increments, then running sums.
	type inc struct {
		rev       Money
		cust, rep int64
	}
	incs := make([][LTVMaxMonths]inc, len(curves))
	type rowKey struct {
		key
		m int
	}
	seen := map[rowKey]bool{}
	for _, r := range rows {
		where := fmt.Sprintf("channel %q, cohort %s, month %d", r.Channel, r.Cohort, r.Month)
		i, ok := idx[key{r.Channel, r.Cohort}]
		switch {
		case !ok:
			return nil, nil, Errorf(KindData, "lifetime value: %s has no cohort (no registrations)", where)
		case r.Month < 1 || r.Month > LTVMaxMonths:
			return nil, nil, Errorf(KindData, "lifetime value: %s is outside months 1 to %d", where, LTVMaxMonths)
		case r.NewCustomers < 0 || r.NewRepeaters < 0:
			return nil, nil, Errorf(KindData, "lifetime value: %s has a negative count", where)
		case seen[rowKey{key{r.Channel, r.Cohort}, r.Month}]:
			return nil, nil, Errorf(KindData, "lifetime value: %s appears twice", where)
		}
		seen[rowKey{key{r.Channel, r.Cohort}, r.Month}] = true
		incs[i][r.Month-1] = inc{r.Revenue, r.NewCustomers, r.NewRepeaters}
	}
	for i := range curves {
		cv := &curves[i]
		var rev Money
		var cust, rep int64
		for m := 0; m < LTVMaxMonths; m++ {
			var ok bool
			if rev, ok = rev.Add(incs[i][m].rev); !ok {
				return nil, nil, &Error{Kind: KindData, Err: ErrMoneyOverflow, Msg: fmt.Sprintf(
					"lifetime value: revenue of channel %q, cohort %s is out of range", cv.Channel, cv.Cohort)}
			}
			cust += incs[i][m].cust
			rep += incs[i][m].rep
			where := fmt.Sprintf("channel %q, cohort %s, month %d", cv.Channel, cv.Cohort, m+1)
			if cust > cv.Registrations {
				return nil, nil, Errorf(KindData, "lifetime value: %s has %d customers of %d registrations", where, cust, cv.Registrations)
			}
			if rep > cust {
				return nil, nil, Errorf(KindData, "lifetime value: %s has %d repeat customers of %d customers", where, rep, cust)
			}
			p := &cv.Points[m]
			p.Revenue, p.Customers, p.Repeaters = rev, cust, rep
		}
	}
	sort.SliceStable(curves, func(i, j int) bool {
		if curves[i].Channel != curves[j].Channel {
			return curves[i].Channel < curves[j].Channel
		}
		return curves[i].Cohort.Before(curves[j].Cohort)
	})
	// Pooled curves: per channel, and Total over all.
	pool := map[string]*LTVCurve{}
	var names []string
	get := func(ch string) *LTVCurve {
		if p, ok := pool[ch]; ok {
			return p
		}
		p := &LTVCurve{Channel: ch}
		for m := 1; m <= LTVMaxMonths; m++ {
			p.Points[m-1].Month = m
		}
		pool[ch] = p
		names = append(names, ch)
		return p
	}
	for _, cv := range curves {
		for _, p := range []*LTVCurve{get(cv.Channel), get(LTVTotal)} {
			if err := poolInto(p, cv); err != nil {
				return nil, nil, err
			}
		}
	}
	sort.Slice(names, func(i, j int) bool {
		if (names[i] == LTVTotal) != (names[j] == LTVTotal) {
			return names[j] == LTVTotal
		}
		return names[i] < names[j]
	})
	for _, n := range names {
		pooled = append(pooled, *pool[n])
	}
	return curves, pooled, nil
}

// poolInto adds cohort curve cv to the pooled curve p: at each month only
// if cv is mature there (so a pooled point never mixes in a young cohort's
// partial figure), and to the totals always.
func poolInto(p *LTVCurve, cv LTVCurve) error {
	overflow := func() error {
		return &Error{Kind: KindData, Err: ErrMoneyOverflow, Msg: fmt.Sprintf(
			"lifetime value: pooled revenue or spend of channel %q is out of range", p.Channel)}
	}
	var ok bool
	p.Registrations += cv.Registrations
	if p.Spend, ok = p.Spend.Add(cv.Spend); !ok {
		return overflow()
	}
	for m := range p.Points {
		c, q := cv.Points[m], &p.Points[m]
		if !c.Mature {
			continue
		}
		q.Mature = true
		q.Cohorts++
		q.Registrations += c.Registrations
		q.Customers += c.Customers
		q.Repeaters += c.Repeaters
		if q.Spend, ok = q.Spend.Add(c.Spend); !ok {
			return overflow()
		}
		if q.Revenue, ok = q.Revenue.Add(c.Revenue); !ok {
			return overflow()
		}
	}
	return nil
}

// GrossMargin is the share of revenue that is margin ([report]
// gross_margin): 1 reads every LTV figure as revenue.
type GrossMargin float64

// Validate returns an error unless 0 < g ≤ 1.
func (g GrossMargin) Validate() error {
	if !(g > 0 && g <= 1) {
		return Errorf(KindConfig, "gross_margin = %v: it must be a fraction above 0 and at most 1 (1 = revenue)", float64(g))
	}
	return nil
}

// Basis is "revenue" when g is 1 and "margin" otherwise.
func (g GrossMargin) Basis() string {
	if g == 1 {
		return "revenue"
	}
	return "margin"
}

// Margin returns revenue × g rounded half away from zero to Money's unit.
func (g GrossMargin) Margin(revenue Money) Money {
	r := new(big.Rat).Mul(new(big.Rat).SetInt64(int64(revenue)), g.rat())
	return Money(roundRat(r))
}

func (g GrossMargin) rat() *big.Rat {
	r, _ := new(big.Rat).SetString(fmt.Sprint(float64(g)))
	return r
}

// roundRat rounds r half away from zero to an integer.
func roundRat(r *big.Rat) int64 {
	num, den := new(big.Int).Set(r.Num()), r.Denom()
	neg := num.Sign() < 0
	num.Abs(num)
	q, rem := new(big.Int).QuoRem(num, den, new(big.Int))
	if rem.Mul(rem, big.NewInt(2)).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if neg {
		q.Neg(q)
	}
	return q.Int64()
}

// Payback is when a channel's acquisition cost is paid back.
type Payback struct {
	// Month is the first month m at which the pooled cumulative margin per
	// registration reaches the cost per registration of the same (mature)
	// cohorts; 0 when it is not reached within Within months.
	Month int
	// Within is the last month observed (the curve's ObservedMonths):
	// "not within N months" when Month is 0.
	Within int
	// NoCost is true when the cohorts had no spend: nothing to pay back.
	NoCost bool
}

// PaybackOf reads the payback month off a pooled curve p with margin g
// (docs/LTV.md, "Payback"). At month m both sides refer to the cohorts
// mature at m, so margin/registrations ≥ spend/registrations is compared
// as margin ≥ spend, exactly, on the unrounded revenue × g.
func PaybackOf(p LTVCurve, g GrossMargin) Payback {
	out := Payback{Within: p.ObservedMonths()}
	if p.Spend == 0 {
		out.NoCost = true
		return out
	}
	gr := g.rat()
	for _, pt := range p.Points {
		if !pt.Mature {
			continue
		}
		margin := new(big.Rat).Mul(new(big.Rat).SetInt64(int64(pt.Revenue)), gr)
		if pt.Spend > 0 && margin.Cmp(new(big.Rat).SetInt64(int64(pt.Spend))) >= 0 {
			out.Month = pt.Month
			return out
		}
	}
	return out
}

// String is "month N", "not within N months" or "no cost".
func (b Payback) String() string {
	switch {
	case b.NoCost:
		return "no cost"
	case b.Month > 0:
		return fmt.Sprintf("month %d", b.Month)
	case b.Within == 0:
		return "no mature cohort"
	case b.Within == 1:
		return "not within 1 month"
	default:
		return fmt.Sprintf("not within %d months", b.Within)
	}
}

// ObservedLTV is the margin per customer at month m of a pooled curve
// (LTV observed at 12 months when m is 12), and LTVToCAC its ratio to the
// cost per customer of the same cohorts: margin ÷ spend. Both are
// undefined where the point is not mature or has no customers (or spend).
func ObservedLTV(p LTVCurve, m int, g GrossMargin) (ltv Quotient, ltvToCAC Ratio) {
	pt := p.At(m)
	if !pt.Mature || pt.Customers == 0 {
		return Quotient{}, Ratio{}
	}
	margin := g.Margin(pt.Revenue)
	return Quotient{Num: margin, Den: pt.Customers}, ratio(margin.Float64(), pt.Spend.Float64())
}

// LTVToCAC is a per-customer lifetime value (in currency units, such as a
// projected 12-month margin) divided by a cost per customer; undefined
// when the cost is undefined or zero.
func LTVToCAC(ltv float64, costPerCustomer Quotient) Ratio {
	if !costPerCustomer.Valid() {
		return Ratio{}
	}
	return ratio(ltv, costPerCustomer.Float64())
}
