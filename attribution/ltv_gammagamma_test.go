package attribution

import (
	"math"
	"testing"
)

func cdnowSpend(rows []cdnowRow) []RepeatSpend {
	var ss []RepeatSpend
	for _, r := range rows {
		if r.X > 0 {
			ss = append(ss, RepeatSpend{X: r.X, Mean: r.Zbar})
		}
	}
	return ss
}

// TestGammaGammaCDNOW reproduces the published Gamma–Gamma fit of the 946
// CDNOW repeat customers (FHL 2005b): p = 6.25, q = 3.74, v = 15.44.
func TestGammaGammaCDNOW(t *testing.T) {
	fit, err := FitGammaGamma(cdnowSpend(loadCDNOW(t)))
	if err != nil {
		t.Fatal(err)
	}
	within(t, "p", fit.P, 6.25, 0.01)
	within(t, "q", fit.Q, 3.74, 0.01)
	within(t, "v", fit.V, 15.44, 0.01)
	if fit.Customers != 946 || !fit.CovOK {
		t.Errorf("customers %d, covariance %v", fit.Customers, fit.CovOK)
	}
	// The fit's grouped likelihood equals the per-customer sum.
	sum := 0.0
	for _, s := range cdnowSpend(loadCDNOW(t)) {
		sum += fit.LogLikelihood(s)
	}
	if math.Abs(sum-fit.LogLik) > 1e-6 {
		t.Errorf("fit log-likelihood %.9f, per customer %.9f", fit.LogLik, sum)
	}
	t.Logf("log-likelihood %.3f", fit.LogLik)
	for i, name := range []string{"p", "q", "v"} {
		lo, hi, _ := fit.Interval(i)
		t.Logf("%s 95%% interval [%.4f, %.4f]", name, lo, hi)
	}
}

func TestGammaGammaExpectations(t *testing.T) {
	m := GammaGamma{P: 6.25, Q: 3.74, V: 15.44}
	// By hand: p v / (q − 1) = 96.5 / 2.74 = 35.21898.
	if got, ok := m.MeanSpend(); !ok || math.Abs(got-35.21898) > 1e-4 {
		t.Errorf("E[Z] = %v, want 35.21898", got)
	}
	// Customer 1 of the sample, x = 2, z̄ = 22.35: p (v + x z̄)/(px + q − 1)
	// = 6.25 · 60.14 / 15.24 = 24.66371.
	got, ok := m.ConditionalSpend(RepeatSpend{X: 2, Mean: 22.35})
	if !ok || math.Abs(got-24.66371) > 1e-4 {
		t.Errorf("E[Z | 2, 22.35] = %v, want 24.66371", got)
	}
	// The weighted-mean form of the same expectation.
	w := (m.Q - 1) / (m.P*2 + m.Q - 1)
	if pop, _ := m.MeanSpend(); math.Abs(got-(w*pop+(1-w)*22.35)) > 1e-9 {
		t.Error("the two forms of E[Z | x, z̄] differ")
	}
	if got, _ := m.ConditionalSpend(RepeatSpend{X: 0}); math.Abs(got-35.21898) > 1e-4 {
		t.Errorf("x = 0 gets %v, want the population mean", got)
	}
	if _, ok := (GammaGamma{P: 1, Q: 0.8, V: 1}).MeanSpend(); ok {
		t.Error("q ≤ 1 gives a finite mean")
	}
}

// TestGammaGammaDensity checks the likelihood is a density in z̄: it
// integrates to 1 and its mean is E[Z] (the mean of z̄ equals the mean of
// one transaction), by quadrature on z̄ = e^u.
func TestGammaGammaDensity(t *testing.T) {
	m := GammaGamma{P: 6.25, Q: 3.74, V: 15.44}
	for _, x := range []int{1, 3, 10} {
		mass, mean := 0.0, 0.0
		const lo, hi, n = -10.0, 12.0, 200000
		h := (hi - lo) / n
		for i := 0; i <= n; i++ {
			u := lo + float64(i)*h
			z := math.Exp(u)
			w := h
			if i == 0 || i == n {
				w = h / 2
			}
			d := math.Exp(m.LogLikelihood(RepeatSpend{X: x, Mean: z})) * z
			mass += w * d
			mean += w * d * z
		}
		want, _ := m.MeanSpend()
		if math.Abs(mass-1) > 1e-6 || math.Abs(mean-want) > 1e-4*want {
			t.Errorf("x = %d: mass %.8f, mean %.6f (want 1, %.6f)", x, mass, mean, want)
		}
	}
}

func TestGammaGammaBadInput(t *testing.T) {
	good := make([]RepeatSpend, 30)
	for i := range good {
		good[i] = RepeatSpend{X: 1 + i%3, Mean: 10 + float64(i)}
	}
	cases := map[string][]RepeatSpend{
		"x = 0":      append([]RepeatSpend{{X: 0, Mean: 3}}, good...),
		"zero spend": append([]RepeatSpend{{X: 2, Mean: 0}}, good...),
		"NaN spend":  append([]RepeatSpend{{X: 2, Mean: math.NaN()}}, good...),
		"too few":    good[:5],
	}
	for name, ss := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := FitGammaGamma(ss); err == nil {
				t.Fatal("no error")
			} else {
				t.Log(err)
			}
		})
	}
}
