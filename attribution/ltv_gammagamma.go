package attribution

import (
	"fmt"
	"math"
	"sort"
)

// RepeatSpend is one repeat customer's spend summary, the input of the
// Gamma–Gamma model (docs/LTV.md, "Definitions"): X > 0 repeat purchase
// days and Mean, the mean amount of those days in currency units.
type RepeatSpend struct {
	X    int
	Mean float64
}

func (s RepeatSpend) validate() error {
	switch {
	case s.X <= 0:
		return fmt.Errorf("frequency x = %d: the spend model takes only customers with a repeat purchase", s.X)
	case !(s.Mean > 0) || math.IsInf(s.Mean, 0):
		return fmt.Errorf("mean spend %v is not a positive amount", s.Mean)
	}
	return nil
}

// GammaGamma holds the parameters of the Gamma–Gamma spend model (Fader,
// Hardie & Lee 2005, "RFM and CLV: using iso-value curves for customer
// base analysis"; Fader & Hardie 2013, "The Gamma-Gamma model of monetary
// value", Hardie's note 025): the amount of each transaction is
// Gamma(shape P, rate ν) with the customer's ν ~ Gamma(shape Q, rate V),
// independent of the transaction process.
type GammaGamma struct {
	P, Q, V float64
}

// LogLikelihood is the log of the marginal density of a customer's mean
// spend z̄ over x transactions (FHL 2005b; note 025):
//
//	f(z̄ | x) = Γ(px+q) / (Γ(px) Γ(q)) · v^q · z̄^(px−1) · x^(px) / (v + x z̄)^(px+q)
//
// with the gamma ratio computed as 1/B(px, q) (lbeta).
func (m GammaGamma) LogLikelihood(s RepeatSpend) float64 {
	x := float64(s.X)
	px := m.P * x
	return -lbeta(px, m.Q) + ggTail(px, m.Q, m.V, x*s.Mean) - math.Log(s.Mean)
}

// ggTail is q ln v + px ln(x z̄) − (px+q) ln(v + x z̄), with xz = x z̄,
// written as −px ln(1 + v/xz) − q ln(1 + xz/v) so that it keeps its
// precision when p and v are both huge (nearly constant amounts).
func ggTail(px, q, v, xz float64) float64 {
	return -px*math.Log1p(v/xz) - q*math.Log1p(xz/v)
}

// MeanSpend is the population mean amount per transaction, E[Z] = p v/(q−1)
// (note 025); ok is false when q ≤ 1, where the mean is infinite.
func (m GammaGamma) MeanSpend() (float64, bool) {
	if m.Q <= 1 {
		return 0, false
	}
	return m.P * m.V / (m.Q - 1), true
}

// ConditionalSpend is the expected amount of a future transaction of a
// customer with s (FHL 2005b; note 025), a weighted mean of the
// population mean and the customer's own mean:
//
//	E[Z | x, z̄] = (q−1)/(px+q−1) · p v/(q−1) + px/(px+q−1) · z̄ = p (v + x z̄) / (px+q−1)
//
// A customer without repeat purchases (x = 0) gets the population mean.
// ok is false when the denominator is not positive.
func (m GammaGamma) ConditionalSpend(s RepeatSpend) (float64, bool) {
	if s.X == 0 {
		return m.MeanSpend()
	}
	x := float64(s.X)
	den := m.P*x + m.Q - 1
	if den <= 0 {
		return 0, false
	}
	return m.P * (m.V + x*s.Mean) / den, true
}

// Params returns (p, q, v).
func (m GammaGamma) Params() [3]float64 { return [3]float64{m.P, m.Q, m.V} }

// GammaGammaFit is a maximum-likelihood fit of the Gamma–Gamma model.
type GammaGammaFit struct {
	GammaGamma
	LogLik    float64
	Customers int
	// Cov is the covariance of the estimates of (ln p, ln q, ln v) from the
	// observed information, as in BGNBDFit.
	Cov   [3][3]float64
	CovOK bool
	flat  [][]float64 // as BGNBDFit's
}

