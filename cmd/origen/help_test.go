package main

import (
	"encoding/json"
	"os"
	"path/filepath"
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
