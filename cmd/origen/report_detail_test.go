package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/origen-analytics/origen/fixtures"
)

// origen report --detail on the demo: the Registrations sheet has one row
// per registration of the JSON's Total, the About sheet the configuration
// and every statement with the detail's, and the previous period equals a
// report of that period on its own.
func TestReportDetailAndPreviousPeriod(t *testing.T) {
	dir := runDemo(t)
	cfg := filepath.Join(dir, "origen.toml")
	asOf := fixtures.DemoAsOf.Format(time.RFC3339)
	out := t.TempDir()
	stdout, stderr, code := runCLI(t, nil, "report", "--config", cfg, "--from", "2026-10-01", "--to", "2026-11-01", "--as-of", asOf, "--out", out, "--detail")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	base := filepath.Join(out, "origen_2026-10-01_2026-11-01")
	var doc struct {
		Total struct {
			Registrations int64 `json:"registrations"`
			Status        string
		} `json:"total"`
		PreviousPeriod struct {
			Period struct{ From, To string }
			Total  json.RawMessage
		} `json:"previous_period"`
	}
	b, err := os.ReadFile(base + ".json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(base + ".xlsx")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	t.Run("one row per registration", func(t *testing.T) {
		rows, err := f.GetRows("Registrations")
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(rows)-1) != doc.Total.Registrations || doc.Total.Registrations == 0 {
			t.Errorf("Registrations has %d rows, the report %d registrations", len(rows)-1, doc.Total.Registrations)
		}
	})
	t.Run("About has the configuration and the SQL", func(t *testing.T) {
		rows, _ := f.GetRows("About")
		var text strings.Builder
		for _, r := range rows {
			text.WriteString(strings.Join(r, " | ") + "\n")
		}
		for _, want := range []string{"Database | sqlite " + filepath.Join(dir, "demo.sqlite"), ` | dsn = "demo.sqlite"`, "[targets.channel.\"Paid Search\"]",
			". facts | Arguments in order", ". detail | Arguments in order", "mapping check", "-- detail - the period's cohort"} {
			if !strings.Contains(text.String(), want) {
				t.Errorf("About does not show %q", want)
			}
		}
		// One pass: no statement runs twice (the previous period, curves,
		// cohorts and prospects come from the same facts statement).
		if strings.Contains(text.String(), "The same SQL as statement") {
			t.Errorf("About lists a statement twice:\n%s", text.String())
		}
	})
	t.Run("previous period as a report of its own", func(t *testing.T) {
		if doc.PreviousPeriod.Period.From != "2026-08-31" || doc.PreviousPeriod.Period.To != "2026-10-01" {
			t.Fatalf("previous period = %+v", doc.PreviousPeriod.Period)
		}
		out2 := t.TempDir()
		if _, stderr, code := runCLI(t, nil, "report", "--config", cfg, "--from", "2026-08-31", "--to", "2026-10-01", "--as-of", asOf, "--out", out2); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var alone struct {
			Total map[string]any `json:"total"`
		}
		b, _ := os.ReadFile(filepath.Join(out2, "origen_2026-08-31_2026-10-01.json"))
		if err := json.Unmarshal(b, &alone); err != nil {
			t.Fatal(err)
		}
		var prev map[string]any
		if err := json.Unmarshal(doc.PreviousPeriod.Total, &prev); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"registrations", "customers", "conversion_rate", "spend", "cost_per_customer", "revenue", "roas", "immature_registrations"} {
			if !jsonSame(prev[k], alone.Total[k]) {
				t.Errorf("%s: %v in the previous period, %v in its own report", k, prev[k], alone.Total[k])
			}
		}
	})
	t.Run("the demo's targets give statuses", func(t *testing.T) {
		if doc.Total.Status == "" {
			t.Errorf("the Total has no status")
		}
	})
}

func jsonSame(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// [report] detail in the config gives the sheet; --detail=false takes it
// away (flag > config).
func TestDetailFlagOverridesConfig(t *testing.T) {
	dir := runDemo(t)
	cfg := filepath.Join(dir, "origen.toml")
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(b), "[report]\n", "[report]\ndetail = true\n", 1)
	if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		flags []string
		want  bool
	}{{nil, true}, {[]string{"--detail=false"}, false}} {
		out := t.TempDir()
		args := append([]string{"report", "--config", cfg, "--from", "2026-10-01", "--to", "2026-11-01", "--as-of", fixtures.DemoAsOf.Format(time.RFC3339), "--out", out}, tc.flags...)
		if _, stderr, code := runCLI(t, nil, args...); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		f, err := excelize.OpenFile(filepath.Join(out, "origen_2026-10-01_2026-11-01.xlsx"))
		if err != nil {
			t.Fatal(err)
		}
		idx, _ := f.GetSheetIndex("Registrations")
		f.Close()
		if (idx >= 0) != tc.want {
			t.Errorf("flags %q: Registrations sheet present %v, want %v", tc.flags, idx >= 0, tc.want)
		}
	}
}
