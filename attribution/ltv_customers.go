package attribution

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// LTVBacktestDays is how far before as_of the customer scores are
// backtested (origen customers): the horizon of their expected purchases.
const LTVBacktestDays = 90

// CustomersRequest is what ScoreCustomers computes: every customer of the
// cohort months at AsOf, scored, and the scores backtested at AsOf − 90
// days.
type CustomersRequest struct {
	AsOf         time.Time
	Location     *time.Location
	CohortMonths int
	// Top keeps only the first Top customers by value at risk (all when
	// <= 0).
	Top int
	// Channels names the channels as a report does; nil normalises only.
	Channels *ChannelMapping
}

// ScoredCustomer is one customer of the CRM list (docs/LTV.md, "Customers
// likely to churn").
type ScoredCustomer struct {
	UserID, Channel, Campaign string
	FirstPurchase             time.Time
	Purchases                 int64
	Revenue                   Money
	// PAlive, ExpectedPurchases90 (repeat purchase days in the next 90
	// days) and Value12 (expected revenue of the next 12 months, E[Y] ×
	// E[Z | x, z̄]) come from the channel's fits; Valid is false without
	// fits. ValueAtRisk = revenue × (1 − P(alive)): high past value, low
	// P(alive) first.
	PAlive, ExpectedPurchases90, Value12, ValueAtRisk float64
	Valid                                             bool
}

// CustomersBacktest compares the expected repeat purchase days of the 90
// days after ScoredAt with those that happened, per decile of expected
// purchases (1 = the highest).
type CustomersBacktest struct {
	ScoredAt, OutcomeEnd time.Time
	Customers            int64
	Expected, Actual     float64 // totals
	Deciles              []CustomersDecile
}

// CustomersDecile is one tenth of the backtest's customers by score.
type CustomersDecile struct {
	Decile           int
	Customers        int64
	Expected, Actual float64 // means per customer
}

// CustomersResult is the ranked list, how many customers were scored and
// the backtest.
type CustomersResult struct {
	Ranked   []ScoredCustomer
	Scored   int64
	Backtest CustomersBacktest
	Notes    []string
}

