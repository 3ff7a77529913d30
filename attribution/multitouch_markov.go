package attribution

import (
	"math"
	"sort"
	"strings"
)

// The Markov chain model (docs/MULTITOUCH.md, "Markov chain"): an
// absorbing chain over the paths, solved exactly by Gaussian elimination,
// with each channel's removal effect.

type markovOutcome struct {
	result      MarkovResult
	conversions map[string]float64
}

// markovState is a state of the chain of order k: the last (up to) k
// channels of the path, joined by a separator no label holds.
const markovSep = "\x1e"

// markovChain holds the transition counts between transient states
// (index 0 is start) and to the absorbing conversion and null states.
type markovChain struct {
	names    []string // state tuples, by index; names[0] is start
	channels [][]string
	index    map[string]int
	next     []map[int]float64
	conv     []float64
	null     []float64
	out      []float64
	order    int
}

func (m *markovChain) state(tuple []string) int {
	k := strings.Join(tuple, markovSep)
	if i, ok := m.index[k]; ok {
		return i
	}
	i := len(m.names)
	m.index[k] = i
	m.names = append(m.names, k)
	m.channels = append(m.channels, append([]string(nil), tuple...))
	m.next = append(m.next, map[int]float64{})
	m.conv = append(m.conv, 0)
	m.null = append(m.null, 0)
	m.out = append(m.out, 0)
	return i
}

func newMarkovChain(k int) *markovChain {
	m := &markovChain{index: map[string]int{}, order: k}
	m.state(nil) // start
	return m
}

// add counts the transitions of a path's users: start → s1 → … → sn →
// conversion (its conversions) or null (its non-conversions), where s_i
// is the tuple of the channels i−k+1 … i (fewer at the path's start), k
// the chain's order. Repeated touches of a channel are kept
// (self-transitions). The counts grow with the pairs of states, not with
// the paths.
func (m *markovChain) add(channels []string, conv, non int64) {
	users := float64(conv + non)
	prev := 0
	for i := range channels {
		lo := max(0, i-m.order+1)
		s := m.state(channels[lo : i+1])
		m.next[prev][s] += users
		m.out[prev] += users
		prev = s
	}
	m.conv[prev] += float64(conv)
	m.null[prev] += float64(non)
	m.out[prev] += users
}

// conversionProbability solves the absorbing chain for the probability of
// reaching conversion from start, with every state in removed sending its
// incoming transitions to null: x_s = Σ_t P(s,t)·x_t + P(s,conv) over the
// kept transient states, by Gaussian elimination with partial pivoting.
func (m *markovChain) conversionProbability(removed []bool) float64 {
	// Only the states reachable from start matter; index them.
	idx := map[int]int{}
	order := []int{0}
	idx[0] = 0
	for q := 0; q < len(order); q++ {
		// In index order: the elimination's order, and so its last bits,
		// must not depend on map iteration (the same data, the same
		// numbers on every run).
		next := make([]int, 0, len(m.next[order[q]]))
		for t := range m.next[order[q]] {
			next = append(next, t)
		}
		sort.Ints(next)
		for _, t := range next {
			if removed != nil && removed[t] {
				continue
			}
			if _, ok := idx[t]; !ok {
				idx[t] = len(order)
				order = append(order, t)
			}
		}
	}
	n := len(order)
	a := make([][]float64, n)
	for i, s := range order {
		row := make([]float64, n+1)
		row[i] = 1
		if out := m.out[s]; out > 0 {
			for t, c := range m.next[s] {
				if j, ok := idx[t]; ok {
					row[j] -= c / out
				}
			}
			row[n] = m.conv[s] / out
		}
		a[i] = row
	}
	for col := 0; col < n; col++ {
		p := col
		for r := col + 1; r < n; r++ {
			if math.Abs(a[r][col]) > math.Abs(a[p][col]) {
				p = r
			}
		}
		a[col], a[p] = a[p], a[col]
		piv := a[col][col]
		if piv == 0 {
			continue // a closed loop without exit: it never converts
		}
		for r := 0; r < n; r++ {
			if r == col || a[r][col] == 0 {
				continue
			}
			f := a[r][col] / piv
			for c := col; c <= n; c++ {
				a[r][c] -= f * a[col][c]
			}
		}
	}
	if a[0][0] == 0 {
		return 0
	}
	return a[0][n] / a[0][0]
}

// markovAttribution is the Markov chain model of order k over chain m:
// the chain's conversion probability, each channel's removal effect RE_c
// = 1 − P(conv without c) / P(conv), and the conversions total·RE_c / Σ RE
// for the channels names (sorted).
func markovAttribution(m *markovChain, k int, total float64, names []string) markovOutcome {
	res := MarkovResult{Order: k, States: len(m.names) - 1}
	res.ConversionProbability = m.conversionProbability(nil)
	out := markovOutcome{conversions: map[string]float64{}}
	var sum float64
	for _, c := range names {
		removed := make([]bool, len(m.names))
		for i, tuple := range m.channels {
			for _, t := range tuple {
				if t == c {
					removed[i] = true
				}
			}
		}
		re := 0.0
		if res.ConversionProbability > 0 {
			re = 1 - m.conversionProbability(removed)/res.ConversionProbability
			if re < 0 { // rounding of an exact 0
				re = 0
			}
		}
		res.RemovalEffects = append(res.RemovalEffects, RemovalEffect{Channel: c, Value: re})
		sum += re
	}
	for _, r := range res.RemovalEffects {
		if sum > 0 {
			out.conversions[r.Channel] = total * r.Value / sum
		}
	}
	out.result = res
	return out
}
