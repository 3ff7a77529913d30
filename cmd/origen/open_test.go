package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/origen-analytics/origen/fixtures"
)

// A SQLite database whose path holds '#', '%' or '?' opens read-only and
// reports on its data: the file: URI escapes them (unescaped, '#' cut the
// path short, dropped mode=ro and made SQLite create an empty database).
func TestSQLitePathWithSpecialCharacters(t *testing.T) {
	src := demoDB(t)
	want, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	dir := filepath.Join(root, "data #1 100%")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "shop#2%41?x=1.sqlite")
	if err := os.WriteFile(db, want, 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	cfg := writeFile(t, t.TempDir(), "origen.toml", fixtures.ConfigTOML("sqlite", db, ""))
	_, stderr, code := runCLI(t, nil, "report", "--config", cfg, "--from", "2026-10-01", "--to", "2026-11-01",
		"--as-of", "2026-11-20T00:00:00Z", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if doc := readJSON(t, filepath.Join(out, "origen_2026-10-01_2026-11-01.json")); doc.Total.Registrations == 0 {
		t.Error("the report has no registrations: it did not read the database")
	}
	var files []string
	filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	if len(files) != 1 || files[0] != db {
		t.Errorf("files next to the database after the report: %q, want only %q", files, db)
	}
	if got, _ := os.ReadFile(db); !bytes.Equal(got, want) {
		t.Error("the database file changed")
	}
}

// silentServer accepts TCP connections and never says a word, like a
// server whose backend hangs. It closes them when the test ends.
func silentServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go io.Copy(io.Discard, c)
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}

// silentConfig is a PostgreSQL config for addr with extra [database] keys.
func silentConfig(t *testing.T, addr, database, jobs string) string {
	t.Helper()
	host, port, _ := net.SplitHostPort(addr)
	toml := fixtures.ConfigTOML("postgres", fmt.Sprintf("host=%s port=%s user=origen password=Pw-silent-42 dbname=shop sslmode=disable", host, port), "shop")
	toml = strings.Replace(toml, "[database]\n", "[database]\n"+database, 1)
	return writeFile(t, t.TempDir(), "origen.toml", toml+jobs)
}

// within runs fn and fails the test when it has not returned after limit
// (the hang this guards against would otherwise hang the test binary).
func within[T any](t *testing.T, limit time.Duration, fn func() T) (T, time.Duration) {
	t.Helper()
	done := make(chan T, 1)
	started := time.Now()
	go func() { done <- fn() }()
	select {
	case v := <-done:
		return v, time.Since(started)
	case <-time.After(limit):
		t.Fatalf("still waiting after %v", limit)
	}
	panic("unreachable")
}

type cliResult struct {
	stdout, stderr string
	code           int
	err            error
}

func runCtx(ctx context.Context, args ...string) cliResult {
	var out, errb bytes.Buffer
	err := run(ctx, args, func(string) string { return "" }, strings.NewReader(""), &out, &errb)
	code := exitCode(err, &errb)
	return cliResult{out.String(), errb.String(), code, err}
}

// A server that accepts the connection and never answers cannot hang
// Origen: connecting ends at [database] connect_timeout, a job at its
// timeout, and a run at cancellation (what SIGINT and SIGTERM do), each
// within a second or two, with a runtime error that names the bound.
func TestSilentServerIsBounded(t *testing.T) {
	addr := silentServer(t)
	period := []string{"--from", "2026-10-01", "--to", "2026-11-01", "--as-of", "2026-11-20T00:00:00Z"}
	t.Run("connect timeout", func(t *testing.T) {
		cfg := silentConfig(t, addr, "connect_timeout = \"1s\"\n", "")
		for _, args := range [][]string{{"check", "--config", cfg}, append([]string{"report", "--config", cfg, "--out", t.TempDir()}, period...)} {
			r, took := within(t, 15*time.Second, func() cliResult { return runCtx(context.Background(), args...) })
			t.Logf("origen %s: %v: %s", args[0], took.Round(time.Millisecond), errLine(r.stderr))
			if r.code != 1 || !strings.Contains(r.stderr, "no answer within [database] connect_timeout = 1s") {
				t.Errorf("origen %s: exit %d: %s", args[0], r.code, r.stderr)
			}
			if took > 4*time.Second {
				t.Errorf("origen %s took %v with connect_timeout = 1s", args[0], took)
			}
		}
	})
	t.Run("job timeout", func(t *testing.T) {
		job := "\n[[job]]\nname = \"j\"\nperiod = \"2026-10\"\nout = \"" + t.TempDir() + "\"\ntimeout = \"2s\"\nretries = 2\n"
		cfg := silentConfig(t, addr, "", job)
		r, took := within(t, 20*time.Second, func() cliResult {
			return runCtx(context.Background(), "run", "--config", cfg, "--as-of", "2026-11-20T00:00:00Z")
		})
		t.Logf("%v: %s", took.Round(time.Millisecond), errLine(r.stderr))
		if r.code != 1 || !strings.Contains(r.stderr, `job "j" timed out after 2s`) {
			t.Errorf("exit %d: %s", r.code, r.stderr)
		}
		if took > 5*time.Second {
			t.Errorf("a 2s job took %v", took)
		}
	})
	t.Run("cancellation", func(t *testing.T) {
		cfg := silentConfig(t, addr, "", "")
		for _, args := range [][]string{{"check", "--config", cfg}, append([]string{"report", "--config", cfg, "--out", t.TempDir()}, period...)} {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(500*time.Millisecond, cancel)
			r, took := within(t, 15*time.Second, func() cliResult { return runCtx(ctx, args...) })
			cancel()
			t.Logf("origen %s: %v: %s", args[0], took.Round(time.Millisecond), errLine(r.stderr))
			if !errors.Is(r.err, context.Canceled) || r.code != 1 {
				t.Errorf("origen %s: err %v, exit %d, want a cancellation", args[0], r.err, r.code)
			}
			if took > 3*time.Second {
				t.Errorf("origen %s took %v to stop after cancellation at 0.5s", args[0], took)
			}
		}
	})
}

