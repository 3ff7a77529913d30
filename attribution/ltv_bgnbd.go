package attribution

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// RFM is one customer's repeat-purchase summary, the input of the BG/NBD
// model (docs/LTV.md, "Definitions"): the customer is born at the first
// purchase; X is the number of later local days with a purchase of amount
// > 0; Tx is the weeks from the first purchase to the last of those days
// (0 when X is 0) and T the weeks from the first purchase to as_of.
type RFM struct {
	X  int
	Tx float64
	T  float64
}

// validate returns a readable error naming what is wrong with c.
func (c RFM) validate() error {
	switch {
	case c.X < 0:
		return fmt.Errorf("frequency x = %d is negative", c.X)
	case !(c.T >= 0) || math.IsInf(c.T, 0):
		// T = 0 (first purchase on as_of's day) is allowed: with x = 0 its
		// likelihood is 1, so it neither helps nor hurts the fit.
		return fmt.Errorf("age T = %v weeks is not a number ≥ 0", c.T)
	case c.X == 0 && c.Tx != 0:
		return fmt.Errorf("recency t_x = %v with no repeat purchase (x = 0; t_x must be 0)", c.Tx)
	case c.X > 0 && !(c.Tx > 0):
		return fmt.Errorf("recency t_x = %v with %d repeat purchases (must be > 0)", c.Tx, c.X)
	case c.Tx > c.T:
		return fmt.Errorf("recency t_x = %v is after the age T = %v", c.Tx, c.T)
	}
	return nil
}

// BGNBD holds the four parameters of the BG/NBD model (Fader, Hardie & Lee
// 2005, "Counting your customers the easy way"): while alive a customer
// buys at a Poisson rate λ ~ Gamma(shape R, rate Alpha) per week, and after
// each purchase drops out with probability p ~ Beta(A, B).
type BGNBD struct {
	R, Alpha, A, B float64
}

// LogLikelihood is the log of FHL 2005 equation (6) for one customer,
// which needs no Gaussian hypergeometric function, in the A1…A4 form of
// Fader & Hardie's spreadsheet implementation (Hardie's note 004):
//
//	ln L = ln A1 + ln A2 + ln(A3 + δ(x>0)·A4)
//	ln A1 = lnΓ(r+x) − lnΓ(r) + r ln α
//	ln A2 = lnΓ(a+b) + lnΓ(b+x) − lnΓ(b) − lnΓ(a+b+x)
//	ln A3 = −(r+x) ln(α+T)
//	ln A4 = ln a − ln(b+x−1) − (r+x) ln(α+t_x)
//
// The sum A3 + A4 is taken as a log-sum-exp so that large x (where A3 and
// A4 underflow, the "#NUM!" problem of Fader & Hardie's note 027) stays
// finite.
func (m BGNBD) LogLikelihood(c RFM) float64 {
	lnA12 := bgnbdLnA12(m, c.X)
	lnA3 := bgnbdLnA3(m, c.X, c.T)
	if c.X == 0 {
		return lnA12 + lnA3
	}
	return lnA12 + logSumExp(lnA3, bgnbdLnA4(m, c.X, c.Tx))
}

// bgnbdLnA3 and bgnbdLnA4 are ln A3 and ln A4 of equation (6) with A1's
// factor α^r moved in: r ln α − (r+x) ln(α+T) = −r ln(1 + T/α) − x ln(α+T).
// Written so, they stay exact when r and α are both huge (a homogeneous
// purchase rate, where the plain form subtracts two equal large logs).
func bgnbdLnA3(m BGNBD, x int, T float64) float64 {
	return -m.R*math.Log1p(T/m.Alpha) - float64(x)*math.Log(m.Alpha+T)
}

func bgnbdLnA4(m BGNBD, x int, tx float64) float64 {
	xf := float64(x)
	return math.Log(m.A) - math.Log(m.B+xf-1) - m.R*math.Log1p(tx/m.Alpha) - xf*math.Log(m.Alpha+tx)
}

