package queries

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/origen-analytics/origen/attribution"
)

// BeginSnapshot starts the one read-only transaction that every query of a
// run shares, so registrations, purchases and spend come from the same
// snapshot. On PostgreSQL it is REPEATABLE READ READ ONLY with
// statement_timeout and TimeZone (used to cast spend timestamps to dates)
// set for the transaction only. SQLite transactions are serializable; the
// connection is made query-only.
func BeginSnapshot(ctx context.Context, db *sqlx.DB, d Dialect, timezone string, statementTimeout time.Duration) (*sqlx.Tx, error) {
	if d == SQLite {
		tx, err := db.BeginTxx(ctx, nil)
		if err != nil {
			return nil, fmt.Errorf("begin read transaction: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "PRAGMA query_only = ON"); err != nil {
			tx.Rollback()
			return nil, fmt.Errorf("make the connection read-only: %w", err)
		}
		return tx, nil
	}
	tx, err := db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("begin snapshot transaction: %w", err)
	}
	settings := []struct{ name, value string }{{"TimeZone", timezone}}
	if statementTimeout > 0 {
		settings = append(settings, struct{ name, value string }{"statement_timeout", fmt.Sprintf("%dms", statementTimeout.Milliseconds())})
	}
	for _, s := range settings {
		if _, err := tx.ExecContext(ctx, "SELECT set_config($1, $2, true)", s.name, s.value); err != nil {
			tx.Rollback()
			return nil, fmt.Errorf("set %s for the snapshot: %w", s.name, err)
		}
	}
	return tx, nil
}

// SnapshotOptions configure Open.
type SnapshotOptions struct {
	Dialect  Dialect
	Mapping  Mapping
	Timezone string
	// Location is Timezone loaded (UTC when nil).
	Location *time.Location
	// StatementTimeout bounds each statement; zero means no bound beyond
	// the context.
	StatementTimeout time.Duration
}

// Snapshot is attribution.Snapshot over one read-only transaction: every
// read of a report runs in it, and it records each statement it sends,
// with its arguments, for the workbook's About sheet.
type Snapshot struct {
	tx      *sqlx.Tx
	reader  Reader
	timeout time.Duration
	// Checks are the mapping checks Open ran, one per source.
	Checks []SourceCheck

	mu         sync.Mutex
	statements []Statement
}

var _ attribution.Snapshot = (*Snapshot)(nil)

// Open begins the snapshot transaction in db and checks the mapping in it
// (a LIMIT 0 query per source: a wrong column becomes an error that names
// the config key to fix). Close it when done.
func Open(ctx context.Context, db *sqlx.DB, o SnapshotOptions) (*Snapshot, error) {
	tx, err := BeginSnapshot(ctx, db, o.Dialect, o.Timezone, o.StatementTimeout)
	if err != nil {
		return nil, err
	}
	s := &Snapshot{tx: tx, timeout: o.StatementTimeout}
	loc := o.Location
	if loc == nil {
		if loc, err = time.LoadLocation(o.Timezone); err != nil {
			tx.Rollback()
			return nil, fmt.Errorf("time zone %q: %w", o.Timezone, err)
		}
	}
	s.reader = Reader{Dialect: o.Dialect, Mapping: o.Mapping, Location: loc, Record: s.record}
	checks, err := s.reader.Check(ctx, tx)
	if err != nil {
		tx.Rollback()
		return nil, err
	}
	s.Checks = checks
	s.reader.RawUserID = sameUserIDType(checks)
	s.reader.Types = map[string]map[string]string{}
	for _, c := range checks {
		s.reader.Types[c.Section] = c.Types
	}
	return s, nil
}

// sameUserIDType reports whether registrations and purchases store user_id
// with the same database type, so they can be joined on the stored values.
func sameUserIDType(checks []SourceCheck) bool {
	var types []string
	for _, c := range checks {
		if c.Section == RegistrationsInput.Section || c.Section == PurchasesInput.Section {
			t := c.Types["user_id"]
			if t == "" {
				return false
			}
			types = append(types, t)
		}
	}
	return len(types) == 2 && types[0] == types[1]
}

// Close ends the snapshot (it only ever read).
func (s *Snapshot) Close() error { return s.tx.Rollback() }

// Reader is the reader the snapshot runs its statements with.
func (s *Snapshot) Reader() Reader { return s.reader }

func (s *Snapshot) record(st Statement) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.statements = append(s.statements, Statement{Name: st.Name, SQL: st.SQL, Args: slices.Clone(st.Args)})
}

// Statements returns the statements sent so far, in order.
func (s *Snapshot) Statements() []Statement {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.statements)
}

// ReadQuality implements attribution.Snapshot.
func (s *Snapshot) ReadQuality(ctx context.Context, asOf time.Time) (attribution.DataQuality, []string, error) {
	return s.reader.ReadQuality(ctx, s.tx, asOf, s.timeout)
}

// ReadFacts implements attribution.Snapshot.
func (s *Snapshot) ReadFacts(ctx context.Context, req attribution.FactsRequest) (attribution.Facts, error) {
	return s.reader.ReadFacts(ctx, s.tx, req, s.timeout)
}

// HasSpend implements attribution.Snapshot.
func (s *Snapshot) HasSpend() bool { return s.reader.Mapping.Spend != nil }

// ReadSpend implements attribution.Snapshot.
func (s *Snapshot) ReadSpend(ctx context.Context, p attribution.Period) ([]attribution.DailySpendRow, error) {
	return s.reader.ReadSpend(ctx, s.tx, p, s.timeout)
}

// HasEvents implements attribution.Snapshot.
func (s *Snapshot) HasEvents() bool { return s.reader.Mapping.Events != nil }

// ReadProspectEvents implements attribution.Snapshot.
func (s *Snapshot) ReadProspectEvents(ctx context.Context, asOf, outcomeEnd time.Time, windowDays int, fn func(attribution.ProspectActivity) error) error {
	return s.reader.ReadProspectEvents(ctx, s.tx, asOf, outcomeEnd, windowDays, s.timeout, fn)
}

// ReadDetail implements attribution.Snapshot.
func (s *Snapshot) ReadDetail(ctx context.Context, req attribution.DetailRequest, yield func(attribution.DetailRow) error) error {
	return s.reader.ReadDetail(ctx, s.tx, req, s.timeout, yield)
}

// PlannedStatements renders the statements of a report on req without a
// database, for `origen run --dry-run`: the quality counts, the one pass,
// the spend and the prospect list. Without a connection the stored
// user_id types are unknown, so the joins are shown on the user_id's text.
func (r Reader) PlannedStatements(req attribution.FactsRequest) ([]Statement, error) {
	plans := r.qualityPlans(req.AsOf)
	fp, err := r.factsPlan(req)
	if err != nil {
		return nil, err
	}
	plans = append(plans, fp)
	if r.Mapping.Spend != nil {
		plans = append(plans, r.spendPlan(attribution.Period{From: req.Previous.From, To: req.Period.To}))
	}
	var out []Statement
	for _, p := range plans {
		q, args, err := r.prepare(p.name, p.args, p.extra)
		if err != nil {
			return nil, err
		}
		out = append(out, Statement{Name: p.name, SQL: q, Args: args})
	}
	return out, nil
}