// freezingProxy forwards TCP connections to target until freeze is
// called; from then on it passes nothing in either direction (but keeps
// the connections open), like a server that hangs mid-query.
type freezingProxy struct {
	addr   string
	mu     sync.Mutex
	frozen chan struct{}
}

func newFreezingProxy(t *testing.T, network, target string) *freezingProxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &freezingProxy{addr: l.Addr().String(), frozen: make(chan struct{})}
	var conns []net.Conn
	var mu sync.Mutex
	pipe := func(dst, src net.Conn) {
		buf := make([]byte, 32<<10)
		for {
			n, err := src.Read(buf)
			select {
			case <-p.frozen:
				return // pass nothing on from now on; the connection stays open
			default:
			}
			if n > 0 {
				dst.Write(buf[:n])
			}
			if err != nil {
				return
			}
		}
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial(network, target)
			if err != nil {
				c.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, c, s)
			mu.Unlock()
			go pipe(s, c)
			go pipe(c, s)
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return p
}

func (p *freezingProxy) freeze() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.frozen:
	default:
		close(p.frozen)
	}
}

// A server that stops answering in the middle of a query cannot hang
// Origen either: no read waits longer than statement_timeout +
// connect_timeout, since the server must have ended the statement by
// then.
func TestServerThatStopsAnsweringIsBounded(t *testing.T) {
	slow := slowPostgresConfig(t) // registrations sleep 30 s in the query
	b, err := os.ReadFile(slow)
	if err != nil {
		t.Fatal(err)
	}
	toml := string(b)
	i := strings.Index(toml, "dsn = \"")
	j := strings.Index(toml[i+7:], "\"")
	dsn := toml[i+7 : i+7+j]
	// The proxy listens on TCP and reaches the server the way pgtest does:
	// over TCP or through its unix socket.
	host, port := "127.0.0.1", "5432"
	for _, f := range strings.Fields(dsn) {
		if v, ok := strings.CutPrefix(f, "host="); ok {
			host = v
		}
		if v, ok := strings.CutPrefix(f, "port="); ok {
			port = v
		}
	}
	network, target := "tcp", net.JoinHostPort(host, port)
	if strings.HasPrefix(host, "/") {
		network, target = "unix", filepath.Join(host, ".s.PGSQL."+port)
	}
	proxy := newFreezingProxy(t, network, target)
	host, port, _ = net.SplitHostPort(proxy.addr)
	viaProxy := dsn
	for _, f := range strings.Fields(dsn) {
		if strings.HasPrefix(f, "host=") || strings.HasPrefix(f, "port=") {
			viaProxy = strings.Replace(viaProxy, f, "", 1)
		}
	}
	viaProxy = strings.Join(strings.Fields(viaProxy+" host="+host+" port="+port), " ")
	toml = strings.Replace(toml, `dsn = "`+dsn+`"`, `dsn = "`+viaProxy+`"`+"\nstatement_timeout = \"1s\"\nconnect_timeout = \"1s\"", 1)
	cfg := writeFile(t, t.TempDir(), "origen.toml", toml)
	time.AfterFunc(300*time.Millisecond, proxy.freeze)
	r, took := within(t, 30*time.Second, func() cliResult {
		return runCtx(context.Background(), "report", "--config", cfg, "--from", "2026-10-01", "--to", "2026-11-01",
			"--as-of", "2026-11-20T00:00:00Z", "--out", t.TempDir())
	})
	t.Logf("%v: %s", took.Round(time.Millisecond), errLine(r.stderr))
	if r.code != 1 || !strings.Contains(r.stderr, "stopped answering") {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
	if took > 6*time.Second {
		t.Errorf("took %v with statement_timeout and connect_timeout 1s", took)
	}
}

// A PostgreSQL unix socket that does not exist (yet: the server is still
// starting) is a transient failure, retried by origen run.
func TestMissingUnixSocketIsTransient(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "no-server-here")
	if err := os.Mkdir(sock, 0o755); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	job := "\n[[job]]\nname = \"j\"\nperiod = \"2026-10\"\nout = \"" + out + "\"\nretries = 1\n"
	toml := fixtures.ConfigTOML("postgres", "host="+sock+" user=origen dbname=shop", "shop") + job
	path := writeFile(t, t.TempDir(), "origen.toml", toml)
	cfg, err := loadConfig(path, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	_, err = openDB(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "no such file or directory") || !transient(err) {
		t.Fatalf("err = %v (transient %v), want a transient failure to find the socket", err, transient(err))
	}
	_, stderr, code := runWith(t, nil, "run", "--config", path, "--as-of", "2026-11-20T00:00:00Z")
	if code != 1 || !strings.Contains(stderr, "transient failure, retrying") {
		t.Errorf("exit %d, want a retry: %s", code, stderr)
	}
}
