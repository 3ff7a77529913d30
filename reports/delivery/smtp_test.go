package delivery

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/origen-analytics/origen/attribution"
)

const (
	testUser     = "origen@example.com"
	testPassword = "s3cr3t-SMTP-pässword"
)

var testNow = time.Date(2026, 11, 1, 6, 0, 3, 0, time.FixedZone("CET", 3600))

// testAttachments writes the four outputs into a temporary directory: an
// "xlsx" of random bytes long enough for many base64 lines, a page, a
// JSON and a CSV file.
func testAttachments(t *testing.T) ([]Attachment, map[string][]byte) {
	t.Helper()
	dir := t.TempDir()
	xlsx := make([]byte, 5000)
	for i := range xlsx {
		xlsx[i] = byte(i*7 + i/251) // every byte value, no pattern base64 could hide
	}
	files := map[string][]byte{
		"origen_monthly_2026-10-01_2026-11-01.xlsx": xlsx,
		"origen_monthly_2026-10-01_2026-11-01.html": []byte("<!DOCTYPE html>\n<title>Café</title>\n<p>" + strings.Repeat("wide line ", 40) + "</p>\n.\n"),
		"origen_monthly_2026-10-01_2026-11-01.json": []byte(`{"period":{"from":"2026-10-01","to":"2026-11-01"}}` + "\n"),
		"Bericht März.csv":                          []byte("channel,customers\r\npaid_search,600\r\n"),
	}
	var as []Attachment
	for _, name := range []string{
		"origen_monthly_2026-10-01_2026-11-01.xlsx",
		"origen_monthly_2026-10-01_2026-11-01.html",
		"origen_monthly_2026-10-01_2026-11-01.json",
		"Bericht März.csv",
	} {
		path := filepath.Join(dir, "tmp-"+name) // the caller's path need not be the name
		if err := os.WriteFile(path, files[name], 0o600); err != nil {
			t.Fatal(err)
		}
		as = append(as, Attachment{Name: name, Path: path})
	}
	return as, files
}

