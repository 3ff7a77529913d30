package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/origen-analytics/origen/fixtures"
	"github.com/origen-analytics/origen/fixtures/pgtest"
)

// demoDBOnce builds a demo database for the error tests.
func demoDB(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "demo.sqlite")
	if err := buildDemoDB(t.Context(), path); err != nil {
		t.Fatal(err)
	}
	return path
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Bad input gets exit code 2 (usage, config) or 3 (data) and a first line
// that names the problem and where it is; no output file is left behind.
func TestBadInputIsRefusedClearly(t *testing.T) {
	db := demoDB(t)
	good := fixtures.ConfigTOML("sqlite", db, "")
	replace := func(old, new string) string {
		if !strings.Contains(good, old) {
			t.Fatalf("config has no %q", old)
		}
		return strings.Replace(good, old, new, 1)
	}
	period := []string{"--from", "2026-10-01", "--to", "2026-11-01", "--as-of", "2026-11-20T00:00:00Z"}
	cases := []struct {
		name   string
		config string
		args   []string
		code   int
		want   []string // substrings of the first stderr line
	}{
		{"unknown key", replace("[report]\n", "[report]\ncurrencyy = \"EUR\"\n"), nil, 2, []string{"unknown key report.currencyy"}},
		{"unknown column key", replace("[purchases]\n", "[purchases]\nuser = \"x\"\n"), nil, 2, []string{"[purchases]", `unknown key "user"`}},
		{"missing section", replace("[spend]\n", "[spending]\n"), nil, 2, []string{"spending"}},
		{"missing column", replace(`registered_at = "registered_at"`, `registered_at = "created"`), nil, 2,
			[]string{"[registrations]", `registered_at = "created"`, "no such column"}},
		{"column case ignored by sqlite", replace(`channel = "channel"`, `channel = "Channel"`), nil, 0, nil},
		{"wrong type", replace("conversion_window_days = 30", `conversion_window_days = "30"`), nil, 2, []string{"conversion_window_days"}},
		{"window out of range", replace("conversion_window_days = 30", `conversion_window_days = 0`), nil, 2, []string{"conversion_window_days = 0"}},
		{"bad currency", replace(`currency = "EUR"`, `currency = "EURO"`), nil, 2, []string{"ISO 4217", "EURO"}},
		{"bad timezone", replace(`timezone = "Europe/Berlin"`, `timezone = "Mars/Olympus"`), nil, 2, []string{"Mars/Olympus"}},
		{"unset variable", replace(`dsn = "`+db+`"`, `dsn = "${ORIGEN_TEST_UNSET}"`), nil, 2, []string{"${ORIGEN_TEST_UNSET}", "not set"}},
		{"missing database file", replace(`dsn = "`+db+`"`, `dsn = "/nonexistent/x.sqlite"`), nil, 2, []string{"/nonexistent/x.sqlite"}},
		{"table and sql", replace("[spend]\n", "[spend]\nsql = \"SELECT 1\"\n"), nil, 2, []string{"[spend]", "both table and sql"}},
		{"all NULL column", replace(`channel = "channel"`, `channel = "campaign"`+"\n"), nil, 0, nil}, // campaign has values: fine
		{"sql source", replace(`table = "purchases"`, `sql = "SELECT user_id, purchased_at, amount FROM purchases WHERE purchased_at > '10:00'"`), nil, 2,
			[]string{"[purchases]", "sql and column names"}},
		{"empty period", good, []string{"--from", "2026-10-01", "--to", "2026-10-01"}, 2, []string{"empty"}},
		{"bad date", good, []string{"--from", "2026-02-30", "--to", "2026-10-01"}, 2, []string{"--from", "2026-02-30"}},
		{"bad as-of", good, []string{"--from", "2026-10-01", "--to", "2026-11-01", "--as-of", "yesterday"}, 2, []string{"--as-of", "yesterday"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := writeFile(t, dir, "origen.toml", tc.config)
			out := filepath.Join(dir, "out")
			args := tc.args
			if args == nil {
				args = period
			}
			_, stderr, code := runCLI(t, nil, append([]string{"report", "--config", cfg, "--out", out}, args...)...)
			if code != tc.code {
				t.Fatalf("exit code %d, want %d; stderr:\n%s", code, tc.code, stderr)
			}
			if tc.code == 0 {
				return
			}
			first := strings.SplitN(stderr, "\n", 2)[0]
			for _, w := range tc.want {
				if !strings.Contains(first, w) {
					t.Errorf("first stderr line %q does not name %q", first, w)
				}
			}
			if entries, _ := os.ReadDir(out); len(entries) > 0 {
				t.Errorf("a failed run left %d files in %s", len(entries), out)
			}
		})
	}
}

