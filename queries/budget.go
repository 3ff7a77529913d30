package queries

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/origen-analytics/origen/attribution"
)

// ReadBudgetWeeks runs budget_weeks.sql: the registrations of the budget
// plan's lookback per raw channel, local ISO week and open day
// (docs/BUDGET.md, "Data").
func (r Reader) ReadBudgetWeeks(ctx context.Context, db DBTX, req attribution.BudgetWeeksRequest, timeout time.Duration) ([]attribution.BudgetWeekRow, error) {
	p, err := r.budgetWeeksPlan(req)
	if err != nil {
		return nil, err
	}
	var out []attribution.BudgetWeekRow
	err = r.run(ctx, db, p, timeout, func(rows *sqlx.Rows) error {
		var (
			ch                        sql.NullString
			week, open, regs, cust, v int64
		)
		if err := rows.Scan(&ch, &week, &open, &regs, &cust, &v); err != nil {
			return err
		}
		out = append(out, attribution.BudgetWeekRow{Channel: ch.String, ChannelValid: ch.Valid, Week: epochDay(week),
			OpenDay: int(open), Registrations: regs, Customers: cust, Revenue: attribution.Money(v)})
		return nil
	})
	return out, err
}

// budgetWeeksPlan is budget_weeks.sql for req.
func (r Reader) budgetWeeksPlan(req attribution.BudgetWeeksRequest) (plan, error) {
	if req.WindowDays <= 0 {
		return plan{}, fmt.Errorf("read budget weeks: window of %d days", req.WindowDays)
	}
	if req.Weeks.Days() <= 0 || req.Weeks.Days()%7 != 0 {
		return plan{}, fmt.Errorf("read budget weeks: %s is not a whole number of weeks", req.Weeks)
	}
	loc := req.Location
	if loc == nil {
		loc = time.UTC
	}
	start, end := req.Weeks.Bounds(loc)
	args := r.rangeArgs(start, end, req.AsOf, req.WindowDays, req.WindowDays)
	return plan{name: "budget_weeks", args: args, extra: map[string]string{"LocalWeek": r.localWeek(loc, start, end),
		"LocalDay": r.localDay("reg_us", loc, start, end)}}, nil
}

// localWeek is the local ISO week of reg_us, for registrations in [start,
// end) - its Monday as days since 1970-01-01. From the local day D (day 0
// is a Thursday) it is D − ((D + 3) mod 7), with the modulo kept
// non-negative.
func (r Reader) localWeek(loc *time.Location, start, end time.Time) string {
	day := r.localDay("reg_us", loc, start, end)
	return fmt.Sprintf("(%s - ((%s + 3) %% 7 + 7) %% 7)", day, day)
}

// ReadBudgetWeeks implements attribution.Snapshot.
func (s *Snapshot) ReadBudgetWeeks(ctx context.Context, req attribution.BudgetWeeksRequest) ([]attribution.BudgetWeekRow, error) {
	return s.reader.ReadBudgetWeeks(ctx, s.tx, req, s.timeout)
}

// BudgetWeeksStatement renders budget_weeks.sql for req without running
// it, for `origen run --dry-run`.
func (r Reader) BudgetWeeksStatement(req attribution.BudgetWeeksRequest) (Statement, error) {
	p, err := r.budgetWeeksPlan(req)
	if err != nil {
		return Statement{}, err
	}
	q, args, err := r.prepare(p.name, p.args, p.extra)
	return Statement{Name: p.name, SQL: q, Args: args}, err
}
