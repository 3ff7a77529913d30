package attribution

import (
	"container/heap"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// The models as accumulators (docs/MULTITOUCH.md, "Memory"): every model
// takes the paths one at a time and keeps only what grows with the
// channels, never with the paths — per model and channel its credit, the
// Markov chain's transition counts (per pair of states), the Shapley
// model's conversions and revenue per set of channels (a bitmask of at
// most MaxShapleyChannels+1 players) and the MaxTopPaths most followed
// paths. So a report reads any number of distinct paths in the same
// memory.

// touchAcc accumulates the models of its settings over paths.
type touchAcc struct {
	s      TouchSettings
	models map[TouchModel]bool
	conv   map[TouchModel]map[string]float64
	rev    map[TouchModel]map[string]Money
	// lastRev is the last-touch credit of revenue, the fallback of a model
	// that credits no conversion.
	lastRev                     map[string]float64
	chans                       map[string]bool
	markov                      *markovChain
	shap                        *shapleyAcc
	conversions, nonConversions int64
	revenue                     Money
	overflow                    bool
}

// newTouchAcc starts the models of s; touches are each channel's touches
// (users × occurrences over all paths), which choose the Shapley model's
// players before the first path.
func newTouchAcc(s TouchSettings, touches map[string]int64) *touchAcc {
	a := &touchAcc{s: s, models: map[TouchModel]bool{}, conv: map[TouchModel]map[string]float64{},
		rev: map[TouchModel]map[string]Money{}, lastRev: map[string]float64{}, chans: map[string]bool{}}
	for _, m := range s.Models {
		a.models[m] = true
		a.conv[m], a.rev[m] = map[string]float64{}, map[string]Money{}
	}
	if a.models[ModelMarkov] {
		a.markov = newMarkovChain(s.MarkovOrder)
	}
	if a.models[ModelShapley] {
		a.shap = newShapleyAcc(touches)
	}
	return a
}

// path adds one distinct path with all its users: the totals, every model
// but time decay (whose weights depend on the timings; see timed), and the
// chain's and the coalitions' counts.
func (a *touchAcc) path(channels []string, conv, non int64, rev Money) error {
	a.conversions += conv
	a.nonConversions += non
	sum, ok := addMoney(a.revenue, rev)
	if !ok {
		a.overflow = true
	}
	a.revenue = sum
	for _, c := range channels {
		a.chans[c] = true
	}
	a.lastRev[channels[len(channels)-1]] += float64(rev)
	p := TouchPath{Channels: channels, Conversions: conv, Revenue: rev}
	for m := range a.models {
		switch m {
		case ModelMarkov:
			a.markov.add(channels, conv, non)
		case ModelShapley:
			if err := a.shap.add(channels, conv, rev); err != nil {
				return err
			}
		case ModelTimeDecay:
		default:
			a.credit(m, p)
		}
	}
	return nil
}

// timed adds the time decay credit of users of one path with the same
// timings (days: each touch's whole days to the conversion, or nil); a
// path's timed rows add up to its users.
func (a *touchAcc) timed(channels []string, days []int, conv int64, rev Money) {
	if !a.models[ModelTimeDecay] || (conv == 0 && rev == 0) {
		return
	}
	a.credit(ModelTimeDecay, TouchPath{Channels: channels, Days: days, Conversions: conv, Revenue: rev})
}

// credit shares p's conversions and revenue among its touches by the
// weights of rule-based model m; a path's revenue is split into whole
// Money units (largest remainder), so the channels' revenue sums to the
// paths' exactly.
func (a *touchAcc) credit(m TouchModel, p TouchPath) {
	w := touchWeights(p, m, a.s)
	shares := apportion(p.Revenue, w)
	conv, rev := a.conv[m], a.rev[m]
	for i, c := range p.Channels {
		conv[c] += float64(p.Conversions) * w[i]
		rev[c] += shares[i]
	}
}

// finish fills out's totals and models from the accumulated paths.
func (a *touchAcc) finish(out *MultiTouch, order []string, spend map[string]Money) error {
	if a.overflow {
		return Errorf(KindData, "the paths' revenue is beyond what Origen holds exactly: %v", ErrMoneyOverflow)
	}
	s := a.s
	out.Conversions, out.NonConversions, out.Revenue = a.conversions, a.nonConversions, a.revenue
	names := touchChannelOrder(a.chans, order, spend)
	for _, m := range s.Models {
		conv, rev := a.conv[m], a.rev[m]
		switch m {
		case ModelMarkov:
			res := markovAttribution(a.markov, s.MarkovOrder, float64(a.conversions), sortedKeys(a.chans))
			out.Markov = &res.result
			conv = res.conversions
			rev = apportionTotal(out.Revenue, names, conv, a.lastRev)
		case ModelShapley:
			var merged []string
			conv, rev, merged = a.shap.values(names, out.Revenue)
			out.ShapleyMerged = merged
			if len(merged) > 0 {
				out.Notes = append(out.Notes, fmt.Sprintf("the Shapley model values the %d channels with the most touches one by one; the other %d (%s) are one channel %q in it",
					MaxShapleyChannels, len(merged), strings.Join(merged, ", "), ShapleyOther))
			}
		}
		mc := ModelCredit{Model: m}
		chans := names
		if m == ModelShapley && len(out.ShapleyMerged) > 0 {
			chans = append(slices.DeleteFunc(slices.Clone(names), func(c string) bool { return slices.Contains(out.ShapleyMerged, c) }), ShapleyOther)
		}
		for _, ch := range chans {
			c := ChannelCredit{Channel: ch, Conversions: conv[ch], Revenue: rev[ch], Spend: spend[ch]}
			if ch == ShapleyOther {
				for _, o := range out.ShapleyMerged {
					c.Spend += spend[o]
				}
			}
			c.fillRatios()
			mc.Channels = append(mc.Channels, c)
			mc.Total.Spend += c.Spend
			mc.Total.Revenue += c.Revenue
		}
		mc.Total.Channel = "Total"
		mc.Total.Conversions = float64(out.Conversions)
		mc.Total.fillRatios()
		out.Models = append(out.Models, mc)
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// topPaths keeps the MaxTopPaths most followed of the distinct paths it is
// given (a bounded heap whose root is the least followed kept) and counts
// them all.
type topPaths struct {
	kept       pathHeap
	distinct   int64
	converting int64
}

// pathBefore is the Paths sheet's order: users, then conversions
// descending, then by path.
func pathBefore(a, b PathSummary) bool {
	if ua, ub := a.Conversions+a.NonConversions, b.Conversions+b.NonConversions; ua != ub {
		return ua > ub
	}
	if a.Conversions != b.Conversions {
		return a.Conversions > b.Conversions
	}
	return a.Path < b.Path
}

type pathHeap []PathSummary

func (h pathHeap) Len() int           { return len(h) }
func (h pathHeap) Less(i, j int) bool { return pathBefore(h[j], h[i]) }
func (h pathHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *pathHeap) Push(x any)        { *h = append(*h, x.(PathSummary)) }
func (h *pathHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// add counts one distinct path.
func (t *topPaths) add(p PathSummary) {
	t.distinct++
	if p.Conversions > 0 {
		t.converting++
	}
	switch {
	case len(t.kept) < MaxTopPaths:
		heap.Push(&t.kept, p)
	case pathBefore(p, t.kept[0]):
		t.kept[0] = p
		heap.Fix(&t.kept, 0)
	}
}

// sorted is the kept paths, most followed first.
func (t *topPaths) sorted() []PathSummary {
	out := slices.Clone([]PathSummary(t.kept))
	sort.Slice(out, func(i, j int) bool { return pathBefore(out[i], out[j]) })
	return out
}
