package queries

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/origen-analytics/origen/attribution"
)

// OpenRegistration is one row of the prospects query: a user inside the
// window at as_of who has not bought yet. Labels are raw.
type OpenRegistration struct {
	UserID        string
	Channel       string
	ChannelValid  bool
	Campaign      string
	CampaignValid bool
	RegisteredAt  time.Time
}

// ReadProspects streams the open registrations at asOf (registered less
// than windowDays before it, no purchase of amount > 0 up to it) to fn, one
// row at a time: memory does not grow with the number of users. fn's error
// stops the query and is returned.
func (r Reader) ReadProspects(ctx context.Context, db DBTX, asOf time.Time, windowDays int, timeout time.Duration,
	fn func(OpenRegistration) error) (Statement, error) {
	if windowDays <= 0 {
		return Statement{}, fmt.Errorf("read prospects: window of %d days", windowDays)
	}
	args := map[string]any{"as_of": asOf.UnixMicro(), "window_us": int64(windowDays) * microsPerDay}
	return r.run(ctx, db, "prospects", args, nil, timeout, func(rows *sqlx.Rows) error {
		var (
			user, ch, camp sql.NullString
			at             int64
		)
		if err := rows.Scan(&user, &ch, &camp, &at); err != nil {
			return err
		}
		return fn(OpenRegistration{UserID: user.String, Channel: ch.String, ChannelValid: ch.Valid,
			Campaign: camp.String, CampaignValid: camp.Valid, RegisteredAt: time.UnixMicro(at).UTC()})
	})
}

// ProspectCurveParams are the curve parameters of prospect scores at asOf
// (attribution.ProspectCurveWindow), with every open registration counted;
// outcomeEnd after asOf makes them a backtest's.
func ProspectCurveParams(asOf, outcomeEnd time.Time, windowDays int, timeout time.Duration) CurveParams {
	start, end := attribution.ProspectCurveWindow(asOf, windowDays)
	return CurveParams{AsOf: asOf, WindowDays: windowDays, PopulationStart: start, PopulationEnd: end,
		OpenStart: start, OpenEnd: end, OutcomeEnd: outcomeEnd, QueryTimeout: timeout}
}

// ProspectActivity is one row of the prospect events query: an open
// registration at the query's as_of with its activity and, for a training
// or backtest run, whether it converted by the outcome end.
type ProspectActivity struct {
	OpenRegistration
	Activity  attribution.EventActivity
	Converted bool
}

// ReadProspectEvents streams the open registrations at asOf with their
// activity from the [events] mapping (events after asOf are ignored) and
// whether they made a first purchase in (asOf, outcomeEnd] inside the
// window (outcomeEnd = asOf: never). It needs Mapping.Events.
func (r Reader) ReadProspectEvents(ctx context.Context, db DBTX, asOf, outcomeEnd time.Time, windowDays int, timeout time.Duration,
	fn func(ProspectActivity) error) (Statement, error) {
	if r.Mapping.Events == nil {
		return Statement{}, fmt.Errorf("read prospect events: no [events] mapping")
	}
	if windowDays <= 0 {
		return Statement{}, fmt.Errorf("read prospect events: window of %d days", windowDays)
	}
	if outcomeEnd.Before(asOf) {
		outcomeEnd = asOf
	}
	args := map[string]any{"as_of": asOf.UnixMicro(), "window_us": int64(windowDays) * microsPerDay,
		"recent_start": asOf.UnixMicro() - attribution.EventRecentDays*microsPerDay, "outcome_end": outcomeEnd.UnixMicro()}
	return r.run(ctx, db, "prospect_events", args, nil, timeout, func(rows *sqlx.Rows) error {
		var (
			user, ch, camp  sql.NullString
			at, recent, tot int64
			last            sql.NullInt64
			conv            int64
		)
		if err := rows.Scan(&user, &ch, &camp, &at, &recent, &tot, &last, &conv); err != nil {
			return err
		}
		a := ProspectActivity{OpenRegistration: OpenRegistration{UserID: user.String, Channel: ch.String, ChannelValid: ch.Valid,
			Campaign: camp.String, CampaignValid: camp.Valid, RegisteredAt: time.UnixMicro(at).UTC()},
			Activity: attribution.EventActivity{Recent: recent, Total: tot}, Converted: conv != 0}
		if last.Valid {
			a.Activity.Last = time.UnixMicro(last.Int64).UTC()
		}
		return fn(a)
	})
}
