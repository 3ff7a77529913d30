package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/origen-analytics/origen/fixtures"
	"github.com/origen-analytics/origen/fixtures/mysqltest"
	"github.com/origen-analytics/origen/fixtures/pgtest"
)

// mysqlDBName is the database of a go-sql-driver DSN.
func mysqlDBName(t *testing.T, dsn string) string {
	t.Helper()
	c, err := mysql.ParseDSN(dsn)
	if err != nil || c.DBName == "" {
		t.Fatalf("mysqltest DSN %q: %v", dsn, err)
	}
	return c.DBName
}

// origen fixtures load --driver mysql loads the generator's data into
// MariaDB and writes a config that origen check and origen report read;
// the report is the one the same data gives on PostgreSQL, and the
// mysql:// URL form of the DSN reads the same database.
func TestFixturesLoadMySQLThenCheckAndReport(t *testing.T) {
	myDSN, pgDSN := mysqltest.NewDatabase(t), pgtest.NewDatabase(t)
	db := mysqlDBName(t, myDSN)
	dir := t.TempDir()
	load := func(driver, dsn, schema string) string {
		t.Helper()
		cfg := filepath.Join(dir, driver+".toml")
		stdout, stderr, code := runCLI(t, nil, "fixtures", "load", "--driver", driver, "--dsn", dsn, "--schema", schema,
			"--registrations", "3000", "--seed", "5", "--config-out", cfg)
		if code != 0 {
			t.Fatalf("fixtures load --driver %s: exit %d; stderr:\n%s", driver, code, stderr)
		}
		if !strings.Contains(stdout, "into "+driver+" schema "+schema) {
			t.Errorf("fixtures load says:\n%s", stdout)
		}
		return cfg
	}
	myCfg, pgCfg := load("mysql", myDSN, db), load("postgres", pgDSN, "gen")

	stdout, stderr, code := runCLI(t, nil, "check", "--config", myCfg, "--as-of", "2026-11-20T00:00:00Z")
	if code != 0 {
		t.Fatalf("check: exit %d; stderr:\n%s", code, stderr)
	}
	for _, want := range []string{"database: mysql ", "registered_at (datetime)", "amount (decimal)", "date (date)", "user_id (bigint)"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("check output lacks %q:\n%s", want, stdout)
		}
	}
	report := func(cfg string) jsonDoc {
		t.Helper()
		out := t.TempDir()
		_, stderr, code := runCLI(t, nil, "report", "--config", cfg, "--from", "2026-10-01", "--to", "2026-11-01",
			"--as-of", "2026-11-20T00:00:00Z", "--out", out)
		if code != 0 {
			t.Fatalf("report --config %s: exit %d; stderr:\n%s", filepath.Base(cfg), code, stderr)
		}
		return readJSON(t, filepath.Join(out, "origen_2026-10-01_2026-11-01.json"))
	}
	my, pg := report(myCfg), report(pgCfg)
	if my.Total.Registrations == 0 || my.Total.Customers == 0 {
		t.Fatalf("degenerate report: %+v", my.Total)
	}
	if !reflect.DeepEqual(my, pg) {
		t.Errorf("mysql and postgres reports differ:\nmysql    %+v\npostgres %+v", my.Total, pg.Total)
	}

	url := fmt.Sprintf("mysql://%s@%s/%s", mysqltest.User, mysqltest.Addr(func(string) string { return "" }), db)
	urlCfg := writeFile(t, dir, "url.toml", fixtures.ConfigTOML("mysql", url, db))
	if got := report(urlCfg); !reflect.DeepEqual(got, my) {
		t.Errorf("the mysql:// URL reads another report: %+v", got.Total)
	}
}

