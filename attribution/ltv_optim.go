package attribution

import (
	"errors"
	"math"
)

// The customer-value models (ltv_bgnbd.go, ltv_gammagamma.go) are fitted by
// maximum likelihood over the logarithms of their parameters, so every
// parameter stays positive without constraints: BFGS on their analytic
// gradients (bfgs, multiStartGrad), with Nelder–Mead (derivative-free) as
// the fallback where BFGS makes no progress. The module has no numerical
// library (no gonum in go.sum), and a few dozen lines of each are enough
// for 3 or 4 smooth parameters.

// errNotFinite is returned when an objective is not finite at a start point.
var errNotFinite = errors.New("objective is not finite at the start point")

// nelderMead minimises f from x0 with the Nelder–Mead simplex method
// (Nelder & Mead 1965; the adaptive coefficients of Gao & Han 2012, which
// behave better than the classic ones as the dimension grows). It restarts
// from the best point with a fresh simplex until a restart improves f by
// less than tol, which protects against the simplex collapsing early (a
// known failure of the method, McKinnon 1998). It returns the minimiser and
// the minimum.
func nelderMead(f func([]float64) float64, x0 []float64, step, tol float64, maxEval int) ([]float64, float64, error) {
	best := append([]float64(nil), x0...)
	fBest := f(best)
	if math.IsNaN(fBest) || math.IsInf(fBest, 0) {
		return nil, 0, errNotFinite
	}
	evals := 1
	for restart := 0; restart < 20 && evals < maxEval; restart++ {
		x, fx, used := nelderMeadOnce(f, best, fBest, step, tol, maxEval-evals)
		evals += used
		improved := fBest - fx
		if fx < fBest {
			best, fBest = x, fx
		}
		if improved < tol*(1+math.Abs(fBest)) {
			break
		}
	}
	return best, fBest, nil
}

// nelderMeadOnce runs one simplex search from x0 (whose value is f0) and
// returns its best point, its value and the number of evaluations used.
func nelderMeadOnce(f func([]float64) float64, x0 []float64, f0, step, tol float64, maxEval int) ([]float64, float64, int) {
	n := len(x0)
	nf := float64(n)
	alpha, beta, gamma, delta := 1.0, 1+2/nf, 0.75-1/(2*nf), 1-1/nf
	safe := func(x []float64) float64 {
		v := f(x)
		if math.IsNaN(v) {
			return math.Inf(1)
		}
		return v
	}
	pts := make([][]float64, n+1)
	vals := make([]float64, n+1)
	pts[0] = append([]float64(nil), x0...)
	vals[0] = f0
	evals := 0
	for i := 1; i <= n; i++ {
		p := append([]float64(nil), x0...)
		p[i-1] += step
		pts[i] = p
		vals[i] = safe(p)
		evals++
	}
	centroid := make([]float64, n)
	point := func(from []float64, towards []float64, c float64) []float64 {
		p := make([]float64, n)
		for j := range p {
			p[j] = from[j] + c*(towards[j]-from[j])
		}
		return p
	}
	for evals < maxEval {
		// Order the simplex: insertion sort, n is tiny.
		for i := 1; i <= n; i++ {
			for j := i; j > 0 && vals[j] < vals[j-1]; j-- {
				vals[j], vals[j-1] = vals[j-1], vals[j]
				pts[j], pts[j-1] = pts[j-1], pts[j]
			}
		}
		// Converged when the values and the simplex are both small.
		spread := vals[n] - vals[0]
		size := 0.0
		for i := 1; i <= n; i++ {
			for j := 0; j < n; j++ {
				size = math.Max(size, math.Abs(pts[i][j]-pts[0][j]))
			}
		}
		if spread <= tol*(1+math.Abs(vals[0])) && size <= math.Sqrt(tol) {
			break
		}
		for j := range centroid {
			centroid[j] = 0
			for i := 0; i < n; i++ {
				centroid[j] += pts[i][j] / nf
			}
		}
		worst := pts[n]
		xr := point(centroid, worst, -alpha)
		fr := safe(xr)
		evals++
		switch {
		case fr < vals[0]:
			xe := point(centroid, worst, -alpha*beta)
			fe := safe(xe)
			evals++
			if fe < fr {
				pts[n], vals[n] = xe, fe
			} else {
				pts[n], vals[n] = xr, fr
			}
		case fr < vals[n-1]:
			pts[n], vals[n] = xr, fr
		default:
			var xc []float64
			if fr < vals[n] {
				xc = point(centroid, worst, -alpha*gamma)
			} else {
				xc = point(centroid, worst, gamma)
			}
			fc := safe(xc)
			evals++
			if fc < math.Min(fr, vals[n]) {
				pts[n], vals[n] = xc, fc
				continue
			}
			for i := 1; i <= n; i++ {
				pts[i] = point(pts[0], pts[i], delta)
				vals[i] = safe(pts[i])
				evals++
			}
		}
	}
	bi := 0
	for i := range vals {
		if vals[i] < vals[bi] {
			bi = i
		}
	}
	return pts[bi], vals[bi], evals
}

