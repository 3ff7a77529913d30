package attribution

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// NoChannel is the label of registrations and spend whose channel is NULL,
// empty or only white space (METRICS.md, "Cohort" rule 2).
const NoChannel = "(none)"

// DefaultWindowDays is the conversion window when the configuration sets none.
const DefaultWindowDays = 30

// WilsonZ is the normal quantile of the 95% Wilson score interval.
const WilsonZ = 1.959964

// NormalizeChannel applies METRICS.md "Cohort" rule 2: surrounding white
// space is trimmed and a missing or blank label becomes NoChannel; anything
// else is kept exactly as written.
func NormalizeChannel(raw string, valid bool) string {
	s := strings.TrimFunc(raw, unicode.IsSpace)
	if !valid || s == "" {
		return NoChannel
	}
	return s
}

// CohortRow is one row of the cohort aggregation that the database returns:
// the registrations of the period that share a raw channel label, a
// conversion day and a maturity, after de-duplication by user.
type CohortRow struct {
	Channel      string // raw label as stored
	ChannelValid bool   // false when the label is NULL
	// Existing marks registrations of users who had bought before
	// registering; they are excluded from the cohort (rule 3).
	Existing bool
	// Days is the number of whole days from registration to first purchase
	// inside the window, or -1 when the registration did not convert.
	Days     int
	Immature bool // registered_at + W > as_of
	Count    int64
	// Duplicates counts the later registration rows of the same users.
	Duplicates int64
	Revenue    Money // window revenue, refunds included
}

// SpendRow is the spend of one raw channel label over the period.
type SpendRow struct {
	Channel      string
	ChannelValid bool
	Amount       Money
	Rows         int64
}

// Inputs is everything Compute needs: the aggregated rows and the report's
// parameters.
type Inputs struct {
	Period     Period
	AsOf       time.Time
	Timezone   string
	Currency   Currency
	WindowDays int
	Cohort     []CohortRow
	Spend      []SpendRow
	// Quality carries the source-wide counts; Compute adds the cohort ones.
	Quality DataQuality
}

// Ratio is a dimensionless ratio that may be undefined ("n/a").
type Ratio struct {
	Value float64
	Valid bool
}

func ratio(num, den float64) Ratio {
	if den == 0 {
		return Ratio{}
	}
	return Ratio{Value: num / den, Valid: true}
}

// ChannelMetrics is one row of the channel table (or the Total row).
type ChannelMetrics struct {
	Channel             string
	Registrations       int64
	Customers           int64
	ConversionRate      Ratio
	ConversionRateLow   Ratio
	ConversionRateHigh  Ratio
	Spend               Money
	CostPerRegistration Quotient
	CostPerCustomer     Quotient
	Revenue             Money
	ROAS                Ratio
	MedianDaysToConvert Ratio
	Immature            int64
	// DaysToConvert[d] is the number of customers who converted on day d.
	DaysToConvert []int64

	// The projection (docs/METRICS-COHORTS.md, "Projection"): the expected
	// figures once every registration of the period is W days old, with
	// their 95% intervals; all undefined (n/a) when ProjectionCurve is
	// ProjectionNone. JSON: projected_customers, projected_conversion_rate,
	// projected_cost_per_customer, each with _low and _high.
	ProjectedCustomers          Ratio
	ProjectedCustomersLow       Ratio
	ProjectedCustomersHigh      Ratio
	ProjectedConversionRate     Ratio
	ProjectedConversionRateLow  Ratio
	ProjectedConversionRateHigh Ratio
	// ProjectedCostPerCustomer is spend / projected customers; its Low
	// bound divides by ProjectedCustomersHigh and its High bound by
	// ProjectedCustomersLow (n/a when that is 0: unbounded).
	ProjectedCostPerCustomer     MoneyEstimate
	ProjectedCostPerCustomerLow  MoneyEstimate
	ProjectedCostPerCustomerHigh MoneyEstimate
	// ProjectionCurve says what the projection rests on: one of
	// ProjectionObserved, ProjectionChannel, ProjectionAllChannels or
	// ProjectionNone.
	ProjectionCurve string

	// Paid marks a paid channel (PaidRule, ApplyPaid): JSON paid_channel.
	Paid bool
}

