package queries

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
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
	// Every query is a large aggregate over whole tables. When a period
	// holds many registrations, misestimated CTE row counts can make the
	// planner pick a nested loop over purchases that takes minutes instead
	// of a second; hash and merge joins are always the right shape here.
	settings := []struct{ name, value string }{{"TimeZone", timezone}, {"enable_nestloop", "off"}}
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
