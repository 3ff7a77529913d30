package main

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/origen-analytics/origen/attribution"
)

// rawBudget mirrors [budget] (docs/BUDGET.md), with each channel's limits
// under [budget.channel."Name"].
type rawBudget struct {
	Objective     *string                     `toml:"objective"`
	LookbackWeeks *int                        `toml:"lookback_weeks"`
	BaselineWeeks *int                        `toml:"baseline_weeks"`
	Total         *float64                    `toml:"total"`
	MaxChange     *float64                    `toml:"max_change"`
	Channel       map[string]rawBudgetChannel `toml:"channel"`
}

type rawBudgetChannel struct {
	Min *float64 `toml:"min"`
	Max *float64 `toml:"max"`
}

// maxBudgetLookbackWeeks bounds lookback_weeks (ten years of weeks).
const maxBudgetLookbackWeeks = 520

// loadBudget validates [budget]; without it every default holds. Errors
// name the key at fault.
func loadBudget(raw *rawBudget) (attribution.BudgetRequest, error) {
	b := attribution.DefaultBudgetRequest()
	if raw == nil {
		return b, nil
	}
	if v := raw.Objective; v != nil {
		switch o := strings.TrimSpace(*v); o {
		case attribution.BudgetObjectiveCustomers, attribution.BudgetObjectiveRevenue:
			b.Objective = o
		default:
			return b, fmt.Errorf("[budget] objective = %q: use %q (the default) or %q (window revenue)", *v, attribution.BudgetObjectiveCustomers, attribution.BudgetObjectiveRevenue)
		}
	}
	if v := raw.LookbackWeeks; v != nil {
		if *v < attribution.BudgetMinWeeks || *v > maxBudgetLookbackWeeks {
			return b, fmt.Errorf("[budget] lookback_weeks = %d: use a number of weeks from %d (a curve needs %d weeks with spend) to %d (default %d)",
				*v, attribution.BudgetMinWeeks, attribution.BudgetMinWeeks, maxBudgetLookbackWeeks, attribution.DefaultBudgetLookbackWeeks)
		}
		b.LookbackWeeks = *v
	}
	if v := raw.BaselineWeeks; v != nil {
		if *v < 1 || *v > b.LookbackWeeks {
			return b, fmt.Errorf("[budget] baseline_weeks = %d: use a number of weeks from 1 to lookback_weeks (%d); the current weekly spend is their mean (default 4)", *v, b.LookbackWeeks)
		}
		b.Options.BaselineWeeks = *v
	}
	if b.Options.BaselineWeeks > b.LookbackWeeks {
		b.Options.BaselineWeeks = b.LookbackWeeks
	}
	if v := raw.MaxChange; v != nil {
		if !(*v >= 0 && *v <= 1) {
			return b, fmt.Errorf("[budget] max_change = %v: a fraction from 0 to 1 of the current weekly spend (0.3 allows ±30%%, the default)", *v)
		}
		b.Options.MaxChange = *v
	}
	if v := raw.Total; v != nil {
		m, err := budgetMoney("[budget] total", *v)
		if err != nil {
			return b, err
		}
		b.Options.Total, b.Options.HasTotal = m, true
	}
	names := make([]string, 0, len(raw.Channel))
	for name := range raw.Channel {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		section := fmt.Sprintf("[budget.channel.%s]", strconv.Quote(name))
		key := strings.TrimSpace(name)
		if key == "" {
			return b, fmt.Errorf("%s: a channel name is empty", section)
		}
		if _, dup := b.Limits[key]; dup {
			return b, fmt.Errorf("%s: channel %q has limits twice (names are trimmed)", section, key)
		}
		r := raw.Channel[name]
		var l attribution.BudgetLimits
		var err error
		if r.Min != nil {
			if l.Min, err = budgetMoney(section+" min", *r.Min); err != nil {
				return b, err
			}
			l.HasMin = true
		}
		if r.Max != nil {
			if l.Max, err = budgetMoney(section+" max", *r.Max); err != nil {
				return b, err
			}
			l.HasMax = true
		}
		if !l.HasMin && !l.HasMax {
			return b, fmt.Errorf("%s sets no limit: use min and/or max, weekly spend in the report currency", section)
		}
		if l.HasMin && l.HasMax && l.Min > l.Max {
			return b, fmt.Errorf("%s min = %v is above max = %v", section, *r.Min, *r.Max)
		}
		if b.Limits == nil {
			b.Limits = map[string]attribution.BudgetLimits{}
		}
		b.Limits[key] = l
	}
	return b, nil
}

// budgetMoney validates a weekly amount of [budget].
func budgetMoney(key string, v float64) (attribution.Money, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return 0, fmt.Errorf("%s = %v: a weekly amount of 0 or more in the report currency", key, v)
	}
	m, err := attribution.ParseMoney(strconv.FormatFloat(v, 'f', -1, 64))
	if err != nil {
		return 0, fmt.Errorf("%s = %v: a weekly amount in the report currency with at most 4 decimals, e.g. 12000.50", key, v)
	}
	return m, nil
}

// auditBudget writes [budget] as Origen read it, for the About sheet.
func auditBudget(b *strings.Builder, raw *rawBudget) {
	if raw == nil {
		return
	}
	kv := func(k string, v any) { fmt.Fprintf(b, "%s = %s\n", k, tomlValue(v)) }
	b.WriteString("\n[budget]\n")
	if raw.Objective != nil {
		kv("objective", *raw.Objective)
	}
	if raw.LookbackWeeks != nil {
		kv("lookback_weeks", *raw.LookbackWeeks)
	}
	if raw.BaselineWeeks != nil {
		kv("baseline_weeks", *raw.BaselineWeeks)
	}
	if raw.Total != nil {
		kv("total", *raw.Total)
	}
	if raw.MaxChange != nil {
		kv("max_change", *raw.MaxChange)
	}
	names := make([]string, 0, len(raw.Channel))
	for n := range raw.Channel {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(b, "\n[budget.channel.%s]\n", tomlValue(n))
		if c := raw.Channel[n]; c.Min != nil {
			kv("min", *c.Min)
		}
		if c := raw.Channel[n]; c.Max != nil {
			kv("max", *c.Max)
		}
	}
}

// budgetRequest is the report's [budget] (the defaults when cfg was not
// read from a file).
func budgetRequest(cfg *config) *attribution.BudgetRequest {
	b := cfg.Budget
	if b.LookbackWeeks == 0 {
		b = attribution.DefaultBudgetRequest()
	}
	return &b
}
