package queries

import (
	"bytes"
	"context"
	"database/sql"
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

// Params are the report parameters the queries bind.
type Params struct {
	Period     attribution.Period
	Location   *time.Location
	AsOf       time.Time
	WindowDays int
	// QueryTimeout bounds each statement; zero means no bound beyond ctx.
	QueryTimeout time.Duration
}

// Statement is one query as it ran, for the report's audit trail.
type Statement struct {
	Name string
	SQL  string
	Args []any // the bound arguments, in order
}

// Result holds the aggregated rows of a report and the source-wide counts.
type Result struct {
	Cohort     []attribution.CohortRow
	Spend      []attribution.SpendRow
	Quality    attribution.DataQuality
	Statements []Statement
	// Warnings are findings worth a line on stderr and in the report.
	Warnings []string
}

// Reader runs the report queries of one mapping in one dialect.
type Reader struct {
	Dialect Dialect
	Mapping Mapping
}

// prepare turns an embedded query file into executable SQL and its
// arguments. Named parameters are bound before the sources' sub-selects are
// inserted, so a user's sql = text (with its own colons, casts or question
// marks) is never mistaken for a parameter.
func (r Reader) prepare(name string, args map[string]any) (string, []any, error) {
	return r.prepareWith(name, args, nil)
}

// prepareWith is prepare with extra template values, inserted like the
// sources after the parameters are bound. They must be SQL that Origen
// itself generates (never user text).
func (r Reader) prepareWith(name string, args map[string]any, extra map[string]string) (string, []any, error) {
	text, err := sqlFiles.ReadFile("sql/" + name + ".sql")
	if err != nil {
		return "", nil, fmt.Errorf("read embedded query %s: %w", name, err)
	}
	q, list, err := sqlx.Named(string(text), args)
	if err != nil {
		return "", nil, fmt.Errorf("bind query %s: %w", name, err)
	}
	if r.Dialect == Postgres {
		q = sqlx.Rebind(sqlx.DOLLAR, q)
	}
	tmpl, err := template.New(name).Parse(q)
	if err != nil {
		return "", nil, fmt.Errorf("parse embedded query %s: %w", name, err)
	}
	data := map[string]string{
		// SQLite evaluates a CTE joined on a computed key once per outer
		// row unless it is materialized (then it indexes it automatically);
		// PostgreSQL plans better without the fence, so only SQLite gets it.
		"Materialized":  map[Dialect]string{SQLite: "MATERIALIZED "}[r.Dialect],
		"Registrations": r.Mapping.Registrations.selectSQL(r.Dialect, RegistrationsInput),
		"Purchases":     r.Mapping.Purchases.selectSQL(r.Dialect, PurchasesInput),
	}
	if r.Mapping.Spend != nil {
		data["Spend"] = r.Mapping.Spend.selectSQL(r.Dialect, SpendInput)
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

func (p Params) args() map[string]any {
	start, end := p.Period.Bounds(p.Location)
	return map[string]any{
		"period_start": start.UnixMicro(),
		"period_end":   end.UnixMicro(),
		"as_of":        p.AsOf.UnixMicro(),
		"window_us":    int64(p.WindowDays) * 86400 * 1000000,
		"from_day":     p.Period.From.Unix(),
		"to_day":       p.Period.To.Unix(),
	}
}

// query runs one embedded query and hands every row to scan.
func (r Reader) query(ctx context.Context, db DBTX, p Params, name string, res *Result, scan func(*sqlx.Rows) error) error {
	q, args, err := r.prepare(name, p.args())
	if err != nil {
		return err
	}
	res.Statements = append(res.Statements, Statement{Name: name, SQL: q, Args: args})
	if p.QueryTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.QueryTimeout)
		defer cancel()
	}
	rows, err := db.QueryxContext(ctx, q, args...)
	if err != nil {
		return r.explain(ctx, name, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
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
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || strings.Contains(err.Error(), "statement timeout") {
		return fmt.Errorf("query %s timed out (raise [database] statement_timeout): %w", name, err)
	}
	if ctx.Err() != nil {
		return fmt.Errorf("query %s cancelled: %w", name, ctx.Err())
	}
	msg := err.Error()
	for _, hint := range []string{"does not exist", "no such table", "no such column", "syntax error", "permission denied", "operator does not exist", "cannot cast", "invalid input syntax", "function"} {
		if strings.Contains(msg, hint) {
			return attribution.Errorf(attribution.KindConfig,
				"query %s failed on the configured mapping (run `origen check --config` for details): %w", name, err)
		}
	}
	return fmt.Errorf("query %s: %w", name, err)
}

// Read runs every report query in db (a snapshot transaction) and returns
// the aggregated rows. Data problems that would make the report wrong are
// returned as attribution.KindData errors.
func (r Reader) Read(ctx context.Context, db DBTX, p Params) (Result, error) {
	var res Result
	if err := r.readQuality(ctx, db, p, &res); err != nil {
		return res, err
	}
	err := r.query(ctx, db, p, "cohort", &res, func(rows *sqlx.Rows) error {
		var (
			ch                   sql.NullString
			existing, immature   int
			days, n, dup, amount int64
		)
		if err := rows.Scan(&ch, &existing, &days, &immature, &n, &dup, &amount); err != nil {
			return err
		}
		res.Cohort = append(res.Cohort, attribution.CohortRow{
			Channel: ch.String, ChannelValid: ch.Valid, Existing: existing == 1, Days: int(days),
			Immature: immature == 1, Count: n, Duplicates: dup, Revenue: attribution.Money(amount),
		})
		return nil
	})
	if err != nil {
		return res, err
	}
	if r.Mapping.Spend == nil {
		return res, nil
	}
	err = r.query(ctx, db, p, "spend", &res, func(rows *sqlx.Rows) error {
		var (
			ch                  sql.NullString
			amount, n, negative int64
			firstNegative       sql.NullInt64
		)
		if err := rows.Scan(&ch, &amount, &n, &negative, &firstNegative); err != nil {
			return err
		}
		if negative > 0 {
			day := attribution.Date{Year: 1970, Month: 1, Day: 1}.AddDays(int(firstNegative.Int64))
			return attribution.Errorf(attribution.KindData,
				"[spend] has %d rows with a negative amount for channel %q (first on %s): spend must be >= 0; fix the source or exclude them with sql =",
				negative, attribution.NormalizeChannel(ch.String, ch.Valid), day)
		}
		res.Spend = append(res.Spend, attribution.SpendRow{
			Channel: ch.String, ChannelValid: ch.Valid, Amount: attribution.Money(amount), Rows: n,
		})
		return nil
	})
	return res, err
}

// readQuality counts the sources' rows and refuses data that would make
// the report wrong: a required column that is NULL or unreadable in every
// row of a non-empty source.
func (r Reader) readQuality(ctx context.Context, db DBTX, p Params, res *Result) error {
	q := &res.Quality
	var noChannel, regBadTime, regNoTime int64
	err := r.query(ctx, db, p, "registrations_quality", res, func(rows *sqlx.Rows) error {
		return rows.Scan(&q.RegistrationRows, &q.RegistrationsNoUser, &regBadTime, &regNoTime, &noChannel, &q.RegistrationsAfterAsOf)
	})
	if err != nil {
		return err
	}
	q.RegistrationsNoTime = regBadTime + regNoTime
	if n := q.RegistrationRows; n > 0 {
		if err := allBad("registrations", "user_id", r.Mapping.Registrations, q.RegistrationsNoUser, 0, n); err != nil {
			return err
		}
		if err := allBad("registrations", "registered_at", r.Mapping.Registrations, regNoTime, regBadTime, n); err != nil {
			return err
		}
		if err := allBad("registrations", "channel", r.Mapping.Registrations, noChannel, 0, n); err != nil {
			return err
		}
	}
	var purNoUser, purBadTime, purNoTime, purNoAmount int64
	err = r.query(ctx, db, p, "purchases_quality", res, func(rows *sqlx.Rows) error {
		return rows.Scan(&q.PurchaseRows, &purNoUser, &purBadTime, &purNoTime, &purNoAmount, &q.PurchasesIgnored,
			&q.Refunds, &q.ZeroAmountPurchases, &q.PurchasesAfterAsOf)
	})
	if err != nil {
		return err
	}
	q.PurchasesNullAmount = purNoAmount
	if n := q.PurchaseRows; n > 0 {
		for _, c := range []struct {
			col       string
			null, bad int64
		}{{"user_id", purNoUser, 0}, {"purchased_at", purNoTime, purBadTime}, {"amount", purNoAmount, 0}} {
			if err := allBad("purchases", c.col, r.Mapping.Purchases, c.null, c.bad, n); err != nil {
				return err
			}
		}
	}
	if r.Mapping.Spend != nil {
		var badDay, noDay, noAmount int64
		err = r.query(ctx, db, p, "spend_quality", res, func(rows *sqlx.Rows) error {
			return rows.Scan(&q.SpendRows, &badDay, &noDay, &noAmount, &q.SpendRowsInPeriod)
		})
		if err != nil {
			return err
		}
		q.SpendIgnored = badDay + noDay + noAmount // a row can count twice; it is ignored once
		q.SpendNullAmount = noAmount
		if n := q.SpendRows; n > 0 {
			if err := allBad("spend", "date", *r.Mapping.Spend, noDay, badDay, n); err != nil {
				return err
			}
			if err := allBad("spend", "amount", *r.Mapping.Spend, noAmount, 0, n); err != nil {
				return err
			}
		}
	}
	res.Warnings = append(res.Warnings, qualityWarnings(*q)...)
	return nil
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
