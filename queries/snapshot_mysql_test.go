package queries_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/origen-analytics/origen/fixtures/mysqltest"
	"github.com/origen-analytics/origen/queries"
)

func openMySQL(t *testing.T) *sqlx.DB {
	t.Helper()
	db, err := sqlx.Open("mysql", mysqltest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// running reports whether a statement whose text contains marker runs on
// the server.
func running(t *testing.T, db *sqlx.DB, marker string) bool {
	t.Helper()
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE ? AND ID <> CONNECTION_ID()",
		"%"+marker+"%").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

// Cancelling the run (SIGTERM) while a statement runs ends the statement
// on the server too, within a second, not when it would have finished:
// go-sql-driver only closes the connection, which a busy server does not
// notice, and the snapshot sends KILL QUERY.
func TestMySQLCancelStopsTheServerStatement(t *testing.T) {
	db := openMySQL(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tx, err := queries.BeginSnapshot(ctx, db, queries.MySQL, "UTC", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	const marker = "SLEEP(30.0417)"
	done := make(chan error, 1)
	go func() {
		_, err := tx.ExecContext(ctx, "SELECT "+marker)
		done <- err
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !running(t, db, marker) {
		if time.Now().After(deadline) {
			t.Fatal("the statement never started")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err == nil {
		t.Fatal("the cancelled statement succeeded")
	}
	deadline = time.Now().Add(time.Second)
	for running(t, db, marker) {
		if time.Now().After(deadline) {
			t.Fatal("the statement still runs on the server 1 s after the run was cancelled")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// statement_timeout is the server's own limit (max_statement_time on
// MariaDB, max_execution_time on MySQL): a statement that runs longer is
// ended by the server with an error, and the snapshot is REPEATABLE READ,
// READ ONLY, in UTC, with text compared byte by byte.
func TestMySQLSnapshotSession(t *testing.T) {
	db := openMySQL(t)
	ctx := context.Background()
	tx, err := queries.BeginSnapshot(ctx, db, queries.MySQL, "UTC", 300*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var iso, ro, zone, coll, mode string
	if err := tx.QueryRowxContext(ctx, "SELECT @@tx_isolation, @@tx_read_only, @@time_zone, COLLATION(CAST(1 AS CHAR)), @@sql_mode").Scan(&iso, &ro, &zone, &coll, &mode); err != nil {
		// MySQL 8 names them transaction_isolation and transaction_read_only.
		if err := tx.QueryRowxContext(ctx, "SELECT @@transaction_isolation, @@transaction_read_only, @@time_zone, COLLATION(CAST(1 AS CHAR)), @@sql_mode").Scan(&iso, &ro, &zone, &coll, &mode); err != nil {
			t.Fatal(err)
		}
	}
	if iso != "REPEATABLE-READ" || zone != "+00:00" || !strings.HasSuffix(coll, "_bin") || !strings.Contains(mode, "ANSI_QUOTES") {
		t.Errorf("session: isolation %s, read-only %s, zone %s, collation %s, sql_mode %s", iso, ro, zone, coll, mode)
	}
	var equal int
	if err := tx.QueryRowxContext(ctx, "SELECT CAST('a' AS CHAR) = CAST('a ' AS CHAR) OR CAST('a' AS CHAR) = CAST('A' AS CHAR)").Scan(&equal); err != nil || equal != 0 {
		t.Errorf("text compares ignoring case or trailing spaces (%d, %v)", equal, err)
	}
	start := time.Now()
	_, err = tx.ExecContext(ctx, "SELECT SLEEP(5)")
	if err == nil || !strings.Contains(err.Error(), "max_statement_time exceeded") && !strings.Contains(err.Error(), "maximum statement execution time exceeded") {
		// SLEEP interrupted may also return 1 without an error on some servers.
		if err != nil || time.Since(start) > 3*time.Second {
			t.Errorf("a 5 s statement with a 300 ms limit: %v after %v", err, time.Since(start))
		}
	}
	if _, err := tx.ExecContext(ctx, "CREATE TEMPORARY TABLE x (a int)"); err == nil {
		// Temporary tables are allowed in READ ONLY transactions on MySQL;
		// they are the session's own, so not a write to the database.
		t.Log("temporary table allowed in the read-only snapshot")
	}
	// DDL would commit the transaction implicitly: the session is read-only too.
	for _, q := range []string{"CREATE TABLE origen_w (a int)", "DROP DATABASE " + "`" + dbOf(t, db) + "`"} {
		if _, err := tx.ExecContext(ctx, q); err == nil || !strings.Contains(err.Error(), "READ ONLY") {
			t.Errorf("%s in the snapshot: %v", q, err)
		}
	}
	if _, err := tx.ExecContext(ctx, "SELECT 1; SELECT 2"); err == nil {
		t.Error("two statements in one call ran")
	}
}

func dbOf(t *testing.T, db *sqlx.DB) string {
	t.Helper()
	var name string
	if err := db.QueryRow("SELECT DATABASE()").Scan(&name); err != nil {
		t.Fatal(err)
	}
	return name
}
