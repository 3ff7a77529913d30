package attribution

import (
	"fmt"
	"slices"
	"sort"
)

// The Shapley value model (docs/MULTITOUCH.md, "Shapley value"): the
// channels are the players of the cooperative game whose characteristic
// function v(S) is the conversions (or revenue) of the paths whose set of
// channels is contained in S; each channel's value is computed exactly by
// enumerating the coalitions.

// shapleyAcc accumulates the Shapley model: the conversions and revenue
// of the paths per exact set of players (a bitmask, at most
// 2^(MaxShapleyChannels+1) entries however many paths).
type shapleyAcc struct {
	players []string
	bit     map[string]int
	merged  []string
	conv    []float64
	rev     []float64
}

// newShapleyAcc chooses the players from each channel's touches (users ×
// touches): beyond MaxShapleyChannels, those outside the top
// MaxShapleyChannels by touches (ties by name) are one player
// ShapleyOther (16 players at most).
func newShapleyAcc(touches map[string]int64) *shapleyAcc {
	players := make([]string, 0, len(touches))
	for c := range touches {
		players = append(players, c)
	}
	sort.Slice(players, func(i, j int) bool {
		if touches[players[i]] != touches[players[j]] {
			return touches[players[i]] > touches[players[j]]
		}
		return players[i] < players[j]
	})
	var merged []string
	if len(players) > MaxShapleyChannels {
		merged = slices.Clone(players[MaxShapleyChannels:])
		sort.Strings(merged)
		players = append(players[:MaxShapleyChannels:MaxShapleyChannels], ShapleyOther)
	}
	a := &shapleyAcc{players: players, bit: map[string]int{}, merged: merged}
	for i, c := range players {
		a.bit[c] = i
	}
	for _, c := range merged {
		a.bit[c] = len(players) - 1
	}
	a.conv = make([]float64, 1<<len(players))
	a.rev = make([]float64, 1<<len(players))
	return a
}

// add counts one path's conversions and revenue in its set of players.
func (a *shapleyAcc) add(channels []string, conv int64, rev Money) error {
	mask := 0
	for _, c := range channels {
		b, ok := a.bit[c]
		if !ok {
			// The touches counted before the paths name every channel of
			// them; anything else is a bug, never a silently wrong value.
			return fmt.Errorf("shapley: channel %q of a path has no counted touches", c)
		}
		mask |= 1 << b
	}
	a.conv[mask] += float64(conv)
	a.rev[mask] += float64(rev)
	return nil
}

// values returns the channels' Shapley values of conversions and of
// revenue (the revenue's in whole Money units summing to total, in the
// order of order) and the channels merged into ShapleyOther.
func (a *shapleyAcc) values(order []string, total Money) (map[string]float64, map[string]Money, []string) {
	players, n := a.players, len(a.players)
	vc, vr := coalitionValues(a.conv, n), coalitionValues(a.rev, n)
	phiC, phiR := shapleyValues(vc, n), shapleyValues(vr, n)
	outC := map[string]float64{}
	shares := map[string]float64{}
	names := slices.Clone(players)
	for i, c := range players {
		outC[c] = phiC[i]
		shares[c] = phiR[i]
	}
	// Revenue in whole units, in the report's order of channels.
	ordered := make([]string, 0, n)
	for _, c := range order {
		if i := slices.Index(names, c); i >= 0 {
			ordered = append(ordered, c)
			names[i] = ""
		}
	}
	for _, c := range names {
		if c != "" {
			ordered = append(ordered, c)
		}
	}
	fallback := map[string]float64{}
	for c, v := range outC {
		fallback[c] = v
	}
	return outC, apportionTotal(total, ordered, shares, fallback), a.merged
}

// coalitionValues turns the value of each exact set of channels into v(S)
// = Σ over T ⊆ S of w[T] (the subset-sum transform, n·2^n steps).
func coalitionValues(w []float64, n int) []float64 {
	v := slices.Clone(w)
	for i := 0; i < n; i++ {
		for s := range v {
			if s&(1<<i) != 0 {
				v[s] += v[s^(1<<i)]
			}
		}
	}
	return v
}

// shapleyValues is φ_i = Σ over S ⊆ N∖{i} of |S|!(n−|S|−1)!/n! ·
// (v(S ∪ {i}) − v(S)), for every player i.
func shapleyValues(v []float64, n int) []float64 {
	weight := make([]float64, n)
	for s := 0; s < n; s++ {
		// s!(n−s−1)!/n! = 1 / (n · C(n−1, s))
		c := 1.0
		for j := 0; j < s; j++ {
			c = c * float64(n-1-j) / float64(j+1)
		}
		weight[s] = 1 / (float64(n) * c)
	}
	phi := make([]float64, n)
	for s := range v {
		size := popcount(s)
		for i := 0; i < n; i++ {
			if s&(1<<i) == 0 {
				phi[i] += weight[size] * (v[s|1<<i] - v[s])
			}
		}
	}
	return phi
}

func popcount(x int) int {
	c := 0
	for ; x != 0; x &= x - 1 {
		c++
	}
	return c
}
