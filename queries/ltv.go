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

// ReadLTV implements attribution.Snapshot: ltv_cohorts.sql and
// ltv_customers.sql in the snapshot's transaction.
func (s *Snapshot) ReadLTV(ctx context.Context, req attribution.LTVRequest) (attribution.LTVFacts, error) {
	return s.reader.ReadLTV(ctx, s.tx, req, s.timeout)
}

// ReadLTV runs ltv_cohorts.sql and ltv_customers.sql: the lifetime-value
// aggregates of req (see the files' comments), every read grouped in SQL;
// with req.Customers, the customers one at a time after the aggregates.
func (r Reader) ReadLTV(ctx context.Context, db DBTX, req attribution.LTVRequest, timeout time.Duration) (attribution.LTVFacts, error) {
	var out attribution.LTVFacts
	cohorts, customers, err := r.ltvPlans(req)
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
	err = r.run(ctx, db, cohorts, timeout, func(rows *sqlx.Rows) error {
		var (
			part, k1, k2, v1, v2, v3 int64
			ch                       sql.NullString
		)
		if err := rows.Scan(&part, &ch, &k1, &k2, &v1, &v2, &v3); err != nil {
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
			m.NewRepeaters += v3
		}
		return nil
	})
	if err != nil {
		return out, err
	}
	err = r.run(ctx, db, customers, timeout, func(rows *sqlx.Rows) error {
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
			out.Summaries = append(out.Summaries, attribution.LTVSummaryFact{Channel: ch.String, ChannelValid: ch.Valid,
				X: int(k1), TxDays: int(k2), TDays: int(k3), Customers: v1, FirstSpend: attribution.Money(v2)})
		case 2:
			out.Spend = append(out.Spend, attribution.LTVSpendFact{Channel: ch.String, ChannelValid: ch.Valid,
				X: int(k1), RepeatTotal: attribution.Money(k2), Customers: v1})
		case 3:
			if req.Customers == nil {
				return nil
			}
			return req.Customers(attribution.LTVCustomer{UserID: user.String, Channel: ch.String, ChannelValid: ch.Valid,
				Campaign: camp.String, CampaignValid: camp.Valid, FirstPurchase: time.UnixMicro(v1).UTC(), Purchases: v2,
				Revenue: attribution.Money(v3.Int64), X: int(k1), TxDays: int(k2), TDays: int(k3), RepeatTotal: attribution.Money(k4)})
		}
		return nil
	})
	return out, err
}

// ltvPlans are ltv_cohorts.sql and ltv_customers.sql for req: the range is
// the cohort months, from the local midnight of the first cohort's first
// day to as_of.
func (r Reader) ltvPlans(req attribution.LTVRequest) (cohorts, customers plan, err error) {
	if req.Months < 1 {
		return plan{}, plan{}, fmt.Errorf("read lifetime value: %d cohort months", req.Months)
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
	var whens []string
	for i := 1; i < len(starts)-1; i++ {
		whens = append(whens, fmt.Sprintf("WHEN f.reg_us < %d THEN %d", starts[i].In(loc).UnixMicro(), starts[i-1].Unix()))
	}
	last := starts[len(starts)-2].Unix()
	cohortOf := fmt.Sprint(last)
	if len(whens) > 0 {
		cohortOf = fmt.Sprintf("CASE %s ELSE %d END", strings.Join(whens, " "), last)
	}
	extra := map[string]string{
		"CohortOf": cohortOf,
		"PurDay":   r.localDay("p.pur_us", loc, start, end.Add(24*time.Hour)),
		"TextType": textType(r.Dialect),
	}
	return plan{name: "ltv_cohorts", args: args, extra: extra}, plan{name: "ltv_customers", args: args, extra: extra}, nil
}
