package attribution

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// poissonDraw draws Poisson(lambda) exactly as a sum of Poisson(≤ 20)
// parts, each by Knuth's product of uniforms.
func poissonDraw(r *rand.Rand, lambda float64) float64 {
	n := 0
	for lambda > 0 {
		l := math.Min(lambda, 20)
		lambda -= l
		limit, p := math.Exp(-l), r.Float64()
		for p > limit {
			n++
			p *= r.Float64()
		}
	}
	return float64(n)
}

// spends returns n weekly spends spread over [lo, hi].
func spends(n int, lo, hi float64) []float64 {
	s := make([]float64, n)
	for i := range s {
		// a fixed shuffle so spend is not monotone in time
		j := (i * 7) % n
		s[i] = lo + (hi-lo)*float64(j)/float64(n-1)
	}
	return s
}

func onCurve(s []float64, f func(float64) float64) []ResponsePoint {
	pts := make([]ResponsePoint, len(s))
	for i, x := range s {
		pts[i] = ResponsePoint{x, f(x)}
	}
	return pts
}

// Data exactly on a curve recovers its parameters, with zero deviance.
func TestFitRecoversExactCurves(t *testing.T) {
	s := spends(12, 1000, 5000)
	t.Run("power", func(t *testing.T) {
		pts := onCurve(s, func(x float64) float64 { return 2 * math.Pow(x, 0.6) })
		f, err := FitPower(pts)
		if err != nil {
			t.Fatal(err)
		}
		if !near(f.A.Value, 2, 1e-7) || !near(f.B.Value, 0.6, 1e-9) || f.BAtBound {
			t.Fatalf("a=%v b=%v bound=%v, want 2, 0.6", f.A.Value, f.B.Value, f.BAtBound)
		}
		if f.Deviance > 1e-9 || !near(f.PseudoR2, 1, 1e-9) || f.Weeks != 12 {
			t.Fatalf("deviance %v pseudo-R² %v weeks %d", f.Deviance, f.PseudoR2, f.Weeks)
		}
	})
	t.Run("saturating", func(t *testing.T) {
		pts := onCurve(s, func(x float64) float64 { return 500 * (1 - math.Exp(-x/3000)) })
		f, err := FitSaturating(pts)
		if err != nil {
			t.Fatal(err)
		}
		if !near(f.A.Value, 500, 1e-6) || !near(f.K.Value, 3000, 1e-5) {
			t.Fatalf("a=%v k=%v, want 500, 3000", f.A.Value, f.K.Value)
		}
		if f.Deviance > 1e-9 {
			t.Fatalf("deviance %v", f.Deviance)
		}
		c, err := FitResponse(pts)
		if err != nil || c.Fit.Model != ModelSaturating || !(c.DeltaQAIC > SaturatingAICMargin) {
			t.Fatalf("choice %v ΔQAIC %v err %v, want saturating", c.Fit.Model, c.DeltaQAIC, err)
		}
	})
	t.Run("exponent above 1 is held at the bound", func(t *testing.T) {
		pts := onCurve(s, func(x float64) float64 { return 1e-4 * x * x })
		f, err := FitPower(pts)
		if err != nil {
			t.Fatal(err)
		}
		var sy, ss float64
		for _, p := range pts {
			sy += p.Outcome
			ss += p.Spend
		}
		if !f.BAtBound || f.B.Value != 1 || !near(f.A.Value, sy/ss, 1e-12) || f.B.High != 1 {
			t.Fatalf("b=%v (bound %v, high %v) a=%v, want b=1 and a=Σy/Σs=%v", f.B.Value, f.BAtBound, f.B.High, f.A.Value, sy/ss)
		}
	})
	t.Run("a falling outcome has no curve", func(t *testing.T) {
		pts := onCurve(s, func(x float64) float64 { return 1e6 / x })
		if _, err := FitPower(pts); !errors.Is(err, ErrNoResponse) {
			t.Fatalf("err %v, want ErrNoResponse", err)
		}
	})
	t.Run("a straight line has no saturation", func(t *testing.T) {
		pts := onCurve(s, func(x float64) float64 { return 0.05 * x })
		if _, err := FitSaturating(pts); !errors.Is(err, ErrNoSaturation) {
			t.Fatalf("err %v, want ErrNoSaturation", err)
		}
		c, err := FitResponse(pts)
		if err != nil || c.Fit.Model != ModelPower || !near(c.Fit.B.Value, 1, 1e-6) {
			t.Fatalf("choice %v b %v err %v, want power with b = 1", c.Fit.Model, c.Fit.B.Value, err)
		}
	})
	t.Run("bad input", func(t *testing.T) {
		for _, pts := range [][]ResponsePoint{
			{{1, 1}, {2, 2}},
			{{1, 1}, {0, 2}, {3, 3}},
			{{1, 1}, {2, -2}, {3, 3}},
			{{1, 0}, {2, 0}, {3, 0}},
		} {
			if _, err := FitPower(pts); err == nil {
				t.Errorf("%v: no error", pts)
			}
		}
	})
}

