package queries

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/origen-analytics/origen/attribution"
)

// CurveParams select the population of the curves query and the
// registrations it reports as open (docs/METRICS-COHORTS.md).
type CurveParams struct {
	AsOf       time.Time
	WindowDays int
	// Population is the registration instants [start, end) of the curve
	// population (attribution.ReportCurveWindow, ProspectCurveWindow).
	PopulationStart, PopulationEnd time.Time
	// OpenStart and OpenEnd bound the registrations counted as open:
	// the report period, or everything for prospect scores.
	OpenStart, OpenEnd time.Time
	// OutcomeEnd, when after AsOf, makes the query count the open
	// registrations that made a first purchase in (AsOf, OutcomeEnd]: a
	// backtest's outcome. Zero means AsOf.
	OutcomeEnd   time.Time
	QueryTimeout time.Duration
}

func (p CurveParams) args() map[string]any {
	end := p.OutcomeEnd
	if end.Before(p.AsOf) {
		end = p.AsOf
	}
	return map[string]any{
		"as_of":       p.AsOf.UnixMicro(),
		"window_us":   int64(p.WindowDays) * 86400 * 1000000,
		"window_days": int64(p.WindowDays),
		"curve_start": p.PopulationStart.UnixMicro(),
		"curve_end":   p.PopulationEnd.UnixMicro(),
		"open_start":  p.OpenStart.UnixMicro(),
		"open_end":    p.OpenEnd.UnixMicro(),
		"outcome_end": end.UnixMicro(),
	}
}

// ReadCurves runs the curves query: per raw channel and campaign label and
// per day, the converted, censored and open counts that
// attribution.BuildCurves turns into Kaplan–Meier curves. It returns the
// statement as it ran for the audit trail.
func (r Reader) ReadCurves(ctx context.Context, db DBTX, p CurveParams) ([]attribution.CurveRow, Statement, error) {
	if p.WindowDays <= 0 {
		return nil, Statement{}, fmt.Errorf("read curves: window of %d days", p.WindowDays)
	}
	var out []attribution.CurveRow
	st, err := r.run(ctx, db, "curves", p.args(), nil, p.QueryTimeout, func(rows *sqlx.Rows) error {
		var (
			ch, camp                        sql.NullString
			day, conv, cens, open, openNext int64
		)
		if err := rows.Scan(&ch, &camp, &day, &conv, &cens, &open, &openNext); err != nil {
			return err
		}
		out = append(out, attribution.CurveRow{Channel: ch.String, ChannelValid: ch.Valid,
			Campaign: camp.String, CampaignValid: camp.Valid, Day: int(day),
			Converted: conv, Censored: cens, Open: open, OpenNext: openNext})
		return nil
	})
	return out, st, err
}

// run executes one embedded query with its own arguments and extra
// template values (see prepareWith) and hands every row to scan, like
// Reader.query does for the report's queries.
func (r Reader) run(ctx context.Context, db DBTX, name string, args map[string]any, extra map[string]string,
	timeout time.Duration, scan func(*sqlx.Rows) error) (Statement, error) {
	q, list, err := r.prepareWith(name, args, extra)
	if err != nil {
		return Statement{}, err
	}
	st := Statement{Name: name, SQL: q, Args: list}
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	rows, err := db.QueryxContext(ctx, q, list...)
	if err != nil {
		return st, r.explain(ctx, name, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			if _, ok := err.(*attribution.Error); ok {
				return st, err
			}
			return st, fmt.Errorf("read %s result: %w", name, err)
		}
	}
	if err := rows.Err(); err != nil {
		return st, r.explain(ctx, name, err)
	}
	return st, nil
}
