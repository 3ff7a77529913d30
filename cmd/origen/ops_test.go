package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/origen-analytics/origen/fixtures"
	"github.com/origen-analytics/origen/fixtures/pgtest"
)

// With --log-format json every stderr line is a JSON object with a
// message, and the steps carry durations and row counts.
func TestJSONLogs(t *testing.T) {
	db := demoDB(t)
	cfg := writeFile(t, t.TempDir(), "origen.toml", fixtures.ConfigTOML("sqlite", db, ""))
	_, stderr, code := runCLI(t, nil, "--log-format", "json", "report", "--config", cfg,
		"--period", "2026-10", "--as-of", "2026-11-20T00:00:00Z", "--out", t.TempDir())
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	sawRows := false
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil || m["msg"] == nil {
			t.Fatalf("not a JSON log line: %q", line)
		}
		if m["msg"] == "data read" && m["registration_rows"] != nil && m["duration"] != nil {
			sawRows = true
		}
	}
	if !sawRows {
		t.Errorf("no 'data read' step with row counts and duration:\n%s", stderr)
	}
	if _, _, code := runCLI(t, nil, "--log-format", "xml", "version"); code != 2 {
		t.Errorf("--log-format xml: exit %d, want 2", code)
	}
}

// Secrets (DSN password, SMTP password, webhook secret and the token in
// its URL) never appear in logs, stdout, error messages or output files.
func TestSecretsNeverLeak(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	admin, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	const dbPassword = "Pw-db-31337"
	if _, err := admin.Exec(`CREATE ROLE origen_secret_test LOGIN PASSWORD '` + dbPassword + `'`); err != nil &&
		!strings.Contains(err.Error(), "already exists") {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec(`DROP OWNED BY origen_secret_test`); admin.Exec(`DROP ROLE origen_secret_test`) })
	cfgDemo := fixtures.DemoConfig()
	cfgDemo.Registrations = 3000
	if err := fixtures.LoadPostgres(context.Background(), admin, "shop", cfgDemo); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`GRANT USAGE ON SCHEMA shop TO origen_secret_test`, `GRANT SELECT ON ALL TABLES IN SCHEMA shop TO origen_secret_test`} {
		if _, err := admin.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	var dbname string
	for _, f := range strings.Fields(dsn) {
		if v, ok := strings.CutPrefix(f, "dbname="); ok {
			dbname = v
		}
	}
	const hookSecret, hookToken, smtpPassword = "Hook-secret-4242", "TOKEN9876", "Smtp-pw-777"
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway) // fail, so the error path is exercised too
		w.Write([]byte("upstream says: " + r.Header.Get("Authorization")))
	}))
	defer hook.Close()
	out := t.TempDir()
	toml := fixtures.ConfigTOML("postgres", "postgres://origen_secret_test:"+dbPassword+"@127.0.0.1:5432/"+dbname+"?sslmode=disable", "shop") + `
[smtp]
host = "127.0.0.1"
port = 1
security = "none"
from = "origen@example.com"
username = "origen"
password_env = "SMTP_PW"
[[job]]
name = "monthly"
period = "2026-10"
out = "` + out + `"
formats = ["xlsx", "html", "json", "csv"]
retries = 1
[job.webhook]
url = "` + hook.URL + `/services/` + hookToken + `"
secret_env = "HOOK_SECRET"
[job.email]
to = ["cfo@example.com"]
`
	cfg := writeFile(t, t.TempDir(), "origen.toml", toml)
	vars := map[string]string{"HOOK_SECRET": hookSecret, "SMTP_PW": smtpPassword}
	var everything strings.Builder
	for _, args := range [][]string{
		{"run", "--config", cfg, "--as-of", "2026-11-20T00:00:00Z"},
		{"run", "--config", cfg, "--dry-run"},
		{"check", "--config", cfg},
		{"--log-format", "json", "run", "--config", cfg, "--as-of", "2026-11-20T00:00:00Z"},
	} {
		stdout, stderr, _ := runWith(t, vars, args...)
		everything.WriteString(stdout + stderr)
	}
	filepath.Walk(out, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			b, _ := os.ReadFile(p)
			everything.Write(b)
		}
		return nil
	})
	all := everything.String()
	if !strings.Contains(all, "origen_monthly_2026-10-01_2026-11-01.xlsx") {
		t.Fatalf("the run did not get as far as writing outputs:\n%s", all)
	}
	for _, secret := range []string{dbPassword, hookSecret, hookToken, smtpPassword} {
		if strings.Contains(all, secret) {
			i := strings.Index(all, secret)
			t.Errorf("secret %q leaked: ...%s...", secret, all[max(0, i-200):min(len(all), i+50)])
		}
	}
}

