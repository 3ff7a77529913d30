package main

import (
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/origen-analytics/origen/fixtures"
)

// origen customers on the demo database: the list is ranked by value at
// risk, its top-N is the head of the complete list, a listed customer's
// purchases and revenue equal an independent query of the demo database,
// P(alive) is a probability, and the backtest at as_of − 90 days is
// reported by decile with the best-scored decile buying more than the
// worst.
func TestCustomersCommand(t *testing.T) {
	demo := runDemo(t)
	cfg := filepath.Join(demo, "origen.toml")
	asOf := fixtures.DemoAsOf.Format(time.RFC3339)
	all, top := t.TempDir(), t.TempDir()
	for _, run := range []struct {
		dir  string
		args []string
	}{{all, nil}, {top, []string{"--top", "25"}}} {
		args := append([]string{"customers", "--config", cfg, "--as-of", asOf, "--out", run.dir}, run.args...)
		stdout, stderr, code := runCLI(t, nil, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s\n%s", args, code, stdout, stderr)
		}
		if want := filepath.Join(run.dir, "customers.csv") + "\n" + filepath.Join(run.dir, "customers_backtest.csv") + "\n"; stdout != want {
			t.Errorf("stdout = %q, want %q", stdout, want)
		}
	}
	full := readCSV(t, filepath.Join(all, "customers.csv"))
	head := readCSV(t, filepath.Join(top, "customers.csv"))
	if got := strings.Join(full[0], ","); got != "user_id,channel,campaign,first_purchase_at,purchases,revenue,p_alive,expected_purchases_90d,expected_value_12m,value_at_risk" {
		t.Fatalf("header %s", got)
	}
	if len(head) != 26 || len(full) < 1000 {
		t.Fatalf("%d rows with --top 25, %d in all", len(head)-1, len(full)-1)
	}
	for i := range head {
		if strings.Join(head[i], ",") != strings.Join(full[i], ",") {
			t.Fatalf("top-25 row %d differs from the full list:\n%v\n%v", i, head[i], full[i])
		}
	}
	num := func(s string) float64 {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("%q is not a number", s)
		}
		return v
	}
	if !sort.SliceIsSorted(full[1:], func(i, j int) bool { return num(full[1+i][9]) > num(full[1+j][9]) }) {
		t.Error("not ranked by value at risk")
	}
	for _, r := range full[1:] {
		if p := num(r[6]); !(p > 0 && p <= 1) {
			t.Fatalf("P(alive) %v of %v", p, r)
		}
	}
	// Independently: the first customer's purchases after registering.
	db, err := sql.Open("sqlite", filepath.Join(demo, "demo.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int64
	var revenue float64
	if err := db.QueryRow(`SELECT COUNT(CASE WHEN p.amount > 0 THEN 1 END), SUM(p.amount) FROM purchases p
		JOIN (SELECT user_id, MIN(registered_at) AS at FROM registrations GROUP BY user_id) r ON r.user_id = p.user_id
		WHERE p.user_id = ? AND p.purchased_at >= r.at AND p.purchased_at <= ?`, full[1][0], fixtures.DemoAsOf.UTC().Format("2006-01-02 15:04:05")).Scan(&n, &revenue); err != nil {
		t.Fatal(err)
	}
	if strconv.FormatInt(n, 10) != full[1][4] || strconv.FormatFloat(revenue, 'f', 2, 64) != full[1][5] {
		t.Errorf("customer %s: %d purchases, revenue %.2f in the database; the list says %s and %s", full[1][0], n, revenue, full[1][4], full[1][5])
	}
	// The demo report's lifetime-value section, its Total against an
	// independent count in the demo database: users by their first
	// registration up to as_of, those who bought before registering left
	// out, and the customers among them.
	raw, err := os.ReadFile(filepath.Join(demo, "origen_2026-10-01_2026-11-01.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		LTV struct {
			Basis    string
			Channels []struct {
				Channel                  string
				Registrations, Customers int64
				PaybackMonths            *int `json:"payback_months"`
			}
		} `json:"ltv"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var regs, custs int64
	cutoff := fixtures.DemoAsOf.UTC().Format("2006-01-02T15:04:05.000Z")
	if err := db.QueryRow(`SELECT COUNT(*), COUNT(CASE WHEN EXISTS (SELECT 1 FROM purchases p WHERE p.user_id = r.user_id AND p.amount > 0
			AND p.purchased_at >= r.at AND p.purchased_at <= ?) THEN 1 END)
		FROM (SELECT user_id, MIN(registered_at) AS at FROM registrations WHERE user_id IS NOT NULL AND registered_at <= ? GROUP BY user_id) r
		WHERE NOT EXISTS (SELECT 1 FROM purchases p WHERE p.user_id = r.user_id AND p.amount > 0 AND p.purchased_at < r.at)`, cutoff, cutoff).Scan(&regs, &custs); err != nil {
		t.Fatal(err)
	}
	ch := doc.LTV.Channels
	if len(ch) < 3 || ch[len(ch)-1].Channel != "Total" || ch[len(ch)-1].Registrations != regs || ch[len(ch)-1].Customers != custs {
		t.Errorf("ltv Total %+v, the database has %d registrations and %d customers", ch[len(ch)-1], regs, custs)
	}
	paid := 0
	for _, c := range ch {
		if c.PaybackMonths != nil {
			paid++
		}
	}
	if doc.LTV.Basis != "revenue" || paid == 0 || paid == len(ch) {
		t.Errorf("demo ltv: basis %q, %d of %d channels pay back (want some, not all)", doc.LTV.Basis, paid, len(ch))
	}
	bt := readCSV(t, filepath.Join(all, "customers_backtest.csv"))
	if len(bt) != 14 || strings.Join(bt[0], ",") != "decile,customers,expected_purchases,actual_purchases" || bt[11][0] != "all" {
		t.Fatalf("backtest %v", bt)
	}
	if num(bt[1][3]) <= num(bt[10][3]) {
		t.Errorf("top decile bought %s repeat days per customer, bottom decile %s: the scores rank nothing", bt[1][3], bt[10][3])
	}
	t.Logf("backtest (scored %s): expected %s, actual %s repeat purchase days over %s customers; top decile %s vs %s, bottom %s vs %s",
		bt[12][1], bt[11][2], bt[11][3], bt[11][1], bt[1][2], bt[1][3], bt[10][2], bt[10][3])
}