// DataQuality counts what Origen found in the inputs and what it did about
// each finding. Row counts cover the whole mapped sources; the cohort
// counts cover the report period.
type DataQuality struct {
	RegistrationRows       int64 // rows in the registrations source
	RegistrationsNoUser    int64 // NULL user_id: ignored
	RegistrationsNoTime    int64 // NULL or unreadable registered_at: ignored
	RegistrationsAfterAsOf int64 // registered after as_of: do not exist for the report
	PurchaseRows           int64 // rows in the purchases source
	PurchasesIgnored       int64 // NULL user_id, time or amount: ignored
	PurchasesAfterAsOf     int64 // purchased after as_of: do not exist for the report
	Refunds                int64 // rows with amount < 0: counted in revenue inside the window
	ZeroAmountPurchases    int64 // amount = 0: ignored for conversion
	SpendRows              int64 // rows in the spend source
	SpendIgnored           int64 // NULL date or amount: ignored
	SpendRowsInPeriod      int64 // rows whose date is in the period

	DuplicateRegistrations    int64    // later registrations of cohort users: ignored
	ExistingCustomers         int64    // bought before registering: left out of the cohort
	NoChannel                 int64    // cohort registrations labelled NoChannel
	SpendWithoutRegistrations []string // channels with spend and no registrations

	// SpendWithoutRegistrationsRows and ...Amount are the period's spend
	// rows and spend of those channels: reported as rows with spend whose
	// cost per registration and CAC are n/a.
	SpendWithoutRegistrationsRows   int64
	SpendWithoutRegistrationsAmount Money
	PurchasesNullAmount             int64 // NULL or unreadable amount (part of PurchasesIgnored)
	SpendNullAmount                 int64 // NULL or unreadable amount (part of SpendIgnored)
	// PaidWithoutSpend are the channels with registrations and no spend in
	// the period whose names look paid (PaidLooking).
	PaidWithoutSpend []string
}

// Report is the complete result of one run, the model every writer renders.
type Report struct {
	Period      Period
	AsOf        time.Time
	Timezone    string
	Currency    Currency
	WindowDays  int
	GeneratedAt time.Time
	Version     string
	Channels    []ChannelMetrics
	Total       ChannelMetrics
	// TotalPaid and TotalUnpaid are the Total row of the paid channels and
	// of the unpaid ones (ApplyPaid; METRICS.md, "Paid and unpaid
	// channels"): paid CAC is TotalPaid's cost per customer, next to the
	// blended CAC of Total. JSON total.paid and total.unpaid.
	TotalPaid   ChannelMetrics
	TotalUnpaid ChannelMetrics
	Quality     DataQuality
	// SpendDays is the period's spend by channel and date as read
	// (SpendByDay): a channel's days add up to its Spend. Writers: the
	// workbook's Spend sheet, which reconciles them to Channels.
	SpendDays []DailySpendRow
	// Notes are findings a reader should see next to the numbers.
	Notes []string
	// Previous is the report of the period of the same length just before
	// Period, read in the same snapshot with the same as-of; nil when it
	// was not computed. Its own Previous is nil.
	Previous *Report
	// ComparisonRule says in words what Previous is ("the previous
	// calendar month", ComparisonPeriod); empty without a comparison.
	ComparisonRule string
	// Targets are the thresholds channels are judged against (targets.go).
	Targets Targets
	// Labels is how the report named the channels of raw labels
	// (ReportRequest.Channels), for rows read after it (DetailRequest);
	// nil when labels were only normalised (NormalizeChannel).
	Labels ChannelLabels

	// CurvePeriod is the local dates of the registrations the conversion
	// curves are estimated from (ReportCurvePeriod: CurveLookbackWindows
	// windows before Period, and Period). Zero when no curves were read.
	CurvePeriod Period
	// Curves are the Kaplan–Meier conversion curves per channel
	// (docs/METRICS-COHORTS.md, "Conversion curves"), sorted by channel;
	// CurvesTotal pools all channels. Writers: Curves sheet (one row per
	// channel × day d = 0..W: at risk, converted, censored, F, low, high)
	// and one line chart with a band per channel.
	Curves      []Curve
	CurvesTotal Curve

	// CohortGrain is the grain of Cohorts ("week" or "month"; "" when no
	// cohorts were computed). Cohorts has one row per channel × cohort
	// (channels in the order of Channels, cohorts in time order) and
	// CohortTotals one "Total" row per cohort of the period
	// (docs/METRICS-COHORTS.md, "Cohorts"). Writers: Cohorts sheet, and an
	// HTML heat map per channel of cohort × day-N conversion
	// (ConversionDay7/14/30/60, n/a cells left empty).
	CohortGrain  CohortGrain
	Cohorts      []CohortMetrics
	CohortTotals []CohortMetrics
	// Trend is the same per ISO week (always weekly) and TrendTotals its
	// Total rows. Writers: Trend sheet (registrations, customers,
	// conversion rate, CAC per channel × week), stacked bars of weekly
	// registrations per channel and lines of conversion rate and CAC.
	Trend       []CohortMetrics
	TrendTotals []CohortMetrics

	// Prospects are the best-scored registered users who have not bought
	// yet and are still inside the window at AsOf (not only the period's),
	// best first, with P(first purchase in the next ProspectsHorizonDays
	// days) (docs/METRICS-COHORTS.md, "Prospects"); ProspectsScored is how
	// many were scored in all (origen prospects writes them all). Writers:
	// Prospects sheet with user_id, channel, campaign, registered_at,
	// age_days, probability (and Basis).
	ProspectsHorizonDays int
	ProspectsScored      int64
	Prospects            []Prospect
	// Backtest measures the same scores made ProspectsHorizonDays before
	// AsOf against what happened up to AsOf; nil when not computed.
	// Writers: in About (and a Prospects sheet footer) state scored_at,
	// prospects, converted, base rate, precision in the top TopN,
	// top-decile lift and calibration error; the Deciles as a small table
	// (predicted vs observed per decile).
	Backtest *Backtest
	// MultiTouch is the multi-touch attribution of the period's cohort
	// over its touchpoints (docs/MULTITOUCH.md); nil without [touchpoints].
	MultiTouch *MultiTouch
	// EventModel is the logistic model that scored the prospects from
	// their activity when an [events] mapping is present (its coefficients
	// and out-of-time backtest); nil without [events]. Writers: About
	// (coefficients), JSON event_model.
	EventModel *EventModel

	// Campaigns and Sources are the channel table per channel × campaign
	// and channel × source / medium, Dimensions per value of each
	// declared dimension (drilldown.go, docs/METRICS.md, "Drill-down");
	// CampaignSpend says the spend was joined per campaign.
	Campaigns     []DrillMetrics
	Sources       []DrillMetrics
	Dimensions    []DimensionReport
	CampaignSpend bool
	// Budget is the budget plan of the paid channels (docs/BUDGET.md);
	// nil when not computed (ReportRequest.Budget).
	Budget *Budget
	// LTV is the lifetime-value section (docs/LTV.md): cohort revenue
	// curves, payback, LTV/CAC and the BG/NBD and Gamma–Gamma projections;
	// nil when not computed.
	LTV *LTVReport
}

