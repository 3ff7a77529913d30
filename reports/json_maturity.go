package reports

import (
	"time"

	"github.com/origen-analytics/origen/attribution"
)

// jsonProjection is a row's projection (docs/METRICS-COHORTS.md,
// "Projection"), embedded in jsonChannel after the observed figures: the
// projectionColumns' keys in their order. Money is a decimal string
// rounded to the currency's minor unit; every undefined value is null.
type jsonProjection struct {
	ProjectedCustomers           *float64 `json:"projected_customers"`
	ProjectedCustomersLow        *float64 `json:"projected_customers_low"`
	ProjectedCustomersHigh       *float64 `json:"projected_customers_high"`
	ProjectedConversionRate      *float64 `json:"projected_conversion_rate"`
	ProjectedConversionRateLow   *float64 `json:"projected_conversion_rate_low"`
	ProjectedConversionRateHigh  *float64 `json:"projected_conversion_rate_high"`
	ProjectedCostPerCustomer     *string  `json:"projected_cost_per_customer"`
	ProjectedCostPerCustomerLow  *string  `json:"projected_cost_per_customer_low"`
	ProjectedCostPerCustomerHigh *string  `json:"projected_cost_per_customer_high"`
	// ProjectionBasis is "observed", "channel" or "all channels"; null
	// without a projection.
	ProjectionBasis *string `json:"projection_basis"`
}

func jsonProjectionOf(m attribution.ChannelMetrics, cur attribution.Currency) jsonProjection {
	j := jsonProjection{
		ProjectedCustomers:           jsonRatio(m.ProjectedCustomers),
		ProjectedCustomersLow:        jsonRatio(m.ProjectedCustomersLow),
		ProjectedCustomersHigh:       jsonRatio(m.ProjectedCustomersHigh),
		ProjectedConversionRate:      jsonRatio(m.ProjectedConversionRate),
		ProjectedConversionRateLow:   jsonRatio(m.ProjectedConversionRateLow),
		ProjectedConversionRateHigh:  jsonRatio(m.ProjectedConversionRateHigh),
		ProjectedCostPerCustomer:     jsonEstimate(m.ProjectedCostPerCustomer, cur),
		ProjectedCostPerCustomerLow:  jsonEstimate(m.ProjectedCostPerCustomerLow, cur),
		ProjectedCostPerCustomerHigh: jsonEstimate(m.ProjectedCostPerCustomerHigh, cur),
	}
	if m.ProjectionCurve != attribution.ProjectionNone {
		basis := m.ProjectionCurve
		j.ProjectionBasis = &basis
	}
	return j
}

// jsonEstimate is a money estimate as a decimal string, nil when undefined.
func jsonEstimate(m attribution.MoneyEstimate, cur attribution.Currency) *string {
	if !m.Valid {
		return nil
	}
	s := m.Format(cur.Digits)
	return &s
}

// jsonMaturity is registration quality over time (docs/METRICS-COHORTS.md),
// at the end of the JSON document. Lists are [] and objects null when the
// report has none.
type jsonMaturity struct {
	// CurvePeriod is the local dates of the registrations the curves are
	// estimated from (To exclusive, like period).
	CurvePeriod *jsonPeriod         `json:"curve_period"`
	Curves      jsonList[jsonCurve] `json:"curves"`
	// CurvesTotal is the curve of all channels pooled.
	CurvesTotal  *jsonCurve           `json:"curves_total"`
	CohortGrain  *string              `json:"cohort_grain"`
	Cohorts      jsonList[jsonCohort] `json:"cohorts"`
	CohortTotals jsonList[jsonCohort] `json:"cohort_totals"`
	Trend        jsonList[jsonTrend]  `json:"trend"`
	TrendTotals  jsonList[jsonTrend]  `json:"trend_totals"`
	// Prospects and Backtest are null when not computed.
	Prospects *jsonProspects `json:"prospects"`
	Backtest  *jsonBacktest  `json:"backtest"`
	// EventModel is null without an [events] mapping.
	EventModel *jsonEventModel `json:"event_model"`
}

