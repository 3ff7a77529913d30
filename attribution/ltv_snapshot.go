package attribution

import (
	"context"
	"time"
)

// LTVRequest names what Snapshot.ReadLTV reads (docs/LTV.md): the first
// registrations of the local calendar months [Cohorts[0], as_of's month],
// users who had bought before registering left out, followed up to AsOf.
type LTVRequest struct {
	AsOf     time.Time
	Location *time.Location
	// Months is how many cohort months end with as_of's month ([ltv]
	// cohort_months).
	Months int
	// Customers, when set, receives every customer of the cohorts (a
	// purchase of amount > 0 after registering) with its summary, one at
	// a time (origen customers); nil reads the aggregates only.
	Customers func(LTVCustomer) error
}

// FirstCohort is the first day of the first cohort month of r.
func (r LTVRequest) FirstCohort() Date {
	d := DateOf(r.AsOf.In(r.loc()))
	return DateOf(time.Date(d.Year, d.Month-time.Month(r.Months-1), 1, 0, 0, 0, 0, time.UTC))
}

// CohortStarts returns the first day of each cohort month, in order, and
// the first day of the month after the last.
func (r LTVRequest) CohortStarts() []Date {
	first := r.FirstCohort()
	out := make([]Date, 0, r.Months+1)
	for i := 0; i <= r.Months; i++ {
		out = append(out, DateOf(time.Date(first.Year, first.Month+time.Month(i), 1, 0, 0, 0, 0, time.UTC)))
	}
	return out
}

func (r LTVRequest) loc() *time.Location {
	if r.Location == nil {
		return time.UTC
	}
	return r.Location
}

// LTVCohortFact is one raw channel label × cohort month as the database
// returns it: registrations and the latest registration instant (which
// gives the cohort's youngest age at as_of).
type LTVCohortFact struct {
	Channel        string
	ChannelValid   bool
	Cohort         Date
	Registrations  int64
	LastRegistered time.Time
}

// LTVMonthFact is LTVMonthRow with the raw channel label.
type LTVMonthFact struct {
	LTVMonthRow
	ChannelValid bool
}

// LTVSummaryFact is a GROUP BY of the customers' BG/NBD summaries per raw
// channel label in whole local days (docs/LTV.md, "Definitions"): x, the
// days from the first purchase to the last repeat day (TxDays) and to
// as_of (TDays), how many customers share them and the sum of their first
// days' amounts (FirstSpend).
type LTVSummaryFact struct {
	Channel      string
	ChannelValid bool
	X            int
	TxDays       int
	TDays        int
	Customers    int64
	FirstSpend   Money
}

// LTVSpendFact is a GROUP BY of the repeat customers' spend summaries per
// raw channel label: x and the total of the repeat days' amounts (so the
// mean is RepeatTotal ÷ x), and how many customers share them.
type LTVSpendFact struct {
	Channel      string
	ChannelValid bool
	X            int
	RepeatTotal  Money
	Customers    int64
}

// LTVCustomer is one customer of the cohorts with its summary at as_of
// (origen customers): raw labels, the first purchase instant, the number
// of purchases of amount > 0, the revenue (refunds included) since
// registering, and the model inputs.
type LTVCustomer struct {
	UserID        string
	Channel       string
	ChannelValid  bool
	Campaign      string
	CampaignValid bool
	FirstPurchase time.Time
	Purchases     int64
	Revenue       Money
	X             int
	TxDays, TDays int
	RepeatTotal   Money
}

// LTVCohortSpendFact is the spend of one raw channel label in one cohort
// month (the local month of its dates), as the database groups it.
type LTVCohortSpendFact struct {
	Channel      string
	ChannelValid bool
	Cohort       Date
	Amount       Money
	Rows         int64
}

// LTVFacts are the aggregates of Snapshot.ReadLTV.
type LTVFacts struct {
	Cohorts   []LTVCohortFact
	Months    []LTVMonthFact
	Summaries []LTVSummaryFact
	Spend     []LTVSpendFact
	// CohortSpend is the spend source's spend per channel and cohort month
	// up to as_of's local date (empty without a spend table; a spend file
	// is BuildLTV's LTVInputs.Spend).
	CohortSpend []LTVCohortSpendFact
}

// ReadLTV names the channels of the lifetime-value rows as every other
// read of the report.
func (s labeledSnapshot) ReadLTV(ctx context.Context, req LTVRequest) (LTVFacts, error) {
	if on := req.Customers; on != nil {
		req.Customers = func(c LTVCustomer) error {
			c.Channel, c.ChannelValid = s.l.name(c.Channel, c.ChannelValid), true
			return on(c)
		}
	}
	f, err := s.Snapshot.ReadLTV(ctx, req)
	if err != nil {
		return f, err
	}
	s.l.mapLTV(&f)
	return f, nil
}

// mapLTV names the channel of every row of f; labels found only in the
// cohort spend are learnt first, as mapSpend does.
func (l *labeler) mapLTV(f *LTVFacts) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := range f.Cohorts {
		f.Cohorts[i].Channel, f.Cohorts[i].ChannelValid = l.nameLocked(f.Cohorts[i].Channel, f.Cohorts[i].ChannelValid), true
	}
	for i := range f.Months {
		f.Months[i].Channel, f.Months[i].ChannelValid = l.nameLocked(f.Months[i].Channel, f.Months[i].ChannelValid), true
	}
	for i := range f.Summaries {
		f.Summaries[i].Channel, f.Summaries[i].ChannelValid = l.nameLocked(f.Summaries[i].Channel, f.Summaries[i].ChannelValid), true
	}
	for i := range f.Spend {
		f.Spend[i].Channel, f.Spend[i].ChannelValid = l.nameLocked(f.Spend[i].Channel, f.Spend[i].ChannelValid), true
	}
	names := map[string]int64{}
	for _, c := range f.CohortSpend {
		names[l.baseName(c.Channel, c.ChannelValid)] += 0
	}
	l.learn(names)
	for i := range f.CohortSpend {
		f.CohortSpend[i].Channel, f.CohortSpend[i].ChannelValid = l.nameLocked(f.CohortSpend[i].Channel, f.CohortSpend[i].ChannelValid), true
	}
}