// DetailRow is one registration of the report's cohort (METRICS.md,
// "Cohort" and "Conversion"), for the workbook's Registrations sheet: the
// rows of a channel add up to its Registrations, Customers and Revenue.
type DetailRow struct {
	UserID       string
	RegisteredAt time.Time
	Channel      string // normalised (rule 2)
	// ConvertedAt is the first purchase inside the window; zero when the
	// registration did not convert, and then Days is -1.
	ConvertedAt time.Time
	Days        int
	Revenue     Money // window revenue, refunds included
	Immature    bool  // registered_at + W > as_of
}

// Compute is ComputeChecked for inputs known to be in range: it panics
// where ComputeChecked returns an error, so that a sum of money that
// overflows is never a wrapped-around number in a report. Callers that
// read data use ComputeChecked.
func Compute(in Inputs) Report {
	rep, err := ComputeChecked(in)
	if err != nil {
		panic(err)
	}
	return rep
}

// ComputeChecked turns aggregated rows into the channel table and Total
// row following METRICS.md. It never reads data itself. Its sums of money
// (each channel's spend and revenue, the Total row's, the spend of
// channels without registrations) are checked: one that leaves Money's
// range is a KindData *Error wrapping ErrMoneyOverflow, naming the sum,
// and no Report.
func ComputeChecked(in Inputs) (Report, error) {
	var overflow error
	// add adds n to *sum, or records the first sum that overflows.
	add := func(sum *Money, n Money, what string, args ...any) {
		s, ok := sum.Add(n)
		if !ok && overflow == nil {
			overflow = &Error{Kind: KindData, Err: ErrMoneyOverflow, Msg: fmt.Sprintf(
				"%s is beyond ±%s %s, the largest amount Origen can sum exactly: check the amounts of the data (a wrong unit or decimal point?)",
				fmt.Sprintf(what, args...), GroupDigits(strconv.FormatInt(math.MaxInt64/MoneyScale, 10)), in.Currency.Code)}
		}
		*sum = s
	}
	w := in.WindowDays
	if w <= 0 {
		w = DefaultWindowDays
	}
	rep := Report{Period: in.Period, AsOf: in.AsOf, Timezone: in.Timezone, Currency: in.Currency, WindowDays: w, Quality: in.Quality}
	rep.Quality.DuplicateRegistrations, rep.Quality.ExistingCustomers, rep.Quality.NoChannel = 0, 0, 0
	rep.Quality.SpendWithoutRegistrations = nil
	rep.Quality.SpendWithoutRegistrationsRows, rep.Quality.SpendWithoutRegistrationsAmount = 0, 0
	byName := map[string]*ChannelMetrics{}
	get := func(name string) *ChannelMetrics {
		m, ok := byName[name]
		if !ok {
			m = &ChannelMetrics{Channel: name, DaysToConvert: make([]int64, w)}
			byName[name] = m
		}
		return m
	}
	for _, r := range in.Cohort {
		rep.Quality.DuplicateRegistrations += r.Duplicates
		if r.Existing {
			rep.Quality.ExistingCustomers += r.Count
			continue
		}
		name := NormalizeChannel(r.Channel, r.ChannelValid)
		m := get(name)
		if name == NoChannel {
			rep.Quality.NoChannel += r.Count
		}
		m.Registrations += r.Count
		add(&m.Revenue, r.Revenue, "the revenue of channel %q", name)
		if r.Immature {
			m.Immature += r.Count
		}
		if r.Days >= 0 && r.Days < w {
			m.Customers += r.Count
			m.DaysToConvert[r.Days] += r.Count
		}
	}
	spendRows := map[string]int64{}
	for _, s := range in.Spend {
		m := get(NormalizeChannel(s.Channel, s.ChannelValid))
		add(&m.Spend, s.Amount, "the spend of channel %q", m.Channel)
		spendRows[m.Channel] += s.Rows
	}
	total := ChannelMetrics{Channel: "Total", DaysToConvert: make([]int64, w)}
	for _, m := range byName {
		if m.Registrations == 0 && m.Spend != 0 {
			rep.Quality.SpendWithoutRegistrations = append(rep.Quality.SpendWithoutRegistrations, m.Channel)
			rep.Quality.SpendWithoutRegistrationsRows += spendRows[m.Channel]
			add(&rep.Quality.SpendWithoutRegistrationsAmount, m.Spend, "the spend of the channels without registrations")
		}
		total.Registrations += m.Registrations
		total.Customers += m.Customers
		total.Immature += m.Immature
		add(&total.Spend, m.Spend, "the total spend")
		add(&total.Revenue, m.Revenue, "the total revenue")
		for d, n := range m.DaysToConvert {
			total.DaysToConvert[d] += n
		}
		derive(m)
		rep.Channels = append(rep.Channels, *m)
	}
	sort.Strings(rep.Quality.SpendWithoutRegistrations)
	derive(&total)
	rep.Total = total
	sort.Slice(rep.Channels, func(i, j int) bool {
		a, b := rep.Channels[i], rep.Channels[j]
		if a.Customers != b.Customers {
			return a.Customers > b.Customers
		}
		return a.Channel < b.Channel
	})
	if overflow != nil {
		return Report{}, overflow
	}
	// Paid by spend alone until the pipeline applies [channels] paid and
	// unpaid (ReportRequest.Paid).
	if err := ApplyPaid(&rep, PaidRule{}); err != nil {
		return Report{}, err
	}
	return rep, nil
}