func TestSendEmail(t *testing.T) {
	ca := newTestCA(t)
	srv := (&smtpServer{startTLS: true, user: testUser, pass: testPassword, tls: ca.server}).start(t)
	atts, files := testAttachments(t)
	s := Summarize(testReport(t))
	s.Job = "monthly"
	cfg := SMTPConfig{
		Host: srv.Host, Port: srv.Port, Security: SecuritySTARTTLS,
		Username: testUser, Password: testPassword,
		From:            "Origen Reports <reports@example.com>",
		To:              []string{"finance@example.com", "Jürgen Müller <jm@example.de>"},
		SubjectTemplate: "Origen {{.Period}}: CAC {{.CAC}} – Übersicht für {{.Job}}",
		Timeout:         10 * time.Second,
		TLSConfig:       ca.client,
		Now:             func() time.Time { return testNow },
	}
	if err := SendEmail(context.Background(), cfg, s, atts); err != nil {
		t.Fatalf("SendEmail: %v", err)
	}

	if a := srv.authAttempts(); len(a) != 1 || a[0] != (smtpAuth{User: testUser, Pass: testPassword, TLS: true}) {
		t.Errorf("AUTH received: %+v, want the credentials once, over TLS", a)
	}
	msgs := srv.messages()
	if len(msgs) != 1 {
		t.Fatalf("server received %d messages, want 1", len(msgs))
	}
	got := msgs[0]
	if !got.TLS || got.User != testUser {
		t.Errorf("message sent with TLS=%v as %q", got.TLS, got.User)
	}
	if got.From != "reports@example.com" || strings.Join(got.To, ",") != "finance@example.com,jm@example.de" {
		t.Errorf("envelope from %q to %q", got.From, got.To)
	}
	checkWire(t, got.Data)

	msg, err := mail.ReadMessage(bytes.NewReader(got.Data))
	if err != nil {
		t.Fatal(err)
	}
	h := msg.Header
	if d, err := h.Date(); err != nil || !d.Equal(testNow) {
		t.Errorf("Date %q = %v, %v; want %v", h.Get("Date"), d, err, testNow)
	}
	if id := h.Get("Message-ID"); !regexp.MustCompile(`^<origen\.\d+\.[0-9a-f]{24}@example\.com>$`).MatchString(id) {
		t.Errorf("Message-ID = %q", id)
	}
	if h.Get("MIME-Version") != "1.0" || h.Get("Auto-Submitted") != "auto-generated" {
		t.Errorf("MIME-Version %q, Auto-Submitted %q", h.Get("MIME-Version"), h.Get("Auto-Submitted"))
	}
	wantSubject := "Origen 2026-10-01 to 2026-10-31: CAC 36.82 EUR – Übersicht für monthly"
	if subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject")); err != nil || subject != wantSubject {
		t.Errorf("Subject %q decodes to %q, %v; want %q", h.Get("Subject"), subject, err, wantSubject)
	}
	if from, err := h.AddressList("From"); err != nil || len(from) != 1 || from[0].Name != "Origen Reports" || from[0].Address != "reports@example.com" {
		t.Errorf("From %q: %v, %v", h.Get("From"), from, err)
	}
	if to, err := h.AddressList("To"); err != nil || len(to) != 2 || to[1].Name != "Jürgen Müller" || to[1].Address != "jm@example.de" {
		t.Errorf("To %q: %v, %v", h.Get("To"), to, err)
	}

	parts := readParts(t, h.Get("Content-Type"), msg.Body, "multipart/mixed")
	if len(parts) != 1+len(atts) {
		t.Fatalf("%d parts in multipart/mixed, want %d", len(parts), 1+len(atts))
	}
	alt := readParts(t, parts[0].header.Get("Content-Type"), bytes.NewReader(parts[0].body), "multipart/alternative")
	if len(alt) != 2 {
		t.Fatalf("%d parts in multipart/alternative, want text and HTML", len(alt))
	}
	text, html := alt[0], alt[1]
	if mt := mediaType(t, text.header.Get("Content-Type")); mt != "text/plain" {
		t.Errorf("first alternative is %s, want text/plain", mt)
	}
	if mt := mediaType(t, html.header.Get("Content-Type")); mt != "text/html" {
		t.Errorf("second alternative is %s, want text/html", mt)
	}
	for _, want := range []string{"Customers                870", "CAC 45.00 EUR", "2. " + evilChannel + ": 100 customers", "Job monthly", "Attached: origen_monthly_2026-10-01_2026-11-01.xlsx, "} {
		if !strings.Contains(string(text.body), want) {
			t.Errorf("text part lacks %q:\n%s", want, text.body)
		}
	}
	if strings.Contains(string(html.body), "<script") || !strings.Contains(string(html.body), "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("HTML part does not escape the channel name %s", evilChannel)
	}
	if !strings.Contains(string(html.body), "36.82 EUR") {
		t.Errorf("HTML part lacks the CAC")
	}

	wantTypes := map[string]string{
		".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		".html": "text/html",
		".json": "application/json",
		".csv":  "text/csv",
	}
	for i, a := range atts {
		p := parts[1+i]
		if p.filename != a.Name {
			t.Errorf("attachment %d is named %q, want %q", i, p.filename, a.Name)
		}
		if mt := mediaType(t, p.header.Get("Content-Type")); mt != wantTypes[filepath.Ext(a.Name)] {
			t.Errorf("%s has content type %q, want %q", a.Name, mt, wantTypes[filepath.Ext(a.Name)])
		}
		if cd, params, err := mime.ParseMediaType(p.header.Get("Content-Disposition")); err != nil || cd != "attachment" || params["filename"] != a.Name {
			t.Errorf("%s: Content-Disposition %q", a.Name, p.header.Get("Content-Disposition"))
		}
		if cte := p.header.Get("Content-Transfer-Encoding"); cte != "base64" {
			t.Errorf("%s: Content-Transfer-Encoding %q", a.Name, cte)
		}
		for _, line := range strings.Split(strings.TrimSuffix(string(p.body), "\r\n"), "\r\n") {
			if len(line) > 76 {
				t.Errorf("%s: base64 line of %d characters", a.Name, len(line))
				break
			}
		}
		data, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(string(p.body), "\r\n", ""))
		if err != nil || !bytes.Equal(data, files[a.Name]) {
			t.Errorf("%s: decoded attachment differs from the file (%v)", a.Name, err)
		}
	}
}

// checkWire checks the raw message: CRLF line ends only, ASCII only, and
// lines within SMTP's limit (78 outside base64 and QP bodies where a fold
// is possible, 998 always).
func checkWire(t *testing.T, data []byte) {
	t.Helper()
	if i := bytes.IndexFunc(data, func(r rune) bool { return r > 0x7e }); i >= 0 {
		t.Errorf("message has a non-ASCII byte at %d", i)
	}
	lines := strings.Split(string(data), "\n")
	for i, l := range lines[:len(lines)-1] {
		if !strings.HasSuffix(l, "\r") {
			t.Errorf("line %d ends in a bare LF: %q", i+1, l)
			return
		}
		// Only a line that no fold can shorten (one long word after the
		// header name, such as the xlsx content type) may pass 78.
		if n := len(l) - 1; n > 998 || n > 78 && strings.Count(strings.TrimLeft(l, " "), " ") > 1 {
			t.Errorf("line %d has %d characters: %q", i+1, n, l)
		}
	}
	if lines[len(lines)-1] != "" {
		t.Errorf("message does not end with CRLF")
	}
}

