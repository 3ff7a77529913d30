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
