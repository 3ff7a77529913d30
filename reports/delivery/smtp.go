package delivery

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/origen-analytics/origen/attribution"
)

// SMTP security modes (SMTPConfig.Security).
const (
	// SecuritySTARTTLS connects in clear text and upgrades with STARTTLS
	// before anything else is said; a server that does not offer it is an
	// error, never a fallback to clear text.
	SecuritySTARTTLS = "starttls"
	// SecurityTLS speaks TLS from the first byte (implicit TLS, port 465).
	SecurityTLS = "tls"
	// SecurityNone sends in clear text; allowed only to a loopback host
	// (a local relay such as Postfix on the same machine).
	SecurityNone = "none"
)

// DefaultSMTPTimeout bounds a whole SMTP delivery when SMTPConfig.Timeout
// is zero.
const DefaultSMTPTimeout = time.Minute

// SMTPConfig says how to reach the mail server and whom to write.
type SMTPConfig struct {
	Host string
	// Port defaults to 587 for starttls, 465 for tls and 25 for none.
	Port int
	// Security is "starttls" (the default when empty), "tls" or "none";
	// "none" only for localhost.
	Security string
	// Username enables AUTH PLAIN; Password comes from the environment
	// (the caller reads it) and never appears in an error.
	Username string
	Password string
	// From is the sender, "Origen <origen@example.com>" or a bare address.
	From string
	To   []string
	// SubjectTemplate is a text/template over Summary, e.g.
	// "Origen {{.Period}}: CAC {{.CAC}}"; "" means DefaultSubjectTemplate.
	SubjectTemplate string
	// Timeout bounds the whole delivery (connect, TLS, every command);
	// 0 means DefaultSMTPTimeout.
	Timeout time.Duration
	// TLSConfig is used for STARTTLS and implicit TLS; nil means the
	// system roots and ServerName = Host. Tests inject their CA here.
	TLSConfig *tls.Config
	// Now is the clock of the Date header; nil means time.Now.
	Now func() time.Time
}

// Validate checks the configuration without connecting. Its errors are
// *attribution.Error of KindConfig, so cmd/origen can report a wrong
// setting when it loads the configuration rather than at 06:00.
func (c SMTPConfig) Validate() error {
	_, _, err := c.addresses()
	if err != nil {
		return err
	}
	if h := c.hostname(); h == "" || strings.ContainsAny(h, "/:[] \t\r\n") && net.ParseIP(h) == nil {
		return configErr("SMTP host %q is not a host name or IP address", c.Host)
	}
	if c.Port < 0 || c.Port > 65535 {
		return configErr("SMTP port %d is not between 1 and 65535", c.Port)
	}
	switch c.security() {
	case SecuritySTARTTLS, SecurityTLS:
	case SecurityNone:
		if !isLoopback(c.hostname()) {
			return configErr("SMTP security %q sends the report and the password in clear text and is allowed only to localhost, not %s: use %q or %q", SecurityNone, c.Host, SecuritySTARTTLS, SecurityTLS)
		}
	default:
		return configErr("SMTP security %q is not one of %q, %q or %q", c.Security, SecuritySTARTTLS, SecurityTLS, SecurityNone)
	}
	if c.Username != "" && c.Password == "" {
		return configErr("SMTP username %q has no password: is the password's environment variable set?", c.Username)
	}
	if c.Timeout < 0 {
		return configErr("SMTP timeout %s is negative", c.Timeout)
	}
	if err := ValidateSubject(c.SubjectTemplate); err != nil {
		return configErr("e-mail %v", err)
	}
	return nil
}

// hostname is Host without the brackets of an IPv6 literal ("[::1]").
func (c SMTPConfig) hostname() string {
	return strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(c.Host), "["), "]")
}

func (c SMTPConfig) addr() string { return net.JoinHostPort(c.hostname(), strconv.Itoa(c.port())) }

func (c SMTPConfig) security() string {
	if c.Security == "" {
		return SecuritySTARTTLS
	}
	return strings.ToLower(c.Security)
}

func (c SMTPConfig) port() int {
	if c.Port != 0 {
		return c.Port
	}
	switch c.security() {
	case SecurityTLS:
		return 465
	case SecurityNone:
		return 25
	}
	return 587
}

