package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/origen-analytics/origen/fixtures"
	"github.com/origen-analytics/origen/internal/clickhouse"
	"github.com/origen-analytics/origen/internal/clickhouse/chtest"
)

// The README's path on ClickHouse: fixtures load spreads the rows over
// the two shards, check names the ClickHouse columns and types and says
// what does not run there, report writes the three outputs, and a
// `sql =` with a syntax error is reported as the user's error.
func TestClickHouseFixturesCheckAndReport(t *testing.T) {
	c := chtest.New(t)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "origen.toml")
	dsn := "clickhouse://default@" + c.Hosts[0] + "/default"
	stdout, stderr, code := runCLI(t, nil, "fixtures", "load", "--driver", "clickhouse", "--dsn", dsn, "--cluster", chtest.ClusterName,
		"--schema", c.Database, "--registrations", "3000", "--seed", "4", "--config-out", cfgPath)
	if code != 0 {
		t.Fatalf("fixtures load: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "across the 2 shards of cluster origen") {
		t.Errorf("fixtures load said:\n%s", stdout)
	}
	for _, tb := range []string{"registrations", "purchases"} {
		if n := c.Counts(t, tb); n[0] == 0 || n[1] == 0 || n[0]+n[1] < 3000 && tb == "registrations" {
			t.Errorf("%s per shard: %v", tb, n)
		}
	}
	stdout, stderr, code = runCLI(t, nil, "check", "--config", cfgPath, "--as-of", "2026-11-20T00:00:00Z")
	if code != 0 {
		t.Fatalf("check: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"database: clickhouse clickhouse://default@", "registered_at (DateTime)", "amount (Decimal(12, 2))",
		"channel (Nullable(String))", "clickhouse: on ClickHouse", "computes every section of the report", "lifetime value ([ltv]) and multi-touch paths ([touchpoints])"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("check output lacks %q:\n%s", want, stdout)
		}
	}
	out := filepath.Join(dir, "out")
	_, stderr, code = runCLI(t, nil, "report", "--config", cfgPath, "--from", "2026-10-01", "--to", "2026-11-01",
		"--as-of", "2026-11-20T00:00:00Z", "--out", out, "--detail")
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, stderr)
	}
	doc := readJSON(t, filepath.Join(out, "origen_2026-10-01_2026-11-01.json"))
	if doc.Total.Registrations == 0 || doc.Total.Customers == 0 || len(doc.Channels) < 3 {
		t.Errorf("report total %+v, %d channels", doc.Total, len(doc.Channels))
	}
	// Lifetime value runs on ClickHouse too, on by default as elsewhere.
	raw, err := os.ReadFile(filepath.Join(out, "origen_2026-10-01_2026-11-01.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ltv struct {
		LTV *struct {
			Channels []struct {
				Channel                  string
				Registrations, Customers int64
			}
		} `json:"ltv"`
		Attribution *struct {
			Paths, Conversions int64
		} `json:"attribution"`
	}
	if err := json.Unmarshal(raw, &ltv); err != nil {
		t.Fatal(err)
	}
	if ltv.LTV == nil || len(ltv.LTV.Channels) < 2 {
		t.Fatalf("report has no lifetime-value channels: %s", raw[:min(len(raw), 300)])
	}
	if total := ltv.LTV.Channels[len(ltv.LTV.Channels)-1]; total.Channel != "Total" || total.Registrations == 0 || total.Customers == 0 {
		t.Errorf("lifetime value Total %+v, want registrations and customers", total)
	}
	// So do the touchpoints' paths (the fixtures load them too): every
	// customer of the period is a conversion of the multi-touch section.
	if a := ltv.Attribution; a == nil || a.Paths == 0 || a.Conversions != doc.Total.Customers {
		t.Errorf("multi-touch section %+v, report customers %d", a, doc.Total.Customers)
	}

	// A user's syntax error in sql = is the error reported (not the
	// connection's "Unexpected packet" that 18.16 would send next).
	text, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(text), `table = "`+c.Database+`.registrations"`,
		`sql = "SELEC user_id, registered_at, channel FROM `+c.Database+`.registrations"`, 1)
	broken = strings.Replace(broken, "user_id = \"user_id\"\nregistered_at = \"registered_at\"\nchannel = \"channel\"\ncampaign = \"campaign\"\nsource = \"source\"\nmedium = \"medium\"\n", "", 1)
	if !strings.Contains(broken, "SELEC") || strings.Contains(broken, `registered_at = "registered_at"`) {
		t.Fatalf("could not rewrite [registrations]:\n%s", broken)
	}
	_, stderr, code = runCLI(t, nil, "check", "--config", writeFile(t, dir, "broken.toml", broken))
	if code != 2 || !strings.Contains(stderr, "[registrations] sql cannot be read") || !strings.Contains(stderr, "Syntax error") ||
		strings.Contains(stderr, "Unexpected packet") {
		t.Errorf("syntax error: exit %d: %s", code, stderr)
	}
}