// bgnbdLnA12 is ln A1 + ln A2 of equation (6) without A1's r ln α (see
// bgnbdLnA3), the part that depends on x alone. For integer x the gamma
// ratios are finite products, Γ(r+x)/Γ(r) = Π(r+k) and
// B(a, b+x)/B(a, b) = Π(b+k)/(a+b+k) over k < x, so
//
//	ln A1 + ln A2 − r ln α = Σ_{k<x} [ln(r+k) − ln(1 + a/(b+k))]
//
// which, unlike a difference of log-gammas, keeps full precision when a
// parameter is huge (the data then say little about it and an optimiser
// must not chase rounding noise).
func bgnbdLnA12(m BGNBD, x int) float64 {
	return bgnbdLnA12From(m, 0, 0, x)
}

// bgnbdLnA12From extends the sum of bgnbdLnA12 from x0 (where it is s0)
// to x.
func bgnbdLnA12From(m BGNBD, x0 int, s0 float64, x int) float64 {
	for k := x0; k < x; k++ {
		kf := float64(k)
		s0 += math.Log(m.R+kf) - math.Log1p(m.A/(m.B+kf))
	}
	return s0
}

func lgamma(x float64) float64 {
	v, _ := math.Lgamma(x)
	return v
}

// lbeta is ln B(a, b) = lnΓ(a) + lnΓ(b) − lnΓ(a+b) for a, b > 0, computed
// so that it keeps its precision when an argument is large: the plain
// difference of log-gammas loses everything when a = 1e16 (each term is
// about 6e17 and one ulp is 128), which lets an optimiser chase rounding
// noise. Above 10 the log-gammas are split into Stirling's formula and its
// small correction (the method of R's lbeta, after Didonato & Morris 1992).
func lbeta(a, b float64) float64 {
	p, q := math.Min(a, b), math.Max(a, b)
	switch {
	case p >= 10:
		corr := lgammaCorr(p) + lgammaCorr(q) - lgammaCorr(p+q)
		return 0.5*math.Log(2*math.Pi) - 0.5*math.Log(q) + corr +
			(p-0.5)*math.Log(p/(p+q)) + q*math.Log1p(-p/(p+q))
	case q >= 10:
		corr := lgammaCorr(q) - lgammaCorr(p+q)
		return lgamma(p) + corr + p - p*math.Log(p+q) + (q-0.5)*math.Log1p(-p/(p+q))
	default:
		return lgamma(p) + lgamma(q) - lgamma(p+q)
	}
}

// lgammaCorr is lnΓ(x) − ((x−½) ln x − x + ½ ln 2π) for x ≥ 10, from
// Stirling's series (error below 1e-15 there).
func lgammaCorr(x float64) float64 {
	x2 := 1 / (x * x)
	return (1.0/12 - x2*(1.0/360-x2*(1.0/1260-x2*(1.0/1680-x2/1188)))) / x
}

func logSumExp(u, v float64) float64 {
	if u < v {
		u, v = v, u
	}
	return u + math.Log1p(math.Exp(v-u))
}

// PAlive is the probability that a customer with history c is still alive
// at T (Fader, Hardie & Lee 2008, "Computing P(alive) using the BG/NBD
// model", Hardie's note 021):
//
//	P(alive) = 1 / (1 + δ(x>0) · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x))
//
// A customer with no repeat purchase is alive with probability 1: in the
// BG/NBD model dropping out happens only right after a purchase.
func (m BGNBD) PAlive(c RFM) float64 {
	if c.X == 0 {
		return 1
	}
	x := float64(c.X)
	lnOdds := math.Log(m.A) - math.Log(m.B+x-1) + (m.R+x)*math.Log1p((c.T-c.Tx)/(m.Alpha+c.Tx))
	return 1 / (1 + math.Exp(lnOdds))
}