// Interval returns the 95% Wald interval of parameter i (0 p, 1 q, 2 v) on
// the log scale, as BGNBDFit.Interval.
func (f GammaGammaFit) Interval(i int) (low, high float64, ok bool) {
	if !f.CovOK || onFlat(f.flat, i) {
		return 0, 0, false
	}
	se := math.Sqrt(f.Cov[i][i])
	v := f.Params()[i]
	return v * math.Exp(-Z95*se), v * math.Exp(Z95*se), true
}

// ggGroup is a distinct RepeatSpend with the number of customers sharing it.
type ggGroup struct {
	RepeatSpend
	n float64
}

// ggNLL is the negative log-likelihood of gs (sorted by x) as a function of
// the log-parameters.
func ggNLL(gs []ggGroup) func([]float64) float64 {
	return func(v []float64) float64 {
		m := GammaGamma{math.Exp(v[0]), math.Exp(v[1]), math.Exp(v[2])}
		// As in bgnbdLogLik, the term of x alone is computed once per x.
		s, cx, lastX := 0.0, 0.0, 0
		for _, g := range gs {
			x := float64(g.X)
			px := m.P * x
			if g.X != lastX {
				lastX = g.X
				cx = -lbeta(px, m.Q)
			}
			s += g.n * (cx + ggTail(px, m.Q, m.V, x*g.Mean) - math.Log(g.Mean))
		}
		return -s
	}
}

// ggNLLGrad is ggNLL with its gradient in (ln p, ln q, ln v). With
// D(z, h) = ψ(z+h) − ψ(z) (digammaDiff), the derivatives of −ln B(px, q)
// are D(px, q) in px and D(q, px) in q, so per customer
//
//	p ∂/∂p = px (D(px, q) − ln(1 + v/(x z̄)))
//	q ∂/∂q = q (D(q, px) − ln(1 + x z̄/v))
//	v ∂/∂v = (q x z̄ − px v)/(v + x z̄)
func ggNLLGrad(gs []ggGroup) func(v, grad []float64) float64 {
	return func(v, grad []float64) float64 {
		m := GammaGamma{math.Exp(v[0]), math.Exp(v[1]), math.Exp(v[2])}
		s, cx, dp, dq, lastX := 0.0, 0.0, 0.0, 0.0, 0
		var g [3]float64
		for _, gr := range gs {
			x := float64(gr.X)
			px := m.P * x
			if gr.X != lastX {
				lastX = gr.X
				cx = -lbeta(px, m.Q)
				dp, dq = digammaDiff(px, m.Q), digammaDiff(m.Q, px)
			}
			xz := x * gr.Mean
			s += gr.n * (cx + ggTail(px, m.Q, m.V, xz) - math.Log(gr.Mean))
			g[0] += gr.n * px * (dp - math.Log1p(m.V/xz))
			g[1] += gr.n * m.Q * (dq - math.Log1p(xz/m.V))
			g[2] += gr.n * (m.Q*xz - px*m.V) / (m.V + xz)
		}
		for i := range grad {
			grad[i] = -g[i]
		}
		return -s
	}
}

// digammaDiff is ψ(z+h) − ψ(z) for z, h > 0, to full relative precision
// also when h is tiny against z (a huge q, where the plain difference of
// two digammas cancels): below 20 by the recurrence ψ(z) = ψ(z+1) − 1/z,
// whose terms 1/(z+k) − 1/(z+h+k) = h/((z+k)(z+h+k)) are positive; from 20
// by the difference of the asymptotic series ψ(z) ~ ln z − 1/(2z) −
// Σ B₂ₖ/(2k z²ᵏ) (Abramowitz & Stegun 6.3.18), each power difference
// factored through 1/(z+h) − 1/z = −h/(z(z+h)). Truncated after z⁻⁸, the
// error is below 1e-15 relative at z ≥ 20.
func digammaDiff(z, h float64) float64 {
	acc := 0.0
	for z < 20 {
		acc += h / (z * (z + h))
		z++
	}
	u, w := 1/(z+h), 1/z
	d := -h / (z * (z + h)) // u − w
	// pow(u, k) − pow(w, k) = (u − w) Σ_{i<k} u^i w^(k−1−i).
	powDiff := func(k int) float64 {
		s := 0.0
		for i := 0; i < k; i++ {
			s += math.Pow(u, float64(i)) * math.Pow(w, float64(k-1-i))
		}
		return d * s
	}
	return acc + math.Log1p(h/z) - d/2 - powDiff(2)/12 + powDiff(4)/120 - powDiff(6)/252 + powDiff(8)/240
}