// SIGTERM at several points of a job (while querying, while delivering)
// ends the run within seconds with a non-zero code, leaves no partial or
// temporary file, sends nothing more, and leaves a lock the next run can take.
func TestKillJobAtSeveralPoints(t *testing.T) {
	slowCfg := slowPostgresConfig(t) // registrations sleep 30 s in the query
	bin := filepath.Join(t.TempDir(), "origen")
	if b, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, b)
	}
	hanging := make(chan struct{})
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // a receiver that never answers
		case <-hanging:
		case <-r.Context().Done():
		}
	}))
	defer hook.Close()
	defer close(hanging)
	fastDB := demoDB(t)
	for _, tc := range []struct {
		name, config string
		after        time.Duration
		wantFiles    int // complete outputs that may exist (delivery stage)
	}{
		{"during the query", slowCfg, 700 * time.Millisecond, 0},
		{"during delivery", writeFile(t, t.TempDir(), "fast.toml", fixtures.ConfigTOML("sqlite", fastDB, "")), 300 * time.Millisecond, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			b, _ := os.ReadFile(tc.config)
			job := "\n[[job]]\nname = \"k\"\nperiod = \"2026-10\"\nout = \"" + out + "\"\nformats = [\"json\", \"csv\"]\n[job.webhook]\nurl = \"" + hook.URL + "\"\n"
			cfg := writeFile(t, t.TempDir(), "job.toml", string(b)+job)
			cmd := exec.Command(bin, "run", "--config", cfg, "--as-of", "2026-11-20T00:00:00Z")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			if tc.wantFiles > 0 {
				// Delivery starts once the outputs are in place.
				for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
					if m, _ := filepath.Glob(filepath.Join(out, "*.csv")); len(m) > 0 {
						break
					}
				}
			}
			time.Sleep(tc.after)
			cmd.Process.Signal(syscall.SIGTERM)
			started := time.Now()
			err := cmd.Wait()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() == 0 {
				t.Fatalf("exit after SIGTERM: %v\n%s", err, stderr.String())
			}
			if d := time.Since(started); d > 5*time.Second {
				t.Errorf("took %v to exit", d)
			}
			entries, _ := os.ReadDir(out)
			var files []string
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), ".origen-") {
					continue // the lock file stays; its lock is released
				}
				files = append(files, e.Name())
				if strings.Contains(e.Name(), ".tmp") {
					t.Errorf("temporary file left: %s", e.Name())
				}
			}
			if len(files) != tc.wantFiles {
				t.Errorf("files after SIGTERM: %v, want %d complete outputs", files, tc.wantFiles)
			}
			for _, f := range files {
				if strings.HasSuffix(f, ".json") {
					var m map[string]any
					b, _ := os.ReadFile(filepath.Join(out, f))
					if json.Unmarshal(b, &m) != nil {
						t.Errorf("%s is not complete JSON", f)
					}
				}
			}
			// The lock is usable: a dry run is not enough, take it for real.
			l, err := lockJob(out, "k", time.Now(), discardLogger())
			if err != nil {
				t.Fatalf("the lock is not usable after SIGTERM: %v", err)
			}
			l.release()
			sc := bufio.NewScanner(strings.NewReader(stderr.String()))
			for sc.Scan() {
				if strings.Contains(sc.Text(), "webhook delivered") {
					t.Errorf("delivered despite SIGTERM: %s", sc.Text())
				}
			}
		})
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