// ExpectedPurchases is FHL 2005 equation (9), the expected number of repeat
// purchases of a new customer in the t weeks after the first purchase:
//
//	E[X(t)] = (a+b−1)/(a−1) · [1 − (α/(α+t))^r · ₂F₁(r, b; a+b−1; t/(α+t))]
func (m BGNBD) ExpectedPurchases(t float64) (float64, error) {
	if t == 0 {
		return 0, nil
	}
	if !(t > 0) {
		return 0, fmt.Errorf("expected purchases: horizon %v weeks is not positive", t)
	}
	if err := m.checkA(); err != nil {
		return 0, err
	}
	z := t / (m.Alpha + t)
	h, err := hyp2f1(m.R, m.B, m.A+m.B-1, z)
	if err != nil {
		return 0, fmt.Errorf("expected purchases: %w", err)
	}
	return (m.A + m.B - 1) / (m.A - 1) * (1 - math.Exp(-m.R*math.Log1p(t/m.Alpha))*h), nil
}

// ConditionalExpectedPurchases is FHL 2005 equation (10), the expected
// number of purchases in the next t weeks of a customer with history c:
//
//	E[Y(t) | x, t_x, T] = (a+b+x−1)/(a−1) ·
//	    [1 − ((α+T)/(α+T+t))^(r+x) · ₂F₁(r+x, b+x; a+b+x−1; t/(α+T+t))]
//	    / (1 + δ(x>0) · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x))
func (m BGNBD) ConditionalExpectedPurchases(c RFM, t float64) (float64, error) {
	if err := c.validate(); err != nil {
		return 0, fmt.Errorf("conditional expected purchases: %w", err)
	}
	if t == 0 {
		return 0, nil
	}
	if !(t > 0) {
		return 0, fmt.Errorf("conditional expected purchases: horizon %v weeks is not positive", t)
	}
	if err := m.checkA(); err != nil {
		return 0, err
	}
	x := float64(c.X)
	z := t / (m.Alpha + c.T + t)
	h, err := hyp2f1(m.R+x, m.B+x, m.A+m.B+x-1, z)
	if err != nil {
		return 0, fmt.Errorf("conditional expected purchases: %w", err)
	}
	num := (m.A + m.B + x - 1) / (m.A - 1) * (1 - math.Exp(-(m.R+x)*math.Log1p(t/(m.Alpha+c.T)))*h)
	// The denominator of equation (10) is 1/P(alive).
	return num * m.PAlive(c), nil
}

// checkA rejects a = 1, where equations (9) and (10) are 0/0: their limit
// exists but is not what the closed form computes.
func (m BGNBD) checkA() error {
	if math.Abs(m.A-1) < 1e-9 {
		return fmt.Errorf("BG/NBD a = %v: equations (9) and (10) are undefined at a = 1", m.A)
	}
	return nil
}

// ErrHyp2F1 is returned (wrapped) when the hypergeometric series does not
// converge within its term budget or its parameters make it undefined.
var ErrHyp2F1 = errors.New("hypergeometric series did not converge")

// hyp2f1 sums the Gauss hypergeometric series ₂F₁(a, b; c; z) for
// 0 ≤ z < 1. In equations (9) and (10) a, b > 0 and z = t/(α+T+t), so the
// terms are eventually positive and shrink like z^n; the series is summed
// until a term no longer changes the sum in double precision.
func hyp2f1(a, b, c, z float64) (float64, error) {
	if !(z >= 0 && z < 1) {
		return 0, fmt.Errorf("%w: z = %v outside [0, 1)", ErrHyp2F1, z)
	}
	if c <= 0 && c == math.Floor(c) {
		return 0, fmt.Errorf("%w: c = %v is a non-positive integer", ErrHyp2F1, c)
	}
	sum, term := 1.0, 1.0
	for n := 0; n < 5_000_000; n++ {
		nf := float64(n)
		term *= (a + nf) * (b + nf) / ((c + nf) * (nf + 1)) * z
		sum += term
		if math.Abs(term) <= 1e-16*math.Abs(sum) && n > 2 {
			return sum, nil
		}
		if math.IsInf(sum, 0) || math.IsNaN(sum) {
			break
		}
	}
	return 0, fmt.Errorf("%w: ₂F₁(%v, %v; %v; %v)", ErrHyp2F1, a, b, c, z)
}

// RFMCount is a distinct summary and the number of customers who share
// it, as a GROUP BY x, t_x, T returns it: with t_x and T in whole days a
// million customers have far fewer distinct histories, and the likelihood
// is summed once per history (as Fader & Hardie do in their spreadsheets).
type RFMCount struct {
	RFM
	Customers int64
}