// A required column that is NULL in every row makes the report wrong:
// exit code 3, naming the column.
func TestAllNullColumnIsADataError(t *testing.T) {
	db := demoDB(t)
	nullAmounts(t, db)
	cfg := writeFile(t, t.TempDir(), "origen.toml", fixtures.ConfigTOML("sqlite", db, ""))
	_, stderr, code := runCLI(t, nil, "report", "--config", cfg, "--from", "2026-10-01", "--to", "2026-11-01", "--out", t.TempDir())
	if code != 3 || !strings.Contains(stderr, `[purchases] column "amount"`) {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "no command"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"report"}, 2, "missing --config"},
		{[]string{"report", "--bogus"}, 2, "bogus"},
		{[]string{"report", "--config", "/nonexistent.toml", "--from", "2026-01-01", "--to", "2026-02-01"}, 2, "/nonexistent.toml"},
		{[]string{"version"}, 0, ""},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			_, stderr, code := runCLI(t, nil, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d (want %d), stderr %q (want %q)", code, tc.code, stderr, tc.want)
			}
		})
	}
}

// PostgreSQL: a mapped column of the wrong type is named with its type;
// an unreachable server is a runtime failure (exit 1) whose message does
// not leak the password.
func TestPostgresMappingErrors(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	conn, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, q := range []string{
		`CREATE TABLE regs (id bigint, created text, ch text)`,
		`CREATE TABLE regs_ok (id bigint, created timestamptz, ch text)`,
		`CREATE TABLE orders (uid bigint, at timestamptz, total numeric)`,
		`CREATE TABLE spend (day date, ch text, cost numeric)`,
	} {
		if _, err := conn.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	base := `[database]
driver = "postgres"
dsn = "` + dsn + `"
[registrations]
table = "public.regs"
user_id = "id"
registered_at = "created"
channel = "ch"
[purchases]
table = "orders"
user_id = "uid"
purchased_at = "at"
amount = "total"
[spend]
table = "spend"
date = "day"
channel = "ch"
amount = "cost"
[report]
currency = "USD"
`
	dir := t.TempDir()
	cfg := writeFile(t, dir, "pg.toml", base)
	_, stderr, code := runCLI(t, nil, "check", "--config", cfg)
	if code != 2 || !strings.Contains(stderr, `registered_at = "created" has type text`) {
		t.Errorf("wrong type: exit %d, stderr %s", code, stderr)
	}
	cased := writeFile(t, dir, "case.toml", strings.NewReplacer(`user_id = "uid"`, `user_id = "UID"`, "public.regs", "public.regs_ok").Replace(base))
	_, stderr, code = runCLI(t, nil, "check", "--config", cased)
	if code != 2 || !strings.Contains(stderr, `did you mean "uid"`) {
		t.Errorf("column case: exit %d, stderr %s", code, stderr)
	}
	bad := writeFile(t, dir, "down.toml", strings.Replace(base, `dsn = "`+dsn+`"`,
		`dsn = "postgres://origen:s3cret-pw@127.0.0.1:1/nowhere?connect_timeout=2"`, 1))
	_, stderr, code = runCLI(t, nil, "report", "--config", bad, "--from", "2026-01-01", "--to", "2026-02-01", "--out", dir)
	if code != 1 || strings.Contains(stderr, "s3cret-pw") || !strings.Contains(stderr, "127.0.0.1:1") {
		t.Errorf("unreachable server: exit %d, stderr %s", code, stderr)
	}
}
