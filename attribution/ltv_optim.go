package attribution

import (
	"errors"
	"math"
)

// The customer-value models (ltv_bgnbd.go, ltv_gammagamma.go) are fitted by
// maximum likelihood with a derivative-free minimiser over the logarithms of
// their parameters, so every parameter stays positive without constraints.
// The module has no numerical library (no gonum in go.sum), and a few
// dozen lines of Nelder–Mead with restarts are enough for 3 or 4 smooth
// parameters.

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
