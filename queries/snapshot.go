package queries

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// Snapshot is the one read-only transaction that every query of a run
// shares. It is a DBTX, and the only way Origen's statements reach the
// database, so that one call can hold only one statement.
//
// On PostgreSQL that is what the extended query protocol guarantees:
// lib/pq sends a statement with bound arguments as Parse/Bind/Execute,
// and the server refuses to parse several commands into one statement. A
// statement without arguments would go out as a simple query, in which
// the server runs every command of the text — a `sql =` source holding
// "...); COMMIT; DROP TABLE ..." would end the read-only transaction and
// write. Snapshot therefore prepares every statement sent without
// arguments explicitly (still the extended protocol), whoever wrote the
// call. SQLite has no such protocol: there the connection itself is the
// guard (read-only file, query_only, and cmd/origen's authorizer).
type Snapshot struct {
	tx      *sqlx.Tx
	dialect Dialect
}

var _ DBTX = (*Snapshot)(nil)

// BeginSnapshot starts the one read-only transaction that every query of a
// run shares, so registrations, purchases and spend come from the same
// snapshot. On PostgreSQL it is REPEATABLE READ READ ONLY with
// statement_timeout and TimeZone (used to cast spend timestamps to dates)
// set for the transaction only. SQLite transactions are serializable; the
// connection is made query-only.
func BeginSnapshot(ctx context.Context, db *sqlx.DB, d Dialect, timezone string, statementTimeout time.Duration) (*Snapshot, error) {
	if d == SQLite {
		tx, err := db.BeginTxx(ctx, nil)
		if err != nil {
			return nil, fmt.Errorf("begin read transaction: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "PRAGMA query_only = ON"); err != nil {
			tx.Rollback()
			return nil, fmt.Errorf("make the connection read-only: %w", err)
		}
		return &Snapshot{tx: tx, dialect: d}, nil
	}
	tx, err := db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("begin snapshot transaction: %w", err)
	}
	s := &Snapshot{tx: tx, dialect: d}
	// Every query is a large aggregate over whole tables. When a period
	// holds many registrations, misestimated CTE row counts can make the
	// planner pick a nested loop over purchases that takes minutes instead
	// of a second; hash and merge joins are always the right shape here.
	settings := []struct{ name, value string }{{"TimeZone", timezone}, {"enable_nestloop", "off"}}
	if statementTimeout > 0 {
		settings = append(settings, struct{ name, value string }{"statement_timeout", fmt.Sprintf("%dms", statementTimeout.Milliseconds())})
	}
	for _, st := range settings {
		if _, err := s.ExecContext(ctx, "SELECT set_config($1, $2, true)", st.name, st.value); err != nil {
			tx.Rollback()
			return nil, fmt.Errorf("set %s for the snapshot: %w", st.name, err)
		}
	}
	return s, nil
}

// Rollback ends the snapshot. There is no Commit: a snapshot only reads.
func (s *Snapshot) Rollback() error { return s.tx.Rollback() }

// unbound reports whether a statement would leave the extended protocol:
// only PostgreSQL statements without arguments do.
func (s *Snapshot) unbound(args []any) bool { return s.dialect == Postgres && len(args) == 0 }

// prepare parses q as one prepared statement of the transaction (closed
// when the transaction ends, since its rows may outlive this call).
func (s *Snapshot) prepare(ctx context.Context, q string) (*sqlx.Stmt, error) {
	return s.tx.PreparexContext(ctx, q)
}

// QueryContext runs one statement and returns its rows.
func (s *Snapshot) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if s.unbound(args) {
		st, err := s.prepare(ctx, q)
		if err != nil {
			return nil, err
		}
		return st.QueryContext(ctx)
	}
	return s.tx.QueryContext(ctx, q, args...)
}

// QueryxContext runs one statement and returns its rows.
func (s *Snapshot) QueryxContext(ctx context.Context, q string, args ...any) (*sqlx.Rows, error) {
	if s.unbound(args) {
		st, err := s.prepare(ctx, q)
		if err != nil {
			return nil, err
		}
		return st.QueryxContext(ctx)
	}
	return s.tx.QueryxContext(ctx, q, args...)
}

// QueryRowxContext runs one statement and returns its first row.
func (s *Snapshot) QueryRowxContext(ctx context.Context, q string, args ...any) *sqlx.Row {
	if s.unbound(args) {
		st, err := s.prepare(ctx, q)
		if err != nil {
			// sqlx.Row keeps its error unexported. An argument that fails to
			// convert makes database/sql return a Row holding err without
			// sending anything to the server.
			return s.tx.QueryRowxContext(ctx, q, failedArg{err})
		}
		return st.QueryRowxContext(ctx)
	}
	return s.tx.QueryRowxContext(ctx, q, args...)
}

// ExecContext runs one statement.
func (s *Snapshot) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if s.unbound(args) {
		st, err := s.prepare(ctx, q)
		if err != nil {
			return nil, err
		}
		return st.ExecContext(ctx)
	}
	return s.tx.ExecContext(ctx, q, args...)
}

// failedArg is an argument whose conversion fails with err.
type failedArg struct{ err error }

func (a failedArg) Value() (driver.Value, error) { return nil, a.err }
