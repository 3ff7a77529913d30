package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// origen help COMMAND and origen COMMAND -h print the command's help with
// examples to stdout, flags written as --flag; exit 0.
func TestCommandHelp(t *testing.T) {
	for _, args := range [][]string{{"help", "report"}, {"report", "-h"}, {"report", "--help"}, {"help", "fixtures"}, {"run", "-h"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			stdout, stderr, code := runCLI(t, nil, args...)
			if code != 0 || stderr != "" {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			if !strings.Contains(stdout, "Examples:") || !strings.Contains(stdout, "\n  --") || strings.Contains(stdout, "\n  -c") || strings.Contains(stdout, "\n  -d") {
				t.Errorf("help:\n%s", stdout)
			}
		})
	}
}

// A mistyped command gets a suggestion; a far one does not.
func TestUnknownCommandSuggests(t *testing.T) {
	for _, c := range []struct{ typed, want string }{{"reprot", `did you mean "report"`}, {"prospect", `did you mean "prospects"`}, {"chek", `did you mean "check"`}, {"xyzzyq", ""}} {
		_, stderr, code := runCLI(t, nil, c.typed)
		if code != 2 || (c.want != "" && !strings.Contains(stderr, c.want)) || (c.want == "" && strings.Contains(stderr, "did you mean")) {
			t.Errorf("%s: exit %d, %q", c.typed, code, stderr)
		}
	}
}

// With --log-format json the final error is one JSON log line with the
// exit code, like every other line.
func TestFinalErrorIsAJSONLogLine(t *testing.T) {
	_, stderr, code := runCLI(t, nil, "--log-format", "json", "report", "--config", filepath.Join(t.TempDir(), "missing.toml"), "--period", "2026-10")
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	var last struct {
		Level    string `json:"level"`
		Msg      string `json:"msg"`
		ExitCode int    `json:"exit_code"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil || code != 2 {
		t.Fatalf("exit %d, last line %q: %v", code, lines[len(lines)-1], err)
	}
	if last.Level != "ERROR" || last.ExitCode != 2 || !strings.Contains(last.Msg, "missing.toml") {
		t.Errorf("final line %+v", last)
	}
}

// An output directory that cannot be written is refused before the
// database is read: no statement runs, exit 2 naming the directory.
func TestUnwritableOutputDirIsRefusedFirst(t *testing.T) {
	demo := runDemo(t)
	// A directory below a regular file cannot be made, even by root.
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(file, "reports")
	for _, args := range [][]string{
		{"report", "--config", filepath.Join(demo, "origen.toml"), "--period", "2026-10", "--as-of", "2026-11-20T00:00:00Z", "--out", out},
		{"prospects", "--config", filepath.Join(demo, "origen.toml"), "--as-of", "2026-11-20T00:00:00Z", "--out", out},
	} {
		_, stderr, code := runCLI(t, nil, args...)
		if code != 2 || !strings.Contains(stderr, "output directory "+out+" cannot be written") || strings.Contains(stderr, "data read") {
			t.Errorf("%s: exit %d, %q", args[0], code, stderr)
		}
	}
}

// A report that could only be empty is a data error (exit 3) unless
// --allow-empty: an as-of before the period starts, and a registrations
// source without rows; a job fails the same way (and sends its notice)
// rather than delivering an empty report.
func TestEmptyReportIsADataError(t *testing.T) {
	demo := runDemo(t)
	cfg := filepath.Join(demo, "origen.toml")
	out := t.TempDir()
	early := []string{"report", "--config", cfg, "--period", "2026-10", "--as-of", "2026-09-15T00:00:00Z", "--out", out}
	if _, stderr, code := runCLI(t, nil, early...); code != 3 || !strings.Contains(stderr, "is before the period") {
		t.Errorf("as-of before the period: exit %d, %q", code, stderr)
	}
	if _, stderr, code := runCLI(t, nil, append(early, "--allow-empty")...); code != 0 {
		t.Errorf("--allow-empty: exit %d, %q", code, stderr)
	}
	// A registrations source with no rows: a sql = source that returns none.
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	text := regexp.MustCompile(`(?s)\[registrations\]\n.*?\n\[`).ReplaceAllString(string(b),
		"[registrations]\nsql = \"SELECT user_id, registered_at, channel FROM registrations WHERE 1 = 0\"\n\n[")
	emptyCfg := filepath.Join(demo, "empty.toml")
	if err := os.WriteFile(emptyCfg, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"report", "--config", emptyCfg, "--period", "2026-10", "--as-of", "2026-11-20T00:00:00Z", "--out", out}
	if _, stderr, code := runCLI(t, nil, args...); code != 3 || !strings.Contains(stderr, "registrations source has no rows") {
		t.Errorf("empty source: exit %d, %q", code, stderr)
	}
	if _, stderr, code := runCLI(t, nil, append(args, "--allow-empty")...); code != 0 {
		t.Errorf("empty source with --allow-empty: exit %d, %q", code, stderr)
	}
}

// A named calendar period compares with the previous calendar period of
// the same kind (September for October, not 31 August – 30 September);
// --compare year and none; --from/--to keep the same-length rule; JSON
// previous_period says which comparison it is.
func TestComparePeriods(t *testing.T) {
	demo := runDemo(t)
	cfg := filepath.Join(demo, "origen.toml")
	for _, c := range []struct {
		args           []string
		from, to, rule string
	}{
		{[]string{"--period", "2026-10"}, "2026-09-01", "2026-10-01", "the previous calendar month"},
		{[]string{"--period", "2026-10", "--compare", "year"}, "2025-10-01", "2025-11-01", "the same month a year earlier"},
		{[]string{"--from", "2026-10-01", "--to", "2026-11-01"}, "2026-08-31", "2026-10-01", "the previous period of the same length"},
		{[]string{"--period", "2026-10", "--compare", "none"}, "", "", ""},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			out := t.TempDir()
			args := append([]string{"report", "--config", cfg, "--as-of", "2026-11-20T00:00:00Z", "--out", out}, c.args...)
			if _, stderr, code := runCLI(t, nil, args...); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			b, err := os.ReadFile(filepath.Join(out, "origen_2026-10-01_2026-11-01.json"))
			if err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Previous *struct {
					Period     struct{ From, To string } `json:"period"`
					Comparison string                    `json:"comparison"`
				} `json:"previous_period"`
			}
			if err := json.Unmarshal(b, &doc); err != nil {
				t.Fatal(err)
			}
			if c.rule == "" {
				if doc.Previous != nil {
					t.Errorf("--compare none wrote a previous period %+v", doc.Previous)
				}
				return
			}
			if doc.Previous == nil || doc.Previous.Period.From != c.from || doc.Previous.Period.To != c.to || doc.Previous.Comparison != c.rule {
				t.Errorf("previous period %+v, want %s – %s, %q", doc.Previous, c.from, c.to, c.rule)
			}
		})
	}
	if _, stderr, code := runCLI(t, nil, "report", "--config", cfg, "--period", "2026-10", "--compare", "month"); code != 2 || !strings.Contains(stderr, "compare") {
		t.Errorf("--compare month: exit %d, %q", code, stderr)
	}
}
