package main

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/origen-analytics/origen/fixtures"
	"github.com/origen-analytics/origen/fixtures/pgtest"
)

// origen check prints its findings only once everything has passed: a
// check that fails late leaves stdout empty, not an "ok" followed by an
// error.
func TestCheckPrintsNothingBeforeItFails(t *testing.T) {
	db, clean := demoDB(t), demoDB(t)
	conn, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(`UPDATE purchases SET amount = NULL`); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	good := fixtures.ConfigTOML("sqlite", db, "")
	spendFile := strings.Replace(fixtures.ConfigTOML("sqlite", clean, ""), "[spend]\ntable = \"spend\"\ndate = \"date\"\nchannel = \"channel\"\namount = \"amount\"\n",
		"[spend]\nfile = \"missing-spend.csv\"\n", 1)
	if !strings.Contains(spendFile, "missing-spend.csv") {
		t.Fatal("could not rewrite [spend]")
	}
	for _, tc := range []struct {
		name, config string
		code         int
	}{
		{"a column NULL in every row", good, 3},
		{"a spend file that is missing", spendFile, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := writeFile(t, t.TempDir(), "origen.toml", tc.config)
			stdout, stderr, code := runCLI(t, nil, "check", "--config", cfg)
			if code != tc.code {
				t.Fatalf("exit %d, want %d: %s", code, tc.code, stderr)
			}
			if stdout != "" {
				t.Errorf("check failed but printed:\n%s", stdout)
			}
		})
	}
}

// A statement_timeout that expires is a runtime failure (exit 1) whose
// message says which setting to raise, in the mapping check (a table
// locked by another session) as in the report's queries (a slow sql =).
func TestStatementTimeoutIsARuntimeError(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	admin, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	cfg := fixtures.DemoConfig()
	cfg.Registrations = 200
	if err := fixtures.LoadPostgres(context.Background(), admin, "shop", cfg); err != nil {
		t.Fatal(err)
	}
	base := strings.Replace(fixtures.ConfigTOML("postgres", dsn, "shop"), "[database]\n", "[database]\nstatement_timeout = \"300ms\"\n", 1)
	slow := registrationsSQL(t, base,
		"SELECT user_id, registered_at, channel FROM shop.registrations WHERE pg_sleep(0.05) IS NOT NULL")
	lock := func(t *testing.T) {
		tx, err := admin.Begin()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { tx.Rollback() })
		if _, err := tx.Exec(`LOCK TABLE shop.registrations IN ACCESS EXCLUSIVE MODE`); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name, config string
		setup        func(*testing.T)
		want         string
	}{
		{"mapping check of a locked table", base, lock, "checking [registrations]"},
		{"slow sql source", slow, func(*testing.T) {}, "registrations_quality"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.setup(t)
			path := writeFile(t, t.TempDir(), "origen.toml", tc.config)
			for _, args := range [][]string{
				{"check", "--config", path},
				{"report", "--config", path, "--from", "2026-10-01", "--to", "2026-11-01", "--out", t.TempDir()},
			} {
				_, stderr, code := runCLI(t, nil, args...)
				first := errLine(stderr)
				if code != 1 || !strings.Contains(first, "raise [database] statement_timeout") || !strings.Contains(first, tc.want) {
					t.Errorf("origen %s: exit %d (want 1), first line %q", args[0], code, first)
				}
			}
		})
	}
}
