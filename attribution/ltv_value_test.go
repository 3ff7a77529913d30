package attribution

import (
	"math"
	"testing"
)

func cdnowFits(t *testing.T) (BGNBDFit, GammaGammaFit, []cdnowRow) {
	t.Helper()
	rows := loadCDNOW(t)
	bg, err := FitBGNBD(cdnowRFM(rows))
	if err != nil {
		t.Fatal(err)
	}
	gg, err := FitGammaGamma(cdnowSpend(rows))
	if err != nil {
		t.Fatal(err)
	}
	return bg, gg, rows
}

// TestDeltaMethodAgainstClosedForm checks the numerical delta method on a
// function whose log-gradient is known by hand: ln E[Z] = ln p + ln v −
// ln(q−1) has gradient (1, −q/(q−1), 1) in (ln p, ln q, ln v), so
// Var(ln E[Z]) = Σpp + Σvv + 2Σpv + k²Σqq − 2k(Σpq + Σqv) with k = q/(q−1).
func TestDeltaMethodAgainstClosedForm(t *testing.T) {
	bg, gg, _ := cdnowFits(t)
	est, err := deltaMethod(func(_ BGNBD, s GammaGamma) (float64, error) {
		z, _ := s.MeanSpend()
		return z, nil
	}, bg, gg)
	if err != nil || !est.IntervalOK {
		t.Fatalf("%v %+v", err, est)
	}
	S := gg.Cov
	k := gg.Q / (gg.Q - 1)
	vr := S[0][0] + S[2][2] + 2*S[0][2] + k*k*S[1][1] - 2*k*(S[0][1]+S[1][2])
	z, _ := gg.MeanSpend()
	wantLo, wantHi := z*math.Exp(-Z95*math.Sqrt(vr)), z*math.Exp(Z95*math.Sqrt(vr))
	if math.Abs(est.Low-wantLo) > 1e-6*z || math.Abs(est.High-wantHi) > 1e-6*z {
		t.Errorf("interval [%.6f, %.6f], closed form [%.6f, %.6f]", est.Low, est.High, wantLo, wantHi)
	}
	t.Logf("CDNOW E[Z] = %.3f [%.3f, %.3f]", z, est.Low, est.High)
}

func TestExpectedRepeatValueCDNOW(t *testing.T) {
	bg, gg, rows := cdnowFits(t)
	v, err := ExpectedRepeatValue(bg, gg, LTVHorizonWeeks)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := bg.ExpectedPurchases(LTVHorizonWeeks)
	z, _ := gg.MeanSpend()
	if math.Abs(v.Value-n*z) > 1e-9 || !v.IntervalOK || !(v.Low < v.Value && v.Value < v.High) {
		t.Errorf("value %+v, want %.4f inside its interval", v, n*z)
	}
	t.Logf("CDNOW 12-month (%.2f weeks) repeat value per new customer %.2f [%.2f, %.2f]; E[X] %.4f, E[Z] %.3f",
		LTVHorizonWeeks, v.Value, v.Low, v.High, n, z)

	// Customer 1 (x 2, t_x 30.43, T 38.86, z̄ 22.35) over the next 39
	// weeks: 1.226 purchases at E[Z|x, z̄] = p(v + x z̄)/(px+q−1).
	c := rows[0]
	cv, err := CustomerValue(bg, gg, c.RFM, RepeatSpend{X: c.X, Mean: c.Zbar}, 39)
	if err != nil {
		t.Fatal(err)
	}
	ey, _ := bg.ConditionalExpectedPurchases(c.RFM, 39)
	ez, _ := gg.ConditionalSpend(RepeatSpend{X: 2, Mean: 22.35})
	if math.Abs(cv.Value-ey*ez) > 1e-9 || !cv.IntervalOK || !(cv.Low < cv.Value && cv.Value < cv.High) {
		t.Errorf("customer value %+v, want %.4f", cv, ey*ez)
	}
	within(t, "customer 1 value (against 1.226 published × 24.66 by hand)", cv.Value, 1.226*24.66, 0.01)

	// A customer without repeat purchases is valued at the population mean.
	z0, err := CustomerValue(bg, gg, RFM{X: 0, T: 38}, RepeatSpend{}, 39)
	ey0, _ := bg.ConditionalExpectedPurchases(RFM{X: 0, T: 38}, 39)
	if err != nil || math.Abs(z0.Value-ey0*z) > 1e-9 {
		t.Errorf("x = 0 value %+v (%v), want %.4f", z0, err, ey0*z)
	}
	if _, err := CustomerValue(bg, gg, RFM{X: 2, Tx: 3, T: 38}, RepeatSpend{X: 1, Mean: 5}, 39); err == nil {
		t.Error("mismatched summaries accepted")
	}
}
