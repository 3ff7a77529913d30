package main

import (
	"strings"
	"testing"
)

func TestRedactDSN(t *testing.T) {
	for _, tc := range []struct{ in, secret string }{
		{"postgres://origen:s3cret@db:5432/shop?sslmode=require", "s3cret"},
		{"postgres://origen@db/shop?password=s3cret&sslmode=disable", "s3cret"},
		{"host=db user=origen password=s3cret dbname=shop", "s3cret"},
		{"host=db PASSWORD=s3cret", "s3cret"},
	} {
		got := redactDSN(tc.in)
		if strings.Contains(got, tc.secret) || !strings.Contains(got, "xxxxx") {
			t.Errorf("redactDSN(%q) = %q", tc.in, got)
		}
	}
	if got := redactDSN("host=db user=origen"); got != "host=db user=origen" {
		t.Errorf("a DSN without a password changed: %q", got)
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
