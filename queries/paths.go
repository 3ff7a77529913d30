package queries

import (
	"context"
	"database/sql"
	"encoding/json"
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
	labels := req.Labels
	if labels == nil {
		labels = map[string]string{}
	}
	js, err := json.Marshal(labels)
	if err != nil {
		return plan{}, fmt.Errorf("read paths: channel names: %w", err)
	}
	args["labels"] = string(js)
	extra := map[string]string{
		"Touchpoints": r.touchSQL(),
		"ConvUID":     r.touchUID(),
		"Text":        textType(r.Dialect),
		"TouchSep":    map[Dialect]string{Postgres: "chr(30)", SQLite: "char(30)", MySQL: "X'1E'"}[r.Dialect],
		"ByteOrder":   byteOrder(r.Dialect),
		"Instr":       map[Dialect]string{Postgres: "strpos", SQLite: "instr", MySQL: "instr"}[r.Dialect],
		"LabelRows":   labelRows(r.Dialect),
		"JSONType":    map[Dialect]string{Postgres: "json", SQLite: "TEXT", MySQL: "CHAR"}[r.Dialect],
		// No path reads first_registrations' duplicates: no window over
		// the candidates.
		"Duplicates": "0",
	}
	// A path's touches are at most lookback before its end, which is at
	// or after the registration: from the period's start less the
	// lookback, as touch_channels reads them.
	from := start.Add(-time.Duration(req.LookbackDays) * 24 * time.Hour)
	if r.Dialect == ClickHouse {
		args["from_us"] = from.UnixMicro()
		extra = r.chPathsExtra(labels)
	} else {
		r.touchArgs(args, from, req.AsOf)
	}
	return plan{name: "paths", args: args, extra: extra}, nil
}

// touchChannelsPlan is touch_channels.sql for req: the touchpoints from
// the period's start less the lookback (a path's earliest touch) to as_of.
func (r Reader) touchChannelsPlan(req attribution.PathsRequest) (plan, error) {
	if r.Mapping.Touchpoints == nil {
		return plan{}, fmt.Errorf("read touch channels: no [touchpoints] mapping")
	}
	loc := req.Location
	if loc == nil {
		loc = time.UTC
	}
	start, _ := req.Period.Bounds(loc)
	args := map[string]any{
		"from_us": start.UnixMicro() - int64(req.LookbackDays)*microsPerDay,
		"as_of":   req.AsOf.UnixMicro(),
	}
	extra := map[string]string{"Touchpoints": r.touchSQL()}
	if r.Dialect == ClickHouse {
		extra = r.chPathsExtra(nil)
	} else {
		r.touchArgs(args, start.Add(-time.Duration(req.LookbackDays)*24*time.Hour), req.AsOf)
	}
	return plan{name: "touch_channels", args: args, extra: extra}, nil
}

// ReadTouchChannels runs touch_channels.sql: every distinct raw channel
// label of the touchpoints a path of req may hold.
func (r Reader) ReadTouchChannels(ctx context.Context, db DBTX, req attribution.PathsRequest, timeout time.Duration, yield func(string) error) error {
	p, err := r.touchChannelsPlan(req)
	if err != nil {
		return err
	}
	return r.run(ctx, db, p, timeout, func(rows *sqlx.Rows) error {
		var ch string
		if err := rows.Scan(&ch); err != nil {
			return err
		}
		return yield(ch)
	})
}

// rawTouchUID reports whether the touchpoints join the cohort on their
// stored user_id: on PostgreSQL, when registrations, purchases and
// touchpoints store it with the same type, so that the join hashes or
// sorts integers, not text under the database's collation; on MySQL when
// that type is an integer (RawUserID), so that an index on it serves the
// join.
func (r Reader) rawTouchUID() bool {
	t := r.Types[TouchpointsInput.Section]["user_id"]
	return typedRaw(r.Dialect) && r.RawUserID && t != "" && t == r.Types[RegistrationsInput.Section]["user_id"]
}

// touchUID is the cohort's user key that the touchpoints join on.
func (r Reader) touchUID() string {
	if r.rawTouchUID() {
		return "uid"
	}
	return "CAST(uid AS " + textType(r.Dialect) + ")"
}

// touchSQL is the touchpoints' sub-select: user_id (stored, or its text),
// occurred_at in microseconds, occurred_at_f (the stored value on
// PostgreSQL and MySQL, compared with bound parameters of its type as
// registered_at_f is) and the channel text. On SQLite, whose stored values
// have no type to compare with, occurred_at_f is 0 (see touchArgs): an
// inlined sub-select computes its columns at every use, and the
// microseconds a second time would only cost.
func (r Reader) touchSQL() string {
	s := *r.Mapping.Touchpoints
	uid, _ := s.columnOf(column{name: "user_id"})
	at, _ := s.columnOf(column{name: "occurred_at"})
	uidRef, ref := "origen_t."+quoteIdent(uid), "origen_t."+quoteIdent(at)
	if !r.rawTouchUID() {
		uidRef = "CAST(" + uidRef + " AS " + textType(r.Dialect) + ")"
	}
	micros := s.timeOf(r.Dialect, "occurred_at", ref)
	raw := "0"
	if typedRaw(r.Dialect) {
		raw = ref
	}
	return "  SELECT " + uidRef + " AS user_id,\n         " + micros + " AS occurred_at,\n         " + raw + " AS occurred_at_f,\n         " +
		s.channelText(r.Dialect, TouchpointsInput) + " AS channel\n  FROM " + s.from() + " AS origen_t"
}

