package queries

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/origen-analytics/origen/attribution"
)

// Forks of a snapshot (attribution.ForkingSnapshot): further connections
// that read exactly the data the snapshot reads, so that a report's
// independent statements run side by side (docs/ARCHITECTURE.md,
// "Concurrent reads").
//
//   - PostgreSQL: the snapshot's transaction exports its snapshot
//     (pg_export_snapshot); a fork is a REPEATABLE READ READ ONLY
//     transaction on another connection that imports it (SET TRANSACTION
//     SNAPSHOT) before anything else, with the snapshot's settings. If
//     the export fails (an old server, a hot standby, a pooler), the
//     snapshot begins again without and the report reads sequentially,
//     said in one log line.
//   - ClickHouse has no transactions: every statement reads complete
//     parts, and the data cutoff keeps later rows out. A fork is another
//     connection of the pool, with the same read-only settings.
//   - SQLite shares no snapshot between connections: forks only read a
//     file that nobody writes while the report reads (origen demo's own
//     database, SnapshotOptions.Unwritten); a user's file reads
//     sequentially.
//   - MySQL and MariaDB cannot share a snapshot between connections
//     (START TRANSACTION WITH CONSISTENT SNAPSHOT is per connection): a
//     report reads sequentially.
type forker struct {
	db       *sqlx.DB
	dialect  Dialect
	timezone string
	timeout  time.Duration
	parallel int
	// id is the PostgreSQL snapshot the forks import.
	id string
}

// exportSnapshotSQL exports the transaction's snapshot (PostgreSQL).
const exportSnapshotSQL = "SELECT pg_export_snapshot()"

// snapshotID is what pg_export_snapshot returns (it is written into SET
// TRANSACTION SNAPSHOT, which takes no parameter).
var snapshotID = regexp.MustCompile(`^[0-9A-Fa-f]+-[0-9A-Fa-f]+(-[0-9]+)?$`)

func (o SnapshotOptions) logger() *slog.Logger {
	if o.Log == nil {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return o.Log
}

// beginShared begins the snapshot of o and, when o.Parallel asks for
// forks and the database can share the snapshot, prepares them.
func beginShared(ctx context.Context, db *sqlx.DB, o SnapshotOptions) (*ReadTx, *forker, error) {
	tx, err := beginSnapshot(ctx, db, o.Dialect, o.Timezone, o.StoredTimezone, o.StatementTimeout)
	if err != nil || o.Parallel <= 1 {
		return tx, nil, err
	}
	fk := &forker{db: db, dialect: o.Dialect, timezone: o.Timezone, timeout: o.StatementTimeout, parallel: o.Parallel}
	switch o.Dialect {
	case ClickHouse:
		return tx, fk, nil
	case SQLite:
		if o.Unwritten {
			return tx, fk, nil
		}
		return tx, nil, nil
	case Postgres:
		export := o.exportSQL
		if export == "" {
			export = exportSnapshotSQL
		}
		var id string
		err := tx.QueryRowxContext(ctx, export).Scan(&id)
		if err == nil && !snapshotID.MatchString(id) {
			err = fmt.Errorf("the server exported snapshot %q, not an identifier", id)
		}
		if err == nil {
			fk.id = id
			return tx, fk, nil
		}
		// A failed statement ends a PostgreSQL transaction: begin again,
		// without forks.
		tx.Rollback()
		if ctx.Err() != nil {
			return nil, nil, err
		}
		o.logger().Warn("reading sequentially: the snapshot cannot be shared with further connections ([database] parallel)", "error", err)
		tx, err = beginSnapshot(ctx, db, o.Dialect, o.Timezone, o.StoredTimezone, o.StatementTimeout)
		return tx, nil, err
	}
	return tx, nil, nil
}

// begin opens the transaction of one fork.
func (f *forker) begin(ctx context.Context) (*ReadTx, error) {
	switch f.dialect {
	case ClickHouse:
		return beginClickHouse(ctx, f.db)
	case SQLite:
		return beginSnapshot(ctx, f.db, f.dialect, f.timezone, "UTC", f.timeout)
	}
	tx, err := f.db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("begin a fork of the snapshot: %w", err)
	}
	s := &ReadTx{tx: tx, dialect: f.dialect}
	// The transaction's first statement: it then reads what the snapshot
	// reads.
	if _, err := s.ExecContext(ctx, "SET TRANSACTION SNAPSHOT '"+f.id+"'"); err != nil {
		tx.Rollback()
		return nil, fmt.Errorf("import the snapshot %s into a fork: %w", f.id, err)
	}
	if err := s.setLocal(ctx, f.timezone, f.timeout); err != nil {
		tx.Rollback()
		return nil, err
	}
	return s, nil
}

var _ attribution.ForkingSnapshot = (*Snapshot)(nil)

// Parallel implements attribution.ForkingSnapshot: how many forks may
// read at once, 1 when the snapshot has none.
func (s *Snapshot) Parallel() int {
	if s.fork == nil {
		return 1
	}
	return s.fork.parallel
}

// Fork implements attribution.ForkingSnapshot: a sibling on another
// connection that reads the same data, with the same reader (mapping,
// types, time zone). Its statements are its own until Record.
func (s *Snapshot) Fork(ctx context.Context) (attribution.Fork, error) {
	if s.fork == nil {
		return nil, fmt.Errorf("the snapshot has no forks")
	}
	tx, err := s.fork.begin(ctx)
	if err != nil {
		return nil, err
	}
	f := &Snapshot{tx: tx, timeout: s.timeout, Checks: s.Checks, reader: s.reader}
	f.reader.Record = f.record
	return forkSnapshot{f}, nil
}

// forkSnapshot is a fork. Its transaction ends with the context of the
// reads that opened it (database/sql rolls it back): Close then has
// nothing left to do.
type forkSnapshot struct{ *Snapshot }

func (f forkSnapshot) Close() error {
	if err := f.Snapshot.Close(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return err
	}
	return nil
}

// Record implements attribution.ForkingSnapshot: statements a fork ran,
// appended to the snapshot's own.
func (s *Snapshot) Record(statements []attribution.Statement) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range statements {
		s.statements = append(s.statements, Statement{Name: st.Name, SQL: st.SQL, Args: slices.Clone(st.Args)})
	}
}