// jsonEventModel is the logistic model that scored the prospects from their
// activity: its coefficients in order (the intercept first), what it was
// trained on, and its out-of-time backtest.
type jsonEventModel struct {
	Coefficients []jsonCoefficient `json:"coefficients"`
	TrainedAt    string            `json:"trained_at"`
	OutcomeEnd   string            `json:"outcome_end"`
	Users        int64             `json:"users"`
	Converted    int64             `json:"converted"`
	Backtest     *jsonBacktest     `json:"backtest"`
}

type jsonCoefficient struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
}

// jsonCurve is a Kaplan–Meier conversion curve, one entry per day d = 0..W.
type jsonCurve struct {
	Channel       string `json:"channel"`
	Registrations int64  `json:"registrations"`
	Conversions   int64  `json:"conversions"`
	// Complete: somebody was followed through the last day of the window,
	// so projections and scores may use the curve.
	Complete bool           `json:"complete"`
	Days     []jsonCurveDay `json:"days"`
}

// jsonCurveDay is day d of a curve: the registrations at risk, those that
// made their first purchase on the day and those censored at d, and F(d)
// with its 95% band (fractions).
type jsonCurveDay struct {
	Day       int      `json:"day"`
	AtRisk    int64    `json:"at_risk"`
	Converted int64    `json:"converted"`
	Censored  int64    `json:"censored"`
	F         *float64 `json:"f"`
	Low       *float64 `json:"low"`
	High      *float64 `json:"high"`
}

// jsonCohort is a row of the cohorts (a channel × cohort, or a cohort's
// Total): cohortColumns' keys in their order after the channel, the cohort
// label and its dates.
type jsonCohort struct {
	Channel                string     `json:"channel"`
	Cohort                 string     `json:"cohort"`
	Dates                  jsonPeriod `json:"dates"`
	Registrations          int64      `json:"registrations"`
	Customers              int64      `json:"customers"`
	ImmatureRegistrations  int64      `json:"immature_registrations"`
	ConversionRate         *float64   `json:"conversion_rate"`
	ConversionDay7         *float64   `json:"conversion_day_7"`
	ConversionDay14        *float64   `json:"conversion_day_14"`
	ConversionDay30        *float64   `json:"conversion_day_30"`
	ConversionDay60        *float64   `json:"conversion_day_60"`
	Revenue                string     `json:"revenue"`
	RevenuePerRegistration *string    `json:"revenue_per_registration"`
	Spend                  string     `json:"spend"`
	CostPerRegistration    *string    `json:"cost_per_registration"`
	CostPerCustomer        *string    `json:"cost_per_customer"`
}

// jsonTrend is a row of the weekly trend: trendColumns' keys in their
// order after the channel, the ISO week and its dates.
type jsonTrend struct {
	Channel               string     `json:"channel"`
	Week                  string     `json:"week"`
	Dates                 jsonPeriod `json:"dates"`
	Registrations         int64      `json:"registrations"`
	Customers             int64      `json:"customers"`
	ImmatureRegistrations int64      `json:"immature_registrations"`
	ConversionRate        *float64   `json:"conversion_rate"`
	Spend                 string     `json:"spend"`
	CostPerCustomer       *string    `json:"cost_per_customer"`
}

// jsonProspects are the best-scored prospects of the report.
type jsonProspects struct {
	HorizonDays int `json:"horizon_days"`
	// Scored is how many prospects were scored; Top lists the best.
	Scored int64          `json:"scored"`
	Top    []jsonProspect `json:"top"`
}

// jsonProspect is one prospect; registered_at is RFC 3339 in the report's
// time zone, as in prospects.csv, and campaign null when there is none.
type jsonProspect struct {
	Rank         int     `json:"rank"`
	UserID       string  `json:"user_id"`
	Channel      string  `json:"channel"`
	Campaign     *string `json:"campaign"`
	RegisteredAt string  `json:"registered_at"`
	AgeDays      int     `json:"age_days"`
	Probability  float64 `json:"probability"`
	Basis        string  `json:"basis"`
}

