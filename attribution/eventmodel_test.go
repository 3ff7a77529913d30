package attribution

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// A hand-made table: the outcome rises with x1, falls with x2; the fit
// converges and finds the directions, and a perfectly separable table
// stays finite thanks to the ridge.
func TestFitLogistic(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var x [][]float64
	var y []float64
	for i := 0; i < 4000; i++ {
		a, b := rng.NormFloat64(), rng.NormFloat64()
		p := sigmoid(-1 + 2*a - 1.5*b)
		v := 0.0
		if rng.Float64() < p {
			v = 1
		}
		x = append(x, []float64{1, a, b})
		y = append(y, v)
	}
	beta, it, err := FitLogistic(x, y, 1e-6)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{-1, 2, -1.5}
	for i := range want {
		if math.Abs(beta[i]-want[i]) > 0.2 {
			t.Errorf("beta[%d] = %.3f, want %.1f ± 0.2 (all %v)", i, beta[i], want[i], beta)
		}
	}
	if it > 15 {
		t.Errorf("%d Newton steps", it)
	}
	again, _, _ := FitLogistic(x, y, 1e-6)
	for i := range beta {
		if again[i] != beta[i] {
			t.Errorf("not deterministic: %v then %v", beta, again)
		}
	}

	// Separable: y = 1 exactly when x1 > 0.
	sx := [][]float64{{1, -2}, {1, -1}, {1, -0.5}, {1, 0.5}, {1, 1}, {1, 2}}
	sy := []float64{0, 0, 0, 1, 1, 1}
	sb, _, err := FitLogistic(sx, sy, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	if sb[1] <= 0 || math.IsInf(sb[1], 0) || math.IsNaN(sb[1]) || math.Abs(sb[0]) > 1e-6 {
		t.Errorf("separable fit %v: want a finite positive slope and a zero intercept (symmetric table)", sb)
	}
	if _, _, err := FitLogistic(nil, nil, 1); err == nil {
		t.Error("empty table fitted")
	}
	if _, _, err := FitLogistic([][]float64{{1, 0}, {1, 0}}, []float64{0, 1}, 0); err == nil {
		t.Error("constant feature without ridge fitted")
	}
}

func TestEventFeatures(t *testing.T) {
	asOf := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	f := EventFeatures(EventActivity{Recent: 3, Total: 9, Last: asOf.Add(-36 * time.Hour)}, 0.2, asOf, 30)
	want := []float64{1, math.Log(4), 1.5, math.Log(10), math.Log(0.25)}
	for i := range want {
		if math.Abs(f[i]-want[i]) > 1e-12 {
			t.Errorf("feature %d (%s) = %v, want %v", i, EventFeatureNames[i], f[i], want[i])
		}
	}
	if f := EventFeatures(EventActivity{}, 0, asOf, 30); f[2] != 30 || f[1] != 0 || f[4] != math.Log(1e-6/(1-1e-6)) {
		t.Errorf("no events: %v", f)
	}
	if f := EventFeatures(EventActivity{Total: 1, Last: asOf.Add(-90 * 24 * time.Hour)}, 0.5, asOf, 30); f[2] != 30 {
		t.Errorf("capped: %v", f)
	}
}
