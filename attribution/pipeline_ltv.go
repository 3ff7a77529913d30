package attribution

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"
	"time"
)

// DefaultLTVCohortMonths is [ltv] cohort_months when the configuration
// sets none: two years of acquisition cohorts.
const DefaultLTVCohortMonths = 24

// LTVReport is the lifetime-value section of a report (docs/LTV.md):
// per channel the pooled revenue curve, payback, LTV observed and
// projected at 12 months with LTV/CAC and the models' parameters, and
// per channel × cohort month the curves of the cohort triangle.
type LTVReport struct {
	AsOf         time.Time
	CohortMonths int
	FirstCohort  Date
	// GrossMargin is [report] gross_margin; Basis says whether the LTV
	// figures are revenue (1) or margin.
	GrossMargin GrossMargin
	Basis       string
	// Channels are sorted by name, the LTVTotal row of all channels last.
	Channels []LTVChannel
	// Cohorts are the curves per channel × cohort, by channel then cohort.
	Cohorts []LTVCurve
	Notes   []string
}

// LTVChannel is one channel's lifetime-value figures over its cohorts.
type LTVChannel struct {
	Channel string
	// Curve is the channel's cohorts pooled where mature (LTVCurve).
	Curve LTVCurve
	// Registrations, Customers (a purchase of amount > 0 after
	// registering, by as_of) and Spend are over all the channel's cohorts.
	Registrations int64
	Customers     int64
	Spend         Money
	// CostPerRegistration and CostPerCustomer are Spend ÷ Registrations
	// and Spend ÷ Customers (undefined without spend or customers).
	CostPerRegistration Quotient
	CostPerCustomer     Quotient
	Payback             Payback
	// ObservedLTV12 is the margin per customer at month 12 of the pooled
	// curve (mature cohorts only), ObservedLTVToCAC its ratio to the cost
	// per customer of the same cohorts.
	ObservedLTV12    Quotient
	ObservedLTVToCAC Ratio
	// Projected12 is the expected 12-month margin of a new customer: the
	// observed mean first purchase plus the models' expected repeat
	// revenue (ExpectedRepeatValue), times the gross margin; its interval
	// is the delta method's on the repeat part (the mean first purchase
	// is taken as known). ProjectedOK is false without a model.
	Projected12         ValueEstimate
	ProjectedOK         bool
	ProjectedLTVToCAC   Ratio
	MeanFirstPurchase   float64
	PAliveMean          Ratio
	ExpectedPurchases90 Ratio // mean per customer over the next 90 days
	// BGNBD and GammaGamma are the fits used for the channel, nil when
	// none could be made; Pooled says they are the fits of all channels
	// (the channel has too few customers for its own).
	BGNBD      *BGNBDFit
	GammaGamma *GammaGammaFit
	Pooled     bool
}

// LTVInputs are what BuildLTV computes from.
type LTVInputs struct {
	AsOf         time.Time
	Location     *time.Location
	CohortMonths int
	GrossMargin  GrossMargin
	Facts        LTVFacts
	// Spend is the daily spend over the cohort months (channel names as
	// the facts'; labels are normalised with NormalizeChannel).
	Spend []DailySpendRow
}

// LTVRequestFor is the read of the cohorts of cohortMonths months ending
// with asOf's local month.
func LTVRequestFor(asOf time.Time, loc *time.Location, cohortMonths int) LTVRequest {
	if cohortMonths <= 0 {
		cohortMonths = DefaultLTVCohortMonths
	}
	return LTVRequest{AsOf: asOf, Location: loc, Months: cohortMonths}
}

// readReportLTV reads the lifetime-value aggregates of a report (raw
// labels: the report names them after its other reads, buildReportLTV).
func readReportLTV(ctx context.Context, snap Snapshot, req ReportRequest) (LTVFacts, error) {
	g := req.GrossMargin
	if g == 0 {
		g = 1
	}
	if err := g.Validate(); err != nil {
		return LTVFacts{}, fmt.Errorf("lifetime value: %w", err)
	}
	facts, err := snap.ReadLTV(ctx, LTVRequestFor(req.AsOf, req.Location, req.LTVCohortMonths))
	if err != nil {
		return LTVFacts{}, fmt.Errorf("lifetime value: %w", err)
	}
	return facts, nil
}

