package queries_test

import (
	"path/filepath"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/origen-analytics/origen/fixtures/pgtest"
)

// openSQLiteAndPostgres opens a new SQLite file named file in the test's
// temporary directory and a new PostgreSQL database (pgtest), both closed
// when the test ends: the two drivers most tests compare.
func openSQLiteAndPostgres(t *testing.T, file string) (sq, pg *sqlx.DB) {
	t.Helper()
	sq, err := sqlx.Open("sqlite", filepath.Join(t.TempDir(), file))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sq.Close() })
	pg, err = sqlx.Open("postgres", pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Close() })
	return sq, pg
}
