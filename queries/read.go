package queries

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"strings"
	"text/template"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/origen-analytics/origen/attribution"
)

//go:embed sql/*.sql
var sqlFiles embed.FS

// DBTX is what the queries need: both *sqlx.DB and *sqlx.Tx satisfy it, so
// everything can run inside the one snapshot transaction.
type DBTX interface {
	sqlx.QueryerContext
	sqlx.ExecerContext
}

// Statement is one query as it ran, for the report's audit trail.
type Statement = attribution.Statement

// Reader runs the embedded queries of one mapping in one dialect.
type Reader struct {
	Dialect Dialect
	Mapping Mapping
	// RawUserID joins registrations and purchases on their stored user_id
	// (PostgreSQL, when both have the same type; Check tells), so that an
	// index on it serves the join; otherwise on its text.
	RawUserID bool
	// Types are the database types of the mapped columns by section and
	// canonical name, as Check found them (upper case; may be empty).
	Types map[string]map[string]string
	// Location is the report's time zone: the local date of a spend date
	// stored with a UTC offset on SQLite (PostgreSQL uses the session's
	// TimeZone, which BeginSnapshot sets to it).
	Location *time.Location
	// Stored is the zone of MySQL DATETIME values ([database]
	// stored_timezone; nil is UTC).
	Stored *time.Location
	// Record, when set, is called with every statement before it runs.
	Record func(Statement)
}

// includePrefix marks a line that stands for the text of another
// embedded file (a shared part of several statements, *.inc.sql).
const includePrefix = "-- include "

// prepare turns an embedded query file into executable SQL and its
// arguments. Included parts are inserted first; named parameters are bound
// before the sources' sub-selects are inserted, so a user's sql = text
// (with its own colons, casts or question marks) is never mistaken for a
// parameter. extra are further template values: SQL that Origen itself
// generates, never user text.
func (r Reader) prepare(name string, args map[string]any, extra map[string]string) (string, []any, error) {
	if r.Dialect == ClickHouse {
		return r.prepareClickHouse(name, args, extra)
	}
	text, err := readSQL(name)
	if err != nil {
		return "", nil, err
	}
	if r.Dialect == MySQL {
		text = mysqlSQL(text)
	}
	q, list, err := sqlx.Named(text, args)
	if err != nil {
		return "", nil, fmt.Errorf("bind query %s: %w", name, err)
	}
	if r.Dialect == Postgres {
		q = sqlx.Rebind(sqlx.DOLLAR, q)
	}
	tmpl, err := template.New(name).Option("missingkey=error").Parse(q)
	if err != nil {
		return "", nil, fmt.Errorf("parse embedded query %s: %w", name, err)
	}
	data := map[string]string{
		// SQLite evaluates a CTE joined on a computed key once per outer
		// row unless it is materialized (then it indexes it automatically);
		// PostgreSQL inlines a CTE used once and materializes one used more
		// often by itself, so only SQLite gets the fence.
		"Materialized":       map[Dialect]string{SQLite: "MATERIALIZED "}[r.Dialect],
		"RegistrationsQ":     r.Mapping.Registrations.qualitySQL(r.Dialect, RegistrationsInput),
		"PurchasesQ":         r.Mapping.Purchases.qualitySQL(r.Dialect, PurchasesInput),
		"RegistrationsKeyed": r.Mapping.Registrations.keyedSQL(r.Dialect, RegistrationsInput, r.RawUserID),
		"PurchasesKeyed":     r.Mapping.Purchases.keyedSQL(r.Dialect, PurchasesInput, r.RawUserID),
	}
	// first_registrations' order of a user's candidates (the tie rule) and
	// its count of a user's other registrations; a statement that does not
	// read the count sets Duplicates to "0" in extra. On PostgreSQL and
	// SQLite the count shares the order's window (one sort, one window
	// pass; the whole partition as its frame, which rank ignores) and
	// sums integers, not PostgreSQL's numeric sum of bigint; MariaDB
	// refuses a frame with rank ("Window frame is not allowed with
	// 'rank'"), so there the count has its own window.
	order := "(PARTITION BY r.uid ORDER BY r.registered_at_f, r.channel_key, r.campaign_key ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)"
	data["UserOrder"], data["Duplicates"] = order, "SUM(CAST(COUNT(*) AS integer)) OVER "+order+" - 1"
	if r.Dialect == MySQL {
		data["UserOrder"] = "(PARTITION BY r.uid ORDER BY r.registered_at_f, r.channel_key, r.campaign_key)"
		data["Duplicates"] = "SUM(COUNT(*)) OVER (PARTITION BY r.uid) - 1"
	}
	// ltv.sql's origen_lf compares a candidate's tie-rule keys.
	data["CChannelKey"], data["CCampaignKey"] = r.Mapping.Registrations.channelKey(r.Dialect, "c.channel"), labelKey(r.Dialect, "c.campaign")
	data["CRegUs"] = "c.registered_at_f"
	switch r.Dialect {
	case Postgres:
		data["CRegUs"] = timeExpr(r.Dialect, "c.registered_at_f")
	case MySQL:
		data["CRegUs"] = r.Mapping.Registrations.timeOf(r.Dialect, "registered_at", "c.registered_at_f")
	}
	data["UserIDText"] = "CAST(uid AS " + textType(r.Dialect) + ")"
	data["KeyedCTEs"] = ""
	if r.Dialect == SQLite {
		// SQLite indexes a materialized CTE automatically for a join on a
		// computed key; it would scan a sub-select once per outer row.
		data["KeyedCTEs"] = "origen_rk AS MATERIALIZED " + data["RegistrationsKeyed"] + ",\n" +
			"origen_pk AS MATERIALIZED " + data["PurchasesKeyed"] + ",\n"
		data["RegistrationsKeyed"], data["PurchasesKeyed"] = "origen_rk", "origen_pk"
	}
	if r.Mapping.Spend != nil {
		data["SpendKeyed"] = r.Mapping.Spend.keyedSQL(r.Dialect, SpendInput, false)
		data["SpendQ"] = r.Mapping.Spend.qualitySQL(r.Dialect, SpendInput)
	}
	if r.Mapping.Events != nil {
		data["Events"] = r.Mapping.Events.selectSQL(r.Dialect, EventsInput)
	}
	for k, v := range extra {
		data[k] = v
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, data); err != nil {
		return "", nil, fmt.Errorf("render query %s: %w", name, err)
	}
	return b.String(), list, nil
}