func (c SMTPConfig) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c SMTPConfig) addresses() (*mail.Address, []*mail.Address, error) {
	from, err := mail.ParseAddress(c.From)
	if err != nil {
		return nil, nil, configErr("e-mail sender %q is not an address: %v", c.From, err)
	}
	if len(c.To) == 0 {
		return nil, nil, configErr("e-mail has no recipients")
	}
	to := make([]*mail.Address, 0, len(c.To))
	for _, s := range c.To {
		a, err := mail.ParseAddress(s)
		if err != nil {
			return nil, nil, configErr("e-mail recipient %q is not an address: %v", s, err)
		}
		to = append(to, a)
	}
	return from, to, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// SendEmail mails the summary of a finished report with the files
// attached: a multipart/mixed message whose first part is a
// multipart/alternative of the plain-text and the HTML summary. The
// attachments are read before connecting. It honours ctx and cfg.Timeout
// for the whole exchange, requires STARTTLS in starttls mode, and
// authenticates with AUTH PLAIN when cfg.Username is set. Errors are
// *attribution.Error: KindConfig for a configuration the server refuses
// (no STARTTLS, failed authentication, a rejected address), KindRuntime
// otherwise; none contains the password.
func SendEmail(ctx context.Context, cfg SMTPConfig, s Summary, attachments []Attachment) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	subject, err := renderSubject(cfg.SubjectTemplate, s)
	if err != nil {
		return configErr("e-mail %v", err)
	}
	parts, err := readAttachments(attachments)
	if err != nil {
		return attribution.Errorf(attribution.KindRuntime, "send e-mail: %w", err)
	}
	names := make([]string, len(parts))
	for i, p := range parts {
		names[i] = p.name
	}
	var text, html bytes.Buffer
	if err := s.writeText(&text, names); err != nil {
		return attribution.Errorf(attribution.KindRuntime, "send e-mail: %w", err)
	}
	if err := s.writeHTML(&html, names); err != nil {
		return attribution.Errorf(attribution.KindRuntime, "send e-mail: %w", err)
	}
	return cfg.send(ctx, subject, text.String(), html.String(), parts)
}

// SendFailureEmail mails a failure notice for job: subject "Origen job
// <job> failed", the error message in a plain-text body, no attachments.
// runErr's message is redacted with cfg's password before it is sent.
func SendFailureEmail(ctx context.Context, cfg SMTPConfig, job string, runErr error) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	return cfg.send(ctx, failureSubject(job), failureText(job, runErr, cfg.now(), cfg.Password), "", nil)
}

func failureSubject(job string) string {
	return oneLine("Origen job " + job + " failed")
}

// failureText is the body of a failure notice; secrets are redacted from
// the error message.
func failureText(job string, runErr error, now time.Time, secrets ...string) string {
	msg := "unknown error"
	if runErr != nil {
		msg = Redact(runErr.Error(), secrets...)
	}
	host, _ := os.Hostname()
	var b strings.Builder
	fmt.Fprintf(&b, "Origen job %s failed at %s", oneLine(job), now.Format("2006-01-02 15:04:05 -07:00"))
	if host != "" {
		fmt.Fprintf(&b, " on %s", host)
	}
	fmt.Fprintf(&b, ".\n\nError: %s\n\nOutputs are renamed into place only when complete, so no partial file was left behind. See the job's log for details.\n", msg)
	return b.String()
}

// send builds the message, connects and delivers it.
func (c SMTPConfig) send(ctx context.Context, subject, text, html string, parts []part) error {
	from, to, err := c.addresses()
	if err != nil {
		return err
	}
	now := c.now()
	m := message{from: from, to: to, subject: subject, date: now, id: newMessageID(from, now), text: text, html: html, attachments: parts}
	data, err := m.bytes()
	if err != nil {
		return attribution.Errorf(attribution.KindRuntime, "send e-mail: build message: %v", err)
	}
	if err := c.deliver(ctx, from, to, data); err != nil {
		return c.wrap(ctx, err)
	}
	return nil
}