// A `sql =` source cannot change a MariaDB database: stacked statements
// are refused (one statement per call), and the snapshot is READ ONLY,
// which refuses writes in functions, sequences and locking reads alike.
func TestSQLSourceCannotWriteMySQL(t *testing.T) {
	dsn := mysqltest.NewDatabase(t)
	admin, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	cfg := fixtures.DemoConfig()
	cfg.Registrations = 300
	if err := fixtures.LoadMySQL(t.Context(), admin, "", cfg, fixtures.LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	// One connection for the setup: DELIMITER-free CREATE FUNCTION.
	reset := func() {
		t.Helper()
		for _, q := range []string{
			"DROP TABLE IF EXISTS victim", "DROP TABLE IF EXISTS stolen", "DROP SEQUENCE IF EXISTS seq", "DROP FUNCTION IF EXISTS wipe",
			"CREATE TABLE victim (id int)", "INSERT INTO victim VALUES (1), (2), (3)", "CREATE SEQUENCE seq",
			"CREATE FUNCTION wipe() RETURNS INT MODIFIES SQL DATA BEGIN DELETE FROM victim; RETURN 1; END",
		} {
			if _, err := admin.Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	state := func() string {
		t.Helper()
		var b strings.Builder
		rows, err := admin.Query("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type <> 'SEQUENCE' ORDER BY 1")
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
			if err := admin.QueryRow(`SELECT count(*) FROM "` + n + `"`).Scan(&count); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s %d\n", n, count)
		}
		var seq string
		admin.QueryRow("SELECT CONCAT(next_not_cached_value, '') FROM seq").Scan(&seq)
		fmt.Fprintf(&b, "seq %s\n", seq)
		return b.String()
	}
	reset()
	if !strings.Contains(state(), "victim 3") {
		t.Fatalf("setup: %s", state())
	}
	const reg = "SELECT user_id, registered_at, channel FROM registrations"
	const fake = "SELECT 1 AS user_id, NOW() AS registered_at, 'x' AS channel"
	attempts := []injection{
		{"stacked COMMIT then DROP", stacked(reg, "COMMIT; DROP TABLE victim", fake)},
		{"stacked ROLLBACK then DELETE", stacked(reg, "ROLLBACK; DELETE FROM victim", fake)},
		{"stacked SET TRANSACTION READ WRITE", stacked(reg, "SET TRANSACTION READ WRITE; DELETE FROM victim", fake)},
		{"stacked CREATE TABLE ... SELECT", stacked(reg, "COMMIT; CREATE TABLE stolen SELECT * FROM victim", fake)},
		{"a function that writes", reg + " WHERE wipe() = 1"},
		{"NEXTVAL", reg + " WHERE NEXTVAL(seq) > 0"},
		{"INTO OUTFILE in the sub-select", reg + " INTO OUTFILE '/tmp/origen-outfile.csv'"},
		{"locking read", reg + " FOR UPDATE"},
	}
	assertAttemptsFail(t, fixtures.ConfigTOML("mysql", dsn, ""), attempts, state, reset)
}

// readOnlyMySQLUserSQL is the README's recipe for a read-only MySQL user,
// for user and database.
func readOnlyMySQLUserSQL(t *testing.T, user, database string) []string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)## A read-only MySQL user\n.*?```sql\n(.*?)```").FindSubmatch(b)
	if m == nil {
		t.Fatal(`README.md has no sql block under "## A read-only MySQL user"`)
	}
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(string(m[1])), "\n") {
		line = strings.NewReplacer("origen_ro", user, "shop.*", "`"+database+"`.*").Replace(line)
		out = append(out, strings.TrimSuffix(line, ";"))
	}
	return out
}

// mysqlCheckConfigs are the configs of fixtures.ConfigTOML for dsn with
// table sources, and with [purchases] read by a sql = source.
func mysqlCheckConfigs(t *testing.T, dsn string) (tables, withSQL string) {
	t.Helper()
	tables = fixtures.ConfigTOML("mysql", dsn, "")
	withSQL = strings.Replace(tables, "[purchases]\ntable = \"purchases\"\nuser_id = \"user_id\"\npurchased_at = \"purchased_at\"\namount = \"amount\"\n",
		"[purchases]\nsql = \"SELECT user_id, purchased_at, amount FROM purchases\"\n", 1)
	if withSQL == tables {
		t.Fatal("could not rewrite [purchases]")
	}
	return tables, withSQL
}

