package attribution

import (
	"encoding/csv"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

// cdnowRow is one line of testdata/cdnow_customers_summary_with_transactions.csv.
type cdnowRow struct {
	RFM
	Zbar float64
}

// loadCDNOW reads the CDNOW summary (testdata/cdnow_README.md) and checks
// the totals the papers quote, so a damaged file fails here and not as a
// slightly different fit.
func loadCDNOW(t *testing.T) []cdnowRow {
	t.Helper()
	f, err := os.Open("testdata/cdnow_customers_summary_with_transactions.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var rows []cdnowRow
	sumX, repeaters, sumZ := 0, 0, 0.0
	for i, r := range recs[1:] {
		num := func(s string) float64 {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatalf("line %d: %v", i+2, err)
			}
			return v
		}
		if id := int(num(r[0])); id != i+1 {
			t.Fatalf("line %d: ID %d, want %d", i+2, id, i+1)
		}
		row := cdnowRow{RFM{X: int(num(r[1])), Tx: num(r[2]), T: num(r[3])}, num(r[4])}
		rows = append(rows, row)
		sumX += row.X
		if row.X > 0 {
			repeaters++
			sumZ += row.Zbar
		}
	}
	if len(rows) != 2357 || sumX != 2457 || repeaters != 946 || math.Abs(sumZ-33184.31) > 0.005 {
		t.Fatalf("CDNOW summary: %d rows, Σx %d, %d repeaters, Σzbar %.2f; want 2357, 2457, 946, 33184.31",
			len(rows), sumX, repeaters, sumZ)
	}
	return rows
}

func cdnowRFM(rows []cdnowRow) []RFM {
	cs := make([]RFM, len(rows))
	for i, r := range rows {
		cs[i] = r.RFM
	}
	return cs
}

func within(t *testing.T, name string, got, want, rel float64) {
	t.Helper()
	if math.Abs(got-want) > rel*math.Abs(want) {
		t.Errorf("%s = %.6g, want %.6g ± %.2g%%", name, got, want, 100*rel)
	} else {
		t.Logf("%s = %.6g (published %.6g)", name, got, want)
	}
}

// TestBGNBDCDNOW reproduces the published BG/NBD fit of the CDNOW sample
// (FHL 2005, section 5): r = 0.243, α = 4.414,
// a = 0.793, b = 2.426, LL = −9582.4, and E[X(t)] of equation (9) at 1, 3,
// 32 and 78 weeks.
func TestBGNBDCDNOW(t *testing.T) {
	fit, err := FitBGNBD(cdnowRFM(loadCDNOW(t)))
	if err != nil {
		t.Fatal(err)
	}
	within(t, "r", fit.R, 0.243, 0.01)
	within(t, "alpha", fit.Alpha, 4.414, 0.01)
	within(t, "a", fit.A, 0.793, 0.01)
	within(t, "b", fit.B, 2.426, 0.01)
	if math.Abs(fit.LogLik-(-9582.4)) > 0.1 {
		t.Errorf("log-likelihood %.3f, want −9582.4", fit.LogLik)
	}
	t.Logf("log-likelihood %.4f", fit.LogLik)
	if fit.Customers != 2357 || !fit.CovOK {
		t.Errorf("customers %d, covariance %v", fit.Customers, fit.CovOK)
	}
	for _, c := range []struct{ t, want float64 }{{1, 0.0532}, {3, 0.1506}, {32, 1.0437}, {78, 1.8576}} {
		got, err := fit.ExpectedPurchases(c.t)
		if err != nil {
			t.Fatal(err)
		}
		within(t, "E[X("+strconv.FormatFloat(c.t, 'g', -1, 64)+")]", got, c.want, 0.01)
	}
	for i, name := range []string{"r", "alpha", "a", "b"} {
		lo, hi, _ := fit.Interval(i)
		t.Logf("%s 95%% interval [%.4f, %.4f]", name, lo, hi)
	}
}

// TestBGNBDPublishedParameters evaluates the model at the paper's rounded
// parameters: the log-likelihood and equation (9) must give the published
// figures, and equation (10) the 1.226 expected purchases in the next 39
// weeks of the customer with x = 2, t_x = 30.43, T = 38.86 (the first
// customer of the sample; the figure of Hardie's BG/NBD spreadsheet, which
// the lifetimes tests also check).
func TestBGNBDPublishedParameters(t *testing.T) {
	m := BGNBD{R: 0.243, Alpha: 4.414, A: 0.793, B: 2.426}
	ll, err := BGNBDLogLikelihood(m, cdnowRFM(loadCDNOW(t)))
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(ll-(-9582.4)) > 1 {
		t.Errorf("log-likelihood at the published parameters %.2f, want about −9582.4", ll)
	}
	for _, c := range []struct{ t, want float64 }{{1, 0.0532}, {3, 0.1506}, {32, 1.0437}, {78, 1.8576}} {
		got, _ := m.ExpectedPurchases(c.t)
		within(t, "E[X(t)]", got, c.want, 0.005)
	}
	// The grouped sum the fit maximises equals the per-customer sum.
	sum := 0.0
	for _, c := range cdnowRFM(loadCDNOW(t)) {
		sum += m.LogLikelihood(c)
	}
	if math.Abs(sum-ll) > 1e-6 {
		t.Errorf("grouped log-likelihood %.9f, per customer %.9f", ll, sum)
	}
	got, err := m.ConditionalExpectedPurchases(RFM{X: 2, Tx: 30.43, T: 38.86}, 39)
	if err != nil {
		t.Fatal(err)
	}
	within(t, "E[Y(39)|2, 30.43, 38.86]", got, 1.226, 0.005)
}

// TestBGNBDExpectedPurchasesByIntegration checks equation (9) against a
// computation that does not use the hypergeometric function: E[X(t)] =
// E_p[(1 − (α/(α+pt))^r)/p] with p ~ Beta(a, b) (the integral behind the
// paper's derivation of (9)), by quadrature.
func TestBGNBDExpectedPurchasesByIntegration(t *testing.T) {
	for _, m := range []BGNBD{{0.243, 4.414, 0.793, 2.426}, {1.5, 10, 2.2, 6}, {0.5, 2, 0.4, 0.9}} {
		for _, tw := range []float64{0.5, 3, 52, 200} {
			got, err := m.ExpectedPurchases(tw)
			if err != nil {
				t.Fatal(err)
			}
			g := func(p float64) float64 {
				return -math.Expm1(m.R*math.Log(m.Alpha/(m.Alpha+p*tw))) / p
			}
			want := betaExpectation(g, m.A, m.B)
			if math.Abs(got-want) > 1e-6*math.Max(1, want) {
				t.Errorf("%+v t=%v: equation (9) %.9f, integral %.9f", m, tw, got, want)
			}
		}
	}
}

// betaExpectation integrates g against the Beta(a, b) density. The
// endpoint singularities are removed by substitution (p = u^k on [0, ½]
// with k·a = 4, and 1−p = w^j on [½, 1] with j·b = 4, which turn the
// density's p^(a−1) dp into a smooth 4·u³ du/a) before Simpson's rule.
func betaExpectation(g func(float64) float64, a, b float64) float64 {
	lb := lgamma(a) + lgamma(b) - lgamma(a+b)
	simpson := func(f func(float64) float64, lo, hi float64) float64 {
		const n = 100000
		h := (hi - lo) / n
		s := f(lo) + f(hi)
		for i := 1; i < n; i++ {
			w := 2.0
			if i%2 == 1 {
				w = 4
			}
			s += w * f(lo+float64(i)*h)
		}
		return s * h / 3
	}
	k, j := 4/a, 4/b
	left := simpson(func(u float64) float64 {
		if u == 0 {
			return 0
		}
		p := math.Pow(u, k)
		return g(p) * math.Pow(1-p, b-1) * k * math.Pow(u, k*a-1)
	}, 0, math.Pow(0.5, 1/k))
	right := simpson(func(w float64) float64 {
		if w == 0 {
			return 0
		}
		q := math.Pow(w, j)
		return g(1-q) * math.Pow(1-q, a-1) * j * math.Pow(w, j*b-1)
	}, 0, math.Pow(0.5, 1/j))
	return (left + right) / math.Exp(lb)
}

func TestBGNBDPAlive(t *testing.T) {
	m := BGNBD{R: 0.243, Alpha: 4.414, A: 0.793, B: 2.426}
	// By hand: a/(b+x−1) = 0.793/3.426 = 0.231465; ((α+T)/(α+t_x))^(r+x)
	// = (43.274/34.844)^2.243 = 1.241935^2.243 = 1.62580; P = 1/(1 + 0.376316).
	got := m.PAlive(RFM{X: 2, Tx: 30.43, T: 38.86})
	if math.Abs(got-1/(1+0.231465*1.62580)) > 1e-4 {
		t.Errorf("P(alive) %.6f, want %.6f", got, 1/(1+0.231465*1.62580))
	}
	if p := m.PAlive(RFM{X: 0, T: 38.86}); p != 1 {
		t.Errorf("P(alive) with no repeat purchase = %v, want 1", p)
	}
	// The more recent the last purchase, the likelier alive.
	if m.PAlive(RFM{X: 5, Tx: 10, T: 38}) >= m.PAlive(RFM{X: 5, Tx: 37, T: 38}) {
		t.Error("P(alive) does not increase with recency")
	}
	// Large x stays finite (note 027's #NUM! case).
	if p := m.PAlive(RFM{X: 400, Tx: 20, T: 38}); !(p >= 0 && p < 1e-10) {
		t.Errorf("P(alive) for x = 400 far from recent: %v", p)
	}
	if ll := m.LogLikelihood(RFM{X: 400, Tx: 20, T: 38}); math.IsInf(ll, 0) || math.IsNaN(ll) {
		t.Errorf("log-likelihood for x = 400 is %v", ll)
	}
}

func TestBGNBDBadInput(t *testing.T) {
	cases := map[string][]RFM{
		"negative x":        {{X: -1, T: 3}},
		"negative T":        {{X: 0, T: -1}},
		"NaN T":             {{X: 0, T: math.NaN()}},
		"t_x after T":       {{X: 1, Tx: 5, T: 4}},
		"t_x without x":     {{X: 0, Tx: 1, T: 4}},
		"x without t_x":     {{X: 2, Tx: 0, T: 4}},
		"too few customers": {{X: 1, Tx: 1, T: 4}, {X: 0, T: 4}},
	}
	for name, cs := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := FitBGNBD(cs)
			if err == nil {
				t.Fatal("no error")
			}
			t.Log(err)
		})
	}
	if _, err := (BGNBD{1, 1, 1, 1}).ExpectedPurchases(3); err == nil {
		t.Error("a = 1 accepted")
	}
}

