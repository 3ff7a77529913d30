package main

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/origen-analytics/origen/fixtures"
	"github.com/origen-analytics/origen/fixtures/pgtest"
)

// [database] parallel is a whole number from 1 to MaxParallel (default
// DefaultParallel); anything else is refused with the key named.
func TestConfigParallel(t *testing.T) {
	base := fixtures.ConfigTOML("sqlite", "demo.sqlite", "")
	for _, tc := range []struct {
		name, line string
		want       int
		err        string
	}{
		{"default", "", DefaultParallel, ""},
		{"sequential", "parallel = 1", 1, ""},
		{"eight", "parallel = 8", 8, ""},
		{"zero", "parallel = 0", 0, "[database] parallel = 0: it must be a whole number from 1"},
		{"negative", "parallel = -2", 0, "[database] parallel = -2"},
		{"too many", "parallel = 1000", 0, "to 16"},
		{"text", `parallel = "3"`, 0, "parallel"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, "demo.sqlite", "")
			cfg := writeFile(t, dir, "origen.toml", strings.Replace(base, "[database]\n", "[database]\n"+tc.line+"\n", 1))
			c, err := loadConfig(cfg, func(string) string { return "" })
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Parallel != tc.want {
				t.Errorf("Parallel = %d, want %d", c.Parallel, tc.want)
			}
		})
	}
}

// origen report on PostgreSQL with the default parallel writes the JSON
// that parallel = 1 writes, byte for byte but for the time it was
// generated, and its About sheet lists the same statements in the same
// order.
func TestParallelReportFilesEqualSequential(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := fixtures.LoadPostgres(context.Background(), db, "shop", fixtures.DemoConfig()); err != nil {
		t.Fatal(err)
	}
	toml := fixtures.DemoConfigTOML("postgres", dsn, "shop") + demoChannels
	generated := regexp.MustCompile(`"generated_at": *"[^"]*"`)
	run := func(line string) ([]byte, []string) {
		t.Helper()
		dir := t.TempDir()
		cfg := writeFile(t, dir, "origen.toml", strings.Replace(toml, "[database]\n", "[database]\n"+line+"\n", 1))
		out := filepath.Join(dir, "out")
		if err := os.Mkdir(out, 0o755); err != nil {
			t.Fatal(err)
		}
		_, stderr, code := runCLI(t, nil, "report", "--config", cfg, "--from", "2026-10-01", "--to", "2026-11-01",
			"--as-of", "2026-11-20T00:00:00Z", "--out", out)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", line, code, stderr)
		}
		if strings.Contains(stderr, "reading sequentially") {
			t.Errorf("%s: %s", line, stderr)
		}
		js, err := os.ReadFile(filepath.Join(out, "origen_2026-10-01_2026-11-01.json"))
		if err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenFile(filepath.Join(out, "origen_2026-10-01_2026-11-01.xlsx"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err := f.GetRows("About")
		if err != nil {
			t.Fatal(err)
		}
		var sqlRows []string
		inSQL := false
		for _, r := range rows {
			if len(r) > 0 && r[0] == "SQL" {
				inSQL = true
			}
			if inSQL {
				sqlRows = append(sqlRows, strings.Join(r, "\t"))
			}
		}
		if len(sqlRows) < 10 {
			t.Fatalf("%s: the About sheet lists %d rows of SQL", line, len(sqlRows))
		}
		return generated.ReplaceAll(js, nil), sqlRows
	}
	seqJSON, seqSQL := run("parallel = 1")
	parJSON, parSQL := run("")
	if !bytes.Equal(seqJSON, parJSON) {
		t.Error("the JSON of the default parallel report differs from parallel = 1's")
	}
	if strings.Join(seqSQL, "\n") != strings.Join(parSQL, "\n") {
		t.Error("the About sheet of the default parallel report lists other statements than parallel = 1's")
	}
	if !bytes.Contains(seqJSON, []byte(`"multi_touch"`)) && !bytes.Contains(seqJSON, []byte(`"attribution"`)) {
		t.Error("the report has no multi-touch section: the paths were not compared")
	}
}