// origen check warns when the MySQL user may write a mapped table, names
// the privileges and where they come from, and says for sql = sources
// whether the user may write globally or in whole databases; the README's
// read-only user gets no warning.
func TestCheckWarnsWhenTheMySQLUserCanWrite(t *testing.T) {
	dsn := mysqltest.NewDatabase(t)
	database := mysqlDBName(t, dsn)
	admin, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() }) // after the users are dropped (cleanups run last first)
	cfg := fixtures.DemoConfig()
	cfg.Registrations = 200
	if err := fixtures.LoadMySQL(t.Context(), admin, "", cfg, fixtures.LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	suffix := fmt.Sprintf("%d_%d", os.Getpid(), time.Now().UnixNano()%1e6)
	ro, writer, dbw := "origen_ro_"+suffix, "origen_rw_"+suffix, "origen_dbw_"+suffix
	t.Cleanup(func() {
		for _, u := range []string{ro, writer, dbw} {
			if _, err := admin.Exec("DROP USER IF EXISTS '" + u + "'@'%'"); err != nil {
				t.Errorf("drop user %s: %v", u, err)
			}
		}
	})
	q := "`" + database + "`"
	stmts := append(readOnlyMySQLUserSQL(t, ro, database),
		"CREATE USER '"+writer+"'@'%' IDENTIFIED BY 'pw-"+suffix+"'",
		"GRANT SELECT ON "+q+".* TO '"+writer+"'@'%'",
		"GRANT INSERT, DELETE ON "+q+".purchases TO '"+writer+"'@'%'",
		"CREATE USER '"+dbw+"'@'%' IDENTIFIED BY 'pw-"+suffix+"'",
		"GRANT SELECT, UPDATE ON "+q+".* TO '"+dbw+"'@'%'",
	)
	for _, s := range stmts {
		if _, err := admin.Exec(strings.Replace(s, "choose-a-password", "pw-"+suffix, 1)); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	tables, withSQL := mysqlCheckConfigs(t, dsn)
	dsnAs := func(user string) string {
		c, err := mysql.ParseDSN(dsn)
		if err != nil {
			t.Fatal(err)
		}
		c.User = user
		if user != mysqltest.User {
			c.Passwd = "pw-" + suffix
		}
		return c.FormatDSN()
	}
	advice := `connect as a read-only user (README, "A read-only MySQL user")`
	for _, tc := range []struct {
		name, user, config string
		want, not          []string
	}{
		{"root", mysqltest.User, tables, []string{
			`[registrations] table registrations: the user "root@`, `may INSERT, UPDATE, DELETE, DROP, ALTER it`,
			`[spend] table spend`, advice}, nil},
		{"README's read-only user", ro, tables, nil, []string{"warnings:", "may INSERT", advice}},
		{"a user that may insert and delete purchases", writer, tables,
			[]string{`[purchases] table purchases: the user "` + writer + `@%" may INSERT, DELETE it`},
			[]string{"[registrations] table", "[spend] table", "UPDATE"}},
		{"a user that may update the database", dbw, tables,
			[]string{`[registrations] table registrations: the user "` + dbw + `@%" may UPDATE it`}, []string{"INSERT"}},
		{"sql source, root", mysqltest.User, withSQL,
			[]string{`[purchases] sql: what it reads cannot be checked table by table; the user "root@`, "in every database"}, nil},
		{"sql source, database writer", dbw, withSQL,
			[]string{`[purchases] sql: what it reads cannot be checked table by table; the user "` + dbw + `@%" may write in the databases ` + database}, nil},
		{"sql source, read-only user", ro, withSQL,
			[]string{`the user "` + ro + `@%" holds no global or database-wide write privilege`}, []string{"may INSERT", advice}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			config := strings.Replace(tc.config, `dsn = "`+dsn+`"`, `dsn = "`+dsnAs(tc.user)+`"`, 1)
			if config == tc.config && tc.user != mysqltest.User {
				t.Fatal("could not set the user in the DSN")
			}
			checkSays(t, config, tc.want, tc.not)
		})
	}
}

