package attribution

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// labelFold is the key under which channel labels that differ only by
// case, accents or inner white space meet: lower case, accents removed
// (NFD without combining marks), runs of white space as one space.
func labelFold(s string) string {
	var b strings.Builder
	space := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case unicode.IsSpace(r):
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// LabelVariants finds the channels of a report whose labels differ only by
// case, accents or inner white space ("Paid Search", "paid  search"): each
// group, its labels ordered by registrations (then name), with their
// registrations. Such labels are reported as different channels, which
// splits a channel's registrations and spend.
func LabelVariants(channels []ChannelMetrics) [][]ChannelMetrics {
	groups := map[string][]ChannelMetrics{}
	var keys []string
	for _, m := range channels {
		if m.Channel == NoChannel {
			continue
		}
		k := labelFold(m.Channel)
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], m)
	}
	slices.Sort(keys)
	var out [][]ChannelMetrics
	for _, k := range keys {
		g := groups[k]
		if len(g) < 2 {
			continue
		}
		slices.SortFunc(g, func(a, b ChannelMetrics) int {
			if a.Registrations != b.Registrations {
				return int(b.Registrations - a.Registrations)
			}
			return strings.Compare(a.Channel, b.Channel)
		})
		out = append(out, g)
	}
	return out
}

// labelVariantNotes are the Data quality findings of LabelVariants.
func labelVariantNotes(r Report) []string {
	var notes []string
	for _, g := range LabelVariants(r.Channels) {
		parts := make([]string, len(g))
		for i, m := range g {
			parts[i] = fmt.Sprintf("%q (%d registrations, spend %s)", m.Channel, m.Registrations, m.Spend.Format(r.Currency.Digits))
		}
		notes = append(notes, fmt.Sprintf("channel labels that differ only by case, accents or white space are reported as %d channels: %s; fix the labels at the source or map them to one name",
			len(g), strings.Join(parts, ", ")))
	}
	return notes
}
