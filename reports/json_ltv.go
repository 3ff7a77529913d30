package reports

import (
	"strconv"

	"github.com/origen-analytics/origen/attribution"
)

// jsonLTV is the lifetime-value section (docs/LTV.md) under "ltv": money
// as decimal strings in the currency's minor unit, every undefined value
// null. LTV figures are on Basis ("revenue" when gross_margin is 1, else
// "margin"); the revenue curves are revenue.
type jsonLTV struct {
	Basis        string           `json:"basis"`
	GrossMargin  float64          `json:"gross_margin"`
	CohortMonths int              `json:"cohort_months"`
	Channels     []jsonLTVChannel `json:"channels"`
	Cohorts      []jsonLTVCohort  `json:"cohorts"`
}

// jsonHorizons are a curve's cumulative figures at months 1, 3, 6, 12, 24.
type jsonHorizons[T any] struct {
	M1  *T `json:"m1"`
	M3  *T `json:"m3"`
	M6  *T `json:"m6"`
	M12 *T `json:"m12"`
	M24 *T `json:"m24"`
}

type jsonLTVChannel struct {
	Channel                string                `json:"channel"`
	Registrations          int64                 `json:"registrations"`
	Customers              int64                 `json:"customers"`
	CostPerRegistration    *string               `json:"cost_per_registration"`
	CostPerCustomer        *string               `json:"cost_per_customer"`
	RevenuePerRegistration jsonHorizons[string]  `json:"revenue_per_registration"`
	RevenuePerCustomer     jsonHorizons[string]  `json:"revenue_per_customer"`
	RepeatRate             jsonHorizons[float64] `json:"repeat_rate"`
	PaybackMonths          *int                  `json:"payback_months"`
	LTVObserved12m         *string               `json:"ltv_observed_12m"`
	LTVProjected12m        *string               `json:"ltv_projected_12m"`
	LTVProjected12mLow     *string               `json:"ltv_projected_12m_low"`
	LTVProjected12mHigh    *string               `json:"ltv_projected_12m_high"`
	LTVToCAC               *float64              `json:"ltv_to_cac"`
	PAliveMean             *float64              `json:"p_alive_mean"`
	BGNBD                  *jsonBGNBD            `json:"bgnbd"`
	GammaGamma             *jsonGammaGamma       `json:"gamma_gamma"`
}

type jsonBGNBD struct {
	R         float64 `json:"r"`
	Alpha     float64 `json:"alpha"`
	A         float64 `json:"a"`
	B         float64 `json:"b"`
	LogLik    float64 `json:"loglik"`
	Customers int     `json:"customers"`
	Pooled    bool    `json:"pooled"`
}

type jsonGammaGamma struct {
	P float64 `json:"p"`
	Q float64 `json:"q"`
	V float64 `json:"v"`
}

type jsonLTVCohort struct {
	Channel                string               `json:"channel"`
	Cohort                 string               `json:"cohort"` // YYYY-MM
	Registrations          int64                `json:"registrations"`
	RevenuePerRegistration jsonHorizons[string] `json:"revenue_per_registration"`
}

// horizonsOf reads f at the months of attribution.LTVHorizons.
func horizonsOf[T any](c attribution.LTVCurve, f func(attribution.LTVPoint) *T) jsonHorizons[T] {
	return jsonHorizons[T]{M1: f(c.At(1)), M3: f(c.At(3)), M6: f(c.At(6)), M12: f(c.At(12)), M24: f(c.At(24))}
}

// jsonMoneyFloat is a model-based amount as a decimal string.
func jsonMoneyFloat(v float64, ok bool, cur attribution.Currency) *string {
	if !ok {
		return nil
	}
	s := strconv.FormatFloat(v, 'f', cur.Digits, 64)
	return &s
}

// jsonLTVOf is the "ltv" object of r; nil (null) without the section.
func jsonLTVOf(r attribution.Report) *jsonLTV {
	l := r.LTV
	if l == nil {
		return nil
	}
	cur := r.Currency
	perReg := func(p attribution.LTVPoint) *string { return jsonQuotient(p.RevenuePerRegistration(), cur) }
	out := &jsonLTV{Basis: l.Basis, GrossMargin: float64(l.GrossMargin), CohortMonths: l.CohortMonths,
		Channels: []jsonLTVChannel{}, Cohorts: []jsonLTVCohort{}}
	for _, c := range l.Channels {
		j := jsonLTVChannel{
			Channel: c.Channel, Registrations: c.Registrations, Customers: c.Customers,
			CostPerRegistration:    jsonQuotient(c.CostPerRegistration, cur),
			CostPerCustomer:        jsonQuotient(c.CostPerCustomer, cur),
			RevenuePerRegistration: horizonsOf(c.Curve, perReg),
			RevenuePerCustomer:     horizonsOf(c.Curve, func(p attribution.LTVPoint) *string { return jsonQuotient(p.RevenuePerCustomer(), cur) }),
			RepeatRate:             horizonsOf(c.Curve, func(p attribution.LTVPoint) *float64 { return jsonRatio(p.RepeatRate()) }),
			LTVObserved12m:         jsonQuotient(c.ObservedLTV12, cur),
			LTVProjected12m:        jsonMoneyFloat(c.Projected12.Value, c.ProjectedOK, cur),
			LTVProjected12mLow:     jsonMoneyFloat(c.Projected12.Low, c.ProjectedOK && c.Projected12.IntervalOK, cur),
			LTVProjected12mHigh:    jsonMoneyFloat(c.Projected12.High, c.ProjectedOK && c.Projected12.IntervalOK, cur),
			LTVToCAC:               jsonRatio(c.ProjectedLTVToCAC),
			PAliveMean:             jsonRatio(c.PAliveMean),
		}
		if m := c.Payback.Month; m > 0 {
			j.PaybackMonths = &m
		}
		if f := c.BGNBD; f != nil {
			j.BGNBD = &jsonBGNBD{R: f.R, Alpha: f.Alpha, A: f.A, B: f.B, LogLik: f.LogLik, Customers: f.Customers, Pooled: c.Pooled}
		}
		if f := c.GammaGamma; f != nil {
			j.GammaGamma = &jsonGammaGamma{P: f.P, Q: f.Q, V: f.V}
		}
		out.Channels = append(out.Channels, j)
	}
	for _, c := range l.Cohorts {
		out.Cohorts = append(out.Cohorts, jsonLTVCohort{Channel: c.Channel, Cohort: c.Cohort.String()[:7],
			Registrations: c.Registrations, RevenuePerRegistration: horizonsOf(c, perReg)})
	}
	return out
}
