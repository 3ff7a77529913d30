package queries

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/origen-analytics/origen/attribution"
)

// TouchpointsInput is the optional marketing touchpoints of users (an ad
// click, a visit from search, a newsletter) that multi-touch attribution
// reads when mapped (docs/MULTITOUCH.md): the channel, or source, medium
// and campaign grouped by the channel rules.
var TouchpointsInput = Input{"touchpoints", []column{
	{"user_id", colText, false}, {"occurred_at", colTime, false}, {"channel", colText, false},
	{"campaign", colText, true}, {"source", colText, true}, {"medium", colText, true},
}}

// touchSep separates the touches of a path as the database aggregates
// them (ASCII record separator; the grouped label uses the unit
// separator).
const touchSep = "\x1e"

// pathsPlan is paths.sql for req.
func (r Reader) pathsPlan(req attribution.PathsRequest) (plan, error) {
	if r.Mapping.Touchpoints == nil {
		return plan{}, fmt.Errorf("read paths: no [touchpoints] mapping")
	}
	if req.WindowDays <= 0 || req.LookbackDays <= 0 {
		return plan{}, fmt.Errorf("read paths: window of %d days, lookback of %d days", req.WindowDays, req.LookbackDays)
	}
	loc := req.Location
	if loc == nil {
		loc = time.UTC
	}
	start, end := req.Period.Bounds(loc)
	args := r.rangeArgs(start, end, req.AsOf, req.WindowDays, req.WindowDays)
	args["lookback_us"] = int64(req.LookbackDays) * microsPerDay
	args["by_registration"] = 0
	if req.ByRegistration {
		args["by_registration"] = 1
	}
	extra := map[string]string{
		"Touchpoints": r.touchSQL(),
		"ConvUID":     r.touchUID(),
		"Text":        textType(r.Dialect),
		"TouchSep":    map[Dialect]string{Postgres: "chr(30)", SQLite: "char(30)", MySQL: "X'1E'"}[r.Dialect],
		"ByteOrder":   map[Dialect]string{Postgres: ` COLLATE "C"`, SQLite: "", MySQL: ""}[r.Dialect],
	}
	return plan{name: "paths", args: args, extra: extra}, nil
}

// rawTouchUID reports whether the touchpoints join the cohort on their
// stored user_id: on PostgreSQL, when registrations, purchases and
// touchpoints store it with the same type, so that the join hashes or
// sorts integers, not text under the database's collation; on MySQL when
// that type is an integer (RawUserID), so that an index on it serves the
// join.
func (r Reader) rawTouchUID() bool {
	t := r.Types[TouchpointsInput.Section]["user_id"]
	return r.Dialect != SQLite && r.RawUserID && t != "" && t == r.Types[RegistrationsInput.Section]["user_id"]
}

// touchUID is the cohort's user key that the touchpoints join on.
func (r Reader) touchUID() string {
	if r.rawTouchUID() {
		return "uid"
	}
	return "CAST(uid AS " + textType(r.Dialect) + ")"
}

// touchSQL is the touchpoints' sub-select: user_id (stored, or its text),
// occurred_at in microseconds and the channel text.
func (r Reader) touchSQL() string {
	s := *r.Mapping.Touchpoints
	if !r.rawTouchUID() {
		return s.selectSQL(r.Dialect, TouchpointsInput)
	}
	uid, _ := s.columnOf(column{name: "user_id"})
	at, _ := s.columnOf(column{name: "occurred_at"})
	ref := "origen_t." + quoteIdent(at)
	return "  SELECT origen_t." + quoteIdent(uid) + " AS user_id,\n         " + s.timeOf(r.Dialect, "occurred_at", ref) + " AS occurred_at,\n         " +
		s.channelText(r.Dialect, TouchpointsInput) + " AS channel\n  FROM " + s.from() + " AS origen_t"
}

// ReadPaths runs paths.sql and hands every distinct path of the cohort of
// req.Period to yield, most followed first, the rows of one path (its
// timings) together. It needs Mapping.Touchpoints.
func (r Reader) ReadPaths(ctx context.Context, db DBTX, req attribution.PathsRequest, timeout time.Duration, yield func(attribution.PathRow) error) error {
	p, err := r.pathsPlan(req)
	if err != nil {
		return err
	}
	return r.run(ctx, db, p, timeout, func(rows *sqlx.Rows) error {
		var (
			touched, regValid   int64
			path, reg, days     sql.NullString
			conv, non, rev, all int64
		)
		if err := rows.Scan(&touched, &path, &reg, &regValid, &days, &conv, &non, &rev, &all); err != nil {
			return err
		}
		row := attribution.PathRow{Touched: touched == 1, RegChannel: reg.String, RegChannelValid: regValid == 1,
			Conversions: conv, NonConversions: non, Revenue: attribution.Money(rev)}
		if row.Touched {
			row.Channels = strings.Split(path.String, touchSep)
			if days.Valid {
				for _, d := range strings.Split(days.String, ",") {
					n, err := strconv.Atoi(d)
					if err != nil {
						return fmt.Errorf("path timing %q: %w", days.String, err)
					}
					row.Days = append(row.Days, n)
				}
				if len(row.Days) != len(row.Channels) {
					return fmt.Errorf("path of %d touches has %d timings (a channel label holds the character 0x1E?)", len(row.Channels), len(row.Days))
				}
			}
		}
		return yield(row)
	})
}

// HasTouchpoints implements attribution.TouchSnapshot.
func (s *Snapshot) HasTouchpoints() bool { return s.reader.Mapping.Touchpoints != nil }

// ReadPaths implements attribution.TouchSnapshot.
func (s *Snapshot) ReadPaths(ctx context.Context, req attribution.PathsRequest, yield func(attribution.PathRow) error) error {
	return s.reader.ReadPaths(ctx, s.tx, req, s.timeout, yield)
}

var _ attribution.TouchSnapshot = (*Snapshot)(nil)