// noisy is a fixed set of 14 weeks with Poisson-like noise around
// 3·s^0.55 (written out so the test does not depend on a generator).
var noisy = []ResponsePoint{
	{1200, 151}, {2600, 225}, {1800, 190}, {3900, 277}, {900, 126}, {3100, 248}, {2200, 209},
	{4700, 316}, {1500, 168}, {3500, 262}, {2000, 183}, {4200, 286}, {2800, 246}, {1100, 140},
}

// negLL is the Poisson log-likelihood without constants, computed from the
// curve's formula and not from the package's model code.
func poissonLL(pts []ResponsePoint, mu func(float64) float64) float64 {
	ll := 0.0
	for _, p := range pts {
		m := mu(p.Spend)
		ll += p.Outcome*math.Log(m) - m
	}
	return ll
}

// gridMax maximises ll over a 2-D box by repeated 101×101 grids, each
// zoomed around the previous best point: a brute-force search that uses
// no derivatives.
func gridMax(ll func(x, y float64) float64, x0, x1, y0, y1 float64) (bx, by, best float64) {
	best = math.Inf(-1)
	for round := 0; round < 6; round++ {
		for i := 0; i <= 100; i++ {
			for j := 0; j <= 100; j++ {
				x, y := x0+(x1-x0)*float64(i)/100, y0+(y1-y0)*float64(j)/100
				if v := ll(x, y); v > best {
					bx, by, best = x, y, v
				}
			}
		}
		dx, dy := (x1-x0)/20, (y1-y0)/20
		x0, x1, y0, y1 = bx-dx, bx+dx, by-dy, by+dy
	}
	return
}

// The maximum-likelihood fits agree with a brute-force grid of the
// likelihood, and the covariance is φ̂ times the inverse of the numerical
// Hessian of the log-likelihood (observed information).
func TestFitMatchesBruteForce(t *testing.T) {
	t.Run("power", func(t *testing.T) {
		f, err := FitPower(noisy)
		if err != nil {
			t.Fatal(err)
		}
		ll := func(la, b float64) float64 {
			return poissonLL(noisy, func(s float64) float64 { return math.Exp(la) * math.Pow(s, b) })
		}
		la, b, best := gridMax(ll, -3, 5, 0.05, 1)
		if !near(f.Theta[0], la, 1e-4) || !near(f.Theta[1], b, 1e-5) {
			t.Fatalf("fit (log a, b) = %v, grid (%v, %v)", f.Theta, la, b)
		}
		if got := ll(f.Theta[0], f.Theta[1]); got < best-1e-9 {
			t.Fatalf("fit log-likelihood %v below the grid's %v", got, best)
		}
		checkCov(t, f, ll)
	})
	t.Run("saturating", func(t *testing.T) {
		f, err := FitSaturating(noisy)
		if err != nil {
			t.Fatal(err)
		}
		ll := func(la, lk float64) float64 {
			return poissonLL(noisy, func(s float64) float64 { return math.Exp(la) * (1 - math.Exp(-s/math.Exp(lk))) })
		}
		la, lk, best := gridMax(ll, 4, 8, 6, 11)
		if !near(f.Theta[0], la, 1e-4) || !near(f.Theta[1], lk, 1e-4) {
			t.Fatalf("fit (log a, log k) = %v, grid (%v, %v)", f.Theta, la, lk)
		}
		if got := ll(f.Theta[0], f.Theta[1]); got < best-1e-9 {
			t.Fatalf("fit log-likelihood %v below the grid's %v", got, best)
		}
		checkCov(t, f, ll)
	})
}

