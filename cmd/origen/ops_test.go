package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
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

// Secrets — the DSN's password in every form of dsnForms (and from
// PGPASSWORD), the SMTP password, the webhook secret and the token in its
// URL — never appear in any output: stdout and stderr of check, run
// --dry-run, report and run, text and JSON logs, every output file (the
// workbook unzipped, its About sheet included), the e-mails (decoded,
// attachments unzipped) and the webhook requests, of successful runs and
// of failing ones with their failure notices.
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
	cfgDemo.Registrations = 1500
	if err := fixtures.LoadPostgres(context.Background(), admin, "shop", cfgDemo); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`GRANT USAGE ON SCHEMA shop TO origen_secret_test`, `GRANT SELECT ON ALL TABLES IN SCHEMA shop TO origen_secret_test`} {
		if _, err := admin.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	dbname := strings.Trim(dbName(t, dsn), `"`)
	const hookSecret, hookToken, smtpPassword = "Hook-secret-4242", "TOKEN9876", "Smtp-pw-777"
	var hookMu sync.Mutex
	var hookSeen strings.Builder
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		hookMu.Lock()
		// The request's own URL and header carry the token and the secret
		// by design; what Origen wrote is the body.
		fmt.Fprintf(&hookSeen, "%s %s\n", r.Method, b)
		hookMu.Unlock()
		w.WriteHeader(http.StatusBadGateway) // fail, so the error path and failure notices run too
		w.Write([]byte("upstream says: " + r.Header.Get("Authorization")))
	}))
	defer hook.Close()
	mail := newSMTPSink(t)

	forms := []dsnForm{{name: "role password in a URL", dsn: "postgres://{U}:" + dbPassword + "@{H}:{P}/{D}?sslmode=disable", secrets: []string{dbPassword}}}
	forms = append(forms, dsnForms...)
	forms = append(forms, dsnForm{name: "PGPASSWORD", dsn: "host={H} port={P} user={U} dbname={D} sslmode=disable", secrets: []string{"Wombat-pw-env"}})
	for _, f := range forms {
		f := f.fill("127.0.0.1", "5432", "origen_secret_test", dbname)
		t.Run(f.name, func(t *testing.T) {
			vars := map[string]string{"HOOK_SECRET": hookSecret, "SMTP_PW": smtpPassword}
			if f.name == "PGPASSWORD" {
				t.Setenv("PGPASSWORD", "Wombat-pw-env") // lib/pq reads the process's environment
				vars["PGPASSWORD"] = "Wombat-pw-env"
			}
			out, reportOut := t.TempDir(), t.TempDir()
			config := func(extra string) string {
				toml := fixtures.ConfigTOML("postgres", f.dsn, "shop")
				toml = strings.Replace(toml, "[database]\n", "[database]\n"+extra, 1)
				return writeFile(t, t.TempDir(), "origen.toml", toml+`
[smtp]
host = "127.0.0.1"
port = `+mail.port+`
security = "none"
from = "origen@example.com"
username = "origen"
password_env = "SMTP_PW"
[[job]]
name = "monthly"
period = "2026-10"
out = "`+out+`"
formats = ["xlsx", "html", "json", "csv"]
retries = 0
[job.webhook]
url = "`+hook.URL+`/services/`+hookToken+`"
secret_env = "HOOK_SECRET"
[job.email]
to = ["cfo@example.com"]
`)
			}
			cfg := config("")
			// The same job failing in the database: the table is locked and
			// the mapping check times out, so the failure notices carry a
			// database error (and the redacted DSN).
			failing := config("statement_timeout = \"300ms\"\n")
			mail.reset()
			hookMu.Lock()
			hookSeen.Reset()
			hookMu.Unlock()
			var everything strings.Builder
			type cliRun struct {
				name string
				args []string
				lock bool
			}
			runs := []cliRun{
				{"check", []string{"check", "--config", cfg}, false},
				{"dry run", []string{"run", "--config", cfg, "--dry-run", "--as-of", "2026-11-20T00:00:00Z"}, false},
				{"report", []string{"report", "--config", cfg, "--period", "2026-10", "--as-of", "2026-11-20T00:00:00Z", "--out", reportOut}, false},
				{"run", []string{"run", "--config", cfg, "--as-of", "2026-11-20T00:00:00Z"}, false},
				{"failing run, JSON logs", []string{"--log-format", "json", "run", "--config", failing, "--as-of", "2026-11-20T00:00:00Z"}, true},
			}
			if f.refused {
				runs = []cliRun{runs[0], runs[1], runs[3]}
			}
			outputs := map[string]string{}
			for _, r := range runs {
				var unlock func()
				if r.lock {
					tx, err := admin.Begin()
					if err != nil {
						t.Fatal(err)
					}
					if _, err := tx.Exec(`LOCK TABLE shop.registrations IN ACCESS EXCLUSIVE MODE`); err != nil {
						t.Fatal(err)
					}
					unlock = func() { tx.Rollback() }
				}
				stdout, stderr, code := runWith(t, vars, r.args...)
				if unlock != nil {
					unlock()
				}
				name := r.name
				t.Logf("%s: exit %d %s", name, code, errLine(stderr))
				outputs[name] = stdout + stderr
				everything.WriteString(stdout + stderr)
				if f.refused && code != 2 {
					t.Errorf("origen %s: exit %d, want 2 (a DSN libpq would misread): %s", name, code, stderr)
				}
				if f.refused && !strings.Contains(stderr, "[database] dsn") {
					t.Errorf("origen %s does not name [database] dsn: %s", name, stderr)
				}
			}
			for _, dir := range []string{out, reportOut} {
				filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
					if err == nil && !info.IsDir() {
						b, _ := os.ReadFile(p)
						text := outputText(t, b)
						outputs[filepath.Base(p)] = text
						everything.WriteString(text)
					}
					return nil
				})
			}
			mails := mail.messages()
			for i, m := range mails {
				text := decodeMail(t, m)
				outputs[fmt.Sprintf("e-mail %d", i+1)] = text
				everything.WriteString(text)
			}
			hookMu.Lock()
			outputs["webhook requests"] = hookSeen.String()
			everything.WriteString(hookSeen.String())
			hookMu.Unlock()
			all := everything.String()
			for _, secret := range append(f.secrets, hookSecret, hookToken, smtpPassword) {
				for name, text := range outputs {
					if i := strings.Index(text, secret); i >= 0 {
						t.Errorf("secret %q leaked in %s: ...%s...", secret, name, text[max(0, i-200):min(len(text), i+50)])
					}
				}
			}
			if f.refused {
				if !strings.Contains(all, dsnMask) {
					t.Errorf("the refusal does not show the redacted DSN:\n%s", all)
				}
				return
			}
			// Every channel was exercised.
			hasPassword := f.name != "PGPASSWORD"
			checkShows := "database: postgres " // the check's findings
			if f.serverRefuses {
				checkShows = "database postgres (" // the check's error
			}
			for _, want := range []struct{ what, in, text string }{
				{"the redacted DSN", "check", checkShows},
				{"the redacted DSN", "dry run", "  database: postgres "},
				{"a failure notice", "e-mail 1", "Subject:"},
				{"the job's JSON logs", "failing run, JSON logs", `{"time":`},
				{"the webhook's body", "webhook requests", "POST {"},
			} {
				if !strings.Contains(outputs[want.in], want.text) {
					t.Errorf("%s: %s does not show %q", want.what, want.in, want.text)
				}
			}
			if !f.serverRefuses {
				if !strings.Contains(all, "origen_monthly_2026-10-01_2026-11-01.xlsx") || !strings.Contains(outputs["origen_2026-10-01_2026-11-01.xlsx"], "Database") {
					t.Errorf("the runs did not get as far as writing outputs:\n%s", outputs["report"]+outputs["run"])
				}
				if len(mails) < 3 {
					t.Errorf("%d e-mails, want the report and two failure notices", len(mails))
				}
			}
			if hasPassword {
				for _, in := range []string{"check", "dry run", "failing run, JSON logs"} {
					if !strings.Contains(outputs[in], dsnMask) {
						t.Errorf("%s does not show the redacted DSN:\n%s", in, outputs[in])
					}
				}
				if !f.serverRefuses && !strings.Contains(outputs["origen_2026-10-01_2026-11-01.xlsx"], dsnMask) {
					t.Error("the workbook's About sheet does not show the redacted DSN")
				}
			}
		})
	}
}