// ScoreCustomers reads the customers of the cohorts at req.AsOf with
// their summaries, fits the models on the grouped summaries (BuildLTV's
// rules: per channel, all channels where a channel has too few
// customers), scores every customer and ranks them by value at risk; then
// scores the customers at AsOf − 90 days on what was known then and counts
// their repeat purchase days up to AsOf.
func ScoreCustomers(ctx context.Context, snap Snapshot, req CustomersRequest) (CustomersResult, error) {
	snap, _ = withLabels(snap, req.Channels)
	var out CustomersResult
	score := func(asOf time.Time, months int) (map[string]ScoredCustomer, map[string]LTVCustomer, *LTVReport, error) {
		var list []LTVCustomer
		lr := LTVRequestFor(asOf, req.Location, months)
		lr.Customers = func(c LTVCustomer) error {
			list = append(list, c)
			return nil
		}
		facts, err := snap.ReadLTV(ctx, lr)
		if err != nil {
			return nil, nil, nil, err
		}
		l, err := BuildLTV(LTVInputs{AsOf: asOf, Location: req.Location, CohortMonths: lr.Months, GrossMargin: 1, Facts: facts})
		if err != nil {
			return nil, nil, nil, err
		}
		byCh := map[string]LTVChannel{}
		for _, c := range l.Channels {
			byCh[c.Channel] = c
		}
		scored := make(map[string]ScoredCustomer, len(list))
		raw := make(map[string]LTVCustomer, len(list))
		for _, c := range list {
			ch := NormalizeChannel(c.Channel, c.ChannelValid)
			s := ScoredCustomer{UserID: c.UserID, Channel: ch, Campaign: c.Campaign, FirstPurchase: c.FirstPurchase,
				Purchases: c.Purchases, Revenue: c.Revenue}
			if !c.CampaignValid {
				s.Campaign = ""
			}
			lc := byCh[ch]
			if lc.BGNBD != nil && lc.GammaGamma != nil {
				rfm := RFM{X: c.X, Tx: float64(c.TxDays) / 7, T: float64(c.TDays) / 7}
				var sp RepeatSpend
				if c.X > 0 {
					sp = RepeatSpend{X: c.X, Mean: c.RepeatTotal.Float64() / float64(c.X)}
				}
				s.PAlive = lc.BGNBD.PAlive(rfm)
				if s.ExpectedPurchases90, err = lc.BGNBD.ConditionalExpectedPurchases(rfm, LTVBacktestDays/7.0); err != nil {
					return nil, nil, nil, fmt.Errorf("customer %q: %w", c.UserID, err)
				}
				v, err := CustomerValue(*lc.BGNBD, *lc.GammaGamma, rfm, sp, LTVHorizonWeeks)
				if err != nil {
					return nil, nil, nil, fmt.Errorf("customer %q: %w", c.UserID, err)
				}
				s.Value12, s.Valid = v.Value, true
				s.ValueAtRisk = c.Revenue.Float64() * (1 - s.PAlive)
			}
			scored[c.UserID] = s
			raw[c.UserID] = c
		}
		return scored, raw, l, nil
	}
	months := req.CohortMonths
	if months <= 0 {
		months = DefaultLTVCohortMonths
	}
	now, _, l, err := score(req.AsOf, months)
	if err != nil {
		return out, err
	}
	out.Notes = l.Notes
	out.Scored = int64(len(now))
	for _, s := range now {
		out.Ranked = append(out.Ranked, s)
	}
	sort.Slice(out.Ranked, func(i, j int) bool {
		a, b := out.Ranked[i], out.Ranked[j]
		if a.ValueAtRisk != b.ValueAtRisk {
			return a.ValueAtRisk > b.ValueAtRisk
		}
		return a.UserID < b.UserID
	})
	if req.Top > 0 && len(out.Ranked) > req.Top {
		out.Ranked = out.Ranked[:req.Top]
	}

	// Backtest: scores at as_of − 90 days, outcome = repeat purchase days
	// since then (x now − x then), read at as_of over cohort months that
	// cover the earlier ones.
	then := req.AsOf.Add(-LTVBacktestDays * 24 * time.Hour)
	past, pastRaw, _, err := score(then, months)
	if err != nil {
		return out, fmt.Errorf("backtest at %s: %w", then.Format(time.RFC3339), err)
	}
	var later map[string]LTVCustomer
	if _, later, _, err = score(req.AsOf, months+4); err != nil {
		return out, fmt.Errorf("backtest outcome: %w", err)
	}
	type pair struct {
		id               string
		expected, actual float64
	}
	var ps []pair
	for id, s := range past {
		if !s.Valid {
			continue
		}
		x := later[id].X - pastRaw[id].X
		ps = append(ps, pair{id, s.ExpectedPurchases90, float64(x)})
	}
	// Customers with the same history share a score: the user id breaks
	// the tie, so the deciles do not depend on map order.
	sort.Slice(ps, func(i, j int) bool {
		if ps[i].expected != ps[j].expected {
			return ps[i].expected > ps[j].expected
		}
		return ps[i].id < ps[j].id
	})
	bt := CustomersBacktest{ScoredAt: then, OutcomeEnd: req.AsOf, Customers: int64(len(ps))}
	for _, p := range ps {
		bt.Expected += p.expected
		bt.Actual += p.actual
	}
	for d := 0; d < 10 && len(ps) > 0; d++ {
		lo, hi := d*len(ps)/10, (d+1)*len(ps)/10
		if hi <= lo {
			continue
		}
		dec := CustomersDecile{Decile: d + 1, Customers: int64(hi - lo)}
		for _, p := range ps[lo:hi] {
			dec.Expected += p.expected
			dec.Actual += p.actual
		}
		dec.Expected /= float64(hi - lo)
		dec.Actual /= float64(hi - lo)
		bt.Deciles = append(bt.Deciles, dec)
	}
	out.Backtest = bt
	return out, nil
}