type mimePart struct {
	header   textproto.MIMEHeader
	filename string
	body     []byte // decoded from quoted-printable by mime/multipart; base64 kept
}

func readParts(t *testing.T, contentType string, body io.Reader, want string) []mimePart {
	t.Helper()
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != want {
		t.Fatalf("Content-Type %q, want %s (%v)", contentType, want, err)
	}
	r := multipart.NewReader(body, params["boundary"])
	var parts []mimePart
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			return parts
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(p)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, mimePart{header: p.Header, filename: p.FileName(), body: b})
	}
}

func mediaType(t *testing.T, v string) string {
	t.Helper()
	mt, _, err := mime.ParseMediaType(v)
	if err != nil {
		t.Errorf("content type %q: %v", v, err)
	}
	return mt
}

func TestSendEmailRequiresSTARTTLS(t *testing.T) {
	// The server offers AUTH in clear text but no STARTTLS: nothing may be
	// sent, least of all the password.
	srv := (&smtpServer{authInClear: true}).start(t)
	cfg := SMTPConfig{Host: srv.Host, Port: srv.Port, Security: SecuritySTARTTLS, Username: testUser, Password: testPassword,
		From: "reports@example.com", To: []string{"finance@example.com"}, Timeout: 5 * time.Second}
	err := SendEmail(context.Background(), cfg, Summarize(testReport(t)), nil)
	if err == nil {
		t.Fatal("SendEmail succeeded against a server without STARTTLS")
	}
	if !errors.Is(err, ErrNoSTARTTLS) || attribution.KindOf(err) != attribution.KindConfig {
		t.Errorf("error %q (kind %v), want a configuration error naming STARTTLS", err, attribution.KindOf(err))
	}
	if a, m := srv.authAttempts(), srv.messages(); len(a) != 0 || len(m) != 0 {
		t.Errorf("server received %d AUTH and %d messages", len(a), len(m))
	}
}

func TestSendEmailModes(t *testing.T) {
	ca := newTestCA(t)
	for _, tc := range []struct {
		name     string
		server   *smtpServer
		security string
		user     string
		wantTLS  bool
	}{
		{name: "implicit TLS with auth", server: &smtpServer{implicitTLS: true, user: testUser, pass: testPassword}, security: SecurityTLS, user: testUser, wantTLS: true},
		{name: "STARTTLS without auth", server: &smtpServer{startTLS: true}, security: SecuritySTARTTLS, wantTLS: true},
		{name: "empty security means STARTTLS", server: &smtpServer{startTLS: true}, security: "", wantTLS: true},
		{name: "none to localhost", server: &smtpServer{}, security: SecurityNone},
		{name: "none to localhost with auth", server: &smtpServer{authInClear: true, user: testUser, pass: testPassword}, security: SecurityNone, user: testUser},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.server.tls = ca.server
			srv := tc.server.start(t)
			cfg := SMTPConfig{Host: srv.Host, Port: srv.Port, Security: tc.security, From: "reports@example.com",
				To: []string{"finance@example.com"}, Timeout: 5 * time.Second, TLSConfig: ca.client}
			if tc.user != "" {
				cfg.Username, cfg.Password = tc.user, testPassword
			}
			if err := SendEmail(context.Background(), cfg, Summarize(testReport(t)), nil); err != nil {
				t.Fatalf("SendEmail: %v", err)
			}
			m := srv.messages()
			if len(m) != 1 || m[0].TLS != tc.wantTLS || m[0].User != tc.user {
				t.Fatalf("received %+v, want one message with TLS=%v user %q", m, tc.wantTLS, tc.user)
			}
			// Without attachments the message is the alternative itself.
			msg, err := mail.ReadMessage(bytes.NewReader(m[0].Data))
			if err != nil {
				t.Fatal(err)
			}
			if alt := readParts(t, msg.Header.Get("Content-Type"), msg.Body, "multipart/alternative"); len(alt) != 2 {
				t.Errorf("%d alternatives", len(alt))
			}
		})
	}
}