// buildReportLTV computes the lifetime-value section of a report from its
// aggregates (readReportLTV, named) and the spend of the cohort months.
func buildReportLTV(req ReportRequest, facts LTVFacts) (*LTVReport, error) {
	g := req.GrossMargin
	if g == 0 {
		g = 1
	}
	lr := LTVRequestFor(req.AsOf, req.Location, req.LTVCohortMonths)
	// A spend table's spend comes with the facts, grouped per channel and
	// cohort month in SQL; a spend file's is summed here.
	var spend []DailySpendRow
	if req.SpendFile != nil {
		p := Period{From: lr.FirstCohort(), To: DateOf(req.AsOf.In(req.Location)).AddDays(1)}
		spend, _ = spendUpTo(DaysIn(req.SpendFile.Days, p), DateOf(req.AsOf.In(req.Location)))
		facts.CohortSpend = nil
	}
	rep, err := BuildLTV(LTVInputs{AsOf: req.AsOf, Location: req.Location, CohortMonths: lr.Months, GrossMargin: g,
		Facts: facts, Spend: spend})
	if err != nil {
		return nil, fmt.Errorf("lifetime value: %w", err)
	}
	return rep, nil
}

// BuildLTV computes the lifetime-value section from the aggregates
// (docs/LTV.md): curves and payback per channel, the BG/NBD and
// Gamma–Gamma fits per channel (the fits of all channels where a channel
// has too few customers, stated), and the 12-month values.
func BuildLTV(in LTVInputs) (*LTVReport, error) {
	loc := in.Location
	if loc == nil {
		loc = time.UTC
	}
	g := in.GrossMargin
	if g == 0 {
		g = 1
	}
	if err := g.Validate(); err != nil {
		return nil, err
	}
	req := LTVRequestFor(in.AsOf, loc, in.CohortMonths)
	out := &LTVReport{AsOf: in.AsOf, CohortMonths: req.Months, FirstCohort: req.FirstCohort(), GrossMargin: g, Basis: g.Basis()}
	name := func(ch string, valid bool) string { return NormalizeChannel(ch, valid) }

	// Cohorts: registrations and youngest age, merged per channel name
	// (several raw labels can name one channel).
	type key struct {
		ch string
		c  Date
	}
	cohorts := map[key]*LTVCohort{}
	var order []key
	for _, c := range in.Facts.Cohorts {
		k := key{name(c.Channel, c.ChannelValid), c.Cohort}
		age := int(in.AsOf.Sub(c.LastRegistered) / (24 * time.Hour))
		if lc, ok := cohorts[k]; ok {
			lc.Registrations += c.Registrations
			lc.YoungestAgeDays = min(lc.YoungestAgeDays, age)
			continue
		}
		cohorts[k] = &LTVCohort{Channel: k.ch, Cohort: c.Cohort, Registrations: c.Registrations, YoungestAgeDays: age}
		order = append(order, k)
	}
	// Spend per channel × local month of its date: a spend file's days
	// and a spend table's months (LTVFacts.CohortSpend).
	unmatched := map[string]Money{}
	addSpend := func(k key, amount Money) error {
		if k.c.Before(out.FirstCohort) {
			return nil
		}
		lc, ok := cohorts[k]
		if !ok {
			unmatched[k.ch] += amount
			return nil
		}
		var okAdd bool
		if lc.Spend, okAdd = lc.Spend.Add(amount); !okAdd {
			return &Error{Kind: KindData, Err: ErrMoneyOverflow, Msg: fmt.Sprintf("lifetime value: spend of channel %q in %s is out of range", k.ch, k.c)}
		}
		return nil
	}
	for _, d := range in.Spend {
		if err := addSpend(key{name(d.Channel, d.ChannelValid), Date{d.Date.Year, d.Date.Month, 1}}, d.Amount); err != nil {
			return nil, err
		}
	}
	for _, d := range in.Facts.CohortSpend {
		if err := addSpend(key{name(d.Channel, d.ChannelValid), d.Cohort}, d.Amount); err != nil {
			return nil, err
		}
	}
	list := make([]LTVCohort, 0, len(order))
	for _, k := range order {
		list = append(list, *cohorts[k])
	}
	months := map[key]map[int]*LTVMonthRow{}
	var rows []LTVMonthRow
	for _, m := range in.Facts.Months {
		k := key{name(m.Channel, m.ChannelValid), m.Cohort}
		if months[k] == nil {
			months[k] = map[int]*LTVMonthRow{}
		}
		r, ok := months[k][m.Month]
		if !ok {
			r = &LTVMonthRow{Channel: k.ch, Cohort: m.Cohort, Month: m.Month}
			months[k][m.Month] = r
		}
		r.Revenue += m.Revenue
		r.NewCustomers += m.NewCustomers
		r.NewRepeaters += m.NewRepeaters
	}
	for _, byMonth := range months {
		for _, r := range byMonth {
			rows = append(rows, *r)
		}
	}
	byCohort, pooled, err := BuildLTVCurves(list, rows)
	if err != nil {
		return nil, err
	}
	out.Cohorts = byCohort

	// Summaries per channel name, and of all channels, in a fixed order:
	// the database returns groups in any order, and the fits' floating-
	// point sums must not depend on it.
	sums := slices.Clone(in.Facts.Summaries)
	sort.Slice(sums, func(i, j int) bool {
		a, b := sums[i], sums[j]
		if a.Channel != b.Channel || a.ChannelValid != b.ChannelValid {
			return a.Channel < b.Channel || a.Channel == b.Channel && !a.ChannelValid
		}
		if a.X != b.X {
			return a.X < b.X
		}
		if a.TxDays != b.TxDays {
			return a.TxDays < b.TxDays
		}
		return a.TDays < b.TDays
	})
	spendFacts := slices.Clone(in.Facts.Spend)
	sort.Slice(spendFacts, func(i, j int) bool {
		a, b := spendFacts[i], spendFacts[j]
		if a.Channel != b.Channel || a.ChannelValid != b.ChannelValid {
			return a.Channel < b.Channel || a.Channel == b.Channel && !a.ChannelValid
		}
		if a.X != b.X {
			return a.X < b.X
		}
		return a.RepeatTotal < b.RepeatTotal
	})
	rfm := map[string][]RFMCount{}
	first := map[string]Money{}
	custs := map[string]int64{}
	for _, s := range sums {
		ch := name(s.Channel, s.ChannelValid)
		c := RFMCount{RFM: RFM{X: s.X, Tx: float64(s.TxDays) / 7, T: float64(s.TDays) / 7}, Customers: s.Customers}
		for _, n := range []string{ch, LTVTotal} {
			rfm[n] = append(rfm[n], c)
			first[n] += s.FirstSpend
			custs[n] += s.Customers
		}
	}
	spends := map[string][]RepeatSpendCount{}
	for _, s := range spendFacts {
		ch := name(s.Channel, s.ChannelValid)
		rs := RepeatSpendCount{RepeatSpend{X: s.X, Mean: s.RepeatTotal.Float64() / float64(s.X)}, s.Customers}
		spends[ch] = append(spends[ch], rs)
		spends[LTVTotal] = append(spends[LTVTotal], rs)
	}
	type fits struct {
		bg  *BGNBDFit
		gg  *GammaGammaFit
		err error
	}
	fit := func(ch string) fits {
		var f fits
		bg, err := FitBGNBDCounts(rfm[ch])
		if err != nil {
			f.err = err
			return f
		}
		gg, err := FitGammaGammaCounts(spends[ch])
		if err != nil {
			f.err = err
			return f
		}
		f.bg, f.gg = &bg, &gg
		return f
	}
	// The fits are independent: run them side by side (each is
	// deterministic, so the result does not depend on the schedule).
	results := make(map[string]fits, len(pooled))
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for _, p := range pooled {
		wg.Add(1)
		go func(ch string) {
			defer wg.Done()
			sem <- struct{}{}
			f := fit(ch)
			<-sem
			mu.Lock()
			results[ch] = f
			mu.Unlock()
		}(p.Channel)
	}
	wg.Wait()
	fitAll := func() fits { return results[LTVTotal] }

	for _, p := range pooled {
		c := LTVChannel{Channel: p.Channel, Curve: p, Registrations: p.Registrations, Spend: p.Spend, Customers: custs[p.Channel]}
		c.CostPerRegistration = quotientIf(p.Spend, p.Registrations)
		c.CostPerCustomer = quotientIf(p.Spend, c.Customers)
		c.Payback = PaybackOf(p, g)
		c.ObservedLTV12, c.ObservedLTVToCAC = ObservedLTV(p, 12, g)
		if c.Customers > 0 {
			c.MeanFirstPurchase = first[p.Channel].Float64() / float64(c.Customers)
		}
		var f fits
		if p.Channel == LTVTotal {
			f = fitAll()
		} else {
			f = results[p.Channel]
			if errors.Is(f.err, ErrTooFewCustomers) {
				f = fitAll()
				c.Pooled = f.err == nil
			}
		}
		switch {
		case f.err != nil && errors.Is(f.err, ErrTooFewCustomers):
			out.Notes = append(out.Notes, fmt.Sprintf("channel %q: no projected value, too few customers to fit the models even over all channels (%v)", p.Channel, f.err))
		case f.err != nil:
			out.Notes = append(out.Notes, fmt.Sprintf("channel %q: no projected value (%v)", p.Channel, f.err))
		case f.bg != nil && f.gg != nil:
			c.BGNBD, c.GammaGamma = f.bg, f.gg
			if err := c.project(rfm[p.Channel], g); err != nil {
				out.Notes = append(out.Notes, fmt.Sprintf("channel %q: no projected value (%v)", p.Channel, err))
			}
			if c.Pooled {
				out.Notes = append(out.Notes, fmt.Sprintf("channel %q has too few customers to fit its own models (%d; at least %d, with %d repeat customers): its projected value uses the fits of all channels",
					p.Channel, c.Customers, MinBGNBDCustomers, MinGammaGammaCustomers))
			}
		}
		if c.Payback.Within > 0 && c.Payback.Month == 0 && !c.Payback.NoCost {
			out.Notes = append(out.Notes, fmt.Sprintf("channel %q does not pay back its cost per registration within the %d months observed", p.Channel, c.Payback.Within))
		}
		out.Channels = append(out.Channels, c)
	}
	names := make([]string, 0, len(unmatched))
	for ch := range unmatched {
		names = append(names, ch)
	}
	sort.Strings(names)
	for _, ch := range names {
		out.Notes = append(out.Notes, fmt.Sprintf("channel %q has spend in cohort months without registrations (%s in all): it counts in no cohort's cost", ch, unmatched[ch].Format(2)))
	}
	return out, nil
}