// subsampleAbove is the number of distinct rows above which multiStart
// explores its starting points on a subsample first.
const subsampleAbove = 5000

// multiStart minimises full from every start and returns the best point
// and value (ok false when the objective is not finite at any start).
// When sub is not nil (the same objective on an evenly spread subsample of
// a large data set) the starts are explored on sub and only the best is
// then polished on full, from a small simplex: on a million customers
// that saves most of the full-data evaluations, and the maximum is still
// the full data's.
func multiStart(full, sub func([]float64) float64, starts [][]float64) ([]float64, float64, bool) {
	explore := full
	if sub != nil {
		explore = sub
	}
	var best []float64
	fBest := math.Inf(1)
	for _, s := range starts {
		x, fx, err := nelderMead(explore, s, 0.5, 1e-12, 20000)
		if err == nil && fx < fBest {
			best, fBest = x, fx
		}
	}
	if best == nil {
		return nil, 0, false
	}
	if sub != nil {
		x, fx, err := nelderMead(full, best, 0.05, 1e-10, 20000)
		if err != nil {
			return nil, 0, false
		}
		best, fBest = x, fx
	}
	return best, fBest, true
}

// hessian returns the matrix of second derivatives of f at x by central
// differences with step h in every coordinate.
func hessian(f func([]float64) float64, x []float64, h float64) [][]float64 {
	n := len(x)
	at := func(di, dj int, si, sj float64) float64 {
		p := append([]float64(nil), x...)
		p[di] += si * h
		p[dj] += sj * h
		return f(p)
	}
	f0 := f(x)
	H := make([][]float64, n)
	for i := range H {
		H[i] = make([]float64, n)
	}
	for i := 0; i < n; i++ {
		p := append([]float64(nil), x...)
		p[i] += 2 * h
		fpp := f(p)
		p[i] = x[i] - 2*h
		fmm := f(p)
		// Five-point second difference on the diagonal.
		p[i] = x[i] + h
		fp := f(p)
		p[i] = x[i] - h
		fm := f(p)
		H[i][i] = (-fpp + 16*fp - 30*f0 + 16*fm - fmm) / (12 * h * h)
		for j := i + 1; j < n; j++ {
			v := (at(i, j, 1, 1) - at(i, j, 1, -1) - at(i, j, -1, 1) + at(i, j, -1, -1)) / (4 * h * h)
			H[i][j], H[j][i] = v, v
		}
	}
	return H
}

// invertSPD inverts a symmetric positive definite matrix by its Cholesky
// factor; ok is false when the matrix is not positive definite (the
// likelihood is flat or the optimiser stopped off the maximum), in which
// case no interval can be read from it.
func invertSPD(A [][]float64) (inv [][]float64, ok bool) {
	n := len(A)
	L := make([][]float64, n)
	for i := range L {
		L[i] = make([]float64, n)
	}
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			s := A[i][j]
			for k := 0; k < j; k++ {
				s -= L[i][k] * L[j][k]
			}
			if i == j {
				if !(s > 0) {
					return nil, false
				}
				L[i][i] = math.Sqrt(s)
			} else {
				L[i][j] = s / L[j][j]
			}
		}
	}
	// inv = L⁻ᵀ L⁻¹, column by column.
	inv = make([][]float64, n)
	for i := range inv {
		inv[i] = make([]float64, n)
	}
	for c := 0; c < n; c++ {
		y := make([]float64, n)
		for i := 0; i < n; i++ {
			s := 0.0
			if i == c {
				s = 1
			}
			for k := 0; k < i; k++ {
				s -= L[i][k] * y[k]
			}
			y[i] = s / L[i][i]
		}
		for i := n - 1; i >= 0; i-- {
			s := y[i]
			for k := i + 1; k < n; k++ {
				s -= L[k][i] * inv[k][c]
			}
			inv[i][c] = s / L[i][i]
		}
	}
	return inv, true
}