// TestBGNBDDegenerateData: data that barely identify the model still give
// a finite fit or a clear error, never a panic, NaN or endless search.
func TestBGNBDDegenerateData(t *testing.T) {
	same := func(n int, c RFM) []RFM {
		cs := make([]RFM, n)
		for i := range cs {
			cs[i] = c
		}
		return cs
	}
	cases := map[string][]RFM{
		"two repeaters":       append(same(100, RFM{T: 10}), RFM{X: 1, Tx: 2, T: 10}, RFM{X: 3, Tx: 9, T: 10}),
		"everyone identical":  same(50, RFM{X: 2, Tx: 5, T: 10}),
		"heavy buyers":        append(same(40, RFM{X: 400, Tx: 51, T: 52}), same(40, RFM{T: 52})...),
		"born on as_of's day": append(same(40, RFM{T: 0}), same(40, RFM{X: 1, Tx: 3, T: 8})...),
	}
	for name, cs := range cases {
		t.Run(name, func(t *testing.T) {
			fit, err := FitBGNBD(cs)
			if err != nil {
				t.Logf("error: %v", err)
				return
			}
			ps := fit.Params()
			for _, v := range append(ps[:], fit.LogLik) {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("fit %+v", fit)
				}
			}
			t.Logf("r %.4g α %.4g a %.4g b %.4g LL %.4f covariance %v", fit.R, fit.Alpha, fit.A, fit.B, fit.LogLik, fit.CovOK)
			if name == "everyone identical" {
				// 50 identical customers (x 2, t_x 5, T 10): no mixture beats
				// the best single (λ, p), L = (1−p)²λ²e^(−10λ) + p(1−p)λ²e^(−5λ)
				// (equation 3 of the paper), and the fit must reach it.
				best := math.Inf(-1)
				for i := 1; i <= 2000; i++ {
					l := float64(i) / 1000
					for j := 0; j < 2000; j++ {
						p := float64(j) / 2000
						v := math.Log((1-p)*(1-p)*l*l*math.Exp(-10*l) + p*(1-p)*l*l*math.Exp(-5*l))
						best = math.Max(best, v)
					}
				}
				// The grid maximum is a lower bound, close to the supremum.
				if fit.LogLik > 50*best+1e-3 || fit.LogLik < 50*best-1e-3 {
					t.Errorf("log-likelihood %.6f, the supremum is %.6f", fit.LogLik, 50*best)
				}
			}
		})
	}
}

