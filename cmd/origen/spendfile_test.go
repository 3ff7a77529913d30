package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/origen-analytics/origen/fixtures"
)

// A broken spend file is a data error (exit code 3) whose error line names
// the file and the line, for every command that reads it — never a panic.
func TestBrokenSpendFileIsADataError(t *testing.T) {
	db := demoDB(t)
	good := fixtures.ConfigTOML("sqlite", db, "")
	i := strings.Index(good, "[spend]\n")
	j := strings.Index(good, "[report]\n")
	if i < 0 || j < i {
		t.Fatalf("config has no [spend] before [report]:\n%s", good)
	}
	for _, tc := range []struct{ name, spend, want string }{
		{"unterminated quote", "date,channel,amount\n\"0", "line 2, column"},
		{"negative", "date,channel,amount\n2026-10-01,Email,1\n2026-10-02,Email,-3\n", "line 3: amount -3 is negative"},
		{"total overflows", "date,channel,amount\n2026-10-01,Email,900000000000000\n2026-10-02,Search,900000000000000\n",
			"line 3: amount 900000000000000 brings the file's total spend above"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			spend := writeFile(t, dir, "spend.csv", tc.spend)
			cfg := writeFile(t, dir, "origen.toml", good[:i]+"[spend]\nfile = "+tomlQuote(spend)+"\n\n"+good[j:])
			for _, args := range [][]string{
				{"check", "--config", cfg, "--as-of", "2026-11-20T00:00:00Z"},
				{"report", "--config", cfg, "--from", "2026-10-01", "--to", "2026-11-01", "--as-of", "2026-11-20T00:00:00Z",
					"--out", filepath.Join(dir, "out")},
			} {
				_, stderr, code := runCLI(t, nil, args...)
				msg := errorLine(stderr)
				if code != 3 || !strings.Contains(msg, "spend file "+spend) || !strings.Contains(msg, tc.want) {
					t.Errorf("%s: exit %d, error %q; want 3 and a line naming %s and %q\n%s", args[0], code, msg, spend, tc.want, stderr)
				}
			}
			if entries, _ := os.ReadDir(filepath.Join(dir, "out")); len(entries) > 0 {
				t.Errorf("a failed report left %d files", len(entries))
			}
		})
	}
}

// errorLine returns the "origen: ..." line of stderr (logs come before it).
func errorLine(stderr string) string {
	for _, l := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(l, "origen: ") {
			return l
		}
	}
	return ""
}

func tomlQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
