package delivery

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/origen-analytics/origen/attribution"
)

// Webhook body formats (WebhookConfig.Format).
const (
	// FormatJSON posts the report's JSON file byte for byte.
	FormatJSON = "json"
	// FormatSlack posts {"text": "..."} with the summary, which Slack,
	// Mattermost, Rocket.Chat and Teams workflow webhooks accept.
	FormatSlack = "slack"
)

// Webhook defaults for zero fields of WebhookConfig.
const (
	DefaultWebhookTimeout = 30 * time.Second // per attempt
	DefaultWebhookBackoff = time.Second      // before the first retry
	// MaxWebhookBackoff bounds the doubling wait between attempts.
	MaxWebhookBackoff = time.Minute
)

// WebhookConfig says where and how to POST.
type WebhookConfig struct {
	// URL is https, or http to a loopback host; http to another host is
	// refused when the request carries a secret.
	URL string
	// Format is "json" (the default when empty) or "slack".
	Format string
	// Header names the header that carries Secret, e.g. "Authorization"
	// (Secret then holds "Bearer ...") or "X-Origen-Token".
	Header string
	// Secret is the header's value, read from the environment by the
	// caller; it never appears in an error.
	Secret string
	// Retries is how many times a failed attempt (network error, timeout,
	// 5xx, 408 or 429) is repeated; 4xx answers are never repeated.
	Retries int
	// Backoff is the wait before the first retry, doubled before each
	// next one up to MaxWebhookBackoff; 0 means DefaultWebhookBackoff.
	Backoff time.Duration
	// Timeout bounds each attempt; 0 means DefaultWebhookTimeout.
	Timeout time.Duration
	// Client sends the requests; nil means a client that follows no
	// redirects (a redirect would carry the secret header to another
	// address).
	Client *http.Client
}

// Validate checks the configuration without sending anything. Its errors
// are *attribution.Error of KindConfig and never contain the secret or the
// URL's path and query (where services keep their tokens).
func (c WebhookConfig) Validate() error {
	_, err := c.parseURL()
	return err
}

func (c WebhookConfig) parseURL() (*url.URL, error) {
	u, err := url.Parse(c.URL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		// The URL may hold a token; name only what is wrong.
		return nil, configErr("webhook url is not an http(s) URL with a host")
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) && (c.Secret != "" || u.User != nil) {
		return nil, configErr("webhook %s: a secret is never sent over plain http except to localhost: use https", displayURL(u))
	}
	switch c.format() {
	case FormatJSON, FormatSlack:
	default:
		return nil, configErr("webhook format %q is not %q or %q", c.Format, FormatJSON, FormatSlack)
	}
	if c.Secret != "" && c.Header == "" {
		return nil, configErr("webhook %s has a secret but no header to send it in (e.g. header = \"Authorization\")", displayURL(u))
	}
	if c.Header != "" {
		if !isToken(c.Header) {
			return nil, configErr("webhook header %q is not a valid header name", c.Header)
		}
		if c.Secret == "" {
			return nil, configErr("webhook %s: header %s has no value: is the secret's environment variable set?", displayURL(u), c.Header)
		}
		if strings.ContainsAny(c.Secret, "\r\n\x00") {
			return nil, configErr("webhook %s: the secret for header %s contains a line break", displayURL(u), c.Header)
		}
	}
	if c.Retries < 0 || c.Backoff < 0 || c.Timeout < 0 {
		return nil, configErr("webhook %s: retries, backoff and timeout must not be negative", displayURL(u))
	}
	return u, nil
}

func (c WebhookConfig) format() string {
	if c.Format == "" {
		return FormatJSON
	}
	return strings.ToLower(c.Format)
}

// isToken reports whether s is an RFC 9110 token, the syntax of a header
// name.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0 {
			continue
		}
		return false
	}
	return true
}

