package attribution

import (
	"math"
	"sort"
)

// BudgetAddedBudget and BudgetCutBudget stand for the difference between
// a given total and the current one in a BudgetMove's From or To.
const (
	BudgetAddedBudget = "(added budget)"
	BudgetCutBudget   = "(budget cut)"
)

// BudgetMove is one transfer of weekly spend in a plan, for sentences such
// as "Move 1,200 EUR a week from Display to Paid Search: +14 customers a
// week [8, 20]".
type BudgetMove struct {
	From, To string
	Amount   Money
	// Gain is the change of the expected weekly outcome of both channels
	// from this move, applied after the moves before it, with its 95%
	// interval (delta method, both fits, docs/BUDGET.md "Moves").
	Gain Estimate
}

// Moves pairs the plan's decreases with its increases, largest first, and
// returns the transfers; the moves' gains add up to the plan's gain. A
// given total above or below the current one appears as a move from
// BudgetAddedBudget or to BudgetCutBudget. Channels without a curve do not
// move.
func (p BudgetPlan) Moves() []BudgetMove {
	type leg struct {
		i      int // index into p.Channels, −1 for the budget difference
		amount Money
	}
	var from, to []leg
	for i, c := range p.Channels {
		switch d := c.Suggested - c.Current; {
		case !c.HasCurve:
		case d < 0:
			from = append(from, leg{i, -d})
		case d > 0:
			to = append(to, leg{i, d})
		}
	}
	if d := p.TotalSuggested - p.TotalCurrent; d > 0 {
		from = append(from, leg{-1, d})
	} else if d < 0 {
		to = append(to, leg{-1, -d})
	}
	byAmount := func(l []leg) {
		sort.SliceStable(l, func(a, b int) bool { return l[a].amount > l[b].amount })
	}
	byAmount(from)
	byAmount(to)
	spend := make([]float64, len(p.Channels))
	for i, c := range p.Channels {
		spend[i] = c.Current.Float64()
	}
	// change moves channel i by x and returns the outcome change and its
	// variance.
	change := func(i int, x float64) (float64, float64) {
		if i < 0 {
			return 0, 0
		}
		c := p.Channels[i].Choice
		g, v := c.changeVar(spend[i], spend[i]+x)
		spend[i] += x
		return g, v
	}
	name := func(i int, added bool) string {
		switch {
		case i >= 0:
			return p.Channels[i].Channel
		case added:
			return BudgetAddedBudget
		}
		return BudgetCutBudget
	}
	var moves []BudgetMove
	for a, b := 0, 0; a < len(from) && b < len(to); {
		x := min(from[a].amount, to[b].amount)
		gf, vf := change(from[a].i, -x.Float64())
		gt, vt := change(to[b].i, x.Float64())
		g, h := gf+gt, BudgetZ*math.Sqrt(vf+vt)
		moves = append(moves, BudgetMove{From: name(from[a].i, true), To: name(to[b].i, false), Amount: x, Gain: Estimate{g, g - h, g + h}})
		from[a].amount -= x
		to[b].amount -= x
		if from[a].amount == 0 {
			a++
		}
		if to[b].amount == 0 {
			b++
		}
	}
	return moves
}