// bfgs minimises f from x0 with the BFGS quasi-Newton method (Nocedal &
// Wright 2006, algorithm 6.1) and a backtracking line search on the Armijo
// condition; fg returns f and its gradient at x. The first step is scaled
// to move at most maxStep in any coordinate (log-parameters: a factor of
// e^maxStep), so a first guess far from the optimum never overflows. It
// stops when the gradient is below gtol·(1+|f|) in every coordinate or f
// changes by less than ftol·(1+|f|) over an iteration whose step is
// small; ok is false when f or its gradient is not finite at x0 or the
// search could not make progress before converging (the caller then
// falls back to Nelder–Mead).
func bfgs(fg func(x, grad []float64) float64, x0 []float64, gtol, ftol float64, maxIter int) (x []float64, fx float64, evals int, ok bool) {
	const maxStep = 4.0
	n := len(x0)
	x = append([]float64(nil), x0...)
	g := make([]float64, n)
	fx = fg(x, g)
	evals = 1
	if !finiteAll(fx, g) {
		return nil, 0, evals, false
	}
	H := make([][]float64, n)
	for i := range H {
		H[i] = make([]float64, n)
		H[i][i] = 1
	}
	p := make([]float64, n)
	xn := make([]float64, n)
	gn := make([]float64, n)
	s := make([]float64, n)
	y := make([]float64, n)
	Hy := make([]float64, n)
	for iter := 0; iter < maxIter; iter++ {
		if maxAbs(g) <= gtol*(1+math.Abs(fx)) {
			return x, fx, evals, true
		}
		// p = −H g, a descent direction while H is positive definite;
		// otherwise restart from steepest descent.
		slope := 0.0
		for i := range p {
			p[i] = 0
			for j := range g {
				p[i] -= H[i][j] * g[j]
			}
			slope += p[i] * g[i]
		}
		if !(slope < 0) {
			resetIdentity(H)
			for i := range p {
				p[i] = -g[i]
			}
			slope = -dot(g, g)
		}
		step := 1.0
		if m := maxAbs(p); m > maxStep {
			step = maxStep / m
		}
		var fn float64
		accepted := false
		for ls := 0; ls < 60; ls++ {
			for i := range xn {
				xn[i] = x[i] + step*p[i]
			}
			fn = fg(xn, gn)
			evals++
			if finiteAll(fn, gn) && fn <= fx+1e-4*step*slope {
				accepted = true
				break
			}
			step *= 0.5
		}
		if !accepted {
			// No decrease along p even for a tiny step: at the precision
			// of f this is the minimum when the gradient is small.
			return x, fx, evals, maxAbs(g) <= math.Sqrt(gtol)*(1+math.Abs(fx))
		}
		sy := 0.0
		for i := range s {
			s[i] = xn[i] - x[i]
			y[i] = gn[i] - g[i]
			sy += s[i] * y[i]
		}
		df := fx - fn
		copy(x, xn)
		copy(g, gn)
		fx = fn
		if df <= ftol*(1+math.Abs(fx)) && maxAbs(s) <= 1e-3 {
			return x, fx, evals, true
		}
		if sy <= 1e-12*math.Sqrt(dot(s, s)*dot(y, y)) {
			continue // curvature condition fails: keep H
		}
		if iter == 0 {
			// Scale the first approximation (Nocedal & Wright eq. 6.20).
			sc := sy / dot(y, y)
			for i := range H {
				for j := range H[i] {
					H[i][j] *= sc
				}
			}
		}
		// H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ, with ρ = 1/(yᵀs).
		rho := 1 / sy
		yHy := 0.0
		for i := range Hy {
			Hy[i] = 0
			for j := range y {
				Hy[i] += H[i][j] * y[j]
			}
			yHy += y[i] * Hy[i]
		}
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				H[i][j] += -rho*(s[i]*Hy[j]+Hy[i]*s[j]) + (rho*rho*yHy+rho)*s[i]*s[j]
			}
		}
	}
	return x, fx, evals, maxAbs(g) <= math.Sqrt(gtol)*(1+math.Abs(fx))
}