// deliver speaks SMTP: connect, (STARTTLS), (AUTH), MAIL, RCPT, DATA, QUIT.
func (c SMTPConfig) deliver(ctx context.Context, from *mail.Address, to []*mail.Address, data []byte) error {
	timeout := c.Timeout
	if timeout == 0 {
		timeout = DefaultSMTPTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	addr := c.addr()
	tlsConf := c.tlsConfig()
	dialer := &net.Dialer{}
	var conn net.Conn
	var err error
	if c.security() == SecurityTLS {
		conn, err = (&tls.Dialer{NetDialer: dialer, Config: tlsConf}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = dialer.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close()
	// The deadline bounds every read and write, TLS handshakes included
	// (the TLS connection sits on conn); cancelling ctx moves it to the
	// past, which unblocks whatever is waiting at once.
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	client, err := smtp.NewClient(conn, c.hostname())
	if err != nil {
		return fmt.Errorf("greeting: %w", err)
	}
	defer client.Close()
	if err := client.Hello(helloName()); err != nil {
		return fmt.Errorf("EHLO: %w", err)
	}
	if c.security() == SecuritySTARTTLS {
		if ok, _ := client.Extension("STARTTLS"); !ok {
			return ErrNoSTARTTLS
		}
		if err := client.StartTLS(tlsConf); err != nil {
			return fmt.Errorf("STARTTLS: %w", err)
		}
	}
	if c.Username != "" {
		if ok, mechs := client.Extension("AUTH"); !ok || !hasWord(mechs, "PLAIN") {
			return fmt.Errorf("%w (it offers %q)", ErrNoAuthPlain, mechs)
		}
		// smtp.PlainAuth refuses to send the password unless the
		// connection is TLS or the host is localhost.
		if err := client.Auth(smtp.PlainAuth("", c.Username, c.Password, c.hostname())); err != nil {
			return fmt.Errorf("AUTH PLAIN as %s: %w", c.Username, err)
		}
	}
	if err := client.Mail(from.Address); err != nil {
		return fmt.Errorf("MAIL FROM %s: %w", from.Address, err)
	}
	for _, a := range to {
		if err := client.Rcpt(a.Address); err != nil {
			return fmt.Errorf("RCPT TO %s: %w", a.Address, err)
		}
	}
	w, err := client.Data()
	if err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	// Close sends the final "." and reads the server's acceptance: the
	// message is delivered only when it succeeds.
	if err := w.Close(); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	// The message is accepted; a failed QUIT loses nothing.
	_ = client.Quit()
	return nil
}

// Sentinel errors, wrapped in the *attribution.Error (KindConfig) that
// SendEmail and SendFailureEmail return, for errors.Is.
var (
	// ErrNoSTARTTLS means security is starttls and the server does not
	// offer STARTTLS.
	ErrNoSTARTTLS = errors.New("the server does not offer STARTTLS, and security = starttls never falls back to clear text (use tls if it expects TLS from the start, usually on port 465)")
	// ErrNoAuthPlain means a username is set and the server offers no AUTH
	// PLAIN (many offer AUTH only once the connection is encrypted).
	ErrNoAuthPlain = errors.New("the server does not offer AUTH PLAIN")
)

func hasWord(list, word string) bool {
	for _, w := range strings.Fields(list) {
		if strings.EqualFold(w, word) {
			return true
		}
	}
	return false
}

func (c SMTPConfig) tlsConfig() *tls.Config {
	var t *tls.Config
	if c.TLSConfig != nil {
		t = c.TLSConfig.Clone()
	} else {
		t = &tls.Config{}
	}
	if t.ServerName == "" {
		t.ServerName = c.hostname()
	}
	if t.MinVersion == 0 {
		t.MinVersion = tls.VersionTLS12
	}
	return t
}

// helloName is the name this client gives in EHLO: the host name when it
// is a plausible domain, else "localhost".
func helloName() string {
	h, err := os.Hostname()
	if err != nil || h == "" || strings.ContainsAny(h, " \t\r\n") {
		return "localhost"
	}
	return h
}

// wrap turns a delivery failure into the user-facing error: which server,
// what failed, classified by who has to act, with every secret redacted.
func (c SMTPConfig) wrap(ctx context.Context, err error) error {
	kind := attribution.KindRuntime
	var tpErr *textproto.Error
	switch {
	case ctx.Err() != nil:
		err = fmt.Errorf("%w (%v)", ctx.Err(), err)
	case errors.Is(err, ErrNoSTARTTLS), errors.Is(err, ErrNoAuthPlain):
		kind = attribution.KindConfig
	case errors.As(err, &tpErr) && tpErr.Code >= 500:
		// A permanent rejection (bad credentials, unknown recipient) needs
		// a changed configuration; 4xx replies are temporary.
		kind = attribution.KindConfig
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		err = fmt.Errorf("timed out after %s: %w", c.timeout(), err)
	}
	secrets := []string{c.Password}
	if c.Password != "" {
		// What AUTH PLAIN sends, should a server echo it back.
		secrets = append(secrets, base64.StdEncoding.EncodeToString([]byte("\x00"+c.Username+"\x00"+c.Password)))
	}
	return safeError(kind, fmt.Sprintf("send e-mail via %s: %v", c.addr(), err), err, secrets)
}

func (c SMTPConfig) timeout() time.Duration {
	if c.Timeout == 0 {
		return DefaultSMTPTimeout
	}
	return c.Timeout
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
