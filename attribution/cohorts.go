package attribution

import (
	"fmt"
	"sort"
	"time"
)

// CohortGrain is how registrations are grouped into cohorts by their local
// registration date.
type CohortGrain string

// The cohort grains: ISO weeks (Monday to Sunday) or calendar months.
const (
	CohortWeek  CohortGrain = "week"
	CohortMonth CohortGrain = "month"
)

// ParseCohortGrain reads a --cohort value; "" means CohortMonth.
func ParseCohortGrain(s string) (CohortGrain, error) {
	switch CohortGrain(s) {
	case "", CohortMonth:
		return CohortMonth, nil
	case CohortWeek:
		return CohortWeek, nil
	}
	return "", Errorf(KindConfig, "--cohort %q: use week or month", s)
}

// NumCohortDays is the number of day-N conversion columns of a cohort.
const NumCohortDays = 4

// CohortDays returns the days N of the day-N conversion columns: 7, 14, 30
// and 60, whatever the conversion window.
func CohortDays() [NumCohortDays]int { return [NumCohortDays]int{7, 14, 30, 60} }

// MaxCohortDay is the largest of CohortDays: the queries follow purchases
// for max(W, MaxCohortDay) days after registering.
const MaxCohortDay = 60

// DailyRow is one row of the cohorts query: the report period's
// registrations (one per user, existing customers left out) that share a
// raw channel label and a local registration date.
type DailyRow struct {
	Channel      string
	ChannelValid bool
	Date         Date
	// Registrations, Customers (converted inside the window by as_of, as
	// in METRICS.md), Immature and Revenue (window revenue) follow
	// METRICS.md exactly.
	Registrations int64
	Customers     int64
	Immature      int64
	Revenue       Money
	// ConvertedBy[i] counts first purchases (amount > 0, at or after
	// registering, not after as_of) within CohortDays()[i] × 24 h of
	// registering.
	ConvertedBy [NumCohortDays]int64
}

// DailySpendRow is the spend of one raw channel label on one date.
type DailySpendRow struct {
	Channel      string
	ChannelValid bool
	Date         Date
	Amount       Money
	// Rows is the number of source rows summed into Amount. A spend file
	// (queries.ParseSpendCSV) counts them; a source that does not leaves 0.
	Rows int64
	// Campaign is the row's campaign (raw; NULL when !CampaignValid) when
	// the spend source has a campaign column (PerCampaign): the
	// drill-down then joins spend per campaign.
	Campaign      string
	CampaignValid bool
	PerCampaign   bool
}

// CohortMetrics is one row of the Cohorts sheet (a channel × cohort) or of
// the Trend sheet (a channel × ISO week); Channel is "Total" in the rows of
// Report.CohortTotals and Report.TrendTotals.
type CohortMetrics struct {
	Channel string
	// Cohort labels the cohort: "2026-10" for a month, "2026-W41" for an
	// ISO week (ISO week-numbering year).
	Cohort string
	// Dates are the cohort's local dates inside the report period; the
	// first and last cohorts may be partial weeks or months.
	Dates         Period
	Registrations int64
	Customers     int64
	Immature      int64
	// ConversionRate = Customers / Registrations, understated while
	// Immature > 0, like the channel table's.
	ConversionRate Ratio
	// ConversionDay7 … ConversionDay60 are the share of registrations whose
	// first purchase came within 7, 14, 30 or 60 days of registering. Each
	// is defined only when every registration of the cohort is at least
	// that many days old at as_of (the cohort's last date ended N × 24 h
	// or more before as_of); otherwise n/a, never a too-low number.
	ConversionDay7  Ratio
	ConversionDay14 Ratio
	ConversionDay30 Ratio
	ConversionDay60 Ratio
	Revenue         Money
	// RevenuePerRegistration = Revenue / Registrations.
	RevenuePerRegistration Quotient
	// Spend is the spend of the cohort's dates; CostPerRegistration and
	// CostPerCustomer (CAC) divide it.
	Spend               Money
	CostPerRegistration Quotient
	CostPerCustomer     Quotient
}

// ConversionByDay returns the day-N conversions in the order of CohortDays.
func (c CohortMetrics) ConversionByDay() [NumCohortDays]Ratio {
	return [NumCohortDays]Ratio{c.ConversionDay7, c.ConversionDay14, c.ConversionDay30, c.ConversionDay60}
}

// cohortOf returns the first date and the label of d's cohort.
func cohortOf(d Date, grain CohortGrain) (Date, string) {
	if grain == CohortWeek {
		monday := d.AddDays(-((int(weekday(d)) + 6) % 7))
		y, w := time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).ISOWeek()
		return monday, fmt.Sprintf("%04d-W%02d", y, w)
	}
	return Date{d.Year, d.Month, 1}, fmt.Sprintf("%04d-%02d", d.Year, int(d.Month))
}

// nextCohort returns the first date of the cohort after the one starting at
// start.
func nextCohort(start Date, grain CohortGrain) Date {
	if grain == CohortWeek {
		return start.AddDays(7)
	}
	return DateOf(time.Date(start.Year, start.Month+1, 1, 12, 0, 0, 0, time.UTC))
}

