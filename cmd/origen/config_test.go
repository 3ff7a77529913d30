package main

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/lib/pq"
)

// dsnForm is a way of writing a PostgreSQL DSN, with the secrets that
// must never be shown and whether libpq (lib/pq) would read it as meant.
type dsnForm struct {
	name    string
	dsn     string
	secrets []string // the password, and the pieces of it a parser may quote
	refused bool     // Origen refuses it at load (libpq would fail or misread it)
	// serverRefuses: lib/pq passes the key on as a setting, which the
	// server refuses (so connecting fails).
	serverRefuses bool
	keep          string // what the redacted form must still show
}

// dsnForms are the DSN forms the redaction tests try; {H}, {P}, {U}
// and {D} are the host, port, user and database.
var dsnForms = []dsnForm{
	{name: "URL user information", dsn: "postgres://{U}:Kestrel-pw-1@{H}:{P}/{D}?sslmode=disable", secrets: []string{"Kestrel-pw-1"}, keep: "@{H}:{P}/{D}?sslmode=disable"},
	{name: "postgresql:// URL", dsn: "postgresql://{U}:Kestrel-pw-2@{H}:{P}/{D}?sslmode=disable", secrets: []string{"Kestrel-pw-2"}, keep: "postgresql://{U}:"},
	{name: "URL password parameter", dsn: "postgres://{U}@{H}:{P}/{D}?sslmode=disable&password=Kestrel-pw-3", secrets: []string{"Kestrel-pw-3"}, keep: "sslmode=disable&password="},
	{name: "URL password percent-encoded", dsn: "postgres://{U}:Kes%23trel%2F4%3Fx%20y@{H}:{P}/{D}?sslmode=disable",
		secrets: []string{"Kes%23trel%2F4%3Fx%20y", "Kes#trel/4?x y", "trel"}, keep: "@{H}:{P}/{D}"},
	{name: "URL password parameter percent-encoded", dsn: "postgres://{U}@{H}:{P}/{D}?password=Kes%26trel%3D5&sslmode=disable",
		secrets: []string{"Kes%26trel%3D5", "Kes&trel=5", "trel"}, keep: "&sslmode=disable"},
	{name: "key=value", dsn: "host={H} port={P} user={U} password=Wombat-pw-6 dbname={D} sslmode=disable", secrets: []string{"Wombat-pw-6"}, keep: "dbname={D}"},
	{name: "key=value, spaces around =", dsn: "host={H} port={P} user={U} password = Wombat-pw-7 dbname={D} sslmode=disable", secrets: []string{"Wombat-pw-7"}, keep: "dbname={D}"},
	{name: "key=value, quoted with spaces", dsn: "host={H} port={P} user={U} password='Wombat pw 8 quokka' dbname={D} sslmode=disable",
		secrets: []string{"Wombat pw 8 quokka", "Wombat", "quokka"}, keep: "dbname={D}"},
	{name: "key=value, quoted with an escaped quote", dsn: `host={H} port={P} user={U} password='Wom\'bat-pw-9 x' dbname={D} sslmode=disable`,
		secrets: []string{"Wom'bat-pw-9 x", `Wom\'bat-pw-9`, "bat-pw-9"}, keep: "dbname={D}"},
	{name: "key=value, escaped space", dsn: `host={H} port={P} user={U} password=Wombat\ pwten dbname={D} sslmode=disable`,
		secrets: []string{"Wombat pwten", `Wombat\ pwten`, "pwten"}, keep: "dbname={D}"},
	{name: "key=value, tabs", dsn: "host={H}\tport={P}\tuser={U}\tpassword=Wombat-pw-11\tdbname={D}\tsslmode=disable", secrets: []string{"Wombat-pw-11"}, keep: "dbname={D}"},
	{name: "key=value, upper-case key", dsn: "host={H} port={P} user={U} PASSWORD=Wombat-pw-12 dbname={D} sslmode=disable", secrets: []string{"Wombat-pw-12"}, serverRefuses: true, keep: "dbname={D}"},
	{name: "key=value, sslpassword", dsn: "host={H} port={P} user={U} sslpassword=Wombat-pw-13 dbname={D} sslmode=disable", secrets: []string{"Wombat-pw-13"}, serverRefuses: true, keep: "dbname={D}"},
	{name: "URL password with %zz", dsn: "postgres://{U}:Kes%zztrel-14@{H}:{P}/{D}?sslmode=disable", secrets: []string{"Kes%zztrel-14", "zztrel-14"}, refused: true, keep: "@{H}:{P}/{D}"},
	{name: "URL password with #", dsn: "postgres://{U}:Kes#trel-15@{H}:{P}/{D}?sslmode=disable", secrets: []string{"Kes#trel-15", "trel-15"}, refused: true, keep: "@{H}:{P}/{D}"},
	{name: "URL password with /", dsn: "postgres://{U}:Kes/trel-16@{H}:{P}/{D}?sslmode=disable", secrets: []string{"Kes/trel-16", "trel-16"}, refused: true, keep: "@{H}:{P}/{D}"},
	{name: "URL password with ?", dsn: "postgres://{U}:Kes?trel-17@{H}:{P}/{D}?sslmode=disable", secrets: []string{"Kes?trel-17", "trel-17"}, refused: true, keep: "@{H}:{P}/{D}"},
	{name: "URL password with a space and #", dsn: "postgres://{U}:Kes trel#18@{H}:{P}/{D}", secrets: []string{"Kes trel#18", "trel"}, refused: true, keep: "@{H}:{P}/{D}"},
	{name: "key=value, unquoted with spaces", dsn: "host={H} port={P} user={U} password=Wombat zebu-19 dbname={D}", secrets: []string{"Wombat zebu-19", "Wombat", "zebu-19"}, refused: true, keep: "dbname={D}"},
	{name: "key=value, unterminated quote", dsn: "host={H} port={P} user={U} dbname={D} password='Wombat-pw-20", secrets: []string{"Wombat-pw-20"}, refused: true, keep: "dbname={D}"},
	{name: "key=value, password without =", dsn: "host={H} port={P} user={U} dbname={D} password Wombat-pw-21", secrets: []string{"Wombat-pw-21"}, refused: true, keep: "dbname={D}"},
	{name: "key=value, quoted value with a stray quote", dsn: "host={H} port={P} user={U} password='Wom'bat-22' dbname={D}", secrets: []string{"Wom'bat-22", "bat-22"}, refused: true, keep: "host={H}"},
}