// derive fills the ratios of m from its counts and money (METRICS.md,
// "Ratios"): all of them are ratios of sums, so the Total row is derived
// the same way from its own sums.
func derive(m *ChannelMetrics) {
	m.ConversionRate = ratio(float64(m.Customers), float64(m.Registrations))
	m.ConversionRateLow, m.ConversionRateHigh = Wilson(m.Customers, m.Registrations)
	m.CostPerRegistration = Quotient{Num: m.Spend, Den: m.Registrations}
	m.CostPerCustomer = Quotient{Num: m.Spend, Den: m.Customers}
	m.ROAS = ratio(float64(m.Revenue), float64(m.Spend))
	m.MedianDaysToConvert = MedianOfHistogram(m.DaysToConvert)
}

// Wilson returns the 95% Wilson score interval of k successes in n trials
// (METRICS.md, "Ratios"); both bounds are undefined when n is 0.
func Wilson(k, n int64) (low, high Ratio) {
	if n <= 0 {
		return Ratio{}, Ratio{}
	}
	fn := float64(n)
	p := float64(k) / fn
	z2 := WilsonZ * WilsonZ
	denom := 1 + z2/fn
	centre := (p + z2/(2*fn)) / denom
	half := WilsonZ * math.Sqrt(p*(1-p)/fn+z2/(4*fn*fn)) / denom
	lo, hi := centre-half, centre+half
	// Rounding can push the bounds a hair outside [0, 1] at p = 0 or 1.
	return Ratio{Value: math.Max(0, lo), Valid: true}, Ratio{Value: math.Min(1, hi), Valid: true}
}

// MedianOfHistogram returns the median of the integer values described by
// hist (hist[d] values equal to d): the middle value, or the mean of the two
// middle values for an even count. It is undefined for an empty histogram.
func MedianOfHistogram(hist []int64) Ratio {
	var n int64
	for _, c := range hist {
		n += c
	}
	if n == 0 {
		return Ratio{}
	}
	// 0-based ranks of the two middle values (equal when n is odd).
	lo, hi := (n-1)/2, n/2
	at := func(rank int64) float64 {
		var seen int64
		for d, c := range hist {
			seen += c
			if rank < seen {
				return float64(d)
			}
		}
		panic("unreachable")
	}
	return Ratio{Value: (at(lo) + at(hi)) / 2, Valid: true}
}