// rfmGroup is a merged RFMCount with its count as a float weight.
type rfmGroup struct {
	RFM
	n float64
}

func groupRFM(cs []RFM) ([]rfmGroup, error) {
	counts := make([]RFMCount, len(cs))
	for i, c := range cs {
		counts[i] = RFMCount{c, 1}
	}
	return groupCounts(counts, "customer")
}

// groupCounts validates and merges the counts (what names an input row in
// errors) and sorts them, so that the floating-point sum, and so the fit,
// does not depend on the input order.
func groupCounts(cs []RFMCount, what string) ([]rfmGroup, error) {
	idx := make(map[RFM]int, len(cs)/4+1)
	var gs []rfmGroup
	for i, c := range cs {
		if err := c.validate(); err != nil {
			return nil, fmt.Errorf("%s %d: %w", what, i+1, err)
		}
		if c.Customers <= 0 {
			return nil, fmt.Errorf("%s %d: %d customers", what, i+1, c.Customers)
		}
		if j, ok := idx[c.RFM]; ok {
			gs[j].n += float64(c.Customers)
			continue
		}
		idx[c.RFM] = len(gs)
		gs = append(gs, rfmGroup{RFM: c.RFM, n: float64(c.Customers)})
	}
	sort.Slice(gs, func(i, j int) bool {
		a, b := gs[i].RFM, gs[j].RFM
		if a.X != b.X {
			return a.X < b.X
		}
		if a.Tx != b.Tx {
			return a.Tx < b.Tx
		}
		return a.T < b.T
	})
	return gs, nil
}

func bgnbdLogLik(m BGNBD, gs []rfmGroup) float64 {
	// ln A1 + ln A2 depend on x only, and gs is sorted by x: their sum is
	// extended from one distinct x to the next, the rest is per group.
	s, lnA12, lastX := 0.0, 0.0, 0
	for _, g := range gs {
		if g.X != lastX {
			lnA12 = bgnbdLnA12From(m, lastX, lnA12, g.X)
			lastX = g.X
		}
		lnA3 := bgnbdLnA3(m, g.X, g.T)
		ll := lnA12 + lnA3
		if g.X > 0 {
			ll = lnA12 + logSumExp(lnA3, bgnbdLnA4(m, g.X, g.Tx))
		}
		s += g.n * ll
	}
	return s
}

// bgnbdLogLikGrad is bgnbdLogLik with its gradient in the log-parameters
// (ln r, ln α, ln a, ln b), written into grad. With L3 = ln A3 and
// L4 = ln A4 as in bgnbdLnA3/bgnbdLnA4 and S(x) = ln A1 + ln A2 − r ln α
// (bgnbdLnA12), the log-likelihood of a customer is S + L3 (x = 0) or
// S + ln(e^L3 + e^L4), whose derivatives are the weighted derivatives of
// L3 and L4 (weights e^L3, e^L4 over their sum) plus those of S:
//
//	r ∂S/∂r = Σ_{k<x} r/(r+k)        a ∂S/∂a = −Σ a/(a+b+k)
//	b ∂S/∂b = Σ a b/((b+k)(a+b+k))
//	r ∂L/∂r = −r ln(1 + t/α)         α ∂L/∂α = (r t − x α)/(α + t)
//	a ∂L4/∂a = 1                     b ∂L4/∂b = −b/(b+x−1)
//
// with t = T for L3 and t = t_x for L4.
func bgnbdLogLikGrad(m BGNBD, gs []rfmGroup, grad []float64) float64 {
	var dS [4]float64
	s, lnA12, lastX := 0.0, 0.0, 0
	var g [4]float64
	for _, gr := range gs {
		for k := lastX; k < gr.X; k++ {
			kf := float64(k)
			lnA12 += math.Log(m.R+kf) - math.Log1p(m.A/(m.B+kf))
			dS[0] += m.R / (m.R + kf)
			dS[2] -= m.A / (m.A + m.B + kf)
			dS[3] += m.A * m.B / ((m.B + kf) * (m.A + m.B + kf))
		}
		lastX = gr.X
		x := float64(gr.X)
		lnA3 := bgnbdLnA3(m, gr.X, gr.T)
		d3r := -m.R * math.Log1p(gr.T/m.Alpha)
		d3a := (m.R*gr.T - x*m.Alpha) / (m.Alpha + gr.T)
		ll := lnA12 + lnA3
		dr, da, dA, dB := d3r, d3a, 0.0, 0.0
		if gr.X > 0 {
			lnA4 := bgnbdLnA4(m, gr.X, gr.Tx)
			ll = lnA12 + logSumExp(lnA3, lnA4)
			// w4 = e^L4/(e^L3 + e^L4), computed without overflow.
			var w4 float64
			if lnA4 > lnA3 {
				w4 = 1 / (1 + math.Exp(lnA3-lnA4))
			} else {
				e := math.Exp(lnA4 - lnA3)
				w4 = e / (1 + e)
			}
			w3 := 1 - w4
			d4r := -m.R * math.Log1p(gr.Tx/m.Alpha)
			d4a := (m.R*gr.Tx - x*m.Alpha) / (m.Alpha + gr.Tx)
			dr = w3*d3r + w4*d4r
			da = w3*d3a + w4*d4a
			dA = w4
			dB = -w4 * m.B / (m.B + x - 1)
		}
		s += gr.n * ll
		g[0] += gr.n * (dS[0] + dr)
		g[1] += gr.n * da
		g[2] += gr.n * (dS[2] + dA)
		g[3] += gr.n * (dS[3] + dB)
	}
	copy(grad, g[:])
	return s
}

