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
}

// Interval returns the 95% Wald interval of parameter i (0 p, 1 q, 2 v) on
// the log scale, as BGNBDFit.Interval.
func (f GammaGammaFit) Interval(i int) (low, high float64, ok bool) {
	if !f.CovOK {
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

// FitGammaGamma fits the Gamma–Gamma model to the repeat customers ss by
// maximum likelihood, as FitBGNBD does.
func FitGammaGamma(ss []RepeatSpend) (GammaGammaFit, error) {
	idx := map[RepeatSpend]int{}
	var gs []ggGroup
	mean := 0.0
	for i, s := range ss {
		if err := s.validate(); err != nil {
			return GammaGammaFit{}, fmt.Errorf("fit Gamma-Gamma: customer %d: %w", i+1, err)
		}
		mean += s.Mean / float64(len(ss))
		if j, ok := idx[s]; ok {
			gs[j].n++
			continue
		}
		idx[s] = len(gs)
		gs = append(gs, ggGroup{s, 1})
	}
	if len(ss) < MinGammaGammaCustomers {
		return GammaGammaFit{}, fmt.Errorf("fit Gamma-Gamma: %w (%d repeat customers; at least %d needed)",
			ErrTooFewCustomers, len(ss), MinGammaGammaCustomers)
	}
	sort.Slice(gs, func(i, j int) bool {
		if gs[i].X != gs[j].X {
			return gs[i].X < gs[j].X
		}
		return gs[i].Mean < gs[j].Mean
	})
	nll := ggNLL(gs)
	// Starting points: p around a few units, q > 1 and v setting the mean
	// spend pv/(q−1) near the observed mean.
	starts := [][]float64{}
	for _, pq := range [][2]float64{{1, 2}, {5, 4}, {0.5, 1.5}} {
		v := mean * (pq[1] - 1) / pq[0]
		starts = append(starts, []float64{math.Log(pq[0]), math.Log(pq[1]), math.Log(v)})
	}
	var sub func([]float64) float64
	if len(gs) > subsampleAbove {
		k := len(gs) / subsampleAbove
		var few []ggGroup
		for i := 0; i < len(gs); i += k {
			few = append(few, gs[i])
		}
		sub = ggNLL(few)
	}
	best, fBest, ok := multiStart(nll, sub, starts)
	if !ok {
		return GammaGammaFit{}, fmt.Errorf("fit Gamma-Gamma: the likelihood is not finite at any starting point")
	}
	fit := GammaGammaFit{
		GammaGamma: GammaGamma{math.Exp(best[0]), math.Exp(best[1]), math.Exp(best[2])},
		LogLik:     -fBest,
		Customers:  len(ss),
	}
	if inv, ok := invertSPD(hessian(nll, best, 1e-4)); ok {
		fit.CovOK = true
		for i := 0; i < 3; i++ {
			for j := 0; j < 3; j++ {
				fit.Cov[i][j] = inv[i][j]
			}
		}
	}
	return fit, nil
}