// touchArgs adds the bounds of the touchpoints' stored occurred_at that
// paths.sql and touch_channels.sql filter on (touch_from_raw,
// touch_as_of_raw): from and asOf as parameters of the column's type, so
// that the scan compares stored values and computes the microseconds only
// for the touchpoints in range. Both bounds are exact for that type
// (rawBound), so the filters on the microseconds decide as before. On
// SQLite both are 0, as occurred_at_f is: the filters hold for every row
// and the microseconds alone decide.
func (r Reader) touchArgs(args map[string]any, from, asOf time.Time) {
	if !typedRaw(r.Dialect) {
		args["touch_from_raw"], args["touch_as_of_raw"] = 0, 0
		return
	}
	tp := TouchpointsInput.Section
	args["touch_from_raw"] = r.rawBound(tp, "occurred_at", from, true)
	args["touch_as_of_raw"] = r.rawBound(tp, "occurred_at", asOf, false)
}

// ReadPaths runs paths.sql and hands every distinct path of the cohort of
// req.Period to yield in the order of attribution.PathRow (touch counts,
// users without touch, touched paths; most followed first within each).
// It needs Mapping.Touchpoints.
func (r Reader) ReadPaths(ctx context.Context, db DBTX, req attribution.PathsRequest, timeout time.Duration, yield func(attribution.PathRow) error) error {
	p, err := r.pathsPlan(req)
	if err != nil {
		return err
	}
	return r.run(ctx, db, p, timeout, func(rows *sqlx.Rows) error {
		var (
			part, touched, regValid, first int64
			path, reg, days                sql.NullString
			conv, non, rev, users          int64
			pathConv, pathNon, pathRev     int64
		)
		if err := rows.Scan(&part, &touched, &path, &reg, &regValid, &days, &conv, &non, &rev,
			&users, &pathConv, &pathNon, &pathRev, &first); err != nil {
			return err
		}
		if part == 0 {
			return yield(attribution.PathRow{TouchCount: true, Touched: true, Channels: []string{path.String}, Touches: conv})
		}
		row := attribution.PathRow{Touched: touched == 1, RegChannel: reg.String, RegChannelValid: regValid == 1,
			Conversions: conv, NonConversions: non, Revenue: attribution.Money(rev), First: first == 1,
			PathConversions: pathConv, PathNonConversions: pathNon, PathRevenue: attribution.Money(pathRev)}
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

// ReadTouchChannels implements attribution.TouchSnapshot.
func (s *Snapshot) ReadTouchChannels(ctx context.Context, req attribution.PathsRequest, yield func(string) error) error {
	return s.reader.ReadTouchChannels(ctx, s.tx, req, s.timeout, yield)
}

// ReadPaths implements attribution.TouchSnapshot.
func (s *Snapshot) ReadPaths(ctx context.Context, req attribution.PathsRequest, yield func(attribution.PathRow) error) error {
	return s.reader.ReadPaths(ctx, s.tx, req, s.timeout, yield)
}

var _ attribution.TouchSnapshot = (*Snapshot)(nil)

// byteOrder is the collation clause that puts a text in byte order:
// PostgreSQL's "C"; SQLite compares bytes, and MySQL's session is in a
// byte-order collation (beginMySQL).
func byteOrder(d Dialect) string {
	if d == Postgres {
		return ` COLLATE "C"`
	}
	return ""
}

// labelRows is the rows (raw, label) of origen_labels_in.j, the labels
// parameter (a JSON object raw -> channel): PostgreSQL's and SQLite's
// json_each; on MySQL JSON_TABLE over the object's keys (MySQL 8.0,
// MariaDB 10.6), each key's value read with JSON_EXTRACT.
func labelRows(d Dialect) string {
	switch d {
	case Postgres:
		return "SELECT e.key AS raw, e.value AS label FROM origen_labels_in AS i, json_each_text(i.j) AS e"
	case MySQL:
		// CAST(... AS CHAR) puts the JSON functions' text in the session's
		// byte-order collation (see beginMySQL), which the joins compare.
		return "SELECT CAST(k.raw AS CHAR) AS raw, CAST(JSON_UNQUOTE(JSON_EXTRACT(i.j, CONCAT('$.', CAST(JSON_QUOTE(k.raw) AS CHAR)))) AS CHAR) AS label " +
			"FROM origen_labels_in AS i, JSON_TABLE(JSON_KEYS(i.j), '$[*]' COLUMNS (raw TEXT PATH '$')) AS k"
	}
	return "SELECT e.key AS raw, e.value AS label FROM origen_labels_in AS i, json_each(i.j) AS e"
}
