package main

import (
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/reports/delivery"
)

// rawSMTP mirrors [smtp]: the mail server that jobs send reports through.
type rawSMTP struct {
	Host        string `toml:"host"`
	Port        int    `toml:"port"`
	Security    string `toml:"security"`
	Username    string `toml:"username"`
	From        string `toml:"from"`
	PasswordEnv string `toml:"password_env"`
}

// rawJob mirrors one [[job]] table.
type rawJob struct {
	Name        string   `toml:"name"`
	Period      string   `toml:"period"`
	Mature      bool     `toml:"mature"`
	AllowEmpty  bool     `toml:"allow_empty"`
	Compare     string   `toml:"compare"`
	Cohort      string   `toml:"cohort"`
	Out         string   `toml:"out"`
	FilePattern string   `toml:"file_pattern"`
	Formats     []string `toml:"formats"`
	Timeout     duration `toml:"timeout"`
	Retries     *int     `toml:"retries"`
	// Targets, when set, replace the config's [targets] for this job.
	Targets *rawTargets `toml:"targets"`
	Email   *struct {
		To        []string `toml:"to"`
		Subject   string   `toml:"subject"`
		OnFailure *bool    `toml:"on_failure"`
	} `toml:"email"`
	Webhook *struct {
		URL       string `toml:"url"`
		Format    string `toml:"format"`
		Header    string `toml:"header"`
		SecretEnv string `toml:"secret_env"`
		OnFailure *bool  `toml:"on_failure"`
	} `toml:"webhook"`
}

// smtpServer is a validated [smtp] table; the password comes from the
// environment variable it names, never from the file.
type smtpServer struct {
	Host, Security, Username, From string
	Port                           int
	Password                       string
}

// job is a validated [[job]] table: a report that origen run produces and
// delivers unattended.
type job struct {
	Name        string
	Period      string
	Mature      bool
	AllowEmpty  bool // write a report with no registrations instead of failing
	Compare     attribution.Comparison
	Cohort      string
	Out         string
	FilePattern string
	Formats     []string
	Timeout     time.Duration
	Retries     int
	Targets     *attribution.Targets // nil: the config's [targets]
	Email       *jobEmail
	Webhook     *jobWebhook
}

type jobEmail struct {
	To        []string
	Subject   string
	OnFailure bool
}

type jobWebhook struct {
	URL, Format, Header string
	Secret              string
	OnFailure           bool
}

// Defaults of a job.
const (
	defaultFilePattern = "origen_{job}_{from}_{to}"
	defaultJobTimeout  = 30 * time.Minute
	defaultJobRetries  = 3
	defaultSubject     = "Origen {{.Job}}: {{.Period}}"
)

var allFormats = []string{"xlsx", "html", "json", "csv"}

