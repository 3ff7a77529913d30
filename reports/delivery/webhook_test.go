package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/origen-analytics/origen/attribution"
)

const (
	testSecret = "Bearer wh-SECRET-0123456789"
	testToken  = "tok-abcdefghijklmnop" // in the URL's query
)

// hook is an httptest server that answers with the statuses in order
// (200 once they run out) and records every request.
type hook struct {
	*httptest.Server
	mu       sync.Mutex
	statuses []int
	reqs     []hookRequest
	reply    func(w http.ResponseWriter, r *http.Request, body []byte) // overrides the statuses
}

type hookRequest struct {
	Header http.Header
	Body   []byte
	Query  string
	At     time.Time
}

func newHook(t *testing.T, statuses ...int) *hook {
	t.Helper()
	h := &hook{statuses: statuses}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.reqs = append(h.reqs, hookRequest{Header: r.Header.Clone(), Body: body, Query: r.URL.RawQuery, At: time.Now()})
		status := http.StatusOK
		if len(h.statuses) > 0 {
			status, h.statuses = h.statuses[0], h.statuses[1:]
		}
		reply := h.reply
		h.mu.Unlock()
		if r.Method != http.MethodPost {
			status = http.StatusMethodNotAllowed
		}
		if reply != nil {
			reply(w, r, body)
			return
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, http.StatusText(status))
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hook) requests() []hookRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]hookRequest(nil), h.reqs...)
}

func (h *hook) config() WebhookConfig {
	return WebhookConfig{
		URL: h.URL + "/hooks/origen?token=" + testToken, Format: FormatJSON,
		Header: "Authorization", Secret: testSecret,
		Retries: 3, Backoff: 10 * time.Millisecond, Timeout: 2 * time.Second,
	}
}

var reportJSON = []byte("{\n  \"period\": {\"from\": \"2026-10-01\", \"to\": \"2026-11-01\"},\n  \"channels\": []\n}\n")

func TestPostWebhookJSON(t *testing.T) {
	h := newHook(t)
	if err := PostWebhook(context.Background(), h.config(), Summarize(testReport(t)), reportJSON); err != nil {
		t.Fatalf("PostWebhook: %v", err)
	}
	reqs := h.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if string(r.Body) != string(reportJSON) {
		t.Errorf("body %q, want the report file byte for byte", r.Body)
	}
	if got := r.Header.Get("Authorization"); got != testSecret {
		t.Errorf("Authorization header %q, want the secret", got)
	}
	if got := r.Header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type %q", got)
	}
	if r.Query != "token="+testToken {
		t.Errorf("query %q: the URL's query must reach the server", r.Query)
	}
}

func TestPostWebhookSlack(t *testing.T) {
	h := newHook(t)
	cfg := h.config()
	cfg.Format = FormatSlack
	s := Summarize(testReport(t))
	s.Job = "monthly"
	if err := PostWebhook(context.Background(), cfg, s, nil); err != nil {
		t.Fatalf("PostWebhook: %v", err)
	}
	reqs := h.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	var body map[string]string
	if err := json.Unmarshal(reqs[0].Body, &body); err != nil || len(body) != 1 {
		t.Fatalf("Slack body %s: %v, want exactly {\"text\": ...}", reqs[0].Body, err)
	}
	text := body["text"]
	for _, want := range []string{
		"*Origen channel report 2026-10-01 to 2026-10-31* (job monthly)",
		"Customers 870", "CAC 36.82 EUR", "ROAS 1.95x",
		"• &lt;script&gt;alert(1)&lt;/script&gt;: 100 customers",
		"• Café ☕ &amp; Co: 45 customers",
		"and 2 more channels",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("Slack text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "<script>") {
		t.Errorf("Slack text has an unescaped channel name")
	}
}

func TestPostWebhookRetries(t *testing.T) {
	h := newHook(t, http.StatusServiceUnavailable, http.StatusServiceUnavailable)
	if err := PostWebhook(context.Background(), h.config(), Summary{}, reportJSON); err != nil {
		t.Fatalf("PostWebhook after two 503: %v", err)
	}
	reqs := h.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d attempts, want 3", len(reqs))
	}
	// Backoff 10ms, doubled: at least 10ms, then at least 20ms.
	if d := reqs[1].At.Sub(reqs[0].At); d < 10*time.Millisecond {
		t.Errorf("first retry after %s, want ≥ 10ms", d)
	}
	if d := reqs[2].At.Sub(reqs[1].At); d < 20*time.Millisecond {
		t.Errorf("second retry after %s, want ≥ 20ms", d)
	}
	key := reqs[0].Header.Get("Idempotency-Key")
	for i, r := range reqs {
		if string(r.Body) != string(reportJSON) || r.Header.Get("Authorization") != testSecret || r.Header.Get("Idempotency-Key") != key || key == "" {
			t.Errorf("attempt %d differs from the first: %q %v", i+1, r.Body, r.Header)
		}
	}
}