// checkCov compares f.Cov with φ̂·(−H)⁻¹ for H the central-difference
// Hessian of ll at θ̂, and f.Dispersion with Pearson X²/(n−2) and
// f.Deviance with the deviance computed here.
func checkCov(t *testing.T, f ResponseFit, ll func(x, y float64) float64) {
	t.Helper()
	x, y := f.Theta[0], f.Theta[1]
	const h = 1e-4
	hxx := (ll(x+h, y) - 2*ll(x, y) + ll(x-h, y)) / (h * h)
	hyy := (ll(x, y+h) - 2*ll(x, y) + ll(x, y-h)) / (h * h)
	hxy := (ll(x+h, y+h) - ll(x+h, y-h) - ll(x-h, y+h) + ll(x-h, y-h)) / (4 * h * h)
	det := hxx*hyy - hxy*hxy
	var x2, dev, n float64
	for _, p := range noisy {
		mu := f.Outcome(p.Spend)
		x2 += (p.Outcome - mu) * (p.Outcome - mu) / mu
		dev += 2 * (p.Outcome*math.Log(p.Outcome/mu) - (p.Outcome - mu))
		n++
	}
	phi := x2 / (n - 2)
	if !near(f.Dispersion, phi, 1e-9*phi) || !near(f.Deviance, dev, 1e-9*dev) {
		t.Fatalf("dispersion %v deviance %v, want %v %v", f.Dispersion, f.Deviance, phi, dev)
	}
	want := [2][2]float64{{-hyy / det * phi, hxy / det * phi}, {hxy / det * phi, -hxx / det * phi}}
	for i := 0; i < 2; i++ {
		for j := 0; j < 2; j++ {
			if !near(f.Cov[i][j], want[i][j], 1e-4*math.Abs(want[i][j])+1e-12) {
				t.Fatalf("cov %v, want %v", f.Cov, want)
			}
		}
	}
}

// Marginal cost by hand: the power curve's is the modelled average cost
// s/μ(s) divided by b; the saturating curve a = 1000, k = 20000 at
// s = 15580.10 has μ' = 0.05·e^(−0.7790050) = 0.02294331, 1/μ' = 43.58606.
func TestMarginalCostByHand(t *testing.T) {
	f, err := FitPower(noisy)
	if err != nil {
		t.Fatal(err)
	}
	s := 2500.0
	if got, want := f.MarginalCostAt(s).Value, s/f.Outcome(s)/f.B.Value; !near(got, want, 1e-9*want) {
		t.Fatalf("power marginal cost %v, want average cost / b = %v", got, want)
	}
	sat := ResponseFit{Model: ModelSaturating, Theta: [2]float64{math.Log(1000), math.Log(20000)}}
	if got := sat.MarginalCostAt(15580.10); !near(got.Value, 43.58606, 1e-5) || got.Low != got.Value {
		t.Fatalf("saturating marginal cost %v, want 43.58606 with no interval (zero covariance)", got)
	}
	// The interval of the marginal cost: hand delta method with
	// Var(log a) = 0.01, Var(b) = 0.0004, Cov = −0.001 at s = 2500, b = 0.5:
	// ∇ = (1, 1/b + log s) = (1, 9.824046); var = 0.01 − 2·0.001·9.824046 +
	// 0.0004·9.824046² = 0.0289567; half-width on the log scale 1.959964·0.170167.
	pw := ResponseFit{Model: ModelPower, Theta: [2]float64{math.Log(3), 0.5}, Cov: [2][2]float64{{0.01, -0.001}, {-0.001, 0.0004}}}
	mc := pw.MarginalCostAt(2500)
	want := 1 / (3 * 0.5 / 50)
	if !near(mc.Value, want, 1e-9) || !near(mc.Low, want*math.Exp(-1.959964*0.170167), 1e-4) || !near(mc.High, want*math.Exp(1.959964*0.170167), 1e-4) {
		t.Fatalf("marginal cost %v, want %v [%v, %v]", mc, want, want*math.Exp(-1.959964*0.170167), want*math.Exp(1.959964*0.170167))
	}
}

// Measured coverage of the 95% intervals on simulated Poisson weeks from a
// known power curve (26 weeks, spend ±40% around 3000).
func TestFitIntervalCoverage(t *testing.T) {
	const seed, reps = 11, 400
	r := rand.New(rand.NewPCG(seed, 0))
	t.Logf("seed %d, %d replicates", seed, reps)
	a, b, s0 := 4.0, 0.5, 3000.0
	var hitB, hitMu, hitMC int
	for rep := 0; rep < reps; rep++ {
		pts := make([]ResponsePoint, 26)
		for i := range pts {
			s := s0 * (0.6 + 0.8*r.Float64())
			pts[i] = ResponsePoint{s, poissonDraw(r, a*math.Pow(s, b))}
		}
		f, err := FitPower(pts)
		if err != nil {
			t.Fatal(err)
		}
		if f.B.Low <= b && b <= f.B.High {
			hitB++
		}
		if e := f.OutcomeAt(s0); e.Low <= a*math.Pow(s0, b) && a*math.Pow(s0, b) <= e.High {
			hitMu++
		}
		trueMC := 1 / (a * b * math.Pow(s0, b-1))
		if e := f.MarginalCostAt(s0); e.Low <= trueMC && trueMC <= e.High {
			hitMC++
		}
	}
	for name, hits := range map[string]int{"b": hitB, "outcome at current spend": hitMu, "marginal cost": hitMC} {
		rate := float64(hits) / reps
		t.Logf("coverage of %s: %.3f", name, rate)
		if rate < 0.92 || rate > 0.98 {
			t.Errorf("coverage of %s %.3f outside [0.92, 0.98]", name, rate)
		}
	}
}