// origen check sees the privileges a MariaDB user holds through its
// default role and the roles granted to that role, which
// information_schema does not list to the user: a user that reads and
// writes through roles gets the warnings a directly granted one gets, one
// that only reads through its role gets none and can read, and one whose
// SELECT comes from a role that is not its default is told so.
func TestCheckSeesMySQLRolePrivileges(t *testing.T) {
	dsn := mysqltest.NewDatabase(t)
	database := mysqlDBName(t, dsn)
	admin, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	var version string
	if err := admin.QueryRow("SELECT VERSION()").Scan(&version); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.ToLower(version), "mariadb") {
		t.Skipf("the roles below use MariaDB's syntax (SET DEFAULT ROLE ... FOR); the server is %s", version)
	}
	cfg := fixtures.DemoConfig()
	cfg.Registrations = 200
	if err := fixtures.LoadMySQL(t.Context(), admin, "", cfg, fixtures.LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	suffix := fmt.Sprintf("%d_%d", os.Getpid(), time.Now().UnixNano()%1e6)
	reader, writer, nested := "origen_rread_"+suffix, "origen_rwrite_"+suffix, "origen_rnest_"+suffix
	ru, wu, nu, su := "origen_ru_"+suffix, "origen_wu_"+suffix, "origen_nu_"+suffix, "origen_su_"+suffix
	t.Cleanup(func() {
		for _, u := range []string{"USER '" + ru + "'@'%'", "USER '" + wu + "'@'%'", "USER '" + nu + "'@'%'", "USER '" + su + "'@'%'", "ROLE " + reader, "ROLE " + writer, "ROLE " + nested} {
			if _, err := admin.Exec("DROP " + strings.Replace(u, "USER ", "USER IF EXISTS ", 1)); err != nil {
				t.Errorf("drop %s: %v", u, err)
			}
		}
	})
	q := "`" + database + "`"
	for _, s := range []string{
		"CREATE ROLE " + reader, "GRANT SELECT ON " + q + ".* TO " + reader,
		"CREATE ROLE " + nested, "GRANT UPDATE ON " + q + ".* TO " + nested,
		"CREATE ROLE " + writer, "GRANT SELECT ON " + q + ".* TO " + writer,
		"GRANT INSERT, DELETE ON " + q + ".purchases TO " + writer, "GRANT " + nested + " TO " + writer,
		"CREATE USER '" + ru + "'@'%' IDENTIFIED BY 'pw-" + suffix + "'", "GRANT " + reader + " TO '" + ru + "'@'%'",
		"SET DEFAULT ROLE " + reader + " FOR '" + ru + "'@'%'",
		"CREATE USER '" + wu + "'@'%' IDENTIFIED BY 'pw-" + suffix + "'", "GRANT " + writer + " TO '" + wu + "'@'%'",
		"SET DEFAULT ROLE " + writer + " FOR '" + wu + "'@'%'",
		"CREATE USER '" + nu + "'@'%' IDENTIFIED BY 'pw-" + suffix + "'", "GRANT " + reader + " TO '" + nu + "'@'%'",
		"CREATE USER '" + su + "'@'%' IDENTIFIED BY 'pw-" + suffix + "'", "GRANT " + reader + " TO '" + su + "'@'%'",
		"GRANT SELECT ON " + q + ".spend TO '" + su + "'@'%'",
	} {
		if _, err := admin.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	tables, withSQL := mysqlCheckConfigs(t, dsn)
	dsnAs := func(user string) string {
		c, err := mysql.ParseDSN(dsn)
		if err != nil {
			t.Fatal(err)
		}
		c.User, c.Passwd = user, "pw-"+suffix
		return c.FormatDSN()
	}
	// Roles that are not the default are not active: the user is refused
	// the DSN's database, or a table, and the message says why.
	for _, tc := range []struct {
		name, user string
		want       []string
	}{
		{"the database only through a role that is not its default", nu,
			[]string{"Error 1044", "if the user's privileges on it come from a role, make that role its default: SET DEFAULT ROLE"}},
		{"a table only through a role that is not its default", su,
			[]string{"[registrations] table = \"registrations\" cannot be read", "Error 1142",
				"the user also holds the roles " + reader + ", which its session does not have active", "SET DEFAULT ROLE"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "origen.toml", strings.Replace(tables, `dsn = "`+dsn+`"`, `dsn = "`+dsnAs(tc.user)+`"`, 1))
			_, stderr, code := runCLI(t, nil, "check", "--config", path, "--as-of", "2026-11-20T00:00:00Z")
			for _, w := range tc.want {
				if code == 0 || !strings.Contains(stderr, w) {
					t.Errorf("check (exit %d) does not say %q:\n%s", code, w, stderr)
				}
			}
		})
	}
	for _, tc := range []struct {
		name, user, config string
		want, not          []string
	}{
		{"reads through its default role", ru, tables, []string{"ok"}, []string{"warnings:", "may INSERT", "may UPDATE"}},
		{"writes through its default role and the role granted to it", wu, tables, []string{
			`[purchases] table purchases: the user "` + wu + `@%" may INSERT, UPDATE, DELETE it`,
			`[registrations] table registrations: the user "` + wu + `@%" may UPDATE it`}, []string{"[spend] table spend: the user \"" + wu + "@%\" may INSERT"}},
		{"sql source, database writer through a role", wu, withSQL,
			[]string{`[purchases] sql: what it reads cannot be checked table by table; the user "` + wu + `@%" may write in the databases ` + database}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			config := strings.Replace(tc.config, `dsn = "`+dsn+`"`, `dsn = "`+dsnAs(tc.user)+`"`, 1)
			if config == tc.config {
				t.Fatal("could not set the user in the DSN")
			}
			checkSays(t, config, tc.want, tc.not)
		})
	}
}