// BGNBDLogLikelihood is the log-likelihood of customers cs under m (the
// sum of equation (6) over customers).
func BGNBDLogLikelihood(m BGNBD, cs []RFM) (float64, error) {
	gs, err := groupRFM(cs)
	if err != nil {
		return 0, err
	}
	return bgnbdLogLik(m, gs), nil
}

// Z95 is the standard normal quantile of a two-sided 95% interval.
const Z95 = 1.959963984540054

// BGNBDFit is a maximum-likelihood fit of the BG/NBD model.
type BGNBDFit struct {
	BGNBD
	LogLik    float64
	Customers int
	// Cov is the covariance of the estimates of (ln r, ln α, ln a, ln b),
	// the inverse of the observed information (the negative Hessian of
	// the log-likelihood at the maximum), or on a plateau its
	// pseudo-inverse over the identified directions (covarianceOf); CovOK
	// is false when that Hessian has a clearly positive eigenvalue (no
	// maximum), and then no interval is given.
	Cov   [4][4]float64
	CovOK bool
	// flat are the unidentified directions of a maximum on a plateau
	// (covarianceOf), along which Cov is 0: no interval for a parameter
	// that moves along them, nor for a figure that does (deltaMethod).
	flat [][]float64
}

// Params returns (r, α, a, b).
func (m BGNBD) Params() [4]float64 { return [4]float64{m.R, m.Alpha, m.A, m.B} }

// Interval returns the 95% Wald interval of parameter i (0 r, 1 α, 2 a,
// 3 b), computed on the log scale and transformed back, so it is
// asymmetric and stays positive; ok is false without a covariance.
func (f BGNBDFit) Interval(i int) (low, high float64, ok bool) {
	if !f.CovOK || onFlat(f.flat, i) {
		return 0, 0, false
	}
	se := math.Sqrt(f.Cov[i][i])
	v := f.Params()[i]
	return v * math.Exp(-Z95*se), v * math.Exp(Z95*se), true
}

// onFlat reports whether log-parameter i moves along one of the flat
// directions (a share of more than 1% of a unit direction vector).
func onFlat(flat [][]float64, i int) bool {
	for _, v := range flat {
		if v[i]*v[i] > 0.01 {
			return true
		}
	}
	return false
}

// ErrTooFewCustomers is returned by FitBGNBD and FitGammaGamma when there
// is not enough data to identify the parameters.
var ErrTooFewCustomers = errors.New("too few customers to fit")

