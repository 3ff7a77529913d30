package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/fixtures"
)

// origen budget on the demo database: budget.csv has a row per paid
// channel (every demo channel has spend) and a Total row whose spends add
// up; stdout has the summary, the moves and the caveat, then the path; the
// suggested total equals the current one.
func TestBudgetCommand(t *testing.T) {
	demo := runDemo(t)
	out := t.TempDir()
	stdout, stderr, code := runCLI(t, nil, "budget", "--config", filepath.Join(demo, "origen.toml"),
		"--as-of", fixtures.DemoAsOf.Format(time.RFC3339), "--out", out)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	path := filepath.Join(out, BudgetFile)
	if !strings.HasSuffix(stdout, path+"\n") || !strings.Contains(stdout, attribution.BudgetAssociationCaveat) || !strings.HasPrefix(stdout, "Budget: ") {
		t.Errorf("stdout:\n%s", stdout)
	}
	rows := readCSV(t, path)
	if rows[0][0] != "channel" || rows[0][len(rows[0])-2] != "recommendation" {
		t.Fatalf("header %v", rows[0])
	}
	cfg := fixtures.DemoConfig()
	var names []string
	for _, r := range rows[1 : len(rows)-1] {
		names = append(names, r[0])
		if !strings.Contains(stdout, r[0]+": "+r[len(r)-2]) {
			t.Errorf("stdout does not give %s's recommendation %q", r[0], r[len(r)-2])
		}
	}
	for _, c := range cfg.Channels {
		if !slices.Contains(names, c.Name) {
			t.Errorf("budget.csv has no row for %q (channels %v)", c.Name, names)
		}
	}
	total := rows[len(rows)-1]
	if total[0] != "Total" || total[17] != total[18] {
		t.Errorf("total row %v: current and suggested weekly spend should be equal", total)
	}
	var sum, sumSug attribution.Money
	for _, r := range rows[1 : len(rows)-1] {
		c, err1 := attribution.ParseMoney(r[17])
		s, err2 := attribution.ParseMoney(r[18])
		if err1 != nil || err2 != nil {
			t.Fatalf("spend %q %q", r[17], r[18])
		}
		sum += c
		sumSug += s
	}
	// Each row is rounded to cents, the total is the exact sum rounded.
	half := attribution.Money(len(rows)-2) * attribution.MoneyScale / 200
	if tc, _ := attribution.ParseMoney(total[17]); tc-sum > half || sum-tc > half || sumSug-sum > half || sum-sumSug > half {
		t.Errorf("channels sum to %s now and %s suggested, total %s", sum.Format(2), sumSug.Format(2), total[17])
	}
	// The demo's paid channels respond to spend with diminishing returns
	// (fixtures.ChannelResponse): the plan has something to suggest.
	recs := map[string]int{}
	for _, r := range rows[1 : len(rows)-1] {
		recs[r[len(r)-2]]++
	}
	for _, want := range []string{attribution.RecommendIncrease, attribution.RecommendDecrease, attribution.RecommendInsufficient} {
		if recs[want] == 0 {
			t.Errorf("no channel with %q: %v", want, recs)
		}
	}
	if !strings.Contains(stdout, "Move ") {
		t.Errorf("no move in stdout")
	}
	t.Logf("origen budget:\n%s", stdout)
}

func TestBudgetCommandErrors(t *testing.T) {
	_, stderr, code := runCLI(t, nil, "budget")
	if code != 2 || !strings.Contains(stderr, "--config") {
		t.Errorf("no --config: exit %d, %s", code, stderr)
	}
	_, stderr, code = runCLI(t, nil, "budget", "--config", "x.toml", "--as-of", "yesterday")
	if code != 2 {
		t.Errorf("bad --as-of: exit %d, %s", code, stderr)
	}
}

// budgetChannels is the number of paid channels of a report's JSON budget.
func budgetChannels(t *testing.T, jsonPath string) int {
	t.Helper()
	b, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Budget *struct {
			Channels []json.RawMessage `json:"channels"`
		} `json:"budget"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Budget == nil {
		t.Fatalf("%s has no budget", jsonPath)
	}
	return len(doc.Budget.Channels)
}
