package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/origen-analytics/origen/fixtures"
	"github.com/origen-analytics/origen/fixtures/pgtest"
)

// origen check prints its findings only once everything has passed: a
// check that fails late leaves stdout empty, not an "ok" followed by an
// error.
func TestCheckPrintsNothingBeforeItFails(t *testing.T) {
	db, clean := demoDB(t), demoDB(t)
	nullAmounts(t, db)
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

// readOnlyRoleSQL is the README's recipe for a read-only role, with the
// names of the test's role, database and table owner.
func readOnlyRoleSQL(t *testing.T, role, database, owner string) []string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)## A read-only role\n.*?```sql\n(.*?)```").FindSubmatch(b)
	if m == nil {
		t.Fatal(`README.md has no sql block under "## A read-only role"`)
	}
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(string(m[1])), "\n") {
		line = strings.NewReplacer("origen_ro", role, "DATABASE shop", "DATABASE "+database, "shop_owner", owner).Replace(line)
		out = append(out, strings.TrimSuffix(line, ";"))
	}
	return out
}

// withUser returns a pgtest DSN that connects as user.
func withUser(t *testing.T, dsn, user string) string {
	t.Helper()
	if !strings.Contains(dsn, "user="+pgtest.User+" ") {
		t.Fatalf("no user in %q", dsn)
	}
	return strings.Replace(dsn, "user="+pgtest.User+" ", "user="+user+" ", 1)
}

// origen check warns when the role it connects as can write to a mapped
// table, names the privileges, and says for sql = sources that they
// cannot be checked table by table (and whether the role is a superuser
// or owns schemas). The README's read-only role gets no warning.
func TestCheckWarnsWhenTheRoleCanWrite(t *testing.T) {
	dsn, admin := smallShop(t)
	suffix := fmt.Sprintf("%d_%d", os.Getpid(), time.Now().UnixNano()%1e6)
	ro, writer, owner := "origen_ro_"+suffix, "origen_rw_"+suffix, "origen_own_"+suffix
	database := strings.Trim(dbName(t, dsn), `"`)
	t.Cleanup(func() {
		for _, r := range []string{ro, writer, owner} {
			admin.Exec(`DROP OWNED BY ` + r)
			admin.Exec(`DROP ROLE IF EXISTS ` + r)
		}
	})
	stmts := readOnlyRoleSQL(t, ro, database, pgtest.User)
	stmts = append(stmts,
		`CREATE ROLE `+writer+` LOGIN`,
		`GRANT USAGE ON SCHEMA shop TO `+writer,
		`GRANT SELECT ON ALL TABLES IN SCHEMA shop TO `+writer,
		`GRANT INSERT, DELETE ON shop.purchases TO `+writer,
		`CREATE ROLE `+owner+` LOGIN`,
		`CREATE SCHEMA owned AUTHORIZATION `+owner,
		`GRANT USAGE ON SCHEMA shop TO `+owner,
		`GRANT SELECT ON ALL TABLES IN SCHEMA shop TO `+owner,
	)
	for _, q := range stmts {
		if _, err := admin.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	tables := fixtures.ConfigTOML("postgres", dsn, "shop")
	withSQL := strings.Replace(tables, "[purchases]\ntable = \"shop.purchases\"\nuser_id = \"user_id\"\npurchased_at = \"purchased_at\"\namount = \"amount\"\n",
		"[purchases]\nsql = \"SELECT user_id, purchased_at, amount FROM shop.purchases\"\n", 1)
	if withSQL == tables {
		t.Fatal("could not rewrite [purchases]")
	}
	advice := `connect as a read-only role (README, "A read-only role")`
	for _, tc := range []struct {
		name, user, config string
		want, not          []string
	}{
		{"superuser", pgtest.User, tables, []string{
			`[registrations] table shop.registrations: the role "` + pgtest.User + `" may INSERT, UPDATE, DELETE, TRUNCATE it`,
			`[purchases] table shop.purchases: the role "` + pgtest.User + `" may INSERT, UPDATE, DELETE, TRUNCATE it`,
			`[spend] table shop.spend`, advice}, nil},
		{"README's read-only role", ro, tables, nil, []string{"warnings:", "may INSERT", advice}},
		{"a role that may insert and delete purchases", writer, tables,
			[]string{`[purchases] table shop.purchases: the role "` + writer + `" may INSERT, DELETE it`},
			[]string{"[registrations] table", "[spend] table", "UPDATE"}},
		{"sql source, superuser", pgtest.User, withSQL,
			[]string{`[purchases] sql: what it reads cannot be checked table by table; the role "` + pgtest.User + `" is a superuser`}, nil},
		{"sql source, schema owner", owner, withSQL,
			[]string{`[purchases] sql: what it reads cannot be checked table by table; the role "` + owner + `" owns the schemas owned`}, nil},
		{"sql source, read-only role", ro, withSQL,
			[]string{`[purchases] sql: what it reads cannot be checked table by table; the role "` + ro + `" is not a superuser and owns no schema`},
			[]string{"may INSERT", advice}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			config := strings.Replace(tc.config, `dsn = "`+dsn+`"`, `dsn = "`+withUser(t, dsn, tc.user)+`"`, 1)
			checkSays(t, config, tc.want, tc.not)
		})
	}
}

