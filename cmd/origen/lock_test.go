package main

import (
	"strings"
	"testing"
)

// The stale-lock warning names the job once (the job's logger already
// carries it), in text and in JSON logs.
func TestStaleLockWarningNamesTheJobOnce(t *testing.T) {
	db := demoDB(t)
	out := t.TempDir()
	cfg := jobConfig(t, db, "[[job]]\nname = \"monthly\"\nperiod = \"2026-10\"\nout = \""+out+"\"\nformats = [\"json\"]\n")
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			// A record left by a killed holder; nobody holds the flock.
			writeFile(t, out, ".origen-monthly.lock", "pid=999999 started=2026-11-25T05:00:00Z\n")
			stderr, code := runFaulty(t, nil, "--log-format", format, "run", "--config", cfg, "--as-of", "2026-11-20T00:00:00Z")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var warning string
			for _, line := range strings.Split(stderr, "\n") {
				if strings.Contains(line, "stale lock") {
					warning = line
				}
			}
			mention := map[string]string{"text": "job=monthly", "json": `"job":"monthly"`}[format]
			if n := strings.Count(warning, mention); n != 1 {
				t.Errorf("the warning names the job %d times, want once: %s", n, warning)
			}
			if !strings.Contains(warning, "pid 999999") {
				t.Errorf("the warning does not name the previous holder: %s", warning)
			}
		})
	}
}