func quotientIf(num Money, den int64) Quotient {
	if num == 0 && den == 0 {
		return Quotient{}
	}
	return Quotient{Num: num, Den: den}
}

// project fills the projected 12-month value, P(alive) and the expected
// purchases of the next 90 days from the channel's fits.
func (c *LTVChannel) project(cs []RFMCount, g GrossMargin) error {
	rep, err := ExpectedRepeatValue(*c.BGNBD, *c.GammaGamma, LTVHorizonWeeks)
	if err != nil {
		return err
	}
	gm := float64(g)
	c.Projected12 = ValueEstimate{Value: (c.MeanFirstPurchase + rep.Value) * gm, IntervalOK: rep.IntervalOK}
	if rep.IntervalOK {
		c.Projected12.Low, c.Projected12.High = (c.MeanFirstPurchase+rep.Low)*gm, (c.MeanFirstPurchase+rep.High)*gm
	}
	c.ProjectedOK = true
	c.ProjectedLTVToCAC = LTVToCAC(c.Projected12.Value, c.CostPerCustomer)
	var alive, next, n float64
	for _, s := range cs {
		w := float64(s.Customers)
		alive += w * c.BGNBD.PAlive(s.RFM)
		e, err := c.BGNBD.ConditionalExpectedPurchases(s.RFM, 90/7.0)
		if err != nil {
			return err
		}
		next += w * e
		n += w
	}
	if n > 0 && !math.IsNaN(alive) {
		c.PAliveMean = Ratio{Value: alive / n, Valid: true}
		c.ExpectedPurchases90 = Ratio{Value: next / n, Valid: true}
	}
	return nil
}