// MinBGNBDCustomers and MinGammaGammaCustomers are the smallest samples
// the fits accept: below them the estimates are too unstable to report
// (the caller pools channels, docs/LTV.md).
const (
	MinBGNBDCustomers      = 30
	MinGammaGammaCustomers = 20
)

// FitBGNBD fits the BG/NBD model to cs by maximum likelihood: BFGS on the
// analytic gradient over (ln r, ln α, ln a, ln b) from up to three starting
// points, until two agree (multiStartGrad).
func FitBGNBD(cs []RFM) (BGNBDFit, error) {
	gs, err := groupRFM(cs)
	if err != nil {
		return BGNBDFit{}, fmt.Errorf("fit BG/NBD: %w", err)
	}
	return fitBGNBD(gs)
}

// FitBGNBDCounts is FitBGNBD on grouped summaries (RFMCount).
func FitBGNBDCounts(cs []RFMCount) (BGNBDFit, error) {
	gs, err := groupCounts(cs, "summary row")
	if err != nil {
		return BGNBDFit{}, fmt.Errorf("fit BG/NBD: %w", err)
	}
	return fitBGNBD(gs)
}

// bgnbdNLL is the negative log-likelihood of gs as a function of the
// log-parameters.
func bgnbdNLL(gs []rfmGroup) func([]float64) float64 {
	return func(v []float64) float64 {
		m := BGNBD{math.Exp(v[0]), math.Exp(v[1]), math.Exp(v[2]), math.Exp(v[3])}
		return -bgnbdLogLik(m, gs)
	}
}

// bgnbdNLLGrad is bgnbdNLL with its gradient (bgnbdLogLikGrad).
func bgnbdNLLGrad(gs []rfmGroup) func(v, grad []float64) float64 {
	return func(v, grad []float64) float64 {
		m := BGNBD{math.Exp(v[0]), math.Exp(v[1]), math.Exp(v[2]), math.Exp(v[3])}
		ll := bgnbdLogLikGrad(m, gs, grad)
		for i := range grad {
			grad[i] = -grad[i]
		}
		return -ll
	}
}

// bgnbdStarts are the starting points of the fit, spread over the
// plausible region: α on the scale of the mean age, r, a and b around 1.
func bgnbdStarts(meanT float64) [][]float64 {
	la := math.Log(math.Max(meanT, 1e-6) / 10)
	return [][]float64{
		{0, la, 0, 0},
		{math.Log(0.3), la, math.Log(0.8), math.Log(2.5)},
		{math.Log(2), la + 1, math.Log(0.3), math.Log(5)},
	}
}

func fitBGNBD(gs []rfmGroup) (BGNBDFit, error) {
	customers, repeaters, sumT := 0.0, 0.0, 0.0
	for _, g := range gs {
		customers += g.n
		if g.X > 0 {
			repeaters += g.n
		}
		sumT += g.n * g.T
	}
	if customers < MinBGNBDCustomers || repeaters < 2 {
		return BGNBDFit{}, fmt.Errorf("fit BG/NBD: %w (%.0f customers, %.0f with a repeat purchase; at least %d and 2 needed)",
			ErrTooFewCustomers, customers, repeaters, MinBGNBDCustomers)
	}
	meanT := sumT / customers
	nll := bgnbdNLL(gs)
	starts := bgnbdStarts(meanT)
	best, fBest, ok := multiStartGrad(nll, bgnbdNLLGrad(gs), starts)
	if !ok {
		return BGNBDFit{}, fmt.Errorf("fit BG/NBD: the likelihood is not finite at any starting point")
	}
	fit := BGNBDFit{
		BGNBD:     BGNBD{math.Exp(best[0]), math.Exp(best[1]), math.Exp(best[2]), math.Exp(best[3])},
		LogLik:    -fBest,
		Customers: int(customers),
	}
	if inv, flat, ok := covarianceOf(hessian(nll, best, 1e-4)); ok {
		fit.CovOK, fit.flat = true, flat
		for i := 0; i < 4; i++ {
			for j := 0; j < 4; j++ {
				fit.Cov[i][j] = inv[i][j]
			}
		}
	}
	return fit, nil
}
