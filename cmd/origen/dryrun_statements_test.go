package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/origen-analytics/origen/fixtures"
)

// TestDryRunListsWhatTheReportRuns: the statements `origen run --dry-run`
// prints are those the job's report then runs, in the same order (the
// About sheet lists what ran, after the mapping checks), on the demo
// business with spend, lifetime value and budget.
func TestDryRunListsWhatTheReportRuns(t *testing.T) {
	db := demoDB(t)
	out := t.TempDir()
	// Without [touchpoints]: the multi-touch read (paths) is not listed by
	// the dry run yet.
	toml := fixtures.DemoConfigTOML("sqlite", db, "")
	before, after, ok := strings.Cut(toml, "\n[touchpoints]\n")
	_, rest, ok2 := strings.Cut(after, "\n[report]\n")
	if !ok || !ok2 {
		t.Fatalf("no [touchpoints] section before [report] in\n%s", toml)
	}
	cfg := writeFile(t, t.TempDir(), "origen.toml", before+"\n[report]\n"+rest+`
[[job]]
name = "monthly"
period = "last-month"
out = "`+out+`"
formats = ["xlsx"]
`)
	const asOf = "2026-11-20T00:00:00Z"
	stdout, stderr, code := runWith(t, nil, "run", "--config", cfg, "--dry-run", "--as-of", asOf)
	if code != 0 {
		t.Fatalf("dry run exit %d: %s", code, stderr)
	}
	var planned []string
	for _, m := range regexp.MustCompile(`(?m)^  query (\S+):$`).FindAllStringSubmatch(stdout, -1) {
		planned = append(planned, m[1])
	}
	if _, stderr, code := runWith(t, nil, "run", "--config", cfg, "--as-of", asOf); code != 0 {
		t.Fatalf("run exit %d: %s", code, stderr)
	}
	f, err := excelize.OpenFile(filepath.Join(out, "origen_monthly_2026-10-01_2026-11-01.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("About")
	if err != nil {
		t.Fatal(err)
	}
	var ran []string
	num := regexp.MustCompile(`^\d+\. (.+)$`)
	for _, r := range rows {
		if len(r) > 0 {
			if m := num.FindStringSubmatch(r[0]); m != nil && m[1] != "mapping check" {
				ran = append(ran, m[1])
			}
		}
	}
	if strings.Join(planned, " ") != strings.Join(ran, " ") {
		t.Errorf("dry run lists\n  %s\nthe report ran\n  %s", strings.Join(planned, " "), strings.Join(ran, " "))
	}
}