// jsonBacktest mirrors prospects_backtest.csv: instants in UTC, rates as
// fractions, null where undefined.
type jsonBacktest struct {
	ScoredAt          string       `json:"scored_at"`
	OutcomeEnd        string       `json:"outcome_end"`
	HorizonDays       int          `json:"horizon_days"`
	Prospects         int64        `json:"prospects"`
	Converted         int64        `json:"converted"`
	BaseRate          *float64     `json:"base_rate"`
	TopN              int64        `json:"top_n"`
	PrecisionAtTopN   *float64     `json:"precision_at_top_n"`
	TopDecileRate     *float64     `json:"top_decile_rate"`
	TopDecileLift     *float64     `json:"top_decile_lift"`
	CalibrationError  *float64     `json:"calibration_error"`
	MaxCalibrationGap *float64     `json:"max_calibration_gap"`
	Deciles           []jsonDecile `json:"deciles"`
}

// jsonDecile is a tenth of the backtest's prospects by score (1 = best);
// prospects is fractional where a group of equal scores straddles two.
type jsonDecile struct {
	Decile       int      `json:"decile"`
	Prospects    float64  `json:"prospects"`
	MeanScore    *float64 `json:"mean_score"`
	ObservedRate *float64 `json:"observed_rate"`
}

// jsonMaturityOf builds the maturity part of r's JSON document.
func jsonMaturityOf(r attribution.Report) jsonMaturity {
	cur := r.Currency
	cohorts := func(cs []attribution.CohortMetrics) jsonList[jsonCohort] {
		return jsonListOf(len(cs), func(i int) jsonCohort { return jsonCohortOf(cs[i], cur) })
	}
	trend := func(cs []attribution.CohortMetrics) jsonList[jsonTrend] {
		return jsonListOf(len(cs), func(i int) jsonTrend { return jsonTrendOf(cs[i], cur) })
	}
	j := jsonMaturity{
		Curves:  jsonListOf(len(r.Curves), func(i int) jsonCurve { return jsonCurveOf(r.Curves[i]) }),
		Cohorts: cohorts(r.Cohorts), CohortTotals: cohorts(r.CohortTotals),
		Trend: trend(r.Trend), TrendTotals: trend(r.TrendTotals),
	}
	if r.CurvePeriod != (attribution.Period{}) {
		j.CurvePeriod = &jsonPeriod{From: r.CurvePeriod.From.String(), To: r.CurvePeriod.To.String()}
	}
	if r.CurvesTotal.WindowDays > 0 {
		total := jsonCurveOf(r.CurvesTotal)
		total.Channel = totalLabel
		j.CurvesTotal = &total
	}
	if r.CohortGrain != "" {
		g := string(r.CohortGrain)
		j.CohortGrain = &g
	}
	if r.ProspectsHorizonDays > 0 {
		loc := reportLocation(r)
		p := &jsonProspects{HorizonDays: r.ProspectsHorizonDays, Scored: r.ProspectsScored, Top: []jsonProspect{}}
		for i, x := range r.Prospects {
			jp := jsonProspect{Rank: i + 1, UserID: x.UserID, Channel: x.Channel, RegisteredAt: x.RegisteredAt.In(loc).Format(time.RFC3339),
				AgeDays: x.AgeDays, Probability: x.Probability, Basis: x.Basis}
			if x.Campaign != attribution.NoCampaign {
				camp := x.Campaign
				jp.Campaign = &camp
			}
			p.Top = append(p.Top, jp)
		}
		j.Prospects = p
	}
	if bt := r.Backtest; bt != nil {
		j.Backtest = jsonBacktestOf(*bt)
	}
	if m := r.EventModel; m != nil {
		jm := &jsonEventModel{Coefficients: []jsonCoefficient{}, TrainedAt: m.TrainedOn[0].UTC().Format(time.RFC3339Nano),
			OutcomeEnd: m.TrainedOn[1].UTC().Format(time.RFC3339Nano), Users: m.Users, Converted: m.Converted}
		for _, c := range m.Coefficients {
			jm.Coefficients = append(jm.Coefficients, jsonCoefficient{Name: c.Name, Value: c.Value})
		}
		if m.Backtest != nil {
			jm.Backtest = jsonBacktestOf(*m.Backtest)
		}
		j.EventModel = jm
	}
	return j
}

