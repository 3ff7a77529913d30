package attribution

import (
	"math"
	"testing"
)

// On the exact curves (max_change 1): C gives 5193.37 and B 386.73
// to A. Applied in that order, the first move gains
// μ_A(15193.37) − μ_A(10000) + μ_C(4806.63) − μ_C(10000) and the second
// μ_A(15580.10) − μ_A(15193.37) + μ_B(9613.27) − μ_B(10000); they add up to
// the plan's gain.
func TestBudgetMovesByHand(t *testing.T) {
	in := []BudgetChannelInput{
		{Channel: "A", Weeks: weeksOf(varied, sat(1000, 20000))},
		{Channel: "B", Weeks: weeksOf(varied, sat(600, 10000))},
		{Channel: "C", Weeks: weeksOf(varied, sat(300, 5000))},
	}
	opt := DefaultBudgetOptions()
	opt.MaxChange = 1
	p, err := PlanBudget(in, opt)
	if err != nil {
		t.Fatal(err)
	}
	mA, mB, mC := sat(1000, 20000), sat(600, 10000), sat(300, 5000)
	sA, sB, sC := p.Channels[0].Suggested, p.Channels[1].Suggested, p.Channels[2].Suggested
	cur := 10000 * MoneyScale
	giveC, giveB := Money(cur)-sC, Money(cur)-sB
	mid := float64(cur+int(giveC)) / MoneyScale
	want := []struct {
		from, to string
		amount   Money
		gain     float64
	}{
		{"C", "A", giveC, mA(mid) - mA(10000) + mC(sC.Float64()) - mC(10000)},
		{"B", "A", giveB, mA(sA.Float64()) - mA(mid) + mB(sB.Float64()) - mB(10000)},
	}
	moves := p.Moves()
	if len(moves) != 2 {
		t.Fatalf("moves %+v", moves)
	}
	sum := 0.0
	for i, m := range moves {
		w := want[i]
		if m.From != w.from || m.To != w.to || m.Amount != w.amount || !near(m.Gain.Value, w.gain, 1e-9) {
			t.Fatalf("move %d: %+v, want %+v", i, m, w)
		}
		sum += m.Gain.Value
	}
	if !near(giveC.Float64(), 5193.37, 0.01) || !near(giveB.Float64(), 386.73, 0.01) || !near(sum, p.Gain.Value, 1e-9) {
		t.Fatalf("C gives %s, B %s; moves gain %v, plan %v", giveC, giveB, sum, p.Gain.Value)
	}
}

// A given total above the current one: the extra comes from "(added
// budget)"; a lower one goes to "(budget cut)".
func TestBudgetMovesWithATotal(t *testing.T) {
	in := []BudgetChannelInput{
		{Channel: "A", Weeks: weeksOf(varied, sat(1000, 20000)), HasMax: true, Max: 11000 * MoneyScale},
		{Channel: "B", Weeks: weeksOf(varied, sat(600, 10000))},
		{Channel: "C", Weeks: weeksOf(varied, sat(300, 5000)), HasMin: true, Min: 9000 * MoneyScale},
	}
	for _, c := range []struct {
		total Money
		want  []BudgetMove
	}{
		// A 11000, B 13000, C 9000 (TestPlanBudgetTotalAndBounds).
		{33000 * MoneyScale, []BudgetMove{{From: BudgetAddedBudget, To: "B", Amount: 3000 * MoneyScale}, {From: "C", To: "A", Amount: 1000 * MoneyScale}}},
		// 23000 = every channel at its lower bound: A 7000, B 7000, C 9000.
		{23000 * MoneyScale, []BudgetMove{{From: "A", To: BudgetCutBudget, Amount: 3000 * MoneyScale}, {From: "B", To: BudgetCutBudget, Amount: 3000 * MoneyScale}, {From: "C", To: BudgetCutBudget, Amount: 1000 * MoneyScale}}},
	} {
		opt := DefaultBudgetOptions()
		opt.Total, opt.HasTotal = c.total, true
		p, err := PlanBudget(in, opt)
		if err != nil {
			t.Fatal(err)
		}
		moves := p.Moves()
		if len(moves) != len(c.want) {
			t.Fatalf("total %s: moves %+v", c.total, moves)
		}
		sum := 0.0
		for i, m := range moves {
			if m.From != c.want[i].From || m.To != c.want[i].To || m.Amount != c.want[i].Amount {
				t.Fatalf("total %s: move %d %+v, want %+v", c.total, i, m, c.want[i])
			}
			if !(m.Gain.Low <= m.Gain.Value && m.Gain.Value <= m.Gain.High) || math.IsNaN(m.Gain.Low) {
				t.Fatalf("move %+v", m)
			}
			sum += m.Gain.Value
		}
		if !near(sum, p.Gain.Value, 1e-9) {
			t.Fatalf("total %s: moves gain %v, plan %v", c.total, sum, p.Gain.Value)
		}
	}
}
