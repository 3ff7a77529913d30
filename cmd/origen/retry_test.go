package main

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/lib/pq"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/fixtures"
)

func TestTransientErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"connection refused", fmt.Errorf("dial: %w", syscall.ECONNREFUSED), true},
		{"connection reset", fmt.Errorf("read: %w", syscall.ECONNRESET), true},
		{"bad connection", driver.ErrBadConn, true},
		{"serialization failure", &pq.Error{Code: "40001"}, true},
		{"deadlock", &pq.Error{Code: "40P01"}, true},
		{"server starting up", &pq.Error{Code: "57P03"}, true},
		{"admin shutdown", &pq.Error{Code: "57P01"}, true},
		{"connection failure class 08", &pq.Error{Code: "08006"}, true},
		{"too many connections", &pq.Error{Code: "53300"}, true},
		{"sqlite busy", errors.New("database is locked (5) (SQLITE_BUSY)"), true},
		{"mysql lock wait timeout", &mysql.MySQLError{Number: 1205}, true},
		{"mysql deadlock", fmt.Errorf("query facts: %w", &mysql.MySQLError{Number: 1213}), true},
		{"mysql server gone away", &mysql.MySQLError{Number: 2006}, true},
		{"mysql lost connection", &mysql.MySQLError{Number: 2013}, true},
		{"mysql too many connections", &mysql.MySQLError{Number: 1040}, true},
		{"mysql invalid connection", fmt.Errorf("read: %w", mysql.ErrInvalidConn), true},
		{"mysql unknown column", &mysql.MySQLError{Number: 1054}, false},
		{"mysql read-only transaction", &mysql.MySQLError{Number: 1792}, false},
		{"unix socket not there yet", &net.OpError{Op: "dial", Net: "unix", Err: os.NewSyscallError("connect", syscall.ENOENT)}, true},
		{"a missing file that is no socket", &os.PathError{Op: "open", Path: "/x", Err: syscall.ENOENT}, false},
		{"undefined column", &pq.Error{Code: "42703"}, false},
		{"config error", attribution.Errorf(attribution.KindConfig, "bad key"), false},
		{"data error wrapping a transient cause", attribution.Errorf(attribution.KindData, "x: %w", syscall.ECONNREFUSED), false},
		{"cancelled", fmt.Errorf("query: %w", context.Canceled), false},
		{"timeout", fmt.Errorf("query: %w", context.DeadlineExceeded), false},
		{"anything else", errors.New("disk full"), false},
	} {
		if got := transient(tc.err); got != tc.want {
			t.Errorf("%s: transient = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestWithRetries(t *testing.T) {
	log := discardLogger()
	t.Run("transient failures are retried with growing waits", func(t *testing.T) {
		var at []time.Time
		_, err := withRetries(context.Background(), 3, 10*time.Millisecond, log, "read", func() (int, error) {
			at = append(at, time.Now())
			return 0, syscall.ECONNREFUSED
		})
		if !errors.Is(err, syscall.ECONNREFUSED) || len(at) != 4 {
			t.Fatalf("err %v after %d attempts, want 4 attempts", err, len(at))
		}
		for i, want := range []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond} {
			if d := at[i+1].Sub(at[i]); d < want {
				t.Errorf("wait %d was %v, want at least %v", i+1, d, want)
			}
		}
	})
	t.Run("success after a transient failure", func(t *testing.T) {
		n := 0
		v, err := withRetries(context.Background(), 3, time.Millisecond, log, "read", func() (int, error) {
			if n++; n < 3 {
				return 0, &pq.Error{Code: "40001"}
			}
			return 42, nil
		})
		if err != nil || v != 42 || n != 3 {
			t.Errorf("v=%d err=%v attempts=%d", v, err, n)
		}
	})
	t.Run("configuration errors are not retried", func(t *testing.T) {
		n := 0
		withRetries(context.Background(), 3, time.Millisecond, log, "read", func() (int, error) {
			n++
			return 0, attribution.Errorf(attribution.KindConfig, "no such column")
		})
		if n != 1 {
			t.Errorf("%d attempts, want 1", n)
		}
	})
	t.Run("cancellation stops the waiting", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		started := time.Now()
		withRetries(ctx, 10, 10*time.Second, log, "read", func() (int, error) { return 0, syscall.ECONNREFUSED })
		if d := time.Since(started); d > 2*time.Second {
			t.Errorf("took %v after cancel", d)
		}
	})
	if backoff(10, time.Second) != 30*time.Second {
		t.Error("backoff is not capped at 30 s")
	}
}

// A job against a server that refuses connections is retried, then fails
// with exit code 1, naming the server without its password.
func TestRunRetriesAnUnreachableDatabase(t *testing.T) {
	out := t.TempDir()
	toml := fixtures.ConfigTOML("postgres", "postgres://u:pw-xyz@127.0.0.1:1/db?sslmode=disable&connect_timeout=2", "s") +
		"\n[[job]]\nname = \"m\"\nperiod = \"last-month\"\nout = \"" + out + "\"\nretries = 2\n"
	cfg := writeFile(t, t.TempDir(), "origen.toml", toml)
	_, stderr, code := runWith(t, nil, "run", "--config", cfg)
	if code != 1 || strings.Count(stderr, "retrying") != 2 || strings.Contains(stderr, "pw-xyz") || !strings.Contains(stderr, "127.0.0.1:1") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
	if m, _ := filepath.Glob(filepath.Join(out, "origen_*")); len(m) != 0 {
		t.Errorf("outputs written: %v", m)
	}
}

// A job's own [job.targets] replace the config's [targets].
func TestJobTargets(t *testing.T) {
	db := demoDB(t)
	out := t.TempDir()
	cfg := jobConfig(t, db, `[targets]
cac_max = 1000
[[job]]
name = "strict"
period = "2026-10"
out = "`+out+`"
formats = ["json"]
[job.targets]
cac_max = 1
`)
	if _, stderr, code := runWith(t, nil, "run", "--config", cfg, "--as-of", "2026-11-20T00:00:00Z"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(filepath.Join(out, "origen_strict_2026-10-01_2026-11-01.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"cac_max": "1.00"`) {
		t.Errorf("the job's cac_max = 1 is not in the JSON:\n%.2000s", b)
	}
	if strings.Contains(string(b), `"cac_max": "1000.00"`) {
		t.Error("the config's targets were used instead of the job's")
	}
}