func TestSendEmailUntrustedCertificate(t *testing.T) {
	srv := (&smtpServer{startTLS: true, tls: newTestCA(t).server}).start(t)
	cfg := SMTPConfig{Host: srv.Host, Port: srv.Port, From: "reports@example.com", To: []string{"finance@example.com"},
		Timeout: 5 * time.Second, TLSConfig: newTestCA(t).client} // another CA
	err := SendEmail(context.Background(), cfg, Summarize(testReport(t)), nil)
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("SendEmail with an untrusted certificate: %v", err)
	}
	if len(srv.messages()) != 0 {
		t.Errorf("message sent over an unverified connection")
	}
}

func TestSendEmailAuthFailureRedacted(t *testing.T) {
	ca := newTestCA(t)
	// A careless server that echoes what it received.
	srv := (&smtpServer{startTLS: true, user: testUser, pass: "other", tls: ca.server,
		authReply: "535 5.7.8 bad credentials {resp} for {user} with password {pass}"}).start(t)
	cfg := SMTPConfig{Host: srv.Host, Port: srv.Port, Username: testUser, Password: testPassword,
		From: "reports@example.com", To: []string{"finance@example.com"}, Timeout: 5 * time.Second, TLSConfig: ca.client}
	err := SendEmail(context.Background(), cfg, Summarize(testReport(t)), nil)
	if err == nil {
		t.Fatal("SendEmail succeeded with wrong credentials")
	}
	if attribution.KindOf(err) != attribution.KindConfig || !strings.Contains(err.Error(), "535") {
		t.Errorf("error %q (kind %v), want the server's 535 as a configuration error", err, attribution.KindOf(err))
	}
	assertNoSecret(t, err, testPassword, base64.StdEncoding.EncodeToString([]byte("\x00"+testUser+"\x00"+testPassword)))
	if len(srv.messages()) != 0 {
		t.Errorf("message sent without authentication")
	}
}

// assertNoSecret fails when err, or any error in its chain, shows one of
// the secrets.
func assertNoSecret(t *testing.T, err error, secrets ...string) {
	t.Helper()
	for e := err; e != nil; e = errors.Unwrap(e) {
		for _, s := range secrets {
			if strings.Contains(e.Error(), s) {
				t.Errorf("error text shows the secret %q: %q", s, e.Error())
			}
		}
	}
}

func TestSendEmailTimeoutAndCancel(t *testing.T) {
	srv := (&smtpServer{hang: true}).start(t)
	cfg := SMTPConfig{Host: srv.Host, Port: srv.Port, From: "reports@example.com", To: []string{"finance@example.com"}}

	t.Run("timeout", func(t *testing.T) {
		cfg := cfg
		cfg.Timeout = 200 * time.Millisecond
		start := time.Now()
		err := SendEmail(context.Background(), cfg, Summarize(testReport(t)), nil)
		if err == nil || !strings.Contains(err.Error(), "timed out after 200ms") {
			t.Errorf("SendEmail to a silent server: %v", err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("SendEmail took %s with a 200ms timeout", d)
		}
	})
	t.Run("cancel", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		err := SendEmail(ctx, cfg, Summarize(testReport(t)), nil)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("SendEmail after cancel: %v, want context.Canceled", err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("SendEmail took %s to notice the cancellation", d)
		}
	})
}

func TestSendEmailMissingAttachment(t *testing.T) {
	srv := (&smtpServer{}).start(t)
	cfg := SMTPConfig{Host: srv.Host, Port: srv.Port, Security: SecurityNone, From: "reports@example.com", To: []string{"finance@example.com"}}
	err := SendEmail(context.Background(), cfg, Summarize(testReport(t)), []Attachment{{Path: filepath.Join(t.TempDir(), "missing.xlsx")}})
	if err == nil || !strings.Contains(err.Error(), "missing.xlsx") {
		t.Errorf("SendEmail with a missing attachment: %v", err)
	}
	if n := srv.connections(); n != 0 {
		t.Errorf("SendEmail connected %d times before reading its attachments", n)
	}
}

