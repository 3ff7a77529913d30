package attribution

import (
	"fmt"
	"math"
)

// LTVHorizonWeeks is the 12-month horizon of the projected value in weeks:
// 12 months of 30 days, the same months as the cohort revenue curves
// (docs/LTV.md), so projected and observed 12-month values compare.
const LTVHorizonWeeks = 12 * 30 / 7.0

// ValueEstimate is a model-based amount per customer in currency units
// with its 95% interval; IntervalOK is false when a fit has no covariance.
type ValueEstimate struct {
	Value, Low, High float64
	IntervalOK       bool
}

// ExpectedRepeatValue is the expected revenue from repeat purchases of a
// new customer in the weeks after the first purchase: BG/NBD E[X(t)]
// (FHL 2005 equation 9) times the Gamma–Gamma mean amount E[Z] = pv/(q−1)
// (the two models are independent by assumption, FHL 2005b). It is not
// discounted: over 12 months discounting changes the figure by less than
// the interval's width at usual rates, and an undiscounted figure adds to
// the observed revenue of the cohort curves. The first purchase is not
// part of it; a 12-month value per customer is the observed mean first
// purchase plus this.
func ExpectedRepeatValue(bg BGNBDFit, gg GammaGammaFit, weeks float64) (ValueEstimate, error) {
	g := func(m BGNBD, s GammaGamma) (float64, error) {
		n, err := m.ExpectedPurchases(weeks)
		if err != nil {
			return 0, err
		}
		z, ok := s.MeanSpend()
		if !ok {
			return 0, fmt.Errorf("Gamma-Gamma q = %v ≤ 1: the mean spend is infinite", s.Q)
		}
		return n * z, nil
	}
	return deltaMethod(g, bg, gg)
}

// CustomerValue is the expected revenue of an existing customer with
// history c (and repeat spend s, ignored when c.X is 0) in the next weeks:
// BG/NBD E[Y(t) | x, t_x, T] (equation 10) times the Gamma–Gamma
// E[Z | x, z̄]; undiscounted, as ExpectedRepeatValue.
func CustomerValue(bg BGNBDFit, gg GammaGammaFit, c RFM, s RepeatSpend, weeks float64) (ValueEstimate, error) {
	if c.X > 0 && s.X != c.X {
		return ValueEstimate{}, fmt.Errorf("customer value: spend summary has x = %d, transaction summary x = %d", s.X, c.X)
	}
	if c.X == 0 {
		s = RepeatSpend{}
	}
	g := func(m BGNBD, sp GammaGamma) (float64, error) {
		n, err := m.ConditionalExpectedPurchases(c, weeks)
		if err != nil {
			return 0, err
		}
		z, ok := sp.ConditionalSpend(s)
		if !ok {
			return 0, fmt.Errorf("Gamma-Gamma expected spend undefined (p = %v, q = %v)", sp.P, sp.Q)
		}
		return n * z, nil
	}
	return deltaMethod(g, bg, gg)
}

// deltaMethod evaluates g at the fitted parameters and its 95% interval by
// the delta method on the log scale: with θ the seven log-parameters,
// Var(ln g) ≈ ∇ln g(θ)ᵀ Σ ∇ln g(θ), where Σ is block-diagonal (the two
// fits are separate likelihoods of independent processes) and ∇ is taken
// by central differences. The interval g·exp(∓1.96·√Var) stays positive.
// A fit on a plateau gives an interval only when g does not move along
// its flat directions (|∇·v| ≤ 10⁻³ |∇|).
func deltaMethod(g func(BGNBD, GammaGamma) (float64, error), bg BGNBDFit, gg GammaGammaFit) (ValueEstimate, error) {
	v, err := g(bg.BGNBD, gg.GammaGamma)
	if err != nil {
		return ValueEstimate{}, err
	}
	est := ValueEstimate{Value: v}
	if !bg.CovOK || !gg.CovOK || !(v > 0) {
		return est, nil
	}
	theta := [7]float64{}
	for i, p := range bg.Params() {
		theta[i] = math.Log(p)
	}
	for i, p := range gg.Params() {
		theta[4+i] = math.Log(p)
	}
	at := func(th [7]float64) (float64, error) {
		e := func(i int) float64 { return math.Exp(th[i]) }
		return g(BGNBD{e(0), e(1), e(2), e(3)}, GammaGamma{e(4), e(5), e(6)})
	}
	const h = 1e-5
	var grad [7]float64
	for i := range theta {
		up, dn := theta, theta
		up[i] += h
		dn[i] -= h
		fu, err1 := at(up)
		fd, err2 := at(dn)
		if err1 != nil || err2 != nil || !(fu > 0) || !(fd > 0) {
			return est, nil
		}
		grad[i] = (math.Log(fu) - math.Log(fd)) / (2 * h)
	}
	// On a plateau (covarianceOf) Σ is 0 along the flat directions: the
	// interval holds only for a figure that does not move along them.
	var norm float64
	for _, d := range grad {
		norm += d * d
	}
	norm = math.Sqrt(norm)
	for _, v := range bg.flat {
		if math.Abs(grad[0]*v[0]+grad[1]*v[1]+grad[2]*v[2]+grad[3]*v[3]) > 1e-3*norm {
			return est, nil
		}
	}
	for _, v := range gg.flat {
		if math.Abs(grad[4]*v[0]+grad[5]*v[1]+grad[6]*v[2]) > 1e-3*norm {
			return est, nil
		}
	}
	vr := 0.0
	for i := 0; i < 4; i++ {
		for j := 0; j < 4; j++ {
			vr += grad[i] * bg.Cov[i][j] * grad[j]
		}
	}
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			vr += grad[4+i] * gg.Cov[i][j] * grad[4+j]
		}
	}
	if !(vr >= 0) {
		return est, nil
	}
	se := math.Sqrt(vr)
	est.Low, est.High, est.IntervalOK = v*math.Exp(-Z95*se), v*math.Exp(Z95*se), true
	return est, nil
}
