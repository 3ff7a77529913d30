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

// PaidWithoutSpend lists, by name, the channels with registrations and no
// spend whose names look paid (PaidLooking): their registrations count at
// no cost, and the paid spend that brought them is missing or booked under
// another name.
func PaidWithoutSpend(channels []ChannelMetrics) []string {
	var out []string
	for _, m := range channels {
		if m.Registrations > 0 && m.Spend == 0 && m.Channel != NoChannel && PaidLooking(m.Channel) {
			out = append(out, m.Channel)
		}
	}
	slices.Sort(out)
	return out
}

// paidWithoutSpendNotes are the Data quality findings of PaidWithoutSpend.
func paidWithoutSpendNotes(r Report) []string {
	regs := map[string]int64{}
	for _, m := range r.Channels {
		regs[m.Channel] = m.Registrations
	}
	var notes []string
	for _, ch := range r.Quality.PaidWithoutSpend {
		notes = append(notes, fmt.Sprintf("channel %q looks paid but has no spend in the period: its %d registrations count at no cost (cost per registration 0); add its spend, or map it to the channel its spend is booked under",
			ch, regs[ch]))
	}
	return notes
}