// CohortInputs is what Cohorts needs besides the rows.
type CohortInputs struct {
	Period     Period
	Grain      CohortGrain
	Location   *time.Location
	AsOf       time.Time
	WindowDays int
	// Order lists channel names in the order the rows should come in
	// (the channel table's); channels not in it follow by name.
	Order []string
}

// Cohorts groups the daily rows and spend into cohorts of in.Grain inside
// in.Period (docs/METRICS-COHORTS.md, "Cohorts"). It returns one row per
// channel and cohort that has registrations or spend, channels in in.Order
// and cohorts in time order, and one Total row per cohort of the period.
func Cohorts(rows []DailyRow, spend []DailySpendRow, in CohortInputs) (byChannel, totals []CohortMetrics) {
	type key struct {
		channel string
		start   Date
	}
	acc := map[key]*CohortMetrics{}
	conv := map[key]*[NumCohortDays]int64{}
	// Every cohort of the period, clipped to it.
	var starts []Date
	meta := map[Date]CohortMetrics{}
	for d := in.Period.From; d.Before(in.Period.To); {
		start, label := cohortOf(d, in.Grain)
		end := nextCohort(start, in.Grain)
		if in.Period.To.Before(end) {
			end = in.Period.To
		}
		starts = append(starts, start)
		meta[start] = CohortMetrics{Cohort: label, Dates: Period{From: d, To: end}}
		d = end
	}
	get := func(ch string, d Date) (*CohortMetrics, *[NumCohortDays]int64, bool) {
		if d.Before(in.Period.From) || !d.Before(in.Period.To) {
			return nil, nil, false
		}
		start, _ := cohortOf(d, in.Grain)
		k := key{ch, start}
		m, ok := acc[k]
		if !ok {
			c := meta[start]
			c.Channel = ch
			m = &c
			acc[k] = m
			conv[k] = new([NumCohortDays]int64)
		}
		return m, conv[k], true
	}
	for _, r := range rows {
		m, cv, ok := get(NormalizeChannel(r.Channel, r.ChannelValid), r.Date)
		if !ok {
			continue
		}
		m.Registrations += r.Registrations
		m.Customers += r.Customers
		m.Immature += r.Immature
		m.Revenue += r.Revenue
		for i, n := range r.ConvertedBy {
			cv[i] += n
		}
	}
	for _, s := range spend {
		if m, _, ok := get(NormalizeChannel(s.Channel, s.ChannelValid), s.Date); ok {
			m.Spend += s.Amount
		}
	}
	rank := map[string]int{}
	for i, ch := range in.Order {
		rank[ch] = i
	}
	keys := make([]key, 0, len(acc))
	for k := range acc {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		ra, oka := rank[a.channel]
		rb, okb := rank[b.channel]
		switch {
		case oka != okb:
			return oka
		case oka && ra != rb:
			return ra < rb
		case a.channel != b.channel:
			return a.channel < b.channel
		}
		return a.start.Before(b.start)
	})
	sums := map[Date]*CohortMetrics{}
	sumConv := map[Date]*[NumCohortDays]int64{}
	for _, s := range starts {
		c := meta[s]
		c.Channel = "Total"
		sums[s] = &c
		sumConv[s] = new([NumCohortDays]int64)
	}
	for _, k := range keys {
		m := acc[k]
		deriveCohort(m, conv[k], in)
		byChannel = append(byChannel, *m)
		t := sums[k.start]
		t.Registrations += m.Registrations
		t.Customers += m.Customers
		t.Immature += m.Immature
		t.Revenue += m.Revenue
		t.Spend += m.Spend
		for i, n := range conv[k] {
			sumConv[k.start][i] += n
		}
	}
	for _, s := range starts {
		deriveCohort(sums[s], sumConv[s], in)
		totals = append(totals, *sums[s])
	}
	return byChannel, totals
}

// deriveCohort fills the ratios of a cohort row from its sums.
func deriveCohort(m *CohortMetrics, conv *[NumCohortDays]int64, in CohortInputs) {
	m.ConversionRate = ratio(float64(m.Customers), float64(m.Registrations))
	m.RevenuePerRegistration = Quotient{Num: m.Revenue, Den: m.Registrations}
	m.CostPerRegistration = Quotient{Num: m.Spend, Den: m.Registrations}
	m.CostPerCustomer = Quotient{Num: m.Spend, Den: m.Customers}
	_, end := m.Dates.Bounds(in.Location)
	var byDay [NumCohortDays]Ratio
	for i, n := range CohortDays() {
		if !end.Add(time.Duration(n) * 24 * time.Hour).After(in.AsOf) {
			byDay[i] = ratio(float64(conv[i]), float64(m.Registrations))
		}
	}
	m.ConversionDay7, m.ConversionDay14, m.ConversionDay30, m.ConversionDay60 = byDay[0], byDay[1], byDay[2], byDay[3]
}
