package attribution

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
)

// ChannelRule is one [[channels.rule]] of the configuration: the channel of
// the rows whose source, medium and campaign match its regular expressions
// (each optional; all that are given must match; RE2 syntax, without
// regard to case). Rules are tried in order before GA4's.
type ChannelRule struct {
	Source, Medium, Campaign *regexp.Regexp
	Channel                  string
}

func (r ChannelRule) matches(source, medium, campaign string) bool {
	ok := func(re *regexp.Regexp, v string) bool { return re == nil || re.MatchString(v) }
	return ok(r.Source, source) && ok(r.Medium, medium) && ok(r.Campaign, campaign)
}

// ChannelMapping is how the raw channel labels of registrations and spend
// become the channels of a report, before anything is computed
// (docs/CHANNELS.md): a grouped label (GroupedLabel) gets the channel of
// the first of Rules that matches, else GA4Channel's; Aliases then rename
// a label (after trimming) to another; with MergeCase, labels that differ
// only by case, accents or inner white space become the one spelling with
// the most registrations in the report period and its comparison period,
// ties by byte order.
type ChannelMapping struct {
	Rules     []ChannelRule
	Aliases   map[string]string
	MergeCase bool
}

// ChannelLabels maps a raw label (NULL when !valid) to a channel name.
type ChannelLabels func(raw string, valid bool) string

// labeler is a ChannelMapping at work in one report: the names it made so
// far and, with MergeCase, the spelling each folded label becomes.
type labeler struct {
	// mu guards the maps: the reads of a report that run side by side
	// (pipeline_reads.go) name their rows as they stream.
	mu      sync.Mutex
	m       *ChannelMapping
	base    map[string]string // raw label → name before merging
	winners map[string]string // labelFold(name) → the spelling that stands for it
	merged  map[string][]string
}

func (m *ChannelMapping) labeler() *labeler {
	return &labeler{m: m, base: map[string]string{}, winners: map[string]string{}, merged: map[string][]string{}}
}

// baseName is the channel of a raw label before MergeCase: the rules or
// GA4's group for a grouped label, NormalizeChannel for any other, then
// the aliases.
func (l *labeler) baseName(raw string, valid bool) string {
	if !valid {
		return l.alias(NoChannel)
	}
	if n, ok := l.base[raw]; ok {
		return n
	}
	var name string
	if src, med, camp, ok := splitGrouped(raw); ok {
		trim := func(s string) string { return strings.TrimFunc(s, unicode.IsSpace) }
		src, med, camp = trim(src), trim(med), trim(camp)
		name = ""
		for _, r := range l.m.Rules {
			if r.matches(src, med, camp) {
				name = r.Channel
				break
			}
		}
		if name == "" {
			name = GA4Channel(src, med, camp)
		}
	} else {
		name = NormalizeChannel(raw, true)
	}
	name = l.alias(name)
	l.base[raw] = name
	return name
}

func (l *labeler) alias(name string) string {
	if a, ok := l.m.Aliases[name]; ok {
		return a
	}
	return name
}

// name is the channel of a raw label.
func (l *labeler) name(raw string, valid bool) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.nameLocked(raw, valid)
}

func (l *labeler) nameLocked(raw string, valid bool) string {
	n := l.baseName(raw, valid)
	if !l.m.MergeCase || n == NoChannel {
		return n
	}
	if w, ok := l.winners[labelFold(n)]; ok {
		return w
	}
	return n
}

// learn chooses, with MergeCase, the spelling of every folded label not
// chosen yet among names: the most registrations, ties by byte order.
func (l *labeler) learn(names map[string]int64) {
	if !l.m.MergeCase {
		return
	}
	groups := map[string][]string{}
	for n := range names {
		if n == NoChannel {
			continue
		}
		k := labelFold(n)
		if _, done := l.winners[k]; !done {
			groups[k] = append(groups[k], n)
		}
	}
	for k, g := range groups {
		slices.SortFunc(g, func(a, b string) int {
			if names[a] != names[b] {
				if names[a] > names[b] {
					return -1
				}
				return 1
			}
			return strings.Compare(a, b)
		})
		l.winners[k] = g[0]
		if len(g) > 1 {
			l.merged[g[0]] = g[1:]
		}
	}
}

