package attribution

import (
	"errors"
	"fmt"
	"math"
)

// AllocChannel is one channel of an allocation: its fitted curve and the
// bounds of its weekly spend in currency units (Max may be +Inf).
type AllocChannel struct {
	Fit      ResponseFit
	Min, Max float64
}

// Allocate maximises Σ μ_c(s_c) subject to Σ s_c = total and
// Min_c ≤ s_c ≤ Max_c for concave curves μ_c (docs/BUDGET.md,
// "Reallocation"). By the KKT conditions the optimum is
// s_c(λ) = clamp((μ_c′)⁻¹(λ), Min_c, Max_c) for the λ with Σ s_c(λ) = total:
// channels inside their bounds share the marginal value λ (the marginal
// cost 1/λ). Σ s_c(λ) is non-increasing in λ, so λ is found by bisection on
// log λ; a straight-line channel (b = 1) makes the sum jump at λ = a, and
// the jump is split by interpolating between the two ends of the final
// bracket. It returns the spends and λ.
func Allocate(chs []AllocChannel, total float64) ([]float64, float64, error) {
	if len(chs) == 0 {
		if total != 0 {
			return nil, math.NaN(), errors.New("no channel to allocate to")
		}
		return nil, math.NaN(), nil
	}
	var lo, hi float64
	for i, c := range chs {
		if !(c.Min >= 0) || !(c.Max >= c.Min) {
			return nil, 0, fmt.Errorf("channel %d has bounds [%v, %v]", i+1, c.Min, c.Max)
		}
		lo += c.Min
		hi += c.Max
	}
	const rel = 1e-12
	if total < lo*(1-rel) || total > hi*(1+rel) {
		return nil, 0, fmt.Errorf("the total %.2f is outside the sum of the channel bounds [%.2f, %.2f]", total, lo, hi)
	}
	at := func(lambda float64) ([]float64, float64) {
		s, sum := make([]float64, len(chs)), 0.0
		for i, c := range chs {
			s[i] = math.Min(math.Max(c.Fit.inverseMarginal(lambda), c.Min), c.Max)
			sum += s[i]
		}
		return s, sum
	}
	// Bracket: S(λlo) ≥ total ≥ S(λhi).
	llo, lhi := 0.0, 0.0 // log λ
	for _, s := at(math.Exp(llo)); s < total; _, s = at(math.Exp(llo)) {
		if llo -= 2; llo < -700 {
			break
		}
	}
	for _, s := at(math.Exp(lhi)); s > total; _, s = at(math.Exp(lhi)) {
		if lhi += 2; lhi > 700 {
			break
		}
	}
	for i := 0; i < 200 && lhi-llo > 1e-15; i++ {
		mid := (llo + lhi) / 2
		if _, s := at(math.Exp(mid)); s >= total {
			llo = mid
		} else {
			lhi = mid
		}
	}
	sLo, sumLo := at(math.Exp(llo))
	sHi, sumHi := at(math.Exp(lhi))
	w := 0.0
	if sumLo > sumHi {
		w = (total - sumHi) / (sumLo - sumHi)
	}
	out := make([]float64, len(chs))
	for i := range out {
		out[i] = sHi[i] + w*(sLo[i]-sHi[i])
	}
	return out, math.Exp((llo + lhi) / 2), nil
}