// [database] for driver = "mysql": both DSN forms, ${VAR} expansion,
// stored_timezone, and refusals that name the key without showing the
// password.
func TestMySQLDatabaseConfig(t *testing.T) {
	const rest = `
[registrations]
table = "shop.r"
[purchases]
table = "shop.p"
[spend]
file = "spend.csv"
[report]
currency = "EUR"
`
	env := envMap{"PW": "Ocelot-pw-1"}.get
	for _, tc := range []struct {
		name, database string
		dsn, stored    string // the config's values when it loads
		err            string // else the start of its error
	}{
		{"driver form", `driver = "mysql"
dsn = "origen:${PW}@tcp(db.internal:3306)/shop?tls=preferred"`, "origen:Ocelot-pw-1@tcp(db.internal:3306)/shop?tls=preferred", "UTC", ""},
		{"URL", `driver = "mysql"
dsn = "mysql://origen:${PW}@db.internal/shop"
stored_timezone = "+02:00"`, "mysql://origen:Ocelot-pw-1@db.internal/shop", "+02:00", ""},
		{"zone name", `driver = "mysql"
dsn = "origen@tcp(db)/shop"
stored_timezone = "Europe/Berlin"`, "origen@tcp(db)/shop", "Europe/Berlin", ""},
		{"not a zone", `driver = "mysql"
dsn = "origen@tcp(db)/shop"
stored_timezone = "Berlin"`, "", "", `[database] stored_timezone = "Berlin": not a time zone`},
		{"stored_timezone on postgres", `driver = "postgres"
dsn = "host=db"
stored_timezone = "UTC"`, "", "", `[database] stored_timezone is read with driver = "mysql" only`},
		{"empty DSN", `driver = "mysql"
dsn = ""`, "", "", "[database] dsn is empty: for mysql write user:password@tcp(host:3306)/database"},
		{"no database part", `driver = "mysql"
dsn = "origen:${PW}@db.internal"`, "", "", "[database] dsn origen:xxxxx@db.internal: not a MySQL DSN"},
		{"URL with an unescaped '#'", `driver = "mysql"
dsn = "mysql://origen:Oce#lot@db/shop"`, "", "", "[database] dsn mysql://origen:xxxxx@db/shop: the password in the URL has a character that must be percent-encoded"},
		{"unknown driver", `driver = "oracle"
dsn = "x"`, "", "", `[database] driver = "oracle" is not supported: use "postgres", "sqlite", "mysql" or "clickhouse"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "c.toml", "[database]\n"+tc.database+"\n"+rest)
			c, err := loadConfig(path, env)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				for _, secret := range []string{"Ocelot-pw-1", "Oce#lot", "lot@db"} {
					if strings.Contains(err.Error(), secret) {
						t.Errorf("the error shows the password: %v", err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.DSN != tc.dsn || c.StoredTimezone != tc.stored {
				t.Errorf("dsn %q, stored_timezone %q; want %q, %q", c.DSN, c.StoredTimezone, tc.dsn, tc.stored)
			}
			// The About sheet's configuration says how DATETIMEs were read.
			if strings.Contains(tc.database, "stored_timezone") != strings.Contains(c.Text, `stored_timezone = "`+tc.stored+`"`) ||
				strings.Contains(c.Text, "Ocelot") {
				t.Errorf("audit text:\n%s", c.Text)
			}
			if got := redactDSN(c.DSN); strings.Contains(got, "Ocelot") {
				t.Errorf("redacted DSN %q", got)
			}
			if _, err := mysqlConfig(c.DSN); err != nil {
				t.Errorf("the driver cannot read it: %v", err)
			}
		})
	}
}

// A MySQL server that accepts the connection and never sends its
// greeting cannot hold origen check or report longer than
// connect_timeout, nor a cancelled run.
func TestSilentMySQLServerIsBounded(t *testing.T) {
	addr := silentServer(t)
	config := func(database string) string {
		toml := fixtures.ConfigTOML("mysql", "origen:Pw-silent-43@tcp("+addr+")/shop", "shop")
		return writeFile(t, t.TempDir(), "origen.toml", strings.Replace(toml, "[database]\n", "[database]\n"+database, 1))
	}
	period := []string{"--from", "2026-10-01", "--to", "2026-11-01", "--as-of", "2026-11-20T00:00:00Z"}
	cfg := config("connect_timeout = \"1s\"\n")
	for _, args := range [][]string{{"check", "--config", cfg}, append([]string{"report", "--config", cfg, "--out", t.TempDir()}, period...)} {
		r, took := within(t, 15*time.Second, func() cliResult { return runCtx(context.Background(), args...) })
		t.Logf("origen %s: %v: %s", args[0], took.Round(time.Millisecond), errLine(r.stderr))
		if r.code != 1 || !strings.Contains(r.stderr, "no answer within [database] connect_timeout = 1s") || strings.Contains(r.stderr, "Pw-silent-43") {
			t.Errorf("origen %s: exit %d: %s", args[0], r.code, r.stderr)
		}
		if took > 4*time.Second {
			t.Errorf("origen %s took %v with connect_timeout = 1s", args[0], took)
		}
	}
	cfg = config("")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(500*time.Millisecond, cancel)
	r, took := within(t, 15*time.Second, func() cliResult { return runCtx(ctx, "check", "--config", cfg) })
	cancel()
	if !errors.Is(r.err, context.Canceled) || r.code != 1 || took > 3*time.Second {
		t.Errorf("cancelled at 0.5s: err %v, exit %d after %v", r.err, r.code, took)
	}
}