// readSQL reads an embedded query file with its included parts.
func readSQL(name string) (string, error) {
	text, err := sqlFiles.ReadFile("sql/" + name + ".sql")
	if err != nil {
		return "", fmt.Errorf("read embedded query %s: %w", name, err)
	}
	lines := strings.SplitAfter(string(text), "\n")
	for i, l := range lines {
		if part, ok := strings.CutPrefix(strings.TrimSpace(l), includePrefix); ok {
			inc, err := sqlFiles.ReadFile("sql/" + part + ".inc.sql")
			if err != nil {
				return "", fmt.Errorf("query %s includes %s: %w", name, part, err)
			}
			lines[i] = string(inc)
		}
	}
	return strings.Join(lines, ""), nil
}

// plan is one statement to run: an embedded query with its arguments and
// extra template values.
type plan struct {
	name  string
	args  map[string]any
	extra map[string]string
}

// run executes one embedded query and hands every row to scan. The
// statement is recorded before it runs.
func (r Reader) run(ctx context.Context, db DBTX, p plan, timeout time.Duration, scan func(*sqlx.Rows) error) error {
	name := p.name
	q, list, err := r.prepare(name, p.args, p.extra)
	if err != nil {
		return err
	}
	if r.Record != nil {
		r.Record(Statement{Name: name, SQL: q, Args: list})
	}
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	rows, err := db.QueryxContext(ctx, q, list...)
	if err != nil {
		return r.explain(ctx, name, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			if _, ok := err.(*attribution.Error); ok {
				return err
			}
			if overflowed(err) {
				return overflowError(name, err)
			}
			return fmt.Errorf("read %s result: %w", name, err)
		}
	}
	if err := rows.Err(); err != nil {
		return r.explain(ctx, name, err)
	}
	return nil
}

// explain turns a database error into one a person can act on.
func (r Reader) explain(ctx context.Context, name string, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || statementTimedOut(err) {
		return fmt.Errorf("query %s timed out (raise [database] statement_timeout): %w", name, err)
	}
	if ctx.Err() != nil {
		return fmt.Errorf("query %s cancelled: %w", name, ctx.Err())
	}
	if overflowed(err) {
		return overflowError(name, err)
	}
	if r.Dialect == ClickHouse {
		if e := clickHouseExplain(name, err); e != nil {
			return e
		}
	}
	msg := err.Error()
	for _, hint := range []string{"does not exist", "no such table", "no such column", "syntax error", "Syntax error", "Missing columns", "Unknown identifier", "Illegal type", "permission denied", "operator does not exist", "cannot cast", "invalid input syntax", "function",
		"Error 1054", "Error 1146", "Error 1064", "Error 1142", "Error 1143"} { // MySQL: unknown column, no such table, syntax, denied
		if strings.Contains(msg, hint) {
			return attribution.Errorf(attribution.KindConfig,
				"query %s failed on the configured mapping (run `origen check --config` for details): %w", name, err)
		}
	}
	return fmt.Errorf("query %s: %w", name, err)
}

// overflowed reports whether err says that a number left the range of a
// 64-bit integer: a sum in the database (PostgreSQL "bigint out of range",
// SQLite "integer overflow") or a value too large to scan.
func overflowed(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "out of range") || strings.Contains(msg, "integer overflow") ||
		clickHouseOverflow(msg)
}

// overflowError is the data error of an overflowing amount or sum: money
// is exact in 1/10000 units of an int64, never a wrapped number.
func overflowError(name string, err error) error {
	return attribution.Errorf(attribution.KindData,
		"query %s: an amount or a sum of amounts is beyond what Origen holds exactly (±922,337,203,685,477.5807 in the report currency): check the source for amounts in the wrong unit or a corrupt row: %w", name, err)
}