// mapFacts names the channel of every row of f, first learning the
// spellings from its cohorts (registrations) and its other rows (none).
func (l *labeler) mapFacts(f *Facts) {
	l.mu.Lock()
	defer l.mu.Unlock()
	names := map[string]int64{}
	seen := func(raw string, valid bool, n int64) { names[l.baseName(raw, valid)] += n }
	for _, rows := range [][]CohortRow{f.Cohort, f.Previous} {
		for _, r := range rows {
			if r.Existing {
				seen(r.Channel, r.ChannelValid, 0)
			} else {
				seen(r.Channel, r.ChannelValid, r.Count)
			}
		}
	}
	for _, r := range f.Days {
		seen(r.Channel, r.ChannelValid, 0)
	}
	// A pass without a period (origen prospects) counts the registrations
	// of its first curve population instead: each is converted or censored
	// once.
	population := len(f.Cohort)+len(f.Previous) == 0
	for i, rows := range f.Curves {
		for _, r := range rows {
			if population && i == 0 {
				seen(r.Channel, r.ChannelValid, r.Converted+r.Censored)
			} else {
				seen(r.Channel, r.ChannelValid, 0)
			}
		}
	}
	for _, rows := range f.drillRows() {
		for _, r := range rows {
			seen(r.Channel, r.ChannelValid, 0)
		}
	}
	l.learn(names)
	for _, rows := range f.drillRows() {
		for i := range rows {
			rows[i].Channel, rows[i].ChannelValid = l.nameLocked(rows[i].Channel, rows[i].ChannelValid), true
		}
	}
	for _, rows := range [][]CohortRow{f.Cohort, f.Previous} {
		for i := range rows {
			rows[i].Channel, rows[i].ChannelValid = l.nameLocked(rows[i].Channel, rows[i].ChannelValid), true
		}
	}
	for i := range f.Days {
		f.Days[i].Channel, f.Days[i].ChannelValid = l.nameLocked(f.Days[i].Channel, f.Days[i].ChannelValid), true
	}
	for _, rows := range f.Curves {
		for i := range rows {
			rows[i].Channel, rows[i].ChannelValid = l.nameLocked(rows[i].Channel, rows[i].ChannelValid), true
		}
	}
}

// mapSpend names the channel of every spend row, learning the spellings of
// labels that only spend has (no registrations: byte order).
func (l *labeler) mapSpend(days []DailySpendRow) []DailySpendRow {
	l.mu.Lock()
	defer l.mu.Unlock()
	names := map[string]int64{}
	for _, d := range days {
		names[l.baseName(d.Channel, d.ChannelValid)] += 0
	}
	l.learn(names)
	out := make([]DailySpendRow, len(days))
	for i, d := range days {
		d.Channel, d.ChannelValid = l.nameLocked(d.Channel, d.ChannelValid), true
		out[i] = d
	}
	return out
}

// notes say which labels were merged ([channels] merge_case).
func (l *labeler) notes() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var winners []string
	for w := range l.merged {
		winners = append(winners, w)
	}
	slices.Sort(winners)
	var notes []string
	for _, w := range winners {
		others := slices.Clone(l.merged[w])
		slices.Sort(others)
		notes = append(notes, fmt.Sprintf("channel labels %s are reported as %q ([channels] merge_case: they differ only by case, accents or white space; the spelling with the most registrations stands for them)",
			quoteAll(others), w))
	}
	return notes
}

func quoteAll(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}

// labeledSnapshot is a Snapshot whose rows carry channel names instead of
// raw labels (ChannelMapping): every read of the report goes through it,
// so that totals, curves, cohorts, prospects and spend meet on the same
// names.
type labeledSnapshot struct {
	Snapshot
	l *labeler
}

func (s labeledSnapshot) ReadFacts(ctx context.Context, req FactsRequest) (Facts, error) {
	mapped := false
	if on := req.OnProspect; on != nil {
		req.OnProspect = func(f *Facts, o OpenRegistration) error {
			if !mapped {
				s.l.mapFacts(f)
				mapped = true
			}
			o.Channel, o.ChannelValid = s.l.name(o.Channel, o.ChannelValid), true
			return on(f, o)
		}
	}
	f, err := s.Snapshot.ReadFacts(ctx, req)
	if err != nil {
		return f, err
	}
	if !mapped {
		s.l.mapFacts(&f)
	}
	return f, nil
}

func (s labeledSnapshot) ReadSpend(ctx context.Context, p Period) ([]DailySpendRow, error) {
	days, err := s.Snapshot.ReadSpend(ctx, p)
	if err != nil {
		return nil, err
	}
	return s.l.mapSpend(days), nil
}

func (s labeledSnapshot) ReadProspectEvents(ctx context.Context, asOf, outcomeEnd time.Time, windowDays int, fn func(ProspectActivity) error) error {
	return s.Snapshot.ReadProspectEvents(ctx, asOf, outcomeEnd, windowDays, func(a ProspectActivity) error {
		a.Channel, a.ChannelValid = s.l.name(a.Channel, a.ChannelValid), true
		return fn(a)
	})
}

func (s labeledSnapshot) ReadDetail(ctx context.Context, req DetailRequest, yield func(DetailRow) error) error {
	if req.Labels == nil {
		req.Labels = s.l.name
	}
	return s.Snapshot.ReadDetail(ctx, req, yield)
}

// withLabels wraps snap so that its rows carry the channel names of m; a
// nil m changes nothing.
func withLabels(snap Snapshot, m *ChannelMapping) (Snapshot, *labeler) {
	if m == nil {
		return snap, nil
	}
	l := m.labeler()
	return labeledSnapshot{Snapshot: snap, l: l}, l
}