func TestPostWebhookGivesUp(t *testing.T) {
	h := newHook(t, 500, 502, 503, 504, 200)
	err := PostWebhook(context.Background(), h.config(), Summary{}, reportJSON)
	if err == nil {
		t.Fatal("PostWebhook succeeded after 4 failures with 3 retries")
	}
	if n := len(h.requests()); n != 4 {
		t.Errorf("%d attempts, want 1 + 3 retries", n)
	}
	if !strings.Contains(err.Error(), "504 Gateway Timeout") || !strings.Contains(err.Error(), "after 4 attempts") || attribution.KindOf(err) != attribution.KindRuntime {
		t.Errorf("error %q (kind %v)", err, attribution.KindOf(err))
	}
	assertNoSecret(t, err, testSecret, testToken, "hooks/origen")
}

func TestPostWebhookClientErrorNotRetried(t *testing.T) {
	h := newHook(t)
	// A careless server that echoes the secret and the token in its answer.
	h.reply = func(w http.ResponseWriter, r *http.Request, _ []byte) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, "invalid_token: "+r.Header.Get("Authorization")+" for "+r.URL.String())
	}
	err := PostWebhook(context.Background(), h.config(), Summary{}, reportJSON)
	if err == nil {
		t.Fatal("PostWebhook succeeded on 400")
	}
	if n := len(h.requests()); n != 1 {
		t.Errorf("%d attempts on 400, want 1", n)
	}
	msg := err.Error()
	for _, want := range []string{"webhook http://127.0.0.1:", "/…", "400 Bad Request", "invalid_token", "not retried"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	if attribution.KindOf(err) != attribution.KindConfig {
		t.Errorf("kind %v, want KindConfig", attribution.KindOf(err))
	}
	assertNoSecret(t, err, testSecret, testToken, "wh-SECRET", "hooks/origen")
}

func TestPostWebhookCancelStopsRetries(t *testing.T) {
	h := newHook(t, 503, 503, 503, 503, 503, 503)
	cfg := h.config()
	cfg.Retries, cfg.Backoff = 5, 10*time.Second
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	err := PostWebhook(ctx, cfg, Summary{}, reportJSON)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("PostWebhook after cancel: %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("PostWebhook returned %s after the cancel", d)
	}
	if n := len(h.requests()); n != 1 {
		t.Errorf("%d attempts, want 1 before the cancel", n)
	}
	assertNoSecret(t, err, testSecret, testToken)
}

func TestPostWebhookNetworkErrorRetried(t *testing.T) {
	h := newHook(t)
	cfg := h.config()
	h.Close() // nothing listens any more: connection refused
	cfg.Retries = 2
	err := PostWebhook(context.Background(), cfg, Summary{}, reportJSON)
	if err == nil || !strings.Contains(err.Error(), "after 3 attempts") || attribution.KindOf(err) != attribution.KindRuntime {
		t.Fatalf("PostWebhook to a closed port: %v", err)
	}
	// *url.Error would repeat the URL with its token.
	assertNoSecret(t, err, testSecret, testToken, "hooks/origen")
}

