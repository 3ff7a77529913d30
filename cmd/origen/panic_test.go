package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/origen-analytics/origen/fixtures"
)

// runFaulty drives dispatch like main does, with fault as the env's hook.
func runFaulty(t *testing.T, fault func(string), args ...string) (stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	e := env2(nil, &out, &errb)
	e.fault = fault
	code = exitCode(e.dispatch(context.Background(), args), &errb)
	return errb.String(), code
}

// panicAt returns a fault hook that panics at step.
func panicAt(step string) func(string) {
	return func(s string) {
		if s == step {
			panic("injected panic\nat " + step)
		}
	}
}

// A panic anywhere in a command is exit code 1 with one clear first line;
// the stack trace follows it, and the failed run leaves nothing behind.
func TestPanicIsOneLineAndExitCode1(t *testing.T) {
	db := demoDB(t)
	cfg := writeFile(t, t.TempDir(), "origen.toml", fixtures.ConfigTOML("sqlite", db, ""))
	for _, step := range []string{"command report", "staged", "writing origen_2026-10-01_2026-11-01.html", "linked"} {
		t.Run(step, func(t *testing.T) {
			out := t.TempDir()
			stderr, code := runFaulty(t, panicAt(step), "report", "--config", cfg, "--period", "2026-10",
				"--as-of", "2026-11-20T00:00:00Z", "--out", out)
			if code != exitRuntime {
				t.Errorf("exit code %d, want %d", code, exitRuntime)
			}
			// The log lines come first; the error is the first line that
			// is not a log line.
			var first string
			for _, line := range strings.Split(stderr, "\n") {
				if !strings.HasPrefix(line, "time=") {
					first = line
					break
				}
			}
			want := "origen: internal error (a bug in Origen; please report it with the stack trace from stderr): injected panic at " + step
			if first != want {
				t.Errorf("first line %q, want %q\nstderr:\n%s", first, want, stderr)
			}
			rest := stderr[strings.Index(stderr, first)+len(first):]
			if !strings.Contains(rest, "stack trace of the panic:") || !strings.Contains(rest, "panic_test.go") {
				t.Errorf("no stack trace after the first line:\n%s", stderr)
			}
			if entries, _ := os.ReadDir(out); len(entries) != 0 {
				t.Errorf("the run that panicked left %v", names(entries))
			}
		})
	}
}

// Under origen run a panic in a job sends the job's failure notice,
// releases its lock and leaves no debris, and the other jobs still run.
func TestPanicInRunSendsFailureNotice(t *testing.T) {
	db := demoDB(t)
	var mu sync.Mutex
	var notices []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		notices = append(notices, string(b))
		mu.Unlock()
	}))
	defer srv.Close()
	out := t.TempDir()
	var jobs strings.Builder
	for _, name := range []string{"a", "b"} {
		jobs.WriteString("[[job]]\nname = \"" + name + "\"\nperiod = \"2026-10\"\nout = \"" + out + "\"\nformats = [\"json\", \"csv\"]\n" +
			"[job.webhook]\nurl = \"" + srv.URL + "/hook\"\n")
	}
	cfg := jobConfig(t, db, jobs.String())
	stderr, code := runFaulty(t, panicAt("writing origen_a_2026-10-01_2026-11-01.csv"),
		"run", "--config", cfg, "--as-of", "2026-11-20T00:00:00Z")
	if code != exitRuntime || !strings.Contains(stderr, "1 of 2 jobs failed: a") {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, `msg="job failed" job=a error="internal error`) || !strings.Contains(stderr, "stack=") {
		t.Errorf("the failed job's log line has no error and stack:\n%s", stderr)
	}
	mu.Lock()
	defer mu.Unlock()
	var failure, report int
	for _, n := range notices {
		var doc map[string]any
		if json.Unmarshal([]byte(n), &doc) != nil {
			t.Errorf("webhook body is not JSON: %q", n)
			continue
		}
		if strings.Contains(n, "internal error") && strings.Contains(n, "injected panic") && strings.Contains(n, `"a"`) {
			failure++
		} else if strings.Contains(n, `"channels"`) {
			report++
		}
	}
	if failure != 1 || report != 1 {
		t.Errorf("%d failure notices and %d reports, want 1 and 1: %q", failure, report, notices)
	}
	for _, job := range []string{"a", "b"} {
		l, err := lockJob(out, job, time.Now(), discardLogger())
		if err != nil {
			t.Fatalf("job %s's lock is still held: %v", job, err)
		}
		l.release()
	}
	if _, err := os.Lstat(filepath.Join(out, "origen_a_2026-10-01_2026-11-01.json")); err == nil {
		t.Error("job a published outputs although it panicked while writing them")
	}
	if _, err := os.Stat(filepath.Join(out, "origen_b_2026-10-01_2026-11-01.json")); err != nil {
		t.Errorf("job b did not run: %v", err)
	}
	assertNoDebris(t, out, map[string][]string{"origen_b_2026-10-01_2026-11-01": {"origen_b_2026-10-01_2026-11-01.json", "origen_b_2026-10-01_2026-11-01.csv"}})
}
