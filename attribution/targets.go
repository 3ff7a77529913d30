package attribution

import "math/big"

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