// PostWebhook delivers a finished report: the JSON report file as is
// (format json) or a Slack-style {"text": ...} summary (format slack). It
// retries network errors, timeouts and 5xx, 408 and 429 answers with a
// doubling wait, and stops at once on another 4xx or when ctx ends. Every
// attempt of one delivery carries the same Idempotency-Key header, so a
// receiver that supports it can drop a repeat. Errors are
// *attribution.Error (KindConfig for a 4xx answer, which needs a fixed URL
// or secret) and contain no secret.
func PostWebhook(ctx context.Context, cfg WebhookConfig, s Summary, reportJSON []byte) error {
	u, err := cfg.parseURL()
	if err != nil {
		return err
	}
	var body []byte
	switch cfg.format() {
	case FormatJSON:
		if !json.Valid(reportJSON) {
			return attribution.Errorf(attribution.KindRuntime, "webhook %s: the report JSON to post is empty or not valid JSON", displayURL(u))
		}
		body = reportJSON
	case FormatSlack:
		if body, err = json.Marshal(map[string]string{"text": slackText(s)}); err != nil {
			return attribution.Errorf(attribution.KindRuntime, "webhook %s: %v", displayURL(u), err)
		}
	}
	return cfg.post(ctx, u, body)
}

// PostFailureWebhook tells the webhook that job failed: {"job": ...,
// "status": "failed", "error": ...} in json format, a Slack text in slack
// format. The error message is redacted with the webhook's secrets.
func PostFailureWebhook(ctx context.Context, cfg WebhookConfig, job string, runErr error) error {
	u, err := cfg.parseURL()
	if err != nil {
		return err
	}
	msg := "unknown error"
	if runErr != nil {
		msg = Redact(runErr.Error(), cfg.secrets(u)...)
	}
	var v any
	switch cfg.format() {
	case FormatJSON:
		v = struct {
			Job    string `json:"job"`
			Status string `json:"status"`
			Error  string `json:"error"`
		}{job, "failed", msg}
	case FormatSlack:
		v = map[string]string{"text": ":warning: Origen job *" + slackEscape(oneLine(job)) + "* failed: " + slackEscape(msg)}
	}
	body, err := json.Marshal(v)
	if err != nil {
		return attribution.Errorf(attribution.KindRuntime, "webhook %s: %v", displayURL(u), err)
	}
	return cfg.post(ctx, u, body)
}

func (c WebhookConfig) secrets(u *url.URL) []string {
	return append([]string{c.Secret}, urlSecrets(u)...)
}

// post sends body, retrying as PostWebhook describes.
func (c WebhookConfig) post(ctx context.Context, u *url.URL, body []byte) error {
	client := c.Client
	if client == nil {
		// A redirect answer is returned as is (and reported as an error)
		// instead of being followed with the secret header.
		client = &http.Client{
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	backoff := c.Backoff
	if backoff == 0 {
		backoff = DefaultWebhookBackoff
	}
	var key [16]byte
	_, _ = rand.Read(key[:]) // crypto/rand.Read never fails (Go 1.24+)
	idempotencyKey := hex.EncodeToString(key[:])

	attempts := c.Retries + 1
	for attempt := 1; ; attempt++ {
		wait, err := c.attempt(ctx, client, u, body, idempotencyKey)
		if err == nil {
			return nil
		}
		var perm permanentError
		switch {
		case ctx.Err() != nil:
			return c.fail(u, attribution.KindRuntime, fmt.Errorf("%w after %d %s (%v)", ctx.Err(), attempt, plural(attempt, "attempt"), err))
		case errors.As(err, &perm):
			return c.fail(u, attribution.KindConfig, fmt.Errorf("%w: not retried, check the webhook's url, secret and format", err))
		case attempt >= attempts:
			return c.fail(u, attribution.KindRuntime, fmt.Errorf("%w (gave up after %d %s)", err, attempt, plural(attempt, "attempt")))
		}
		// Exponential backoff, bounded; a server's Retry-After wins when
		// it asks for longer, within the same bound.
		d := backoff
		for i := 1; i < attempt && d < MaxWebhookBackoff; i++ {
			d *= 2
		}
		d = max(d, min(wait, MaxWebhookBackoff))
		d = min(d, max(MaxWebhookBackoff, backoff))
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return c.fail(u, attribution.KindRuntime, fmt.Errorf("%w after %d %s (last: %v)", ctx.Err(), attempt, plural(attempt, "attempt"), err))
		case <-t.C:
		}
	}
}

// permanentError is an answer that repeating cannot change (a 4xx other
// than 408 and 429, or a redirect).
type permanentError struct{ error }

// attempt makes one request. It returns nil on a 2xx answer; otherwise the
// error, and how long the server asked to wait (Retry-After) if it did.
func (c WebhookConfig) attempt(ctx context.Context, client *http.Client, u *url.URL, body []byte, key string) (time.Duration, error) {
	timeout := c.Timeout
	if timeout == 0 {
		timeout = DefaultWebhookTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return 0, permanentError{errors.New("cannot build the request")}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "origen")
	req.Header.Set("Idempotency-Key", key)
	if c.Header != "" {
		req.Header.Set(c.Header, c.Secret)
	}
	resp, err := client.Do(req)
	if err != nil {
		// *url.Error's text repeats the whole URL, token included: keep
		// only the cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		if ctx.Err() == context.DeadlineExceeded {
			return 0, fmt.Errorf("no answer within %s", timeout)
		}
		return 0, err
	}
	defer resp.Body.Close()
	// A short excerpt of the answer explains most refusals ("invalid_token",
	// "no_text"); the rest is drained so the connection can be reused.
	excerpt, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return 0, nil
	}
	err = fmt.Errorf("answered %s", resp.Status)
	if e := oneLine(string(excerpt)); e != "" && e != http.StatusText(resp.StatusCode) {
		if r := []rune(e); len(r) > 200 {
			e = string(r[:200]) + "…"
		}
		err = fmt.Errorf("answered %s: %s", resp.Status, e)
	}
	switch code := resp.StatusCode; {
	case code == http.StatusRequestTimeout, code == http.StatusTooManyRequests, code >= 500:
		return retryAfter(resp.Header.Get("Retry-After")), err
	default: // 1xx, 3xx, other 4xx
		return 0, permanentError{err}
	}
}