// outputText is the text of an output file for the secret grep: a
// workbook (or any zip) is unpacked, everything else is as written.
func outputText(t *testing.T, b []byte) string {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("PK\x03\x04")) {
		return string(b)
	}
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("unzip: %v", err)
	}
	var text strings.Builder
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		c, _ := io.ReadAll(r)
		r.Close()
		text.Write(c)
		text.WriteByte('\n')
	}
	return text.String()
}

// decodeMail is the text of an e-mail for the secret grep: its headers
// (encoded words decoded) and every part's body, decoded from
// quoted-printable or base64, attachments unpacked.
func decodeMail(t *testing.T, raw string) string {
	t.Helper()
	m, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatalf("parse e-mail: %v", err)
	}
	var b strings.Builder
	dec := new(mime.WordDecoder)
	for k, vs := range m.Header {
		for _, v := range vs {
			if d, err := dec.DecodeHeader(v); err == nil {
				v = d
			}
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	var walk func(h textproto.MIMEHeader, body io.Reader)
	walk = func(h textproto.MIMEHeader, body io.Reader) {
		mt, params, _ := mime.ParseMediaType(h.Get("Content-Type"))
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(body, params["boundary"])
			for {
				p, err := mr.NextPart()
				if err != nil {
					return
				}
				walk(p.Header, p)
			}
		}
		switch strings.ToLower(h.Get("Content-Transfer-Encoding")) {
		case "quoted-printable":
			body = quotedprintable.NewReader(body)
		case "base64":
			body = base64.NewDecoder(base64.StdEncoding, body)
		}
		c, _ := io.ReadAll(body)
		b.WriteString(outputText(t, c))
		b.WriteByte('\n')
	}
	walk(textproto.MIMEHeader(m.Header), m.Body)
	return b.String()
}

// smtpSink is an in-process SMTP server on 127.0.0.1 that accepts AUTH
// PLAIN and every message, and keeps them.
type smtpSink struct {
	port string
	mu   sync.Mutex
	msgs []string
}

func newSMTPSink(t *testing.T) *smtpSink {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	_, port, _ := net.SplitHostPort(l.Addr().String())
	s := &smtpSink{port: port}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *smtpSink) serve(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReader(c)
	say := func(line string) { io.WriteString(c, line+"\r\n") }
	say("220 sink ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		verb, _, _ := strings.Cut(strings.TrimRight(line, "\r\n"), " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			say("250-sink")
			say("250-AUTH PLAIN")
			say("250 8BITMIME")
		case "AUTH":
			say("235 2.7.0 ok")
		case "DATA":
			say("354 go ahead")
			var msg strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				msg.WriteString(strings.TrimPrefix(l, "."))
			}
			s.mu.Lock()
			s.msgs = append(s.msgs, msg.String())
			s.mu.Unlock()
			say("250 2.0.0 queued")
		case "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

func (s *smtpSink) messages() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.msgs)
}

func (s *smtpSink) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = nil
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
