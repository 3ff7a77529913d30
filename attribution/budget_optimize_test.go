package attribution

import (
	"math"
	"testing"
)

func satFit(a, k float64) ResponseFit {
	return ResponseFit{Model: ModelSaturating, Theta: [2]float64{math.Log(a), math.Log(k)}}
}

func powFit(a, b float64) ResponseFit {
	return ResponseFit{Model: ModelPower, Theta: [2]float64{math.Log(a), b}}
}

func totalOutcome(chs []AllocChannel, s []float64) float64 {
	t := 0.0
	for i, c := range chs {
		t += c.Fit.Outcome(s[i])
	}
	return t
}

// The closed-form cases: issue 11's three saturating channels, the same
// with ±30% bounds that bind, two power curves with a common exponent
// (s_i ∝ a_i^(1/(1−b))), and straight lines whose marginal value is
// constant.
func TestAllocateClosedForm(t *testing.T) {
	inf := math.Inf(1)
	three := func(lo, hi float64) []AllocChannel {
		return []AllocChannel{
			{satFit(1000, 20000), lo, hi}, {satFit(600, 10000), lo, hi}, {satFit(300, 5000), lo, hi},
		}
	}
	cases := []struct {
		name     string
		chs      []AllocChannel
		total    float64
		want     []float64
		tol      float64
		outcome  float64
		marginal float64 // 1/λ; 0 = not checked
	}{
		// s_i = k_i·log(a_i/(k_i·λ)) with Σ s_i = 30000:
		// log λ = (20000·log 0.05 + 15000·log 0.06 − 30000)/35000.
		{"issue 11 unbounded", three(0, inf), 30000, []float64{15580.10, 9613.27, 4806.63}, 0.01, 1096.99, 43.586},
		// Around 10000 each ±30%: channel 1 (μ′(13000) = 0.05·e^−0.65 =
		// 0.02610) stays at its upper bound, channel 3 (μ′(7000) =
		// 0.06·e^−1.4 = 0.01479) at its lower one; channel 2 takes the rest
		// and sets λ = 0.06·e^−1 = 0.022073, 1/λ = 45.305.
		{"bounds bind", three(7000, 13000), 30000, []float64{13000, 10000, 7000}, 1e-6,
			1000*(1-math.Exp(-0.65)) + 600*(1-math.Exp(-1)) + 300*(1-math.Exp(-1.4)), 45.3047},
		// a = 2 and 1, b = 0.5: s ∝ 4 : 1; λ = 2·0.5/√8000.
		{"power", []AllocChannel{{powFit(2, 0.5), 0, inf}, {powFit(1, 0.5), 0, inf}}, 10000,
			[]float64{8000, 2000}, 1e-6, 2*math.Sqrt(8000) + math.Sqrt(2000), math.Sqrt(8000)},
		// A line worth 0.03 per euro beats the saturating curve's
		// 0.05·e^(−25000/20000) = 0.0143 at 25000: the line fills its bound.
		{"line at its upper bound", []AllocChannel{{powFit(0.03, 1), 0, 5000}, {satFit(1000, 20000), 0, inf}}, 30000,
			[]float64{5000, 25000}, 1e-6, 150 + 1000*(1-math.Exp(-1.25)), 0},
		// A line worth 0.01 loses even to 0.05·e^(−1.5) = 0.0112 at 30000.
		{"line at its lower bound", []AllocChannel{{powFit(0.01, 1), 0, 5000}, {satFit(1000, 20000), 0, inf}}, 30000,
			[]float64{0, 30000}, 1e-6, 1000 * (1 - math.Exp(-1.5)), 1 / (0.05 * math.Exp(-1.5))},
		// Everything at the lower bounds when the total is their sum.
		{"total at the lower bounds", three(7000, 13000), 21000, []float64{7000, 7000, 7000}, 1e-6,
			1000*(1-math.Exp(-0.35)) + 600*(1-math.Exp(-0.7)) + 300*(1-math.Exp(-1.4)), 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, lambda, err := Allocate(c.chs, c.total)
			if err != nil {
				t.Fatal(err)
			}
			sum := 0.0
			for i := range s {
				sum += s[i]
				if !near(s[i], c.want[i], c.tol) {
					t.Fatalf("allocation %v, want %v", s, c.want)
				}
			}
			if !near(sum, c.total, 1e-6) {
				t.Fatalf("allocation sums to %v, want %v", sum, c.total)
			}
			if got := totalOutcome(c.chs, s); !near(got, c.outcome, 0.005) {
				t.Fatalf("expected outcome %v, want %v", got, c.outcome)
			}
			if c.marginal != 0 && !near(1/lambda, c.marginal, 0.0005) {
				t.Fatalf("marginal cost 1/λ = %v, want %v", 1/lambda, c.marginal)
			}
		})
	}
}

// Two lines with the same value per euro: any split is optimal; the one
// returned sums to the total within the bounds.
func TestAllocateEqualLines(t *testing.T) {
	chs := []AllocChannel{{powFit(0.02, 1), 0, 20000}, {powFit(0.02, 1), 0, 20000}}
	s, _, err := Allocate(chs, 30000)
	if err != nil {
		t.Fatal(err)
	}
	if !near(s[0]+s[1], 30000, 1e-6) || s[0] < 10000-1e-6 || s[0] > 20000+1e-6 {
		t.Fatalf("allocation %v", s)
	}
}

// Against a brute-force search over a fine grid of feasible allocations
// of three channels with mixed curves and bounds, the optimiser's expected
// outcome is at least the grid's best.
func TestAllocateBeatsGrid(t *testing.T) {
	chs := []AllocChannel{
		{powFit(3, 0.45), 2000, 9000}, {satFit(400, 6000), 1000, 8000}, {powFit(0.8, 0.7), 500, 6000},
	}
	const total = 15000
	s, _, err := Allocate(chs, total)
	if err != nil {
		t.Fatal(err)
	}
	got := totalOutcome(chs, s)
	best := math.Inf(-1)
	for s0 := chs[0].Min; s0 <= chs[0].Max; s0 += 10 {
		for s1 := chs[1].Min; s1 <= chs[1].Max; s1 += 10 {
			s2 := total - s0 - s1
			if s2 < chs[2].Min || s2 > chs[2].Max {
				continue
			}
			best = math.Max(best, totalOutcome(chs, []float64{s0, s1, s2}))
		}
	}
	if got < best-1e-9 || got > best+0.01 {
		t.Fatalf("optimiser %v (at %v), grid best %v", got, s, best)
	}
	t.Logf("optimiser %.6f, grid %.6f", got, best)
}

func TestAllocateRejectsInfeasibleTotal(t *testing.T) {
	chs := []AllocChannel{{satFit(1000, 20000), 7000, 13000}, {satFit(600, 10000), 7000, 13000}}
	for _, total := range []float64{13999, 26001} {
		if _, _, err := Allocate(chs, total); err == nil {
			t.Errorf("total %v: no error", total)
		}
	}
}
