package main

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/origen-analytics/origen/attribution"
)

// rawTargets mirrors [targets]: the default thresholds, and each channel's
// own under [targets.channel."Name"].
type rawTargets struct {
	rawThresholds
	Channel map[string]rawThresholds `toml:"channel"`
}

type rawThresholds struct {
	CACMax            *float64 `toml:"cac_max"`
	ConversionRateMin *float64 `toml:"conversion_rate_min"`
	ROASMin           *float64 `toml:"roas_min"`
}

// loadTargets validates [targets]. Channel names are matched as reports
// show them: trimmed, with (none) for registrations without a channel.
func loadTargets(raw *rawTargets) (attribution.Targets, error) {
	var t attribution.Targets
	if raw == nil {
		return t, nil
	}
	var err error
	if t.Default, err = thresholds("[targets]", raw.rawThresholds); err != nil {
		return t, err
	}
	names := make([]string, 0, len(raw.Channel))
	for name := range raw.Channel {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		section := fmt.Sprintf("[targets.channel.%s]", strconv.Quote(name))
		key := strings.TrimSpace(name)
		if key == "" {
			return t, fmt.Errorf("%s: a channel name is empty; registrations without a channel are %q", section, attribution.NoChannel)
		}
		if _, dup := t.Channels[key]; dup {
			return t, fmt.Errorf("%s: channel %q has targets twice (names are trimmed)", section, key)
		}
		th, err := thresholds(section, raw.Channel[name])
		if err != nil {
			return t, err
		}
		if th.IsZero() {
			return t, fmt.Errorf("%s sets no target: use cac_max, conversion_rate_min or roas_min", section)
		}
		if t.Channels == nil {
			t.Channels = map[string]attribution.Thresholds{}
		}
		t.Channels[key] = th
	}
	return t, nil
}

// thresholds validates one set of thresholds, naming the key at fault.
func thresholds(section string, r rawThresholds) (attribution.Thresholds, error) {
	var th attribution.Thresholds
	finite := func(key string, v float64) error {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return fmt.Errorf("%s %s = %v: use a number of 0 or more", section, key, v)
		}
		return nil
	}
	if v := r.CACMax; v != nil {
		if err := finite("cac_max", *v); err != nil {
			return th, err
		}
		m, err := attribution.ParseMoney(strconv.FormatFloat(*v, 'f', -1, 64))
		if err != nil {
			return th, fmt.Errorf("%s cac_max = %v: an amount in the report currency with at most 4 decimals, e.g. 120.50", section, *v)
		}
		th.CACMax = &m
	}
	if v := r.ConversionRateMin; v != nil {
		if err := finite("conversion_rate_min", *v); err != nil {
			return th, err
		}
		if *v > 1 {
			return th, fmt.Errorf("%s conversion_rate_min = %v: a fraction from 0 to 1 (5%% is 0.05)", section, *v)
		}
		th.ConversionRateMin = v
	}
	if v := r.ROASMin; v != nil {
		if err := finite("roas_min", *v); err != nil {
			return th, err
		}
		th.ROASMin = v
	}
	return th, nil
}

// auditText is the report's part of the configuration as Origen read it,
// for the workbook's About sheet: [database] with the DSN redacted,
// [registrations], [purchases], [spend], [report] and [targets]. Sections
// for other commands (e-mail servers, jobs) are left out: they may hold
// credentials and do not change the numbers.
func auditText(raw *rawConfig) string {
	var b strings.Builder
	kv := func(k string, v any) {
		fmt.Fprintf(&b, "%s = %s\n", k, tomlValue(v))
	}
	b.WriteString("[database]\n")
	kv("driver", raw.Database.Driver)
	kv("dsn", redactDSN(raw.Database.DSN))
	if d := raw.Database.StatementTimeout.Duration; d > 0 {
		kv("statement_timeout", d.String())
	}
	if d := raw.Database.ConnectTimeout.Duration; d > 0 {
		kv("connect_timeout", d.String())
	}
	if z := raw.Database.StoredTimezone; z != nil {
		kv("stored_timezone", *z) // how DATETIMEs are read: it changes the numbers
	}
	for _, s := range []struct {
		name string
		m    map[string]string
	}{{"registrations", raw.Registrations.Keys}, {"purchases", raw.Purchases}, {"spend", raw.Spend}, {"events", raw.Events}, {"touchpoints", raw.Touchpoints}} {
		if (s.name == "events" || s.name == "touchpoints") && s.m == nil {
			continue
		}
		fmt.Fprintf(&b, "\n[%s]\n", s.name)
		keys := make([]string, 0, len(s.m))
		for k := range s.m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			kv(k, s.m[k])
		}
		if s.name == "registrations" && len(raw.Registrations.Dimensions) > 0 {
			kv("dimensions", raw.Registrations.Dimensions)
		}
	}
	b.WriteString("\n[report]\n")
	kv("currency", raw.Report.Currency)
	if raw.Report.Timezone != "" {
		kv("timezone", raw.Report.Timezone)
	}
	if w := raw.Report.ConversionWindowDays; w != nil {
		kv("conversion_window_days", *w)
	}
	if raw.Report.Detail {
		kv("detail", true)
	}
	if n := raw.Report.MaxChannels; n != nil {
		kv("max_channels", *n)
	}
	if raw.Report.Paper != "" {
		kv("paper", raw.Report.Paper)
	}
	if g := raw.Report.GrossMargin; g != nil {
		kv("gross_margin", *g)
	}
	auditChannels(&b, raw.Channels)
	auditLTV(&b, raw)
	auditAttribution(&b, raw.Attribution, kv)
	if t := raw.Targets; t != nil {
		thresholds := func(th rawThresholds) {
			for _, f := range []struct {
				k string
				v *float64
			}{{"cac_max", th.CACMax}, {"conversion_rate_min", th.ConversionRateMin}, {"roas_min", th.ROASMin}} {
				if f.v != nil {
					kv(f.k, *f.v)
				}
			}
		}
		b.WriteString("\n[targets]\n")
		thresholds(t.rawThresholds)
		names := make([]string, 0, len(t.Channel))
		for n := range t.Channel {
			names = append(names, n)
		}
		slices.Sort(names)
		for _, n := range names {
			fmt.Fprintf(&b, "\n[targets.channel.%s]\n", tomlValue(n))
			thresholds(t.Channel[n])
		}
	}
	auditBudget(&b, raw.Budget)
	return b.String()
}

// tomlValue encodes one TOML value.
func tomlValue(v any) string {
	var b strings.Builder
	if err := toml.NewEncoder(&b).Encode(map[string]any{"v": v}); err != nil {
		return fmt.Sprintf("%q", fmt.Sprint(v))
	}
	return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(b.String()), "v ="))
}
