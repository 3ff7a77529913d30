package queries

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/origen-analytics/origen/attribution"
)

// ReadTx is the one read-only transaction that every query of a run
// shares. It is a DBTX, and the only way Origen's statements reach the
// database, so that one call can hold only one statement.
//
// On PostgreSQL that is what the extended query protocol guarantees:
// lib/pq sends a statement with bound arguments as Parse/Bind/Execute,
// and the server refuses to parse several commands into one statement. A
// statement without arguments would go out as a simple query, in which
// the server runs every command of the text — a `sql =` source holding
// "...); COMMIT; DROP TABLE ..." would end the read-only transaction and
// write. ReadTx therefore prepares every statement sent without
// arguments explicitly (still the extended protocol), whoever wrote the
// call. SQLite has no such protocol: there the connection itself is the
// guard (read-only file, query_only, and cmd/origen's authorizer).
type ReadTx struct {
	tx      *sqlx.Tx
	dialect Dialect
	// db is set instead of tx on ClickHouse, which has no transactions
	// (see beginClickHouse).
	db *sqlx.DB
	// conn is the pinned connection of a MySQL snapshot (tx is nil): its
	// transaction is started by statements that database/sql's
	// transactions cannot send (see beginMySQL).
	conn     *sqlx.Conn
	stopKill func() bool
}

// session is what ReadTx sends its statements through.
type session interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryxContext(ctx context.Context, q string, args ...any) (*sqlx.Rows, error)
	QueryRowxContext(ctx context.Context, q string, args ...any) *sqlx.Row
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
	PreparexContext(ctx context.Context, q string) (*sqlx.Stmt, error)
}

func (s *ReadTx) session() session {
	if s.conn != nil {
		return s.conn
	}
	return s.tx
}

var _ DBTX = (*ReadTx)(nil)

// BeginSnapshot starts the one read-only transaction that every query of a
// run shares, so registrations, purchases and spend come from the same
// snapshot. On PostgreSQL it is REPEATABLE READ READ ONLY with
// statement_timeout, TimeZone (used to cast spend timestamps to dates) and
// jit = off set for the transaction only. SQLite transactions are
// serializable; the connection is made query-only. MySQL: see beginMySQL
// (its DATETIME columns are read in the UTC stored zone; Open passes
// another).
func BeginSnapshot(ctx context.Context, db *sqlx.DB, d Dialect, timezone string, statementTimeout time.Duration) (*ReadTx, error) {
	return beginSnapshot(ctx, db, d, timezone, "UTC", statementTimeout)
}

func beginSnapshot(ctx context.Context, db *sqlx.DB, d Dialect, timezone, storedZone string, statementTimeout time.Duration) (*ReadTx, error) {
	if d == ClickHouse {
		return beginClickHouse(ctx, db)
	}
	if d == MySQL {
		return beginMySQL(ctx, db, storedZone, statementTimeout)
	}
	if d == SQLite {
		tx, err := db.BeginTxx(ctx, nil)
		if err != nil {
			return nil, fmt.Errorf("begin read transaction: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "PRAGMA query_only = ON"); err != nil {
			tx.Rollback()
			return nil, fmt.Errorf("make the connection read-only: %w", err)
		}
		return &ReadTx{tx: tx, dialect: d}, nil
	}
	tx, err := db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("begin snapshot transaction: %w", err)
	}
	s := &ReadTx{tx: tx, dialect: d}
	if err := s.setLocal(ctx, timezone, statementTimeout); err != nil {
		tx.Rollback()
		return nil, err
	}
	return s, nil
}

// setLocal sets the snapshot's settings for its transaction only
// (PostgreSQL): TimeZone, jit and statement_timeout.
func (s *ReadTx) setLocal(ctx context.Context, timezone string, statementTimeout time.Duration) error {
	d := s.dialect
	settings := []struct{ name, value string }{{"TimeZone", timezone}}
	if d == Postgres {
		// No JIT compilation for the snapshot's statements (docs/PERFORMANCE.md,
		// "JIT"): it changes no plan, only spends 0.1-3 s per statement at 1M
		// compiling expressions that then run once. Transaction-local like the
		// rest, so it ends with the snapshot.
		settings = append(settings, struct{ name, value string }{"jit", "off"})
	}
	if statementTimeout > 0 {
		settings = append(settings, struct{ name, value string }{"statement_timeout", fmt.Sprintf("%dms", statementTimeout.Milliseconds())})
	}
	for _, st := range settings {
		if _, err := s.ExecContext(ctx, "SELECT set_config($1, $2, true)", st.name, st.value); err != nil {
			return fmt.Errorf("set %s for the snapshot: %w", st.name, err)
		}
	}
	if d == Postgres {
		// A cancelled report closes its connections; a statement whose
		// cancel request raced with its start (the server drops a cancel
		// that arrives while it reads the next command) would run on
		// without its client until it sends a row. From PostgreSQL 14 the
		// server checks the client's socket while a statement runs and
		// ends the statement when it is gone (TestCancelStopsEveryConnectionsStatement).
		if _, err := s.ExecContext(ctx, `SELECT set_config('client_connection_check_interval', '500ms', true)
			WHERE current_setting('server_version_num')::integer >= 140000`); err != nil {
			return fmt.Errorf("set client_connection_check_interval for the snapshot: %w", err)
		}
	}
	return nil
}

// Rollback ends the snapshot. There is no Commit: a snapshot only reads.
func (s *ReadTx) Rollback() error {
	if s.db != nil {
		return nil
	}
	if s.conn == nil {
		return s.tx.Rollback()
	}
	s.stopKill()
	_, err := s.conn.ExecContext(context.Background(), "ROLLBACK")
	if cerr := s.conn.Close(); err == nil {
		err = cerr
	}
	return err
}