func TestLbeta(t *testing.T) {
	// Against the plain log-gamma difference where that is exact enough,
	// across the three branches.
	for _, ab := range [][2]float64{{0.3, 0.7}, {2.5, 3}, {0.5, 12}, {3, 40}, {11, 11}, {15.5, 230}, {400, 0.2}} {
		want := lgamma(ab[0]) + lgamma(ab[1]) - lgamma(ab[0]+ab[1])
		if got := lbeta(ab[0], ab[1]); math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
			t.Errorf("lbeta(%v, %v) = %.15g, want %.15g", ab[0], ab[1], got, want)
		}
	}
	// Closed forms at large arguments, where the difference fails:
	// B(a, 1) = 1/a and B(a, 2) = 1/(a(a+1)).
	for _, a := range []float64{1e6, 1e12, 4.9e16} {
		if got, want := lbeta(a, 1), -math.Log(a); math.Abs(got-want) > 1e-12*math.Abs(want) {
			t.Errorf("lbeta(%g, 1) = %.15g, want %.15g", a, got, want)
		}
		if got, want := lbeta(a, 2), -math.Log(a)-math.Log(a+1); math.Abs(got-want) > 1e-12*math.Abs(want) {
			t.Errorf("lbeta(%g, 2) = %.15g, want %.15g", a, got, want)
		}
	}
}