// ReadQuality counts the sources' rows once, source-wide, and refuses data
// that would make the report wrong: a required column that is NULL or
// unreadable in every row of a non-empty source.
func (r Reader) ReadQuality(ctx context.Context, db DBTX, asOf time.Time, timeout time.Duration) (attribution.DataQuality, []string, error) {
	var q attribution.DataQuality
	plans := r.qualityPlans(asOf)
	var noChannel, regBadTime, regNoTime int64
	err := r.run(ctx, db, plans[0], timeout, func(rows *sqlx.Rows) error {
		return rows.Scan(&q.RegistrationRows, &q.RegistrationsNoUser, &regBadTime, &regNoTime, &noChannel, &q.RegistrationsAfterAsOf)
	})
	if err != nil {
		return q, nil, err
	}
	q.RegistrationsNoTime = regBadTime + regNoTime
	if n := q.RegistrationRows; n > 0 {
		if err := allBad("registrations", "user_id", r.Mapping.Registrations, q.RegistrationsNoUser, 0, n); err != nil {
			return q, nil, err
		}
		if err := allBad("registrations", "registered_at", r.Mapping.Registrations, regNoTime, regBadTime, n); err != nil {
			return q, nil, err
		}
		if err := allBad("registrations", "channel", r.Mapping.Registrations, noChannel, 0, n); err != nil {
			return q, nil, err
		}
	}
	var purNoUser, purBadTime, purNoTime, purNoAmount int64
	err = r.run(ctx, db, plans[1], timeout, func(rows *sqlx.Rows) error {
		return rows.Scan(&q.PurchaseRows, &purNoUser, &purBadTime, &purNoTime, &purNoAmount, &q.PurchasesIgnored,
			&q.Refunds, &q.ZeroAmountPurchases, &q.PurchasesAfterAsOf)
	})
	if err != nil {
		return q, nil, err
	}
	q.PurchasesNullAmount = purNoAmount
	if n := q.PurchaseRows; n > 0 {
		for _, c := range []struct {
			col       string
			null, bad int64
		}{{"user_id", purNoUser, 0}, {"purchased_at", purNoTime, purBadTime}, {"amount", purNoAmount, 0}} {
			if err := allBad("purchases", c.col, r.Mapping.Purchases, c.null, c.bad, n); err != nil {
				return q, nil, err
			}
		}
	}
	if r.Mapping.Spend != nil {
		var badDay, noDay, noAmount int64
		err = r.run(ctx, db, plans[2], timeout, func(rows *sqlx.Rows) error {
			return rows.Scan(&q.SpendRows, &badDay, &noDay, &noAmount)
		})
		if err != nil {
			return q, nil, err
		}
		q.SpendIgnored = badDay + noDay + noAmount // a row can count twice; it is ignored once
		q.SpendNullAmount = noAmount
		if n := q.SpendRows; n > 0 {
			if err := allBad("spend", "date", *r.Mapping.Spend, noDay, badDay, n); err != nil {
				return q, nil, err
			}
			if err := allBad("spend", "amount", *r.Mapping.Spend, noAmount, 0, n); err != nil {
				return q, nil, err
			}
		}
	}
	return q, qualityWarnings(q), nil
}

// qualityPlans are the source-wide counts, one statement per source.
func (r Reader) qualityPlans(asOf time.Time) []plan {
	args := map[string]any{
		"reg_as_of": r.rawBound(RegistrationsInput.Section, "registered_at", asOf, false),
		"pur_as_of": r.rawBound(PurchasesInput.Section, "purchased_at", asOf, false),
	}
	plans := []plan{{name: "registrations_quality", args: args}, {name: "purchases_quality", args: args}}
	if r.Mapping.Spend != nil {
		plans = append(plans, plan{name: "spend_quality", args: args})
	}
	return plans
}

// allBad reports a KindData error when every one of n rows has a NULL or
// unreadable value in a required column.
func allBad(section, canon string, s Source, null, bad, n int64) error {
	if null+bad < n {
		return nil
	}
	col := canon
	if name, ok := s.Columns[canon]; ok {
		col = name
	}
	what := "NULL"
	if bad > 0 {
		what = "NULL or not a readable value"
	}
	return attribution.Errorf(attribution.KindData,
		"[%s] column %q (%s) is %s in all %d rows: map %s to the right column",
		section, col, canon, what, n, canon)
}

func qualityWarnings(q attribution.DataQuality) []string {
	var w []string
	add := func(n int64, format string) {
		if n > 0 {
			w = append(w, fmt.Sprintf(format, n))
		}
	}
	add(q.RegistrationsNoUser, "%d registrations have no user_id and were ignored")
	add(q.RegistrationsNoTime, "%d registrations have no readable registered_at and were ignored")
	add(q.PurchasesIgnored, "%d purchases have no user_id, readable purchased_at or amount and were ignored")
	add(q.SpendIgnored, "%d spend rows have no readable date or amount and were ignored")
	return w
}