// A DSN that asks for HTTP or for writes is refused when the config is
// read.
func TestClickHouseConfigRefusals(t *testing.T) {
	base := fixtures.ConfigTOML("clickhouse", "clickhouse://origen:s3cret@db.example:9000/shop", "shop")
	for _, tc := range []struct{ name, config, want string }{
		{"http", strings.Replace(base, "clickhouse://origen:s3cret@db.example:9000", "http://origen:s3cret@db.example:8123", 1), "HTTP protocol"},
		{"readonly=0", strings.Replace(base, "/shop\"", "/shop?readonly=0\"", 1), "readonly=0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := writeFile(t, t.TempDir(), "origen.toml", tc.config)
			_, stderr, code := runCLI(t, nil, "check", "--config", cfg)
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, want 2 and %q: %s", code, tc.want, stderr)
			}
			if strings.Contains(stderr, "s3cret") {
				t.Errorf("the password shows: %s", stderr)
			}
		})
	}
}

// A ClickHouse DSN's password is hidden in every form: redactDSN, the
// driver's parse errors, and any error that quotes the DSN.
func TestRedactClickHouseDSN(t *testing.T) {
	for _, tc := range []struct {
		dsn     string
		secrets []string
		keep    string
	}{
		{"clickhouse://origen:s3cret@db.example:9000/shop", []string{"s3cret"}, "db.example:9000/shop"},
		{"clickhouse://origen:s%23cr%2Fet@db.example:9000/shop", []string{"s%23cr%2Fet", "s#cr/et"}, "db.example:9000"},
		{"clickhouse://origen:p@ss:w0rd@db.example:9000/shop", []string{"p@ss:w0rd"}, "db.example:9000"},
		{"clickhouse://db.example:9000/shop?username=origen&password=s3cret", []string{"s3cret"}, "username=origen"},
		{"clickhouse://origen:s3cret@db.example:9000/shop?dial_timeout=soon", []string{"s3cret"}, "dial_timeout=soon"},
		{"tcp://origen:s3cret@db1:9000,db2:9000/shop", []string{"s3cret"}, "db1:9000,db2:9000"},
		{"http://origen:s3cret@db.example:8123/shop", []string{"s3cret"}, "db.example:8123"},
	} {
		t.Run(tc.dsn, func(t *testing.T) {
			r := newRedactor(tc.dsn)
			texts := map[string]string{"redactDSN": redactDSN(tc.dsn),
				"wrapped error": r.Err(fmt.Errorf("connect %s: %w", tc.dsn, errors.New("refused"))).Error()}
			if _, err := clickhouse.ParseDSN(tc.dsn, clickhouse.Options{}); err != nil {
				texts["parse error"] = r.Text(err.Error())
			}
			for what, text := range texts {
				for _, s := range tc.secrets {
					if strings.Contains(text, s) {
						t.Errorf("%s shows %q: %s", what, s, text)
					}
				}
			}
			if got := texts["redactDSN"]; !strings.Contains(got, dsnMask) || !strings.Contains(got, tc.keep) {
				t.Errorf("redactDSN = %q, want %s for the password and %q kept", got, dsnMask, tc.keep)
			}
		})
	}
}

