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

const microsPerDay = 86400 * 1000000

// localDayExpr returns SQL computing the local date (days since
// 1970-01-01) of the microsecond timestamp column col in loc, for
// timestamps in [from, to). SQLite has no time zone database, so instead of
// converting in SQL Origen lists the zone's UTC offsets over the range
// (transitions from Go's zone database) in a CASE: the same text for every
// dialect. Subtracting the first day keeps the division on non-negative
// numbers, where both dialects' integer division is floor division. The
// result contains only numbers Origen computed, never user text.
func localDayExpr(col string, loc *time.Location, from, to time.Time) string {
	baseDay := attribution.DateOf(from.In(loc)).Unix()
	base := baseDay * microsPerDay
	var whens []string
	t := from
	_, off := t.In(loc).Zone()
	for {
		_, end := t.In(loc).ZoneBounds()
		if end.IsZero() || !end.Before(to) || !end.After(t) {
			break
		}
		whens = append(whens, fmt.Sprintf("WHEN %s < %d THEN %d", col, end.UnixMicro(), int64(off)*1000000-base))
		t = end
		_, off = t.In(loc).Zone()
	}
	last := int64(off)*1000000 - base
	if len(whens) == 0 {
		return fmt.Sprintf("((%s + %d) / %d + %d)", col, last, microsPerDay, baseDay)
	}
	return fmt.Sprintf("((%s + CASE %s ELSE %d END) / %d + %d)", col, strings.Join(whens, " "), last, microsPerDay, baseDay)
}

// CohortResult holds the rows of the cohorts and daily spend queries.
type CohortResult struct {
	Days       []attribution.DailyRow
	Spend      []attribution.DailySpendRow
	Statements []Statement
}

// ReadCohorts runs the cohorts query (per raw channel and local
// registration date) and, when spend comes from the database, the daily
// spend query, for the report period of p.
func (r Reader) ReadCohorts(ctx context.Context, db DBTX, p Params) (CohortResult, error) {
	var res CohortResult
	if p.WindowDays <= 0 {
		return res, fmt.Errorf("read cohorts: window of %d days", p.WindowDays)
	}
	args := p.args()
	args["follow_us"] = int64(max(p.WindowDays, attribution.MaxCohortDay)) * microsPerDay
	for i, n := range attribution.CohortDays() {
		args[fmt.Sprintf("by%d_us", i+1)] = int64(n) * microsPerDay
	}
	start, end := p.Period.Bounds(p.Location)
	extra := map[string]string{"LocalDay": localDayExpr("registered_at", p.Location, start, end)}
	st, err := r.run(ctx, db, "cohorts", args, extra, p.QueryTimeout, func(rows *sqlx.Rows) error {
		var (
			ch                              sql.NullString
			day, regs, cust, b1, b2, b3, b4 int64
			revenue, immature               int64
		)
		if err := rows.Scan(&ch, &day, &regs, &cust, &b1, &b2, &b3, &b4, &revenue, &immature); err != nil {
			return err
		}
		res.Days = append(res.Days, attribution.DailyRow{Channel: ch.String, ChannelValid: ch.Valid,
			Date: epochDay(day), Registrations: regs, Customers: cust, Immature: immature,
			Revenue: attribution.Money(revenue), ConvertedBy: [attribution.NumCohortDays]int64{b1, b2, b3, b4}})
		return nil
	})
	res.Statements = append(res.Statements, st)
	if err != nil || r.Mapping.Spend == nil {
		return res, err
	}
	st, err = r.run(ctx, db, "spend_daily", p.args(), nil, p.QueryTimeout, func(rows *sqlx.Rows) error {
		var (
			ch          sql.NullString
			day, amount int64
		)
		if err := rows.Scan(&ch, &day, &amount); err != nil {
			return err
		}
		res.Spend = append(res.Spend, attribution.DailySpendRow{Channel: ch.String, ChannelValid: ch.Valid,
			Date: epochDay(day), Amount: attribution.Money(amount)})
		return nil
	})
	res.Statements = append(res.Statements, st)
	return res, err
}

func epochDay(n int64) attribution.Date {
	return attribution.Date{Year: 1970, Month: 1, Day: 1}.AddDays(int(n))
}