func TestSendFailureEmail(t *testing.T) {
	srv := (&smtpServer{authInClear: true, user: testUser, pass: testPassword}).start(t)
	cfg := SMTPConfig{Host: srv.Host, Port: srv.Port, Security: SecurityNone, Username: testUser, Password: testPassword,
		From: "reports@example.com", To: []string{"ops@example.com"}, Now: func() time.Time { return testNow }}
	runErr := errors.New("database postgres (postgres://origen:" + testPassword + "@db/shop?sslmode=require&token=abcdef123): connection refused")
	if err := SendFailureEmail(context.Background(), cfg, "monthly", runErr); err != nil {
		t.Fatalf("SendFailureEmail: %v", err)
	}
	m := srv.messages()
	if len(m) != 1 {
		t.Fatalf("%d messages", len(m))
	}
	checkWire(t, m[0].Data)
	msg, err := mail.ReadMessage(bytes.NewReader(m[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	if s := msg.Header.Get("Subject"); s != "Origen job monthly failed" {
		t.Errorf("Subject = %q", s)
	}
	if mt := mediaType(t, msg.Header.Get("Content-Type")); mt != "text/plain" {
		t.Errorf("Content-Type %s, want a plain-text notice without attachments", mt)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Origen job monthly failed at 2026-11-01 06:00:03 +01:00", "connection refused", "no partial file"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
	for _, secret := range []string{testPassword, "abcdef123"} {
		if strings.Contains(string(body), secret) {
			t.Errorf("failure notice shows the secret %q:\n%s", secret, body)
		}
	}
}

func TestSMTPConfigValidate(t *testing.T) {
	ok := SMTPConfig{Host: "smtp.example.com", From: "reports@example.com", To: []string{"a@example.com"}}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	for _, tc := range []struct {
		name   string
		change func(*SMTPConfig)
		want   string
	}{
		{"no host", func(c *SMTPConfig) { c.Host = "" }, "host"},
		{"URL as host", func(c *SMTPConfig) { c.Host = "smtp://smtp.example.com" }, "host"},
		{"bad port", func(c *SMTPConfig) { c.Port = 70000 }, "port"},
		{"unknown security", func(c *SMTPConfig) { c.Security = "ssl" }, "security"},
		{"clear text to a remote host", func(c *SMTPConfig) { c.Security = SecurityNone }, "localhost"},
		{"bad sender", func(c *SMTPConfig) { c.From = "reports" }, "sender"},
		{"no recipients", func(c *SMTPConfig) { c.To = nil }, "recipients"},
		{"bad recipient", func(c *SMTPConfig) { c.To = []string{"a@example.com", "b@"} }, "recipient"},
		{"user without password", func(c *SMTPConfig) { c.Username = "u" }, "password"},
		{"misspelt subject field", func(c *SMTPConfig) { c.SubjectTemplate = "{{.Cac}}" }, "subject"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.change(&c)
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) || attribution.KindOf(err) != attribution.KindConfig {
				t.Errorf("Validate: %v (kind %v), want a configuration error about %s", err, attribution.KindOf(err), tc.want)
			}
		})
	}
	for _, host := range []string{"localhost", "127.0.0.1", "::1", "[::1]"} {
		c := ok
		c.Host, c.Security = host, SecurityNone
		if err := c.Validate(); err != nil {
			t.Errorf("security none to %s: %v", host, err)
		}
	}
}

func TestEncodeHeader(t *testing.T) {
	for _, s := range []string{
		"Origen 2026-10-01 to 2026-10-31: CAC 36.82 EUR",
		"Origen Bericht für März – CAC 36,82 €",
		strings.Repeat("Übersicht ", 30),
		"検索チャネルの報告 " + strings.Repeat("顧客獲得単価 ", 10),
		"looks like =?utf-8?q?an_encoded_word?= but is not",
		strings.Repeat("averyveryverylongwordwithoutspaces", 4) + " and short ones",
	} {
		enc := encodeHeader(s, len("Subject: "))
		for i, line := range strings.Split("Subject: "+enc, "\r\n") {
			if i > 0 && !strings.HasPrefix(line, " ") {
				t.Errorf("continuation line %q does not start with a space", line)
			}
			if !isPlainASCII(line) {
				t.Errorf("encoded line %q is not printable ASCII", line)
			}
			// Only a single word longer than the limit may exceed it.
			if len(line) > 78 && strings.Contains(strings.TrimPrefix(line, " "), " ") && i > 0 || len(line) > 78 && i == 0 && strings.Count(line, " ") > 1 {
				t.Errorf("line of %d characters: %q", len(line), line)
			}
		}
		// Unfold as a reader does (RFC 5322, 2.2.3), then decode.
		dec, err := new(mime.WordDecoder).DecodeHeader(strings.ReplaceAll(enc, "\r\n", ""))
		if err != nil || dec != s {
			t.Errorf("encodeHeader(%q) = %q, decodes to %q, %v", s, enc, dec, err)
		}
	}
}

func TestContentTypeOf(t *testing.T) {
	for name, want := range map[string]string{
		"a.xlsx": TypeXLSX, "A.XLSX": TypeXLSX, "a.html": TypeHTML, "a.json": TypeJSON, "a.csv": TypeCSV,
		"a.unknown-extension": "application/octet-stream",
	} {
		if got := ContentTypeOf(name); got != want {
			t.Errorf("ContentTypeOf(%q) = %q, want %q", name, got, want)
		}
	}
}
