package main

import (
	"context"
	"database/sql"
	"encoding/csv"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/fixtures"
)

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rows
}

// origen prospects on the demo database: the top-N file is the head of the
// complete ranking, every listed user is really a prospect (checked in the
// database independently), and the backtest is better than random.
func TestProspectsCommand(t *testing.T) {
	demo := runDemo(t)
	cfg := filepath.Join(demo, "origen.toml")
	asOf := fixtures.DemoAsOf.Format(time.RFC3339)
	all, top := t.TempDir(), t.TempDir()
	for _, run := range []struct {
		dir  string
		args []string
	}{
		{all, nil},
		{top, []string{"--top", "50", "--horizon", "7"}},
	} {
		args := append([]string{"prospects", "--config", cfg, "--as-of", asOf, "--out", run.dir}, run.args...)
		stdout, stderr, code := runCLI(t, nil, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s\n%s", args, code, stdout, stderr)
		}
		if want := filepath.Join(run.dir, "prospects.csv") + "\n" + filepath.Join(run.dir, "prospects_backtest.csv") + "\n"; stdout != want {
			t.Errorf("stdout = %q, want %q", stdout, want)
		}
	}
	full := readCSV(t, filepath.Join(all, "prospects.csv"))
	head := readCSV(t, filepath.Join(top, "prospects.csv"))
	if strings.Join(full[0], ",") != "user_id,channel,campaign,registered_at,age_days,probability" {
		t.Fatalf("header %v", full[0])
	}
	if len(head) != 51 || len(full) < 1000 {
		t.Fatalf("%d rows with --top 50, %d without", len(head)-1, len(full)-1)
	}
	for i := range head {
		if strings.Join(head[i], ",") != strings.Join(full[i], ",") {
			t.Fatalf("row %d: top-N %v, full ranking %v", i, head[i], full[i])
		}
	}
	prob := func(r []string) float64 {
		p, err := strconv.ParseFloat(r[5], 64)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	if !sort.SliceIsSorted(full[1:], func(i, j int) bool { return prob(full[1+i]) > prob(full[1+j]) }) {
		t.Errorf("prospects are not ranked by probability")
	}
	if prob(full[1]) <= prob(full[len(full)-1]) || prob(full[1]) > 1 {
		t.Errorf("probabilities from %v to %v", full[1][5], full[len(full)-1][5])
	}

	// Independently: every listed user registered (first registration)
	// less than 30 days before as-of and has no purchase of amount > 0 up
	// to it; and every such user is listed.
	db, err := sql.Open("sqlite", filepath.Join(demo, "demo.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cut := fixtures.DemoAsOf.Add(-30 * 24 * time.Hour).Format(fixtures.TimestampLayout)
	end := fixtures.DemoAsOf.Format(fixtures.TimestampLayout)
	rows, err := db.Query(`
		SELECT r.user_id FROM registrations r
		WHERE r.registered_at = (SELECT MIN(registered_at) FROM registrations x WHERE x.user_id = r.user_id)
		  AND r.registered_at > ? AND r.registered_at <= ?
		  AND NOT EXISTS (SELECT 1 FROM purchases p WHERE p.user_id = r.user_id AND p.amount > 0 AND p.purchased_at <= ?)`,
		cut, end, end)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		want[id] = true
	}
	rows.Close()
	if len(want) != len(full)-1 {
		t.Errorf("%d prospects listed, the database has %d", len(full)-1, len(want))
	}
	for _, r := range full[1:] {
		if !want[r[0]] {
			t.Errorf("user %s is listed but is not a prospect", r[0])
			break
		}
		if age, _ := strconv.Atoi(r[4]); age < 0 || age >= 30 {
			t.Errorf("user %s age %d", r[0], age)
		}
	}

	bt := map[string]string{}
	for _, r := range readCSV(t, filepath.Join(top, "prospects_backtest.csv"))[1:] {
		bt[r[0]] = r[1]
	}
	lift, _ := strconv.ParseFloat(bt["top_decile_lift"], 64)
	if bt["scored_at"] != "2026-11-13T00:00:00Z" || bt["top_n"] != "50" || lift <= 2 || bt["decile_10_observed_rate"] == "" {
		t.Errorf("backtest: %v", bt)
	}
	t.Logf("demo backtest: lift %s, precision in top 50 %s, calibration error %s", bt["top_decile_lift"], bt["precision_at_top_n"], bt["calibration_error"])
}

func TestProspectsUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"prospects"}, "missing --config"},
		{[]string{"prospects", "--config", "x.toml", "--top", "-1"}, "--top"},
		{[]string{"prospects", "--config", "x.toml", "extra"}, "unexpected argument"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			_, stderr, code := runCLI(t, nil, tc.args...)
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tc.want)
			}
		})
	}
	demo := runDemo(t)
	for _, h := range []string{"0", "31"} {
		_, stderr, code := runCLI(t, nil, "prospects", "--config", filepath.Join(demo, "origen.toml"), "--horizon", h)
		if code != 2 || !strings.Contains(stderr, "--horizon") {
			t.Errorf("--horizon %s: exit %d, %q", h, code, stderr)
		}
	}
	if _, stderr, code := runCLI(t, nil, "report", "--config", filepath.Join(demo, "origen.toml"), "--period", "2026-10", "--cohort", "day"); code != 2 || !strings.Contains(stderr, "--cohort") {
		t.Errorf("--cohort day: exit %d, %q", code, stderr)
	}
}