// The choice rule: ΔQAIC = (D_power − D_sat)/φ̂ with φ̂ of the curve with the smaller
// deviance, saturating only when
// it exceeds 2. The noisy weeks come from a power curve.
func TestFitResponseChoice(t *testing.T) {
	c, err := FitResponse(noisy)
	if err != nil {
		t.Fatal(err)
	}
	phi := c.Power.Dispersion
	if c.Saturating.Deviance < c.Power.Deviance {
		phi = c.Saturating.Dispersion
	}
	want := (c.Power.Deviance - c.Saturating.Deviance) / phi
	if c.SaturatingErr != nil || !near(c.DeltaQAIC, want, 1e-12) {
		t.Fatalf("ΔQAIC %v, want %v (saturating error %v)", c.DeltaQAIC, want, c.SaturatingErr)
	}
	if (c.Fit.Model == ModelSaturating) != (want > 2) {
		t.Fatalf("chose %v with ΔQAIC %v", c.Fit.Model, want)
	}
	t.Logf("noisy power weeks: ΔQAIC %.3f, chose %s", c.DeltaQAIC, c.Fit.Model)
}

// The model-weighted variance by hand: chosen power fit with Var = 4 of
// its change, the saturating one with Var = 9 and a change 5 larger,
// ΔQAIC = 0 (weights ½, ½): Var = ½·4 + ½·(9 + 25) = 19.
func TestCurveChoiceMix(t *testing.T) {
	c := CurveChoice{Fit: powFit(1, 0.5), Power: powFit(1, 0.5), Saturating: satFit(1, 1), DeltaQAIC: 0}
	i := 0
	x, v := c.mix(func(ResponseFit) (float64, float64) {
		i++
		if i == 1 {
			return 10, 4
		}
		return 15, 9
	})
	if x != 10 || !near(v, 19, 1e-12) {
		t.Fatalf("mix = %v, %v; want 10, 19", x, v)
	}
	// ΔQAIC = 2·log 3: w_sat = 1/(1 + 1/3) = ¾, Var = ¼·4 + ¾·34 = 26.5.
	c.DeltaQAIC = 2 * math.Log(3)
	i = 0
	if _, v := c.mix(func(ResponseFit) (float64, float64) {
		i++
		if i == 1 {
			return 10, 4
		}
		return 15, 9
	}); !near(v, 26.5, 1e-12) {
		t.Fatalf("mix variance %v, want 26.5", v)
	}
	// Without a saturating fit: the chosen curve's variance alone.
	c.SaturatingErr = ErrNoSaturation
	if _, v := c.mix(func(ResponseFit) (float64, float64) { return 10, 4 }); v != 4 {
		t.Fatalf("variance without a second fit %v", v)
	}
}

// Revenue as the outcome: quasi-Poisson estimates are scale-equivariant,
// so outcomes × 37.5 give the same b and k, a × 37.5, the same relative
// intervals and the same choice.
func TestFitScaleEquivariance(t *testing.T) {
	scaled := make([]ResponsePoint, len(noisy))
	for i, p := range noisy {
		scaled[i] = ResponsePoint{p.Spend, 37.5 * p.Outcome}
	}
	for _, fit := range []func([]ResponsePoint) (ResponseFit, error){FitPower, FitSaturating} {
		f, err := fit(noisy)
		if err != nil {
			t.Fatal(err)
		}
		g, err := fit(scaled)
		if err != nil {
			t.Fatal(err)
		}
		if !near(g.A.Value, 37.5*f.A.Value, 1e-6*g.A.Value) || !near(g.A.Low/g.A.Value, f.A.Low/f.A.Value, 1e-6) ||
			!near(g.B.Value, f.B.Value, 1e-9) || !near(g.K.Value, f.K.Value, 1e-6*f.K.Value+1e-12) ||
			!near(g.Cov[1][1], f.Cov[1][1], 1e-6*f.Cov[1][1]) || !near(g.PseudoR2, f.PseudoR2, 1e-9) {
			t.Fatalf("%s: scaled fit %+v, original %+v", f.Model, g, f)
		}
	}
	c, _ := FitResponse(noisy)
	d, _ := FitResponse(scaled)
	if !near(c.DeltaQAIC, d.DeltaQAIC, 1e-6*math.Abs(c.DeltaQAIC)) || c.Fit.Model != d.Fit.Model {
		t.Fatalf("ΔQAIC %v vs %v", c.DeltaQAIC, d.DeltaQAIC)
	}
}