func finiteAll(f float64, g []float64) bool {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return false
	}
	for _, v := range g {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

func maxAbs(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = math.Max(m, math.Abs(x))
	}
	return m
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func resetIdentity(H [][]float64) {
	for i := range H {
		for j := range H[i] {
			H[i][j] = 0
		}
		H[i][i] = 1
	}
}

// multiStartGrad minimises f (with gradient, fg) from each start with
// BFGS, stopping as soon as two starts reach the same minimum (within
// agree·(1+|f|)): then a further start is unlikely to find a better one
// (on well-identified data every start ends there; on data that leave a
// direction flat, the starts end at different points of the same
// plateau). A start where BFGS fails is retried with Nelder–Mead on f,
// so the result is never worse than the derivative-free search's.
func multiStartGrad(f func([]float64) float64, fg func(x, grad []float64) float64, starts [][]float64) ([]float64, float64, bool) {
	const agree = 1e-9
	var best []float64
	fBest := math.Inf(1)
	var found []float64
	for _, s := range starts {
		x, fx, _, ok := bfgs(fg, s, 1e-9, 1e-14, 500)
		if !ok {
			var err error
			x, fx, err = nelderMead(f, s, 0.5, 1e-12, 20000)
			if err != nil {
				continue
			}
		}
		for _, v := range found {
			if math.Abs(v-fx) <= agree*(1+math.Abs(fx)) {
				if fx < fBest {
					best, fBest = x, fx
				}
				return best, fBest, true
			}
		}
		found = append(found, fx)
		if fx < fBest {
			best, fBest = x, fx
		}
	}
	return best, fBest, best != nil
}

// symEigen returns the eigenvalues and eigenvectors (vecs[k] is the k-th)
// of the small symmetric matrix A by cyclic Jacobi rotations (Golub & Van
// Loan 2013, algorithm 8.5.3).
func symEigen(A [][]float64) (vals []float64, vecs [][]float64) {
	n := len(A)
	a := make([][]float64, n)
	v := make([][]float64, n)
	for i := range a {
		a[i] = append([]float64(nil), A[i]...)
		v[i] = make([]float64, n)
		v[i][i] = 1
	}
	for sweep := 0; sweep < 100; sweep++ {
		off, norm := 0.0, 0.0
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				norm += a[i][j] * a[i][j]
				if i != j {
					off += a[i][j] * a[i][j]
				}
			}
		}
		if off <= 1e-30*norm {
			break
		}
		for p := 0; p < n; p++ {
			for q := p + 1; q < n; q++ {
				if a[p][q] == 0 {
					continue
				}
				theta := (a[q][q] - a[p][p]) / (2 * a[p][q])
				t := math.Copysign(1, theta) / (math.Abs(theta) + math.Sqrt(theta*theta+1))
				c := 1 / math.Sqrt(t*t+1)
				s := t * c
				for k := 0; k < n; k++ {
					akp, akq := a[k][p], a[k][q]
					a[k][p], a[k][q] = c*akp-s*akq, s*akp+c*akq
				}
				for k := 0; k < n; k++ {
					apk, aqk := a[p][k], a[q][k]
					a[p][k], a[q][k] = c*apk-s*aqk, s*apk+c*aqk
				}
				for k := 0; k < n; k++ {
					vkp, vkq := v[k][p], v[k][q]
					v[k][p], v[k][q] = c*vkp-s*vkq, s*vkp+c*vkq
				}
			}
		}
	}
	vals = make([]float64, n)
	vecs = make([][]float64, n)
	for k := 0; k < n; k++ {
		vals[k] = a[k][k]
		vecs[k] = make([]float64, n)
		for i := 0; i < n; i++ {
			vecs[k][i] = v[i][k]
		}
	}
	return vals, vecs
}

// flatCovariance is the covariance of the log-parameters at a maximum
// on a plateau, where the information matrix I (the negative Hessian) is
// singular in some directions: the likelihood does not change along them
// (on the demo business, a and b of the BG/NBD growing together). It is
// the pseudo-inverse of I over the identified directions (eigenvalues
// above 1e-7 of the largest) and the unidentified directions, flat; ok
// is false when I has a clearly negative eigenvalue (not a maximum) or
// no identified direction.
func flatCovariance(I [][]float64) (cov [][]float64, flat [][]float64, ok bool) {
	vals, vecs := symEigen(I)
	top := 0.0
	for _, l := range vals {
		top = math.Max(top, l)
	}
	if !(top > 0) {
		return nil, nil, false
	}
	n := len(I)
	cov = make([][]float64, n)
	for i := range cov {
		cov[i] = make([]float64, n)
	}
	for k, l := range vals {
		switch {
		case l < -1e-4*top:
			return nil, nil, false
		case l <= 1e-7*top:
			flat = append(flat, vecs[k])
		default:
			for i := 0; i < n; i++ {
				for j := 0; j < n; j++ {
					cov[i][j] += vecs[k][i] * vecs[k][j] / l
				}
			}
		}
	}
	return cov, flat, len(flat) < n
}

// covarianceOf is the covariance of the log-parameters from the Hessian
// H of the negative log-likelihood at the optimum: its inverse, or on a
// plateau flatCovariance's, with the flat directions.
func covarianceOf(H [][]float64) (cov [][]float64, flat [][]float64, ok bool) {
	if inv, ok := invertSPD(H); ok {
		return inv, nil, true
	}
	return flatCovariance(H)
}
