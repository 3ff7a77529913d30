package main

import (
	"context"
	"database/sql"
	"errors"
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

// slowPostgresConfig loads a little generated data and maps registrations
// through a query that sleeps, so a run can be interrupted mid-query.
func slowPostgresConfig(t *testing.T) string {
	t.Helper()
	_, path := slowPostgres(t, "SELECT user_id, registered_at, channel FROM shop.registrations, pg_sleep(30)")
	return path
}

// slowPostgres is slowPostgresConfig with the database's DSN, the
// registrations read by query.
func slowPostgres(t *testing.T, query string) (dsn, path string) {
	t.Helper()
	dsn = pgtest.NewDatabase(t)
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cfg := fixtures.DemoConfig()
	cfg.Registrations = 2000
	if err := fixtures.LoadPostgres(context.Background(), db, "shop", cfg); err != nil {
		t.Fatal(err)
	}
	toml := fixtures.ConfigTOML("postgres", dsn, "shop")
	toml = strings.Replace(toml, "[registrations]\ntable = \"shop.registrations\"\nuser_id = \"user_id\"\nregistered_at = \"registered_at\"\nchannel = \"channel\"\ncampaign = \"campaign\"\nsource = \"source\"\nmedium = \"medium\"\n",
		"[registrations]\nsql = \""+query+"\"\n", 1)
	if !strings.Contains(toml, "pg_sleep") {
		t.Fatalf("could not rewrite the config:\n%s", toml)
	}
	return dsn, writeFile(t, t.TempDir(), "slow.toml", toml)
}

// Cancelling the context (what SIGINT/SIGTERM do) stops the running query
// promptly and leaves no output file.
func TestCancelStopsTheQueryAndLeavesNoFile(t *testing.T) {
	cfg := slowPostgresConfig(t)
	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(500*time.Millisecond, cancel)
	started := time.Now()
	var stdout, stderr strings.Builder
	err := run(ctx, []string{"report", "--config", cfg, "--from", "2026-10-01", "--to", "2026-11-01", "--out", out},
		func(string) string { return "" }, strings.NewReader(""), &stdout, &stderr)
	if err == nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want a cancellation", err)
	}
	if d := time.Since(started); d > 5*time.Second {
		t.Errorf("cancellation took %v", d)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("cancelled run left %d files", len(entries))
	}
}

// The real binary exits non-zero within seconds of SIGTERM, leaving nothing.
func TestSIGTERMExitsPromptly(t *testing.T) {
	cfg := slowPostgresConfig(t)
	bin := filepath.Join(t.TempDir(), "origen")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	out := t.TempDir()
	cmd := exec.Command(bin, "report", "--config", cfg, "--from", "2026-10-01", "--to", "2026-11-01", "--out", out)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(700 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGTERM)
	started := time.Now()
	err := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() == 0 {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, stderr.String())
	}
	if d := time.Since(started); d > 5*time.Second {
		t.Errorf("exit took %v after SIGTERM", d)
	}
	if !strings.HasPrefix(stderr.String(), "origen: ") && !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("stderr does not say what happened:\n%s", stderr.String())
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("killed run left %d files", len(entries))
	}
}

// Cancelling a report whose reads run side by side ([database] parallel,
// default 3) stops the statement of every connection on the server, not
// only the snapshot's own.
func TestCancelStopsEveryConnectionsStatement(t *testing.T) {
	// Every row sleeps: the mapping check (LIMIT 0) is quick, and each
	// of the report's reads of registrations is slow.
	dsn, cfg := slowPostgres(t, "SELECT user_id, registered_at, channel FROM shop.registrations WHERE pg_sleep(0.05) IS NOT NULL")
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Origen's statements begin with a comment naming them (the server
	// shows only their first 1 kB).
	sleeping := func() int {
		t.Helper()
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND state = 'active' AND query LIKE '-- %' AND pid <> pg_backend_pid()`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	var stdout, stderr strings.Builder
	out := t.TempDir()
	go func() {
		done <- run(ctx, []string{"report", "--config", cfg, "--from", "2026-10-01", "--to", "2026-11-01", "--out", out},
			func(string) string { return "" }, strings.NewReader(""), &stdout, &stderr)
	}()
	most := 0
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && most < 2; time.Sleep(50 * time.Millisecond) {
		most = max(most, sleeping())
	}
	if most < 2 {
		cancel()
		<-done
		t.Fatalf("at most %d of the report's statements ran at once, want at least 2\n%s", most, stderr.String())
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want a cancellation", err)
	}
	left := sleeping()
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline) && left > 0; time.Sleep(50 * time.Millisecond) {
		left = sleeping()
	}
	if left > 0 {
		var still []string
		rows, err := db.Query(`SELECT left(query, 40) FROM pg_stat_activity
			WHERE datname = current_database() AND state = 'active' AND query LIKE '-- %' AND pid <> pg_backend_pid()`)
		if err == nil {
			for rows.Next() {
				var q string
				if rows.Scan(&q) == nil {
					still = append(still, q)
				}
			}
			rows.Close()
		}
		t.Errorf("%d statements still run on the server after the report was cancelled: %q", left, still)
	}
}
