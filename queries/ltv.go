package queries

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/origen-analytics/origen/attribution"
)

// ReadLTV implements attribution.Snapshot: ltv.sql in the snapshot's
// transaction.
func (s *Snapshot) ReadLTV(ctx context.Context, req attribution.LTVRequest) (attribution.LTVFacts, error) {
	return s.reader.ReadLTV(ctx, s.tx, req, s.timeout)
}

// ReadLTV runs ltv.sql: the lifetime-value aggregates of req (see the
// file's comment), every read grouped in SQL, in one statement; with
// req.Customers, the customers one at a time after the aggregates.
func (r Reader) ReadLTV(ctx context.Context, db DBTX, req attribution.LTVRequest, timeout time.Duration) (attribution.LTVFacts, error) {
	var out attribution.LTVFacts
	p, err := r.ltvPlan(req)
	if err != nil {
		return out, err
	}
	type key struct {
		ch    string
		valid bool
		k1    int64
		k2    int64
	}
	months := map[key]int{}
	err = r.run(ctx, db, p, timeout, func(rows *sqlx.Rows) error {
		var (
			part, k1, k2, k3, k4, v1, v2 int64
			v3                           sql.NullInt64
			ch, camp, user               sql.NullString
		)
		if err := rows.Scan(&part, &ch, &camp, &k1, &k2, &k3, &k4, &v1, &v2, &v3, &user); err != nil {
			return err
		}
		switch part {
		case 1:
			out.Cohorts = append(out.Cohorts, attribution.LTVCohortFact{Channel: ch.String, ChannelValid: ch.Valid,
				Cohort: epochDay(k1), Registrations: v1, LastRegistered: time.UnixMicro(v2).UTC()})
		case 2, 3:
			k := key{ch.String, ch.Valid, k1, k2}
			i, ok := months[k]
			if !ok {
				i = len(out.Months)
				months[k] = i
				out.Months = append(out.Months, attribution.LTVMonthFact{ChannelValid: ch.Valid,
					LTVMonthRow: attribution.LTVMonthRow{Channel: ch.String, Cohort: epochDay(k1), Month: int(k2)}})
			}
			m := &out.Months[i]
			m.Revenue += attribution.Money(v1)
			m.NewCustomers += v2
			m.NewRepeaters += v3.Int64
		case 11:
			out.Summaries = append(out.Summaries, attribution.LTVSummaryFact{Channel: ch.String, ChannelValid: ch.Valid,
				X: int(k1), TxDays: int(k2), TDays: int(k3), Customers: v1, FirstSpend: attribution.Money(v2)})
		case 12:
			out.Spend = append(out.Spend, attribution.LTVSpendFact{Channel: ch.String, ChannelValid: ch.Valid,
				X: int(k1), RepeatTotal: attribution.Money(k2), Customers: v1})
		case 13:
			if req.Customers == nil {
				return nil
			}
			return req.Customers(attribution.LTVCustomer{UserID: user.String, Channel: ch.String, ChannelValid: ch.Valid,
				Campaign: camp.String, CampaignValid: camp.Valid, FirstPurchase: time.UnixMicro(v1).UTC(), Purchases: v2,
				Revenue: attribution.Money(v3.Int64), X: int(k1), TxDays: int(k2), TDays: int(k3), RepeatTotal: attribution.Money(k4)})
		}
		return nil
	})
	if err != nil || r.Mapping.Spend == nil {
		return out, err
	}
	out.CohortSpend, err = r.readLTVSpend(ctx, db, req, timeout)
	return out, err
}