// checkSays runs origen check on config, which must succeed (a warning
// is not a failure), and fails t unless its output holds every string of
// want and none of not.
func checkSays(t *testing.T, config string, want, not []string) {
	t.Helper()
	path := writeFile(t, t.TempDir(), "origen.toml", config)
	stdout, stderr, code := runCLI(t, nil, "check", "--config", path, "--as-of", "2026-11-20T00:00:00Z")
	if code != 0 {
		t.Fatalf("a warning is not a failure: exit %d: %s", code, stderr)
	}
	for _, w := range want {
		if !strings.Contains(stdout, w) {
			t.Errorf("check does not say %q:\n%s", w, stdout)
		}
	}
	for _, n := range not {
		if strings.Contains(stdout, n) {
			t.Errorf("check says %q:\n%s", n, stdout)
		}
	}
}

// A statement_timeout that expires is a runtime failure (exit 1) whose
// message says which setting to raise, in the mapping check (a table
// locked by another session) as in the report's queries (a slow sql =).
func TestStatementTimeoutIsARuntimeError(t *testing.T) {
	dsn, admin := smallShop(t)
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
		wantParallel string
	}{
		{"mapping check of a locked table", base, lock, "checking [registrations]", "checking [registrations]"},
		{"slow sql source", slow, func(*testing.T) {}, "registrations_quality", "query "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.setup(t)
			path := writeFile(t, t.TempDir(), "origen.toml", tc.config)
			// One statement at a time, the first to time out is the first
			// statement; side by side ([database] parallel, default 3) it
			// is whichever times out first, and the message names it.
			sequential := writeFile(t, t.TempDir(), "origen.toml", strings.Replace(tc.config, "[database]\n", "[database]\nparallel = 1\n", 1))
			for _, run := range []struct {
				args []string
				want string
			}{
				{[]string{"check", "--config", path}, tc.want},
				{[]string{"report", "--config", sequential, "--from", "2026-10-01", "--to", "2026-11-01", "--out", t.TempDir()}, tc.want},
				{[]string{"report", "--config", path, "--from", "2026-10-01", "--to", "2026-11-01", "--out", t.TempDir()}, tc.wantParallel},
			} {
				_, stderr, code := runCLI(t, nil, run.args...)
				first := errLine(stderr)
				if code != 1 || !strings.Contains(first, "raise [database] statement_timeout") || !strings.Contains(first, run.want) {
					t.Errorf("origen %s: exit %d (want 1), first line %q", run.args[0], code, first)
				}
			}
		})
	}
}

// smallShop loads 200 generated registrations into schema shop of a new
// PostgreSQL database and returns its DSN and an owner's connection.
func smallShop(t *testing.T) (string, *sql.DB) {
	t.Helper()
	dsn := pgtest.NewDatabase(t)
	admin, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	cfg := fixtures.DemoConfig()
	cfg.Registrations = 200
	if err := fixtures.LoadPostgres(context.Background(), admin, "shop", cfg); err != nil {
		t.Fatal(err)
	}
	return dsn, admin
}

// nullAmounts sets every purchase amount of the SQLite database at path to
// NULL: a mapping whose amount column is unusable.
func nullAmounts(t *testing.T, path string) {
	t.Helper()
	conn, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Exec(`UPDATE purchases SET amount = NULL`); err != nil {
		t.Fatal(err)
	}
}
