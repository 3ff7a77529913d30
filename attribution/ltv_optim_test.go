package attribution

import (
	"math"
	"testing"
)

// TestBGNBDGradient: the analytic gradient of the BG/NBD log-likelihood
// (bgnbdLogLikGrad) equals central differences of the log-likelihood
// itself, on CDNOW and on data with large x, at ordinary and extreme
// parameters.
func TestBGNBDGradient(t *testing.T) {
	cdnow, err := groupRFM(cdnowRFM(loadCDNOW(t)))
	if err != nil {
		t.Fatal(err)
	}
	heavy, err := groupRFM([]RFM{{X: 0, T: 52}, {X: 1, Tx: 3, T: 52}, {X: 40, Tx: 50, T: 52}, {X: 400, Tx: 51, T: 52}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		gs   []rfmGroup
		m    BGNBD
	}{
		{"CDNOW published", cdnow, BGNBD{0.243, 4.414, 0.793, 2.426}},
		{"CDNOW far", cdnow, BGNBD{3, 0.2, 10, 0.05}},
		{"heavy", heavy, BGNBD{0.5, 2, 0.3, 4}},
		{"huge a and b", cdnow, BGNBD{0.2, 3, 4e7, 2e7}},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := []float64{math.Log(c.m.R), math.Log(c.m.Alpha), math.Log(c.m.A), math.Log(c.m.B)}
			f := bgnbdNLL(c.gs)
			grad := make([]float64, 4)
			fv := bgnbdNLLGrad(c.gs)(v, grad)
			if math.Abs(fv-f(v)) > 1e-9*math.Abs(fv) {
				t.Fatalf("value %v, bgnbdNLL %v", fv, f(v))
			}
			const h = 1e-5
			for i := range v {
				up := append([]float64(nil), v...)
				dn := append([]float64(nil), v...)
				up[i] += h
				dn[i] -= h
				num := (f(up) - f(dn)) / (2 * h)
				if math.Abs(num-grad[i]) > 1e-5*(1+math.Abs(num)) {
					t.Errorf("d/dθ%d: analytic %.9g, numeric %.9g", i, grad[i], num)
				}
			}
		})
	}
}

// TestBFGSRosenbrock: the quasi-Newton minimiser finds the minimum of
// Rosenbrock's function (1, 1) from the classic start (−1.2, 1).
func TestBFGSRosenbrock(t *testing.T) {
	fg := func(x, g []float64) float64 {
		a, b := 1-x[0], x[1]-x[0]*x[0]
		g[0] = -2*a - 400*x[0]*b
		g[1] = 200 * b
		return a*a + 100*b*b
	}
	x, fx, evals, ok := bfgs(fg, []float64{-1.2, 1}, 1e-12, 1e-20, 1000)
	if !ok || math.Abs(x[0]-1) > 1e-6 || math.Abs(x[1]-1) > 1e-6 || fx > 1e-12 {
		t.Fatalf("x %v f %g after %d evaluations (ok %v)", x, fx, evals, ok)
	}
	t.Logf("%d evaluations", evals)
}

// TestDigammaDiff: ψ(z+n) − ψ(z) = Σ_{k<n} 1/(z+k) for whole n, checked
// from tiny to huge z (where a plain difference of digammas would cancel),
// and ψ(z+½) − ψ(z) at z = ½ is 2 − 2 ln 2 + ... = ψ(1) − ψ(½) = 2 ln 2.
func TestDigammaDiff(t *testing.T) {
	for _, z := range []float64{1e-3, 0.5, 1, 3.7, 19.5, 20, 123.4, 1e6, 1e13} {
		for _, n := range []int{1, 2, 7, 30} {
			want := 0.0
			for k := n - 1; k >= 0; k-- {
				want += 1 / (z + float64(k))
			}
			if got := digammaDiff(z, float64(n)); math.Abs(got-want) > 1e-13*want {
				t.Errorf("ψ(%g+%d) − ψ(%g) = %.17g, want %.17g", z, n, z, got, want)
			}
		}
	}
	if got, want := digammaDiff(0.5, 0.5), 2*math.Ln2; math.Abs(got-want) > 1e-14 {
		t.Errorf("ψ(1) − ψ(½) = %.17g, want 2 ln 2 = %.17g", got, want)
	}
}

