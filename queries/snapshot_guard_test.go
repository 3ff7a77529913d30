package queries_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/origen-analytics/origen/fixtures/pgtest"
	"github.com/origen-analytics/origen/queries"
)

// Every way of sending a statement through a Snapshot holds one statement
// per call on PostgreSQL, also without arguments (which lib/pq would send
// as a simple query that runs every statement of the text): a stacked
// COMMIT and DROP are refused and the table stays. A single statement
// without arguments still runs.
func TestSnapshotSendsOneStatementPerCall(t *testing.T) {
	db, err := sqlx.Open("postgres", pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE victim (id int)`); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const stacked = "SELECT 1; COMMIT; DROP TABLE victim"
	for _, tc := range []struct {
		name string
		send func(s *queries.ReadTx, q string) error
	}{
		{"QueryContext", func(s *queries.ReadTx, q string) error {
			rows, err := s.QueryContext(ctx, q)
			if err == nil {
				rows.Close()
			}
			return err
		}},
		{"QueryxContext", func(s *queries.ReadTx, q string) error {
			rows, err := s.QueryxContext(ctx, q)
			if err == nil {
				rows.Close()
			}
			return err
		}},
		{"QueryRowxContext", func(s *queries.ReadTx, q string) error {
			var v any
			return s.QueryRowxContext(ctx, q).Scan(&v)
		}},
		{"ExecContext", func(s *queries.ReadTx, q string) error {
			_, err := s.ExecContext(ctx, q)
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := queries.BeginSnapshot(ctx, db, queries.Postgres, "UTC", time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if err := tc.send(s, "SELECT current_setting('TimeZone')"); err != nil {
				t.Errorf("a single statement without arguments: %v", err)
			}
			err = tc.send(s, stacked)
			s.Rollback()
			if err == nil || !strings.Contains(err.Error(), "cannot insert multiple commands") {
				t.Errorf("stacked statements: err = %v, want PostgreSQL's refusal of multiple commands", err)
			}
			var n int
			if err := db.Get(&n, `SELECT count(*) FROM pg_tables WHERE tablename = 'victim'`); err != nil || n != 1 {
				t.Fatalf("the table is gone (%d, %v)", n, err)
			}
		})
	}
}

// Check binds an argument itself, so even outside a Snapshot a `sql =`
// source cannot stack a second statement.
func TestCheckHoldsOneStatementOnAnyConnection(t *testing.T) {
	db, err := sqlx.Open("postgres", pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE victim (id int); CREATE TABLE r (user_id bigint, registered_at timestamptz, channel text)`); err != nil {
		t.Fatal(err)
	}
	src := func(q string) queries.Source { return queries.Source{SQL: q} }
	reader := queries.Reader{Dialect: queries.Postgres, Mapping: queries.Mapping{
		Registrations: src("SELECT * FROM r) q; DROP TABLE victim; SELECT * FROM (SELECT * FROM r"),
		Purchases:     src("SELECT 1 AS user_id, now() AS purchased_at, 1 AS amount"),
	}}
	_, err = reader.Check(context.Background(), db)
	if err == nil || !strings.Contains(err.Error(), "single SELECT") {
		t.Errorf("err = %v, want a refusal naming a single SELECT", err)
	}
	var n int
	if err := db.Get(&n, `SELECT count(*) FROM pg_tables WHERE tablename = 'victim'`); err != nil || n != 1 {
		t.Fatalf("the table is gone (%d, %v)", n, err)
	}
}

// The snapshot turns PostgreSQL's JIT compilation off for its own
// statements (docs/PERFORMANCE.md, "JIT"), as a transaction-local setting:
// in force for every statement of the snapshot, a `sql =` source's
// sub-select included, and gone once the snapshot ends, so the session is
// left as it was (here, with jit = on set for the session beforehand).
func TestSnapshotTurnsJITOffForItsStatementsOnly(t *testing.T) {
	db, err := sqlx.Open("postgres", pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // one session, seen before, inside and after the snapshot
	ctx := context.Background()
	show := func(q queries.DBTX) string {
		t.Helper()
		var v string
		if err := sqlx.GetContext(ctx, q, &v, "SHOW jit"); err != nil {
			t.Fatal(err)
		}
		return v
	}
	if _, err := db.ExecContext(ctx, "SET jit = on"); err != nil {
		t.Fatal(err)
	}
	if got := show(db); got != "on" {
		t.Fatalf("before the snapshot, jit = %q, want on", got)
	}
	s, err := queries.BeginSnapshot(ctx, db, queries.Postgres, "Europe/Berlin", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if got := show(s); got != "off" {
		t.Errorf("inside the snapshot, SHOW jit = %q, want off", got)
	}
	var sub string
	if err := sqlx.GetContext(ctx, s, &sub, "SELECT j FROM (SELECT current_setting('jit') AS j) AS user_source"); err != nil {
		t.Fatal(err)
	}
	if sub != "off" {
		t.Errorf("in a sub-select of the snapshot, jit = %q, want off", sub)
	}
	if err := s.Rollback(); err != nil {
		t.Fatal(err)
	}
	if got := show(db); got != "on" {
		t.Errorf("after the snapshot, jit = %q, want on (the setting must end with the snapshot)", got)
	}
}