// unbound reports whether a statement would leave the extended protocol:
// only PostgreSQL statements without arguments do.
func (s *ReadTx) unbound(args []any) bool { return s.dialect == Postgres && len(args) == 0 }

// prepare parses q as one prepared statement of the transaction (closed
// when the transaction ends, since its rows may outlive this call).
func (s *ReadTx) prepare(ctx context.Context, q string) (*sqlx.Stmt, error) {
	return s.session().PreparexContext(ctx, q)
}

// QueryContext runs one statement and returns its rows.
func (s *ReadTx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if s.db != nil {
		return s.db.QueryContext(ctx, q, args...)
	}
	if s.unbound(args) {
		st, err := s.prepare(ctx, q)
		if err != nil {
			return nil, err
		}
		return st.QueryContext(ctx)
	}
	return s.session().QueryContext(ctx, q, args...)
}

// QueryxContext runs one statement and returns its rows.
func (s *ReadTx) QueryxContext(ctx context.Context, q string, args ...any) (*sqlx.Rows, error) {
	if s.db != nil {
		return s.db.QueryxContext(ctx, q, args...)
	}
	if s.unbound(args) {
		st, err := s.prepare(ctx, q)
		if err != nil {
			return nil, err
		}
		return st.QueryxContext(ctx)
	}
	return s.session().QueryxContext(ctx, q, args...)
}

// QueryRowxContext runs one statement and returns its first row.
func (s *ReadTx) QueryRowxContext(ctx context.Context, q string, args ...any) *sqlx.Row {
	if s.db != nil {
		return s.db.QueryRowxContext(ctx, q, args...)
	}
	if s.unbound(args) {
		st, err := s.prepare(ctx, q)
		if err != nil {
			// sqlx.Row keeps its error unexported. An argument that fails to
			// convert makes database/sql return a Row holding err without
			// sending anything to the server.
			return s.session().QueryRowxContext(ctx, q, failedArg{err})
		}
		return st.QueryRowxContext(ctx)
	}
	return s.session().QueryRowxContext(ctx, q, args...)
}

// ExecContext runs one statement.
func (s *ReadTx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if s.db != nil {
		return s.db.ExecContext(ctx, q, args...)
	}
	if s.unbound(args) {
		st, err := s.prepare(ctx, q)
		if err != nil {
			return nil, err
		}
		return st.ExecContext(ctx)
	}
	return s.session().ExecContext(ctx, q, args...)
}

// failedArg is an argument whose conversion fails with err.
type failedArg struct{ err error }

func (a failedArg) Value() (driver.Value, error) { return nil, a.err }

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
	// StoredTimezone is [database] stored_timezone: the zone of MySQL
	// DATETIME values, which have none ("" is UTC). Other dialects'
	// columns say their zone, and it is ignored.
	StoredTimezone string
	// Parallel is [database] parallel: how many statements a report may
	// run at once, each on a fork of the snapshot (snapshot_fork.go); 0
	// or 1 reads sequentially.
	Parallel int
	// Unwritten says that nobody writes the SQLite file while the report
	// reads it (origen demo's own database): only then may SQLite forks
	// read it, since SQLite shares no snapshot between connections.
	Unwritten bool
	// Log receives the line that says a snapshot reads sequentially
	// although Parallel asks for more (nil: discarded).
	Log *slog.Logger

	// exportSQL replaces pg_export_snapshot() in tests of the fallback.
	exportSQL string
}

// Snapshot is attribution.Snapshot over one read-only transaction: every
// read of a report runs in it, and it records each statement it sends,
// with its arguments, for the workbook's About sheet.
type Snapshot struct {
	tx      *ReadTx
	reader  Reader
	timeout time.Duration
	// Checks are the mapping checks Open ran, one per source.
	Checks []SourceCheck

	mu         sync.Mutex
	statements []Statement

	// fork is how forks of this snapshot are opened, nil when it has
	// none (snapshot_fork.go).
	fork *forker
}

var _ attribution.Snapshot = (*Snapshot)(nil)

// Open begins the snapshot transaction in db and checks the mapping in it
// (a LIMIT 0 query per source: a wrong column becomes an error that names
// the config key to fix). Close it when done.
func Open(ctx context.Context, db *sqlx.DB, o SnapshotOptions) (*Snapshot, error) {
	tx, fk, err := beginShared(ctx, db, o)
	if err != nil {
		return nil, err
	}
	s := &Snapshot{tx: tx, timeout: o.StatementTimeout, fork: fk}
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
	if o.Dialect == MySQL {
		s.reader.RawUserID = s.reader.RawUserID && mysqlIntegerType(checks[0].Types["user_id"])
	}
	s.reader.Types = map[string]map[string]string{}
	for _, c := range checks {
		s.reader.Types[c.Section] = c.Types
	}
	if o.Dialect == MySQL {
		if s.reader.Stored, err = ParseStoredZone(o.StoredTimezone); err != nil {
			tx.Rollback()
			return nil, err
		}
		s.reader.Mapping = withMySQLTypes(s.reader.Mapping, s.reader.Types, o.StoredTimezone)
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

// Privileges lists what the connected role may do beyond reading the
// mapped sources (Reader.Privileges), for origen check's warnings.
func (s *Snapshot) Privileges(ctx context.Context) ([]string, error) {
	return s.reader.Privileges(ctx, s.tx)
}

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