// TestGammaGammaGradient: the analytic gradient of the Gamma–Gamma
// log-likelihood equals central differences of ggNLL, at CDNOW's
// published parameters, far from them and on the plateau of huge q and v.
func TestGammaGammaGradient(t *testing.T) {
	var gs []ggGroup
	for i, x := range []int{1, 1, 2, 3, 5, 9, 30} {
		gs = append(gs, ggGroup{RepeatSpend{X: x, Mean: 5 + 7*float64(i)}, float64(1 + i)})
	}
	for _, m := range []GammaGamma{{6.25, 3.74, 15.44}, {0.3, 1.2, 900}, {2, 3e12, 4e13}} {
		v := []float64{math.Log(m.P), math.Log(m.Q), math.Log(m.V)}
		f := ggNLL(gs)
		grad := make([]float64, 3)
		if fv := ggNLLGrad(gs)(v, grad); math.Abs(fv-f(v)) > 1e-12*math.Abs(fv) {
			t.Fatalf("%+v: value %v, ggNLL %v", m, fv, f(v))
		}
		const h = 1e-5
		for i := range v {
			up := append([]float64(nil), v...)
			dn := append([]float64(nil), v...)
			up[i] += h
			dn[i] -= h
			num := (f(up) - f(dn)) / (2 * h)
			if math.Abs(num-grad[i]) > 1e-5*(1+math.Abs(num)) {
				t.Errorf("%+v d/dθ%d: analytic %.9g, numeric %.9g", m, i, grad[i], num)
			}
		}
	}
}

// TestFlatCovariance: on an information matrix singular along (1, 1, 0)
// (two parameters the data identify only through their difference, as a
// and b of the BG/NBD on a plateau) the covariance is the pseudo-inverse,
// 0 along the flat direction, which is reported; a clearly negative
// eigenvalue is no maximum.
func TestFlatCovariance(t *testing.T) {
	// I = 4 u uᵀ − 10⁻⁹ w wᵀ + 9 e₃ e₃ᵀ with u = (1, −1, 0)/√2 and
	// w = (1, 1, 0)/√2: the rounding noise of a numerical Hessian on a
	// plateau makes the flat eigenvalue slightly negative.
	e := 0.5e-9
	I := [][]float64{{2 - e, -2 - e, 0}, {-2 - e, 2 - e, 0}, {0, 0, 9}}
	if _, ok := invertSPD(I); ok {
		t.Fatal("an indefinite matrix inverted")
	}
	cov, flat, ok := covarianceOf(I)
	if !ok || len(flat) != 1 {
		t.Fatalf("ok %v, %d flat directions", ok, len(flat))
	}
	want := [][]float64{{0.125, -0.125, 0}, {-0.125, 0.125, 0}, {0, 0, 1.0 / 9}}
	for i := range want {
		for j := range want[i] {
			if math.Abs(cov[i][j]-want[i][j]) > 1e-9 {
				t.Errorf("cov[%d][%d] = %v, want %v", i, j, cov[i][j], want[i][j])
			}
		}
	}
	if v := flat[0]; math.Abs(math.Abs(v[0])-math.Sqrt(0.5)) > 1e-12 || math.Abs(v[0]-v[1]) > 1e-12 || v[2] != 0 {
		t.Errorf("flat direction %v, want ±(1, 1, 0)/√2", v)
	}
	if !onFlat(flat, 0) || !onFlat(flat, 1) || onFlat(flat, 2) {
		t.Error("parameters 0 and 1 move along the flat direction, 2 does not")
	}
	if _, _, ok := covarianceOf([][]float64{{1, 0}, {0, -1}}); ok {
		t.Error("a saddle gave a covariance")
	}
}
