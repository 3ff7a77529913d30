package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/origen-analytics/origen/fixtures"
	"github.com/origen-analytics/origen/fixtures/pgtest"
)

// registrationsSQL replaces the [registrations] table mapping of a
// fixtures.ConfigTOML config with sql = q.
func registrationsSQL(t *testing.T, toml, q string) string {
	t.Helper()
	re := regexp.MustCompile(`\[registrations\]\ntable = "[^"]*"\n(?:[a-z_]+ = "[^"]*"\n)*`)
	if !re.MatchString(toml) {
		t.Fatalf("no [registrations] table mapping in:\n%s", toml)
	}
	return re.ReplaceAllLiteralString(toml, "[registrations]\nsql = "+tomlQuote(q)+"\n")
}

// tomlQuote quotes s as a TOML literal string when it can, else as a
// basic string.
func tomlQuote(s string) string {
	if !strings.ContainsAny(s, "'\n") {
		return "'" + s + "'"
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

// injection is one attempt to make a `sql =` source write. Each begins and
// ends inside the sub-select that Origen wraps around the text, so stacked
// statements are well-formed SQL if the database accepts several.
type injection struct{ name, sql string }

// The stacked attacks close Origen's sub-select, run their own statements
// and open a new sub-select that returns the canonical columns.
func stacked(pre, middle, post string) string {
	return pre + ") q; " + middle + "; SELECT * FROM (" + post
}

// assertAttemptsFail runs origen check and origen report with each
// attempt as [registrations] sql and checks, after every run, that state
// (the database's tables and row counts, and the files next to it) is
// what it was. reset restores the database between attempts, so that
// one attempt that gets through does not hide the others.
func assertAttemptsFail(t *testing.T, base string, attempts []injection, state func() string, reset func()) {
	t.Helper()
	initial := state()
	for _, a := range attempts {
		t.Run(a.name, func(t *testing.T) {
			reset()
			before := state()
			if before != initial {
				t.Fatalf("reset did not restore the database:\n%s\nwant:\n%s", before, initial)
			}
			cfg := writeFile(t, t.TempDir(), "origen.toml", registrationsSQL(t, base, a.sql))
			for _, args := range [][]string{
				{"check", "--config", cfg, "--as-of", "2026-11-20T00:00:00Z"},
				{"report", "--config", cfg, "--from", "2026-10-01", "--to", "2026-11-01", "--as-of", "2026-11-20T00:00:00Z", "--out", t.TempDir()},
			} {
				stdout, stderr, code := runCLI(t, nil, args...)
				if after := state(); after != before {
					t.Fatalf("origen %s changed the database (exit %d):\nbefore:\n%s\nafter:\n%s\nstdout: %s\nstderr: %s",
						args[0], code, before, after, stdout, stderr)
				}
				t.Logf("origen %s: exit %d: %s", args[0], code, errLine(stderr))
			}
		})
	}
}

// errLine is the error line exitCode printed to stderr (after any logs).
func errLine(stderr string) string {
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.HasPrefix(lines[i], "origen: ") {
			return lines[i]
		}
	}
	return ""
}

// A `sql =` source cannot change a PostgreSQL database, even when Origen
// connects as a superuser: not by stacking statements (the repro of the
// hardening issue ends the read-only transaction with COMMIT and drops a
// table), transaction control, writable CTEs, SELECT INTO, COPY or
// functions with side effects, through origen check or origen report.
func TestSQLSourceCannotWritePostgres(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	// The server writes COPY files as its own user: somewhere it may.
	copyTarget := filepath.Join(os.TempDir(), fmt.Sprintf("origen-copy-%d.csv", os.Getpid()))
	t.Cleanup(func() { os.Remove(copyTarget) })
	admin, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	cfg := fixtures.DemoConfig()
	cfg.Registrations = 300
	if err := fixtures.LoadPostgres(context.Background(), admin, "s", cfg); err != nil {
		t.Fatal(err)
	}
	reset := func() {
		t.Helper()
		for _, q := range []string{
			`DROP SCHEMA IF EXISTS inj CASCADE`,
			`CREATE SCHEMA inj`,
			`CREATE TABLE inj.victim (id int)`,
			`INSERT INTO inj.victim SELECT generate_series(1, 3)`,
			`CREATE SEQUENCE inj.seq`,
			`SELECT lo_unlink(oid) FROM pg_largeobject_metadata`,
			`ALTER DATABASE ` + dbName(t, dsn) + ` RESET ALL`,
		} {
			if _, err := admin.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		os.Remove(copyTarget)
	}
	state := func() string {
		t.Helper()
		var b strings.Builder
		rows, err := admin.Query(`SELECT table_schema || '.' || table_name FROM information_schema.tables
			WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		var tables []string
		for rows.Next() {
			var n string
			rows.Scan(&n)
			tables = append(tables, n)
		}
		rows.Close()
		for _, n := range tables {
			var count int64
			if err := admin.QueryRow(`SELECT count(*) FROM ` + n).Scan(&count); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s %d\n", n, count)
		}
		var seq string
		var los int64
		admin.QueryRow(`SELECT last_value || ' ' || is_called FROM inj.seq`).Scan(&seq)
		admin.QueryRow(`SELECT count(*) FROM pg_largeobject_metadata`).Scan(&los)
		fmt.Fprintf(&b, "inj.seq %s\nlarge objects %d\n", seq, los)
		if _, err := os.Stat(copyTarget); err == nil {
			b.WriteString("COPY wrote " + copyTarget + "\n")
		}
		return b.String()
	}
	reset()
	if !strings.Contains(state(), "inj.victim 3") {
		t.Fatalf("setup: %s", state())
	}
	const reg = "SELECT user_id, registered_at, channel FROM s.registrations"
	const fake = "SELECT 1::bigint AS user_id, now() AS registered_at, 'x'::text AS channel"
	attempts := []injection{
		{"stacked COMMIT then DROP (the issue's repro)", stacked(reg, "COMMIT; DROP TABLE inj.victim", fake)},
		{"stacked ROLLBACK then DELETE", stacked(reg, "ROLLBACK; DELETE FROM inj.victim", fake)},
		{"stacked END then TRUNCATE", stacked(reg, "END; TRUNCATE inj.victim", fake)},
		{"stacked SET TRANSACTION READ WRITE", stacked(reg, "SET TRANSACTION READ WRITE; DELETE FROM inj.victim", fake)},
		{"stacked set_config read-write", stacked(reg, "SELECT set_config('transaction_read_only', 'off', true); DELETE FROM inj.victim", fake)},
		{"stacked COMMIT, new read-write transaction", stacked(reg, "COMMIT; BEGIN READ WRITE; INSERT INTO inj.victim VALUES (4); COMMIT", fake)},
		{"stacked writable CTE", stacked(reg, "WITH d AS (DELETE FROM inj.victim RETURNING *) SELECT count(*) FROM d", fake)},
		{"writable CTE in the sub-select", "WITH d AS (DELETE FROM inj.victim RETURNING id) " + reg},
		{"stacked SELECT INTO", stacked(reg, "COMMIT; SELECT * INTO inj.stolen FROM inj.victim", fake)},
		{"SELECT INTO in the sub-select", "SELECT user_id, registered_at, channel INTO inj.stolen FROM s.registrations"},
		{"stacked COPY TO a file", stacked(reg, "COMMIT; COPY inj.victim TO '"+copyTarget+"'", fake)},
		{"stacked COPY FROM PROGRAM", stacked(reg, "COMMIT; COPY inj.victim FROM PROGRAM 'echo 99'", fake)},
		{"stacked DO block", stacked(reg, "COMMIT; DO $$ BEGIN DELETE FROM inj.victim; END $$", fake)},
		{"stacked CREATE TABLE", stacked(reg, "COMMIT; CREATE TABLE inj.new (x int)", fake)},
		{"nextval", reg + " WHERE nextval('inj.seq') > 0"},
		{"set_config read-write", "SELECT user_id, registered_at, channel FROM s.registrations, pg_catalog.set_config('transaction_read_only', 'off', true) AS x"},
		{"set_config of the session", "SELECT user_id, registered_at, channel FROM s.registrations, pg_catalog.set_config('default_transaction_read_only', 'off', false) AS x"},
		{"lo_import", reg + " WHERE lo_import('/etc/hostname') IS NOT NULL"},
		{"lo_from_bytea", reg + " WHERE lo_from_bytea(0, 'x') IS NOT NULL"},
		{"dblink", reg + " WHERE dblink_exec('dbname=postgres', 'DROP TABLE inj.victim') IS NOT NULL"},
	}
	assertAttemptsFail(t, fixtures.ConfigTOML("postgres", dsn, "s"), attempts, state, reset)
}

// A `sql =` source cannot change a SQLite database or write any other
// file: not by stacking statements (SQLite runs every statement of a
// text), transaction control, turning query_only off, ATTACH (which
// could create a file), VACUUM INTO or extension loading.
func TestSQLSourceCannotWriteSQLite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "shop.sqlite")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cfg := fixtures.DemoConfig()
	cfg.Registrations = 300
	if err := fixtures.BuildSQLite(context.Background(), db, cfg); err != nil {
		t.Fatal(err)
	}
	evil := filepath.Join(dir, "evil.sqlite")
	reset := func() {
		t.Helper()
		for _, q := range []string{`DROP TABLE IF EXISTS victim`, `CREATE TABLE victim (id int)`, `INSERT INTO victim VALUES (1), (2), (3)`} {
			if _, err := db.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		os.Remove(evil)
	}
	state := func() string {
		t.Helper()
		conn, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		var b strings.Builder
		rows, err := conn.Query(`SELECT type || ' ' || name FROM sqlite_master ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		var objects []string
		for rows.Next() {
			var n string
			rows.Scan(&n)
			objects = append(objects, n)
		}
		rows.Close()
		for _, o := range objects {
			kind, name, _ := strings.Cut(o, " ")
			if kind != "table" {
				fmt.Fprintln(&b, o)
				continue
			}
			var count int64
			if err := conn.QueryRow(`SELECT count(*) FROM "` + name + `"`).Scan(&count); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s %d\n", o, count)
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if !slices.Contains([]string{"shop.sqlite"}, e.Name()) {
				fmt.Fprintf(&b, "file %s\n", e.Name())
			}
		}
		return b.String()
	}
	reset()
	if !strings.Contains(state(), "table victim 3") {
		t.Fatalf("setup: %s", state())
	}
	const reg = "SELECT user_id, registered_at, channel FROM registrations"
	const fake = "SELECT 1 AS user_id, '2026-10-10T00:00:00Z' AS registered_at, 'x' AS channel"
	attempts := []injection{
		{"stacked COMMIT then DROP", stacked(reg, "COMMIT; DROP TABLE victim", fake)},
		{"stacked ROLLBACK, query_only off, DELETE", stacked(reg, "ROLLBACK; PRAGMA query_only = OFF; DELETE FROM victim", fake)},
		{"stacked query_only off", stacked(reg, "PRAGMA query_only = 0; INSERT INTO victim VALUES (4)", fake)},
		{"stacked ATTACH creating a file", stacked(reg, "ATTACH DATABASE '"+evil+"' AS evil; CREATE TABLE evil.t (x)", fake)},
		{"stacked ATTACH of a file: URI read-write", stacked(reg, "ROLLBACK; ATTACH DATABASE 'file:"+evil+"?mode=rwc' AS evil; CREATE TABLE evil.t (x)", fake)},
		{"stacked VACUUM INTO", stacked(reg, "ROLLBACK; VACUUM INTO '"+evil+"'", fake)},
		{"stacked writable_schema", stacked(reg, "PRAGMA writable_schema = ON; DELETE FROM sqlite_master WHERE name = 'victim'", fake)},
		{"stacked CREATE TEMP TABLE", stacked(reg, "CREATE TEMP TABLE t AS SELECT * FROM victim", fake)},
		{"stacked SAVEPOINT and RELEASE", stacked(reg, "SAVEPOINT s; RELEASE s; DELETE FROM victim", fake)},
		{"writable CTE", "WITH d AS (DELETE FROM victim RETURNING id) " + reg},
		{"load_extension", reg + " WHERE load_extension('/nonexistent') IS NULL"},
	}
	assertAttemptsFail(t, fixtures.ConfigTOML("sqlite", path, ""), attempts, state, reset)
}

// dbName is the database name of a pgtest key=value DSN, quoted.
func dbName(t *testing.T, dsn string) string {
	t.Helper()
	for _, f := range strings.Fields(dsn) {
		if v, ok := strings.CutPrefix(f, "dbname="); ok {
			return `"` + v + `"`
		}
	}
	t.Fatalf("no dbname in %q", dsn)
	return ""
}
