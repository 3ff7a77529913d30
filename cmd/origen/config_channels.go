package main

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/queries"
)

// rawChannels mirrors [channels]: how raw labels become channels
// (docs/CHANNELS.md).
type rawChannels struct {
	Grouping  string            `toml:"grouping"`
	MergeCase bool              `toml:"merge_case"`
	Aliases   map[string]string `toml:"aliases"`
	Rule      []rawChannelRule  `toml:"rule"`
	// Paid and Unpaid name channels that are paid or unpaid whatever
	// their spend (attribution.PaidRule).
	Paid   []string `toml:"paid"`
	Unpaid []string `toml:"unpaid"`
}

// rawChannelRule mirrors one [[channels.rule]].
type rawChannelRule struct {
	Source   *string `toml:"source"`
	Medium   *string `toml:"medium"`
	Campaign *string `toml:"campaign"`
	Channel  string  `toml:"channel"`
}

// The values of [channels] grouping.
const (
	groupingAuto = ""     // GA4's when [registrations] maps source and medium but no channel
	groupingGA4  = "ga4"  // always GA4's
	groupingNone = "none" // never: the channel column as written
)

// loadChannels validates [channels] and marks the sources whose channel is
// derived from source, medium and campaign. It returns nil when labels are
// only normalised (nothing to map).
func loadChannels(raw rawChannels, m *queries.Mapping) (*attribution.ChannelMapping, error) {
	reg := &m.Registrations
	has := func(s *queries.Source, k string) bool { _, ok := s.Columns[k]; return ok }
	var group bool
	switch g := strings.TrimSpace(raw.Grouping); g {
	case groupingGA4:
		if reg.SQL == "" && !(has(reg, "source") && has(reg, "medium")) {
			return nil, fmt.Errorf("[channels] grouping = %q derives the channel from source and medium: map them in [registrations] (source = \"utm_source\", medium = \"utm_medium\")", g)
		}
		if has(reg, "channel") {
			return nil, fmt.Errorf("[channels] grouping = %q derives the channel from source and medium, but [registrations] also maps channel = %q: remove one of them", g, reg.Columns["channel"])
		}
		group = true
	case groupingAuto:
		group = reg.SQL == "" && has(reg, "source") && has(reg, "medium") && !has(reg, "channel")
	case groupingNone:
	default:
		return nil, fmt.Errorf("[channels] grouping = %q: use \"ga4\" (derive channels from source, medium and campaign as Google Analytics 4 does) or \"none\"", raw.Grouping)
	}
	if len(raw.Rule) > 0 && !group {
		return nil, fmt.Errorf("[[channels.rule]] applies to channels derived from source, medium and campaign: map source and medium in [registrations] without channel, or set [channels] grouping = \"ga4\"")
	}
	reg.GroupChannel = group
	if s := m.Spend; group && s != nil && s.SQL == "" && (has(s, "source") || has(s, "medium")) {
		if !has(s, "source") || !has(s, "medium") {
			return nil, fmt.Errorf("[spend] maps only one of source and medium: map both to group spend by the channel rules, or neither and map channel")
		}
		if has(s, "channel") {
			return nil, fmt.Errorf("[spend] maps channel = %q and source and medium: with channel grouping, keep source and medium (spend is grouped by the same rules) or channel (names as the report shows them)", s.Columns["channel"])
		}
		s.GroupChannel = true
	}

	out := &attribution.ChannelMapping{MergeCase: raw.MergeCase}
	for i, r := range raw.Rule {
		where := fmt.Sprintf("[[channels.rule]] number %d", i+1)
		rule := attribution.ChannelRule{Channel: strings.TrimFunc(r.Channel, unicode.IsSpace)}
		if rule.Channel == "" {
			return nil, fmt.Errorf("%s has no channel: name the channel its rows get (channel = \"Partners\")", where)
		}
		where += fmt.Sprintf(" (channel %q)", rule.Channel)
		n := 0
		for _, f := range []struct {
			key string
			v   *string
			re  **regexp.Regexp
		}{{"source", r.Source, &rule.Source}, {"medium", r.Medium, &rule.Medium}, {"campaign", r.Campaign, &rule.Campaign}} {
			if f.v == nil {
				continue
			}
			re, err := regexp.Compile("(?i)" + *f.v)
			if err != nil {
				return nil, fmt.Errorf("%s: %s = %q is not a valid regular expression (RE2 syntax): %v", where, f.key, *f.v, err)
			}
			*f.re = re
			n++
		}
		if n == 0 {
			return nil, fmt.Errorf("%s matches nothing: give a regular expression for source, medium or campaign", where)
		}
		out.Rules = append(out.Rules, rule)
	}
	if len(raw.Aliases) > 0 {
		out.Aliases = map[string]string{}
		keys := make([]string, 0, len(raw.Aliases))
		for k := range raw.Aliases {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			from, to := strings.TrimFunc(k, unicode.IsSpace), strings.TrimFunc(raw.Aliases[k], unicode.IsSpace)
			if from == "" || to == "" {
				return nil, fmt.Errorf("[channels.aliases] %q = %q: both the label and the channel it becomes must be non-empty", k, raw.Aliases[k])
			}
			if prev, dup := out.Aliases[from]; dup && prev != to {
				return nil, fmt.Errorf("[channels.aliases] gives %q two channels (%q and %q) after trimming: keep one", from, prev, to)
			}
			out.Aliases[from] = to
		}
	}
	if !group && !out.MergeCase && len(out.Aliases) == 0 {
		return nil, nil
	}
	return out, nil
}