// mysqlDSNForms are go-sql-driver/mysql's DSN forms (driver = "mysql"),
// which the redaction tests try too.
var mysqlDSNForms = []dsnForm{
	{name: "mysql driver form", dsn: "{U}:Marmot-pw-23@tcp({H}:{P})/{D}?parseTime=true", secrets: []string{"Marmot-pw-23"}, keep: "{U}:xxxxx@tcp({H}:{P})/{D}?parseTime=true"},
	{name: "mysql driver form, '@' ':' and '/' in the password", dsn: "{U}:Mar@mot:pw/24@tcp({H}:{P})/{D}", secrets: []string{"Mar@mot:pw/24", "pw/24"}, keep: "@tcp({H}:{P})/{D}"},
	{name: "mysql:// URL", dsn: "mysql://{U}:Marmot-pw-25@{H}:{P}/{D}?tls=preferred", secrets: []string{"Marmot-pw-25"}, keep: "mysql://{U}:xxxxx@{H}:{P}/{D}?tls=preferred"},
	{name: "mysql:// URL percent-encoded", dsn: "mysql://{U}:Mar%40mot%2F26@{H}/{D}", secrets: []string{"Mar%40mot%2F26", "Mar@mot/26"}, keep: "@{H}/{D}"},
}

// fill puts a server's address into a DSN form.
func (f dsnForm) fill(host, port, user, db string) dsnForm {
	r := strings.NewReplacer("{H}", host, "{P}", port, "{U}", user, "{D}", db)
	f.dsn, f.keep = r.Replace(f.dsn), r.Replace(f.keep)
	return f
}

// Every DSN form: redactDSN hides the secrets and keeps the rest; the
// redactor hides them in what lib/pq and net/url say about the DSN
// (their errors quote it); Origen refuses at load exactly the forms
// libpq would fail on or misread.
func TestRedactDSN(t *testing.T) {
	if len(dsnForms) < 20 {
		t.Fatalf("only %d DSN forms", len(dsnForms))
	}
	for _, f := range append(slices.Clone(dsnForms), mysqlDSNForms...) {
		f := f.fill("db.internal", "5432", "origen", "shop")
		t.Run(f.name, func(t *testing.T) {
			r := newRedactor(f.dsn)
			texts := map[string]string{"redactDSN": redactDSN(f.dsn)}
			if _, err := pq.NewConfig(f.dsn); err != nil {
				texts["lib/pq's error"] = r.Text(err.Error())
			}
			if _, err := url.Parse(f.dsn); err != nil {
				texts["net/url's error"] = r.Text(err.Error())
			}
			texts["wrapped error"] = r.Err(fmt.Errorf("connect %s: %w", f.dsn, errors.New("refused"))).Error()
			for what, text := range texts {
				for _, s := range f.secrets {
					if strings.Contains(text, s) {
						t.Errorf("%s shows %q: %s", what, s, text)
					}
				}
			}
			if got := texts["redactDSN"]; !strings.Contains(got, dsnMask) || !strings.Contains(got, f.keep) {
				t.Errorf("redactDSN(%q) = %q, want %s in place of the password and %q kept", f.dsn, got, dsnMask, f.keep)
			}
			_, problem := inspectDSN(f.dsn)
			if (problem != "") != f.refused {
				t.Errorf("problem %q, want refused = %v", problem, f.refused)
			}
		})
	}
	for _, dsn := range []string{"host=db user=origen", "postgres://origen@db/shop?sslmode=require", "dbname=shop"} {
		if got := redactDSN(dsn); got != dsn {
			t.Errorf("a DSN without a password changed: %q → %q", dsn, got)
		}
		if _, problem := inspectDSN(dsn); problem != "" {
			t.Errorf("inspectDSN(%q): %s", dsn, problem)
		}
	}
	// A secret's piece is hidden only where it stands alone.
	if got := newRedactor("password='Se cret-x'").Text(`missing "=" after "cret-x"; Secretary`); got != `missing "=" after "xxxxx"; Secretary` {
		t.Errorf("pieces: %q", got)
	}
}

func TestConfigDefaultsAndExpansion(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "c.toml", `[database]
driver = "postgres"
dsn = "host=${PGH} password=${PW}"
[registrations]
table = "s.r"
[purchases]
sql = "SELECT 1 AS user_id"
[spend]
file = "spend.csv"
[report]
currency = "jpy"
`)
	c, err := loadConfig(cfg, envMap{"PGH": "db.internal", "PW": "pw"}.get)
	if err != nil {
		t.Fatal(err)
	}
	if c.DSN != "host=db.internal password=pw" || c.Timezone != "UTC" || c.WindowDays != 30 ||
		c.StatementTimeout != DefaultStatementTimeout || c.Currency.Code != "JPY" || c.Currency.Digits != 0 ||
		c.SpendFile != dir+"/spend.csv" || c.Mapping.Spend != nil {
		t.Errorf("config = %+v", c)
	}
}

type envMap map[string]string

func (m envMap) get(k string) string { return m[k] }
