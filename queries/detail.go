package queries

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/origen-analytics/origen/attribution"
)

// DetailStatement renders the detail query for p without running it, for
// the report's audit trail.
func (r Reader) DetailStatement(p Params) (Statement, error) {
	q, args, err := r.prepare("detail", p.args())
	if err != nil {
		return Statement{}, err
	}
	return Statement{Name: "detail", SQL: q, Args: args}, nil
}

// Detail runs the detail query in db and hands the period's cohort to
// yield one registration at a time, in registration order (then user), as
// the rows arrive: nothing is held but the current row, so a million
// registrations take no more memory than ten. Run it in the snapshot
// transaction of Read: then the rows add up to Read's cohort per channel
// (registrations, customers, revenue). It stops at yield's first error and
// returns it.
func (r Reader) Detail(ctx context.Context, db DBTX, p Params, yield func(attribution.DetailRow) error) error {
	st, err := r.DetailStatement(p)
	if err != nil {
		return err
	}
	if p.QueryTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.QueryTimeout)
		defer cancel()
	}
	// BeginSnapshot turns nested loops off for the whole transaction: the
	// planner guesses one registration here and would otherwise join
	// purchases by nested loop, quadratic in the cohort.
	rows, err := db.QueryxContext(ctx, st.SQL, st.Args...)
	if err != nil {
		return r.explain(ctx, st.Name, err)
	}
	defer rows.Close()
	loc := p.Location
	if loc == nil {
		loc = time.UTC
	}
	w := int64(p.WindowDays) * 86400 * 1000000
	for rows.Next() {
		var (
			user, channel     sql.NullString
			registered        int64
			first             sql.NullInt64
			revenue, immature int64
		)
		if err := rows.Scan(&user, &registered, &channel, &first, &revenue, &immature); err != nil {
			return fmt.Errorf("read %s result: %w", st.Name, err)
		}
		d := attribution.DetailRow{
			UserID:       user.String,
			RegisteredAt: time.UnixMicro(registered).In(loc),
			Channel:      attribution.NormalizeChannel(channel.String, channel.Valid),
			Days:         -1,
			Revenue:      attribution.Money(revenue),
			Immature:     immature == 1,
		}
		// cohort.sql: a first purchase inside the window converts, on day
		// floor((t − registered_at) / 24 h).
		if first.Valid && first.Int64-registered < w {
			d.ConvertedAt = time.UnixMicro(first.Int64).In(loc)
			d.Days = int((first.Int64 - registered) / 86400000000)
		}
		if err := yield(d); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return r.explain(ctx, st.Name, err)
	}
	return nil
}