// loadJobs validates [smtp] and the [[job]] tables.
func (c *config) loadJobs(rs *rawSMTP, raw []rawJob, getenv func(string) string) error {
	if rs != nil {
		s := &smtpServer{Host: rs.Host, Port: rs.Port, Security: rs.Security, Username: rs.Username, From: rs.From}
		if s.Host == "" || s.From == "" {
			return fmt.Errorf("[smtp] needs host and from")
		}
		if s.Security == "" {
			s.Security = "starttls"
		}
		if !slices.Contains([]string{"starttls", "tls", "none"}, s.Security) {
			return fmt.Errorf("[smtp] security = %q: use \"starttls\", \"tls\" or \"none\" (none only for a local relay)", s.Security)
		}
		if s.Port == 0 {
			s.Port = map[string]int{"starttls": 587, "tls": 465, "none": 25}[s.Security]
		}
		if rs.PasswordEnv != "" {
			s.Password = getenv(rs.PasswordEnv)
			if s.Password == "" {
				return fmt.Errorf("[smtp] password_env = %q, but that variable is not set", rs.PasswordEnv)
			}
		}
		c.SMTP = s
	}
	seen := map[string]bool{}
	for i, r := range raw {
		where := fmt.Sprintf("[[job]] #%d", i+1)
		if r.Name == "" {
			return fmt.Errorf("%s has no name", where)
		}
		if strings.ContainsAny(r.Name, `/\ `) {
			return fmt.Errorf("%s name = %q: use letters, digits, - and _ only", where, r.Name)
		}
		where = fmt.Sprintf("[[job]] %q", r.Name)
		if seen[r.Name] {
			return fmt.Errorf("%s is defined twice", where)
		}
		seen[r.Name] = true
		j := job{Name: r.Name, Period: r.Period, Mature: r.Mature, AllowEmpty: r.AllowEmpty, Cohort: r.Cohort, Out: r.Out,
			FilePattern: r.FilePattern, Formats: r.Formats, Timeout: r.Timeout.Duration, Retries: defaultJobRetries}
		if j.Period == "" {
			return fmt.Errorf("%s has no period: use one of %s", where, periodNames)
		}
		cmp, err := attribution.ParseComparison(r.Compare)
		if err != nil {
			return fmt.Errorf("%s %v", where, err)
		}
		j.Compare = cmp
		if j.Cohort == "" {
			j.Cohort = "month"
		}
		if j.Cohort != "month" && j.Cohort != "week" {
			return fmt.Errorf("%s cohort = %q: use \"month\" or \"week\"", where, j.Cohort)
		}
		if j.Out == "" {
			return fmt.Errorf("%s has no out directory", where)
		}
		if !filepath.IsAbs(j.Out) {
			j.Out = filepath.Join(filepath.Dir(c.Path), j.Out)
		}
		if j.FilePattern == "" {
			j.FilePattern = defaultFilePattern
		}
		if strings.ContainsAny(j.FilePattern, `/\`) {
			return fmt.Errorf("%s file_pattern = %q must be a file name, not a path (use out for the directory)", where, j.FilePattern)
		}
		if len(j.Formats) == 0 {
			j.Formats = []string{"xlsx", "html", "json"}
		}
		for _, f := range j.Formats {
			if !slices.Contains(allFormats, f) {
				return fmt.Errorf("%s formats: %q is not one of %s", where, f, strings.Join(allFormats, ", "))
			}
		}
		if j.Timeout == 0 {
			j.Timeout = defaultJobTimeout
		}
		if r.Retries != nil {
			if *r.Retries < 0 || *r.Retries > 10 {
				return fmt.Errorf("%s retries = %d: use 0 to 10", where, *r.Retries)
			}
			j.Retries = *r.Retries
		}
		if r.Targets != nil {
			t, err := loadTargets(r.Targets)
			if err != nil {
				return fmt.Errorf("%s [job.targets]: %v", where, err)
			}
			j.Targets = &t
		}
		if e := r.Email; e != nil {
			if c.SMTP == nil {
				return fmt.Errorf("%s has [job.email] but the config has no [smtp] server", where)
			}
			if len(e.To) == 0 {
				return fmt.Errorf("%s [job.email] has no recipients (to = [...])", where)
			}
			for _, to := range e.To {
				if !strings.Contains(to, "@") {
					return fmt.Errorf("%s [job.email] to: %q is not an e-mail address", where, to)
				}
			}
			j.Email = &jobEmail{To: e.To, Subject: e.Subject, OnFailure: e.OnFailure == nil || *e.OnFailure}
			if j.Email.Subject == "" {
				j.Email.Subject = defaultSubject
			}
		}
		if w := r.Webhook; w != nil {
			if !strings.HasPrefix(w.URL, "https://") && !strings.HasPrefix(w.URL, "http://") {
				return fmt.Errorf("%s [job.webhook] url = %q must be an http(s) URL", where, redactURL(w.URL))
			}
			hook := &jobWebhook{URL: w.URL, Format: w.Format, Header: w.Header, OnFailure: w.OnFailure == nil || *w.OnFailure}
			if hook.Format == "" {
				hook.Format = "json"
			}
			if hook.Format != "json" && hook.Format != "slack" {
				return fmt.Errorf("%s [job.webhook] format = %q: use \"json\" or \"slack\"", where, hook.Format)
			}
			if w.SecretEnv != "" {
				hook.Secret = getenv(w.SecretEnv)
				if hook.Secret == "" {
					return fmt.Errorf("%s [job.webhook] secret_env = %q, but that variable is not set", where, w.SecretEnv)
				}
				if hook.Header == "" {
					hook.Header = "Authorization"
				}
			}
			j.Webhook = hook
		}
		// The delivery package knows its own rules (subject template
		// fields, secrets only over https): check them now, not at 06:00.
		if j.Email != nil {
			if err := (delivery.SMTPConfig{Host: c.SMTP.Host, Port: c.SMTP.Port, Security: c.SMTP.Security,
				Username: c.SMTP.Username, Password: c.SMTP.Password, From: c.SMTP.From, To: j.Email.To,
				SubjectTemplate: j.Email.Subject}).Validate(); err != nil {
				return fmt.Errorf("%s [job.email]: %v", where, err)
			}
		}
		if j.Webhook != nil {
			if err := (delivery.WebhookConfig{URL: j.Webhook.URL, Format: j.Webhook.Format, Header: j.Webhook.Header,
				Secret: j.Webhook.Secret}).Validate(); err != nil {
				return fmt.Errorf("%s [job.webhook]: %v", where, err)
			}
		}
		c.Jobs = append(c.Jobs, j)
	}
	return nil
}

// fileBase expands a job's file pattern for a period.
func (j job) fileBase(from, to string) string {
	return strings.NewReplacer("{job}", j.Name, "{from}", from, "{to}", to).Replace(j.FilePattern)
}

// redactURL keeps only a URL's scheme and host: webhook tokens live in
// paths (Slack), query strings and user info.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(unparsable URL)"
	}
	if u.Path == "" && u.RawQuery == "" && u.User == nil {
		return u.Scheme + "://" + u.Host
	}
	return u.Scheme + "://" + u.Host + "/…"
}