// jsonBacktestOf mirrors a backtest (prospects_backtest.csv).
func jsonBacktestOf(bt attribution.Backtest) *jsonBacktest {
	jb := &jsonBacktest{
		ScoredAt: bt.AsOf.UTC().Format(time.RFC3339Nano), OutcomeEnd: bt.OutcomeEnd.UTC().Format(time.RFC3339Nano),
		HorizonDays: bt.HorizonDays, Prospects: bt.Users, Converted: bt.Converted, BaseRate: jsonRatio(bt.BaseRate),
		TopN: bt.TopN, PrecisionAtTopN: jsonRatio(bt.PrecisionAtN), TopDecileRate: jsonRatio(bt.TopDecileRate),
		TopDecileLift: jsonRatio(bt.TopDecileLift), CalibrationError: jsonRatio(bt.CalibrationError),
		MaxCalibrationGap: jsonRatio(bt.MaxCalibrationGap), Deciles: []jsonDecile{},
	}
	for _, d := range bt.Deciles {
		jb.Deciles = append(jb.Deciles, jsonDecile{Decile: d.Decile, Prospects: d.Users,
			MeanScore: jsonRatio(attribution.Ratio{Value: d.MeanScore, Valid: true}), ObservedRate: jsonRatio(attribution.Ratio{Value: d.ObservedRate, Valid: true})})
	}
	return jb
}

func jsonCurveOf(c attribution.Curve) jsonCurve {
	j := jsonCurve{Channel: curveLabel(c), Registrations: c.Registrations, Conversions: c.Conversions, Complete: c.Complete(), Days: []jsonCurveDay{}}
	for d := 0; d <= c.WindowDays && d < len(c.F); d++ {
		f := func(v float64) *float64 { return jsonRatio(attribution.Ratio{Value: v, Valid: true}) }
		j.Days = append(j.Days, jsonCurveDay{Day: d, AtRisk: c.AtRisk[d], Converted: c.Events[d], Censored: c.Censored[d],
			F: f(c.F[d]), Low: f(c.Low[d]), High: f(c.High[d])})
	}
	return j
}

func jsonCohortOf(c attribution.CohortMetrics, cur attribution.Currency) jsonCohort {
	return jsonCohort{
		Channel: c.Channel, Cohort: c.Cohort, Dates: jsonPeriod{From: c.Dates.From.String(), To: c.Dates.To.String()},
		Registrations: c.Registrations, Customers: c.Customers, ImmatureRegistrations: c.Immature,
		ConversionRate: jsonRatio(c.ConversionRate),
		ConversionDay7: jsonRatio(c.ConversionDay7), ConversionDay14: jsonRatio(c.ConversionDay14),
		ConversionDay30: jsonRatio(c.ConversionDay30), ConversionDay60: jsonRatio(c.ConversionDay60),
		Revenue: c.Revenue.Format(cur.Digits), RevenuePerRegistration: jsonQuotient(c.RevenuePerRegistration, cur),
		Spend: c.Spend.Format(cur.Digits), CostPerRegistration: jsonQuotient(c.CostPerRegistration, cur),
		CostPerCustomer: jsonQuotient(c.CostPerCustomer, cur),
	}
}

func jsonTrendOf(c attribution.CohortMetrics, cur attribution.Currency) jsonTrend {
	return jsonTrend{
		Channel: c.Channel, Week: c.Cohort, Dates: jsonPeriod{From: c.Dates.From.String(), To: c.Dates.To.String()},
		Registrations: c.Registrations, Customers: c.Customers, ImmatureRegistrations: c.Immature,
		ConversionRate: jsonRatio(c.ConversionRate), Spend: c.Spend.Format(cur.Digits),
		CostPerCustomer: jsonQuotient(c.CostPerCustomer, cur),
	}
}