// The report carries the curves, projection, cohorts, trend, prospects and
// backtest, read in its snapshot.
func TestReportHasRegistrationQuality(t *testing.T) {
	demo := runDemo(t)
	cfg, err := loadConfig(filepath.Join(demo, "origen.toml"), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	e := env{getenv: func(string) string { return "" }, stdout: io.Discard, stderr: io.Discard, now: time.Now}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	rep, _, err := e.produceReport(context.Background(), cfg, reportRun{Period: fixtures.DemoPeriod(), AsOf: fixtures.DemoAsOf,
		Cohort: attribution.CohortWeek, OutDir: t.TempDir(), Base: "r"}, log)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Curves) < 7 || rep.CurvesTotal.Registrations == 0 || rep.CurvePeriod.From != (attribution.Date{Year: 2026, Month: 7, Day: 3}) {
		t.Errorf("curves: %d, total %d, population %s", len(rep.Curves), rep.CurvesTotal.Registrations, rep.CurvePeriod)
	}
	// October 2026 as of 20 November: 748 immature registrations, so the
	// projection adds customers, and within its interval.
	tot := rep.Total
	if !tot.ProjectedCustomers.Valid || tot.ProjectedCustomers.Value <= float64(tot.Customers) ||
		tot.ProjectedCustomersLow.Value > tot.ProjectedCustomers.Value || tot.ProjectedCustomersHigh.Value < tot.ProjectedCustomers.Value ||
		!tot.ProjectedCostPerCustomer.Valid || tot.ProjectedCostPerCustomer.Amount >= attribution.Money(tot.CostPerCustomer.Float64()*attribution.MoneyScale) {
		t.Errorf("total projection: %+v", tot)
	}
	if rep.CohortGrain != attribution.CohortWeek || len(rep.CohortTotals) != 5 || rep.CohortTotals[0].Cohort != "2026-W40" {
		t.Errorf("cohorts: grain %q, %d totals, first %+v", rep.CohortGrain, len(rep.CohortTotals), rep.CohortTotals)
	}
	if len(rep.Trend) != len(rep.Cohorts) || len(rep.TrendTotals) != 5 {
		t.Errorf("trend %d rows, cohorts %d", len(rep.Trend), len(rep.Cohorts))
	}
	if len(rep.Prospects) != attribution.DefaultReportProspects || rep.ProspectsScored < 1000 || rep.ProspectsHorizonDays != 7 ||
		rep.Backtest == nil || !rep.Backtest.TopDecileLift.Valid || rep.Backtest.TopDecileLift.Value <= 2 {
		t.Errorf("prospects %d of %d, horizon %d, backtest %+v", len(rep.Prospects), rep.ProspectsScored, rep.ProspectsHorizonDays, rep.Backtest)
	}
}