func TestPostWebhookAttemptTimeout(t *testing.T) {
	var calls atomic.Int32
	h := newHook(t)
	h.reply = func(w http.ResponseWriter, r *http.Request, _ []byte) {
		if calls.Add(1) == 1 {
			select { // the first attempt hangs past its timeout
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
	cfg := h.config()
	cfg.Timeout = 100 * time.Millisecond
	if err := PostWebhook(context.Background(), cfg, Summary{}, reportJSON); err != nil {
		t.Fatalf("PostWebhook: %v", err)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("%d attempts, want a retry after the timed-out one", n)
	}
}

func TestPostWebhookRedirectNotFollowed(t *testing.T) {
	other := newHook(t)
	h := newHook(t)
	h.reply = func(w http.ResponseWriter, r *http.Request, _ []byte) {
		http.Redirect(w, r, other.URL+"/steal", http.StatusTemporaryRedirect)
	}
	err := PostWebhook(context.Background(), h.config(), Summary{}, reportJSON)
	if err == nil || !strings.Contains(err.Error(), "307") {
		t.Errorf("PostWebhook on a redirect: %v", err)
	}
	if n := len(other.requests()); n != 0 {
		t.Errorf("the redirect was followed with the secret")
	}
}

func TestPostFailureWebhook(t *testing.T) {
	runErr := errors.New("query registrations: pq: canceling statement due to statement timeout (dsn postgres://origen:pw@db/shop?password=hunter2hunter2)")
	t.Run("json", func(t *testing.T) {
		h := newHook(t)
		if err := PostFailureWebhook(context.Background(), h.config(), "monthly", runErr); err != nil {
			t.Fatal(err)
		}
		var body struct{ Job, Status, Error string }
		if err := json.Unmarshal(h.requests()[0].Body, &body); err != nil {
			t.Fatal(err)
		}
		if body.Job != "monthly" || body.Status != "failed" || !strings.Contains(body.Error, "statement timeout") {
			t.Errorf("failure body %+v", body)
		}
		if strings.Contains(body.Error, "hunter2") || strings.Contains(body.Error, ":pw@") {
			t.Errorf("failure body shows a secret: %q", body.Error)
		}
	})
	t.Run("slack", func(t *testing.T) {
		h := newHook(t)
		cfg := h.config()
		cfg.Format = FormatSlack
		if err := PostFailureWebhook(context.Background(), cfg, "monthly <x>", runErr); err != nil {
			t.Fatal(err)
		}
		var body map[string]string
		if err := json.Unmarshal(h.requests()[0].Body, &body); err != nil {
			t.Fatal(err)
		}
		if want := ":warning: Origen job *monthly &lt;x&gt;* failed: query registrations"; !strings.HasPrefix(body["text"], want) {
			t.Errorf("Slack failure text %q, want prefix %q", body["text"], want)
		}
	})
}

func TestWebhookConfigValidate(t *testing.T) {
	ok := WebhookConfig{URL: "https://hooks.example.com/services/T000/B000/XXXXXXXXXXXXXXXX", Header: "Authorization", Secret: "Bearer x"}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	for _, tc := range []struct {
		name   string
		change func(*WebhookConfig)
		want   string
	}{
		{"not a URL", func(c *WebhookConfig) { c.URL = "hooks.example.com/x" }, "not an http(s) URL"},
		{"ftp", func(c *WebhookConfig) { c.URL = "ftp://hooks.example.com/x" }, "not an http(s) URL"},
		{"secret over http", func(c *WebhookConfig) { c.URL = "http://hooks.example.com/x" }, "plain http"},
		{"unknown format", func(c *WebhookConfig) { c.Format = "xml" }, "format"},
		{"secret without header", func(c *WebhookConfig) { c.Header = "" }, "no header"},
		{"header without secret", func(c *WebhookConfig) { c.Secret = "" }, "environment variable"},
		{"bad header name", func(c *WebhookConfig) { c.Header = "X Token" }, "header name"},
		{"line break in secret", func(c *WebhookConfig) { c.Secret = "a\r\nX-Evil: 1" }, "line break"},
		{"negative retries", func(c *WebhookConfig) { c.Retries = -1 }, "negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.change(&c)
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) || attribution.KindOf(err) != attribution.KindConfig {
				t.Fatalf("Validate: %v (kind %v), want a configuration error about %q", err, attribution.KindOf(err), tc.want)
			}
			assertNoSecret(t, err, "XXXXXXXXXXXXXXXX", "Bearer x", "X-Evil")
		})
	}
	// Plain http is fine without a secret, and to localhost with one.
	for _, c := range []WebhookConfig{{URL: "http://collector.monitoring.svc:8080/origen"}, {URL: "http://127.0.0.1:9/x", Header: "X-Token", Secret: "s"}} {
		if err := c.Validate(); err != nil {
			t.Errorf("Validate(%s): %v", c.URL, err)
		}
	}
}

func TestPostWebhookInvalidJSON(t *testing.T) {
	h := newHook(t)
	if err := PostWebhook(context.Background(), h.config(), Summary{}, nil); err == nil {
		t.Error("PostWebhook posted an empty report")
	}
	if n := len(h.requests()); n != 0 {
		t.Errorf("%d requests for an empty report", n)
	}
}