// `origen run --dry-run` on ClickHouse shows the statements a run sends,
// character for character, when the stored types are those it assumes
// (fixtures load's), and says what it assumed: the statements the job
// then ran, as the initiator's query log has them, hold every one the dry
// run printed. The bound numbers (toInt64(N)) are left out of the
// comparison: the dry run plans the one pass and the spend with the
// plain previous period, no prospect ranking and no budget spend range
// (cmd_run.go's dryRun), which the run then settles; the types decide
// the rest of the text.
func TestClickHouseDryRunShowsTheStatementsThatRun(t *testing.T) {
	bound := regexp.MustCompile(`toInt64\(-?[0-9]+\)`)
	c := chtest.New(t)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "origen.toml")
	dsn := "clickhouse://default@" + c.Hosts[0] + "/default"
	if _, stderr, code := runCLI(t, nil, "fixtures", "load", "--driver", "clickhouse", "--dsn", dsn, "--cluster", chtest.ClusterName,
		"--schema", c.Database, "--registrations", "2000", "--seed", "5", "--config-out", cfgPath); code != 0 {
		t.Fatalf("fixtures load: exit %d: %s", code, stderr)
	}
	text, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	cfg := writeFile(t, dir, "job.toml", string(text)+fmt.Sprintf("\n[[job]]\nname = \"monthly\"\nperiod = \"last-month\"\nout = %q\nformats = [\"json\"]\n",
		filepath.Join(dir, "out")))
	const asOf = "2026-11-20T00:00:00Z"
	stdout, stderr, code := runCLI(t, nil, "run", "--config", cfg, "--dry-run", "--as-of", asOf)
	if code != 0 {
		t.Fatalf("dry run: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "  types:    ClickHouse statements convert each mapped column by its stored type") {
		t.Errorf("the dry run does not say which types it shows:\n%s", stdout[:min(len(stdout), 800)])
	}
	planned := map[string]string{}
	var name string
	var body []string
	flush := func() {
		if name != "" {
			planned[name] = strings.TrimSpace(strings.Join(body, "\n"))
		}
		name, body = "", nil
	}
	for _, l := range strings.Split(stdout, "\n") {
		switch {
		case strings.HasPrefix(l, "  query ") && strings.HasSuffix(l, ":"):
			flush()
			name = strings.TrimSuffix(strings.TrimPrefix(l, "  query "), ":")
		case name != "" && (strings.HasPrefix(l, "    ") || l == ""):
			body = append(body, strings.TrimPrefix(l, "    "))
		default:
			flush()
		}
	}
	flush()
	for _, want := range []string{"facts", "spend", "budget_weeks", "ltv"} {
		if planned[want] == "" {
			t.Fatalf("the dry run lists no %s statement:\n%s", want, stdout[:min(len(stdout), 800)])
		}
	}
	if _, stderr, code := runCLI(t, nil, "run", "--config", cfg, "--as-of", asOf); code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	initiator := c.Shards[0]
	if _, err := initiator.Exec("SYSTEM FLUSH LOGS"); err != nil {
		t.Fatal(err)
	}
	rows, err := initiator.Query("SELECT query FROM system.query_log WHERE type = 2 AND is_initial_query AND position(query, ?) > 0",
		"`"+c.Database+"`.")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	ran := map[string]bool{}
	for rows.Next() {
		var q string
		if err := rows.Scan(&q); err != nil {
			t.Fatal(err)
		}
		ran[bound.ReplaceAllString(strings.TrimSpace(q), "toInt64(N)")] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(ran) == 0 {
		t.Fatal("the query log has no statement of the run")
	}
	for n, q := range planned {
		if !ran[bound.ReplaceAllString(q, "toInt64(N)")] {
			t.Errorf("the run sent no statement equal to the dry run's %s:\n%s", n, q[:min(len(q), 600)])
		}
	}
}