// RepeatSpendCount is a distinct RepeatSpend and the number of repeat
// customers who share it (a GROUP BY x, repeat total).
type RepeatSpendCount struct {
	RepeatSpend
	Customers int64
}

// FitGammaGamma fits the Gamma–Gamma model to the repeat customers ss by
// maximum likelihood, as FitBGNBD does.
func FitGammaGamma(ss []RepeatSpend) (GammaGammaFit, error) {
	counts := make([]RepeatSpendCount, len(ss))
	for i, sp := range ss {
		counts[i] = RepeatSpendCount{sp, 1}
	}
	return fitGammaGamma(counts, "customer")
}

// FitGammaGammaCounts is FitGammaGamma on grouped summaries.
func FitGammaGammaCounts(ss []RepeatSpendCount) (GammaGammaFit, error) {
	return fitGammaGamma(ss, "summary row")
}

func fitGammaGamma(ss []RepeatSpendCount, what string) (GammaGammaFit, error) {
	idx := map[RepeatSpend]int{}
	var gs []ggGroup
	total, n := 0.0, int64(0)
	for i, s := range ss {
		if err := s.validate(); err != nil {
			return GammaGammaFit{}, fmt.Errorf("fit Gamma-Gamma: %s %d: %w", what, i+1, err)
		}
		if s.Customers <= 0 {
			return GammaGammaFit{}, fmt.Errorf("fit Gamma-Gamma: %s %d: %d customers", what, i+1, s.Customers)
		}
		n += s.Customers
		if j, ok := idx[s.RepeatSpend]; ok {
			gs[j].n += float64(s.Customers)
			continue
		}
		idx[s.RepeatSpend] = len(gs)
		gs = append(gs, ggGroup{s.RepeatSpend, float64(s.Customers)})
	}
	if n < MinGammaGammaCustomers {
		return GammaGammaFit{}, fmt.Errorf("fit Gamma-Gamma: %w (%d repeat customers; at least %d needed)",
			ErrTooFewCustomers, n, MinGammaGammaCustomers)
	}
	sort.Slice(gs, func(i, j int) bool {
		if gs[i].X != gs[j].X {
			return gs[i].X < gs[j].X
		}
		return gs[i].Mean < gs[j].Mean
	})
	// The mean spend is summed in the sorted order, so the starts do not
	// depend on the input order.
	for _, g := range gs {
		total += g.n * g.Mean
	}
	mean := total / float64(n)
	nll := ggNLL(gs)
	// Starting points: p around a few units, q > 1 and v setting the mean
	// spend pv/(q−1) near the observed mean.
	starts := [][]float64{}
	for _, pq := range [][2]float64{{1, 2}, {5, 4}, {0.5, 1.5}} {
		v := mean * (pq[1] - 1) / pq[0]
		starts = append(starts, []float64{math.Log(pq[0]), math.Log(pq[1]), math.Log(v)})
	}
	best, fBest, ok := multiStartGrad(nll, ggNLLGrad(gs), starts)
	if !ok {
		return GammaGammaFit{}, fmt.Errorf("fit Gamma-Gamma: the likelihood is not finite at any starting point")
	}
	fit := GammaGammaFit{
		GammaGamma: GammaGamma{math.Exp(best[0]), math.Exp(best[1]), math.Exp(best[2])},
		LogLik:     -fBest,
		Customers:  int(n),
	}
	if inv, flat, ok := covarianceOf(hessian(nll, best, 1e-4)); ok {
		fit.CovOK, fit.flat = true, flat
		for i := 0; i < 3; i++ {
			for j := 0; j < 3; j++ {
				fit.Cov[i][j] = inv[i][j]
			}
		}
	}
	return fit, nil
}