// TestFitBGNBDCounts: the grouped input (as a GROUP BY returns it, rows in
// any order and a history split over several rows) gives the same fit as
// the per-customer input.
func TestFitBGNBDCounts(t *testing.T) {
	cs := cdnowRFM(loadCDNOW(t))
	want, err := FitBGNBD(cs)
	if err != nil {
		t.Fatal(err)
	}
	n := map[RFM]int64{}
	for _, c := range cs {
		n[c]++
	}
	var counts []RFMCount
	for c, k := range n {
		if k > 1 {
			counts = append(counts, RFMCount{c, 1}, RFMCount{c, k - 1})
		} else {
			counts = append(counts, RFMCount{c, k})
		}
	}
	got, err := FitBGNBDCounts(counts)
	if err != nil {
		t.Fatal(err)
	}
	if got.BGNBD != want.BGNBD || got.LogLik != want.LogLik || got.Customers != 2357 {
		t.Errorf("grouped fit %+v, per-customer fit %+v", got.BGNBD, want.BGNBD)
	}
	if _, err := FitBGNBDCounts([]RFMCount{{RFM{T: 3}, 0}}); err == nil || !strings.Contains(err.Error(), "summary row 1: 0 customers") {
		t.Errorf("zero count: %v", err)
	}
}

// TestMultiStartSubsample: exploring the starting points on a subsample
// and polishing on the full data finds the same maximum as exploring on
// the full data (CDNOW six times over with shifted ages, over 6,000
// distinct histories, above subsampleAbove).
func TestMultiStartSubsample(t *testing.T) {
	var cs []RFM
	for k := 0; k < 6; k++ {
		for _, c := range cdnowRFM(loadCDNOW(t)) {
			c.T += float64(k) / 7
			cs = append(cs, c)
		}
	}
	gs, err := groupRFM(cs)
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) <= subsampleAbove {
		t.Fatalf("%d histories, want more than %d", len(gs), subsampleAbove)
	}
	full := bgnbdNLL(gs)
	var few []rfmGroup
	for i := 0; i < len(gs); i += len(gs) / subsampleAbove {
		few = append(few, gs[i])
	}
	starts := bgnbdStarts(35)
	x1, f1, ok1 := multiStart(full, nil, starts)
	x2, f2, ok2 := multiStart(full, bgnbdNLL(few), starts)
	if !ok1 || !ok2 || math.Abs(f1-f2) > 1e-6*math.Abs(f1) {
		t.Fatalf("full %v %v, subsample %v %v", f1, ok1, f2, ok2)
	}
	for i := range x1 {
		if math.Abs(math.Exp(x1[i])/math.Exp(x2[i])-1) > 1e-3 {
			t.Errorf("parameter %d: %.6f vs %.6f", i, math.Exp(x1[i]), math.Exp(x2[i]))
		}
	}
	fit, err := FitBGNBD(cs)
	if err != nil || math.Abs(fit.LogLik+f2) > 1e-6*math.Abs(f2) {
		t.Errorf("FitBGNBD %.4f (%v), want %.4f", fit.LogLik, err, -f2)
	}
}
