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
	dsn := pgtest.NewDatabase(t)
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
		"[registrations]\nsql = \"SELECT user_id, registered_at, channel FROM shop.registrations, pg_sleep(30)\"\n", 1)
	if !strings.Contains(toml, "pg_sleep") {
		t.Fatalf("could not rewrite the config:\n%s", toml)
	}
	return writeFile(t, t.TempDir(), "slow.toml", toml)
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