// loadPaid validates [channels] paid and unpaid: names as the report shows
// channels (trimmed), none empty and none in both lists. A name without
// rows in the period is a note of the report, as for targets.
func loadPaid(raw rawChannels) (attribution.PaidRule, error) {
	var rule attribution.PaidRule
	for _, l := range []struct {
		key   string
		names []string
		set   *map[string]bool
	}{{"paid", raw.Paid, &rule.Paid}, {"unpaid", raw.Unpaid, &rule.Unpaid}} {
		for i, n := range l.names {
			name := strings.TrimFunc(n, unicode.IsSpace)
			if name == "" {
				return attribution.PaidRule{}, fmt.Errorf("[channels] %s: entry %d is empty: name a channel as the report shows it (%s = [\"Email\", \"Organic Search\"])", l.key, i+1, l.key)
			}
			if *l.set == nil {
				*l.set = map[string]bool{}
			}
			(*l.set)[name] = true
		}
	}
	for _, n := range raw.Unpaid {
		if name := strings.TrimFunc(n, unicode.IsSpace); rule.Paid[name] {
			return attribution.PaidRule{}, fmt.Errorf("[channels] names %q in both paid and unpaid: keep it in one of them", name)
		}
	}
	return rule, nil
}

// auditChannels is [channels] as Origen read it, for the About sheet.
func auditChannels(b *strings.Builder, raw rawChannels) {
	if raw.Grouping == "" && !raw.MergeCase && len(raw.Aliases) == 0 && len(raw.Rule) == 0 && len(raw.Paid) == 0 && len(raw.Unpaid) == 0 {
		return
	}
	kv := func(k string, v any) { fmt.Fprintf(b, "%s = %s\n", k, tomlValue(v)) }
	b.WriteString("\n[channels]\n")
	if raw.Grouping != "" {
		kv("grouping", raw.Grouping)
	}
	if raw.MergeCase {
		kv("merge_case", true)
	}
	if len(raw.Paid) > 0 {
		kv("paid", raw.Paid)
	}
	if len(raw.Unpaid) > 0 {
		kv("unpaid", raw.Unpaid)
	}
	if len(raw.Aliases) > 0 {
		b.WriteString("\n[channels.aliases]\n")
		keys := make([]string, 0, len(raw.Aliases))
		for k := range raw.Aliases {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			fmt.Fprintf(b, "%s = %s\n", tomlValue(k), tomlValue(raw.Aliases[k]))
		}
	}
	for _, r := range raw.Rule {
		b.WriteString("\n[[channels.rule]]\n")
		for _, f := range []struct {
			k string
			v *string
		}{{"source", r.Source}, {"medium", r.Medium}, {"campaign", r.Campaign}} {
			if f.v != nil {
				kv(f.k, *f.v)
			}
		}
		kv("channel", r.Channel)
	}
}