// retryAfter reads a Retry-After header in seconds; 0 when absent or an
// HTTP date (not worth a clock here: the backoff applies instead).
func retryAfter(v string) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return 0
	}
	return time.Duration(min(n, int(MaxWebhookBackoff/time.Second))) * time.Second
}

// fail is the user-facing error of a delivery: the webhook named without
// its path and query, every secret redacted.
func (c WebhookConfig) fail(u *url.URL, kind attribution.Kind, err error) error {
	return safeError(kind, fmt.Sprintf("webhook %s: %v", displayURL(u), err), err, c.secrets(u))
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// slackText is the summary as Slack mrkdwn: one line of headline figures
// and the top channels.
func slackText(s Summary) string {
	esc := func(v string) string { return slackEscape(oneLine(v)) }
	var b strings.Builder
	fmt.Fprintf(&b, "*%s*", esc(s.Title))
	if s.Job != "" {
		fmt.Fprintf(&b, " (job %s)", esc(s.Job))
	}
	fmt.Fprintf(&b, "\nData as of %s", esc(s.AsOf))
	if s.Timezone != "" {
		fmt.Fprintf(&b, " (%s)", esc(s.Timezone))
	}
	fmt.Fprintf(&b, "\nRegistrations %s · Customers %s · Conversion rate %s · Spend %s · CAC %s · Revenue %s · ROAS %s",
		esc(s.Registrations), esc(s.Customers), esc(s.ConversionRate), esc(s.Spend), esc(s.CAC), esc(s.Revenue), esc(s.ROAS))
	if len(s.TopChannels) > 0 {
		b.WriteString("\nTop channels by customers:")
		for _, c := range s.TopChannels {
			fmt.Fprintf(&b, "\n• %s: %s customers (%s), CAC %s, ROAS %s", esc(c.Channel), esc(c.Customers), esc(c.ConversionRate), esc(c.CAC), esc(c.ROAS))
		}
		if s.OtherChannels > 0 {
			fmt.Fprintf(&b, "\n… and %d more %s in the full report", s.OtherChannels, plural(s.OtherChannels, "channel"))
		}
	}
	return b.String()
}

// slackEscape escapes the three characters Slack gives meaning in text
// (&, <, >), so a channel name cannot become a link or a mention.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