// readLTVSpend runs ltv_spend.sql: the spend per raw channel and cohort
// month of req, up to as_of's local date. A negative amount is the same
// data error as in ReadSpend.
func (r Reader) readLTVSpend(ctx context.Context, db DBTX, req attribution.LTVRequest, timeout time.Duration) ([]attribution.LTVCohortSpendFact, error) {
	p, err := r.ltvSpendPlan(req)
	if err != nil {
		return nil, err
	}
	var out []attribution.LTVCohortSpendFact
	type negative struct {
		rows  int64
		first int64
	}
	neg := map[string]*negative{}
	err = r.run(ctx, db, p, timeout, func(rows *sqlx.Rows) error {
		var (
			ch                           sql.NullString
			cohort, amount, n, negatives int64
			first                        sql.NullInt64
		)
		if err := rows.Scan(&ch, &cohort, &amount, &n, &negatives, &first); err != nil {
			return err
		}
		if negatives > 0 {
			label := attribution.NormalizeChannel(ch.String, ch.Valid)
			g, ok := neg[label]
			if !ok {
				g = &negative{first: first.Int64}
				neg[label] = g
			}
			g.rows += negatives
			g.first = min(g.first, first.Int64)
		}
		out = append(out, attribution.LTVCohortSpendFact{Channel: ch.String, ChannelValid: ch.Valid, Cohort: epochDay(cohort),
			Amount: attribution.Money(amount), Rows: n})
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The channel with the earliest negative row names the error (ties by
	// label), with all its negative rows, as in ReadSpend.
	var label string
	var g *negative
	for l, n := range neg {
		if g == nil || n.first < g.first || n.first == g.first && l < label {
			label, g = l, n
		}
	}
	if g != nil {
		return nil, attribution.Errorf(attribution.KindData,
			"[spend] has %d rows with a negative amount for channel %q (first on %s): spend must be >= 0; fix the source or exclude them with sql =",
			g.rows, attribution.ReadableLabel(label), epochDay(g.first))
	}
	return out, nil
}

// ltvSpendPlan is ltv_spend.sql for req: spend.sql's range over the
// cohort months (the first cohort's first day to as_of's local date
// included), each date's cohort its local month.
func (r Reader) ltvSpendPlan(req attribution.LTVRequest) (plan, error) {
	if req.Months < 1 {
		return plan{}, fmt.Errorf("read lifetime value: %d cohort months", req.Months)
	}
	loc := req.Location
	if loc == nil {
		loc = time.UTC
	}
	starts := req.CohortStarts()
	p := r.spendPlan(attribution.Period{From: starts[0], To: attribution.DateOf(req.AsOf.In(loc)).AddDays(1)})
	var whens []string
	for i := 1; i < len(starts)-1; i++ {
		whens = append(whens, fmt.Sprintf("WHEN d.day < %d THEN %d", starts[i].Unix(), starts[i-1].Unix()))
	}
	last := starts[len(starts)-2].Unix()
	cohortOf := fmt.Sprint(last)
	if len(whens) > 0 {
		cohortOf = fmt.Sprintf("CASE %s ELSE %d END", strings.Join(whens, " "), last)
	}
	if p.extra == nil {
		p.extra = map[string]string{}
	}
	p.extra["SpendCohortOf"] = cohortOf
	p.name = "ltv_spend"
	return p, nil
}

// ltvPlan is ltv.sql for req: the range is the cohort months, from the
// local midnight of the first cohort's first day to as_of.
func (r Reader) ltvPlan(req attribution.LTVRequest) (plan, error) {
	if req.Months < 1 {
		return plan{}, fmt.Errorf("read lifetime value: %d cohort months", req.Months)
	}
	loc := req.Location
	if loc == nil {
		loc = time.UTC
	}
	starts := req.CohortStarts()
	start := starts[0].In(loc)
	end := req.AsOf.Add(time.Microsecond)
	// follow_us only serves first_registrations' own facts, unused here.
	args := r.rangeArgs(start, end, req.AsOf, 1, 1)
	args["max_months"] = int64(attribution.LTVMaxMonths)
	args["as_of_day"] = attribution.DateOf(req.AsOf.In(loc)).Unix()
	args["customers"] = 0
	if req.Customers != nil {
		args["customers"] = 1
	}
	// The cohort of a registration is the local month it falls in: the
	// first day of the last month starting at or before it.
	// On ClickHouse the columns are the user's row and its purchase tuple
	// p (sql/clickhouse/ltv.sql).
	regCol, purCol := "f.reg_us", "p.pur_us"
	if r.Dialect == ClickHouse {
		regCol, purCol = "reg_us", "tupleElement(p, 1)"
	}
	var whens []string
	for i := 1; i < len(starts)-1; i++ {
		whens = append(whens, fmt.Sprintf("WHEN %s < %d THEN %d", regCol, starts[i].In(loc).UnixMicro(), starts[i-1].Unix()))
	}
	last := starts[len(starts)-2].Unix()
	cohortOf := fmt.Sprint(last)
	if len(whens) > 0 {
		cohortOf = fmt.Sprintf("CASE %s ELSE %d END", strings.Join(whens, " "), last)
	}
	extra := map[string]string{
		"CohortOf": cohortOf,
		"PurDay":   r.localDay(purCol, loc, start, end.Add(24*time.Hour)),
		"TextType": textType(r.Dialect),
		// No figure of the section reads first_registrations' duplicates.
		"Duplicates": "0",
		// ClickHouse's first_registrations gives the user's purchases.
		"FirstExtra": ",\n       purs",
		// origen_lf compares the labels' texts in byte order, as their
		// keys (labelKey).
		"ByteOrder": byteOrder(r.Dialect),
	}
	return plan{name: "ltv", args: args, extra: extra}, nil
}

// LTVStatements renders the statements ReadLTV runs for req without a
// database (origen run --dry-run): ltv.sql, and ltv_spend.sql with a spend
// table.
func (r Reader) LTVStatements(req attribution.LTVRequest) ([]Statement, error) {
	plans := []func(attribution.LTVRequest) (plan, error){r.ltvPlan}
	if r.Mapping.Spend != nil {
		plans = append(plans, r.ltvSpendPlan)
	}
	var out []Statement
	for _, mk := range plans {
		p, err := mk(req)
		if err != nil {
			return nil, err
		}
		q, args, err := r.prepare(p.name, p.args, p.extra)
		if err != nil {
			return nil, err
		}
		out = append(out, Statement{Name: p.name, SQL: q, Args: args})
	}
	return out, nil
}
