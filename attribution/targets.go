package attribution

import (
	"fmt"
	"math/big"
	"strconv"
)

// Thresholds are the targets one channel is judged against ([targets] in
// the configuration). A nil field is not checked.
type Thresholds struct {
	CACMax            *Money   // cost per customer at most this (report currency)
	ConversionRateMin *float64 // conversion rate at least this (a fraction: 0.05 is 5%)
	ROASMin           *float64 // revenue ÷ spend at least this
}

// IsZero reports whether no threshold is set.
func (t Thresholds) IsZero() bool {
	return t.CACMax == nil && t.ConversionRateMin == nil && t.ROASMin == nil
}

// Targets are a report's thresholds: Default for every channel and the
// Total row, and per-channel ones whose set fields override the default.
type Targets struct {
	Default Thresholds
	// Channels is keyed by channel name as reports show it (trimmed, with
	// NoChannel for registrations without a channel).
	Channels map[string]Thresholds
}

// IsZero reports whether no threshold is set anywhere.
func (t Targets) IsZero() bool {
	if !t.Default.IsZero() {
		return false
	}
	for _, th := range t.Channels {
		if !th.IsZero() {
			return false
		}
	}
	return true
}

// For returns the thresholds that apply to channel: its own where set,
// the default otherwise. The Total row uses Default.
func (t Targets) For(channel string) Thresholds {
	th := t.Default
	own, ok := t.Channels[channel]
	if !ok {
		return th
	}
	if own.CACMax != nil {
		th.CACMax = own.CACMax
	}
	if own.ConversionRateMin != nil {
		th.ConversionRateMin = own.ConversionRateMin
	}
	if own.ROASMin != nil {
		th.ROASMin = own.ROASMin
	}
	return th
}

// Status is a channel's standing against its targets. The values are the
// JSON contract's.
type Status string

// The statuses (METRICS.md, "Targets").
const (
	StatusNoTarget     Status = "no_target"     // no threshold applies
	StatusOnTarget     Status = "on_target"     // every checked threshold is met
	StatusOffTarget    Status = "off_target"    // at least one checked threshold is missed
	StatusNotEvaluated Status = "not_evaluated" // thresholds apply but none could be checked
)

// Keys of the thresholds in Verdict.Missed, the configuration and JSON.
const (
	TargetCACMax            = "cac_max"
	TargetConversionRateMin = "conversion_rate_min"
	TargetROASMin           = "roas_min"
)

// Verdict is the result of judging one row against its thresholds.
type Verdict struct {
	Status Status
	// Missed lists the keys of the missed thresholds, in the order
	// cac_max, conversion_rate_min, roas_min.
	Missed []string
	// Reasons says in words why each missed threshold is missed, in the
	// order of Missed; only Judge fills it.
	Reasons []string
}

// Evaluate judges m against t (METRICS.md, "Targets"):
//   - cac_max is checked when the row has customers (CAC = spend ÷
//     customers, compared exactly) and counts as missed when it has spend
//     but no customer; with neither it is not checked;
//   - conversion_rate_min is checked when the row has registrations;
//   - roas_min is checked when the row has spend.
func (t Thresholds) Evaluate(m ChannelMetrics) Verdict {
	if t.IsZero() {
		return Verdict{Status: StatusNoTarget}
	}
	checked := 0
	var missed []string
	if t.CACMax != nil {
		switch {
		case m.Customers > 0:
			checked++
			// spend / customers > max  ⇔  spend > max × customers, in
			// exact integers (the product may not fit in an int64).
			lhs := big.NewInt(int64(m.Spend))
			rhs := new(big.Int).Mul(big.NewInt(int64(*t.CACMax)), big.NewInt(m.Customers))
			if lhs.Cmp(rhs) > 0 {
				missed = append(missed, TargetCACMax)
			}
		case m.Spend > 0:
			checked++
			missed = append(missed, TargetCACMax)
		}
	}
	if t.ConversionRateMin != nil && m.Registrations > 0 {
		checked++
		if float64(m.Customers)/float64(m.Registrations) < *t.ConversionRateMin {
			missed = append(missed, TargetConversionRateMin)
		}
	}
	if t.ROASMin != nil && m.Spend > 0 {
		checked++
		if float64(m.Revenue)/float64(m.Spend) < *t.ROASMin {
			missed = append(missed, TargetROASMin)
		}
	}
	switch {
	case len(missed) > 0:
		return Verdict{Status: StatusOffTarget, Missed: missed}
	case checked > 0:
		return Verdict{Status: StatusOnTarget}
	}
	return Verdict{Status: StatusNotEvaluated}
}

// Judge is Evaluate with the reason of each missed threshold in words, in
// the order of Missed, such as "CAC 258.57 > 60.00" or "ROAS 0.19 < 1.00"
// (amounts in cur's minor unit, rates as percentages with two decimals,
// ROAS with two decimals; more digits where rounding would make the two
// sides read equal). Reports show the reason next to the status, so that
// "off target" always says which target.
func (t Thresholds) Judge(m ChannelMetrics, cur Currency) Verdict {
	v := t.Evaluate(m)
	for _, k := range v.Missed {
		v.Reasons = append(v.Reasons, t.reason(k, m, cur))
	}
	return v
}

// reason is the words of one missed threshold (Judge).
func (t Thresholds) reason(key string, m ChannelMetrics, cur Currency) string {
	// pair formats a value and its threshold with the given decimals,
	// adding two more when they would otherwise read the same.
	pair := func(f func(digits int) (string, string), digits int) (string, string) {
		a, b := f(digits)
		if a == b {
			a, b = f(digits + 2)
		}
		return a, b
	}
	switch key {
	case TargetCACMax:
		max := *t.CACMax
		if m.Customers == 0 {
			return fmt.Sprintf("no customer for spend %s (CAC max %s)", GroupDigits(m.Spend.Format(cur.Digits)), GroupDigits(max.Format(cur.Digits)))
		}
		a, b := pair(func(d int) (string, string) {
			d = min(d, 4)
			return m.CostPerCustomer.Format(d), max.Format(d)
		}, cur.Digits)
		return "CAC " + GroupDigits(a) + " > " + GroupDigits(b)
	case TargetConversionRateMin:
		rate := float64(m.Customers) / float64(m.Registrations)
		a, b := pair(func(d int) (string, string) {
			return strconv.FormatFloat(rate*100, 'f', d, 64) + "%", strconv.FormatFloat(*t.ConversionRateMin*100, 'f', d, 64) + "%"
		}, 2)
		return "conversion rate " + a + " < " + b
	case TargetROASMin:
		roas := float64(m.Revenue) / float64(m.Spend)
		a, b := pair(func(d int) (string, string) {
			return strconv.FormatFloat(roas, 'f', d, 64), strconv.FormatFloat(*t.ROASMin, 'f', d, 64)
		}, 2)
		return "ROAS " + a + " < " + b
	}
	return key
}
