package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/fixtures"
)

// fuzzEnv sets every variable whose name starts with SET (so that
// ${SET_X}, password_env and secret_env resolve) and no other.
func fuzzEnv(name string) string {
	if strings.HasPrefix(name, "SET") {
		return "value-of-" + name
	}
	return ""
}

// The config loader takes any bytes: a config, or a KindConfig error that
// says what to fix; never a panic. What it accepts is within the ranges
// the rest of Origen relies on.
func FuzzLoadConfig(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("..", "..", "examples", "origen.toml")); err == nil {
		f.Add(b)
	}
	base := fixtures.ConfigTOML("sqlite", "demo.sqlite", "")
	f.Add([]byte(base))
	f.Add([]byte(base + demoTargets))
	f.Add([]byte(fixtures.ConfigTOML("postgres", "postgres://u:${SET_PW}@db/x?sslmode=require", "shop")))
	f.Add([]byte(base + "\n[events]\ntable = \"events\"\n"))
	f.Add([]byte(base + `
[smtp]
host = "smtp.example.com"
from = "origen@example.com"
password_env = "SET_SMTP"
[[job]]
name = "monthly"
period = "last-month"
out = "reports"
formats = ["xlsx", "csv"]
timeout = "10m"
retries = 2
[job.targets]
cac_max = 60
[job.email]
to = ["a@example.com"]
subject = "Origen {{.Job}}: CAC {{.CAC}}"
[job.webhook]
url = "https://hooks.example.com/x"
format = "slack"
secret_env = "SET_HOOK"
`))
	f.Add([]byte("[database]\ndriver = \"sqlite\"\ndsn = \"${UNSET}\"\n"))
	f.Add([]byte("[report]\nconversion_window_days = 99999999999999999999\n"))
	f.Add([]byte("[[job]]\n[[job]]\nname = 1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "origen.toml")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := loadConfig(path, fuzzEnv)
		if err != nil {
			if attribution.KindOf(err) != attribution.KindConfig || err.Error() == "" {
				t.Errorf("error %q is not a config error (kind %v)", err, attribution.KindOf(err))
			}
			return
		}
		if cfg.Location == nil || cfg.WindowDays < 1 || cfg.WindowDays > 3650 || cfg.Currency.Digits < 0 || cfg.Currency.Digits > 4 {
			t.Errorf("accepted a config out of range: zone %v, window %d, currency %+v", cfg.Location, cfg.WindowDays, cfg.Currency)
		}
		if cfg.StatementTimeout <= 0 || cfg.ConnectTimeout <= 0 {
			t.Errorf("accepted timeouts %v, %v", cfg.StatementTimeout, cfg.ConnectTimeout)
		}
		for _, j := range cfg.Jobs {
			if j.Name == "" || j.Timeout <= 0 || len(j.Formats) == 0 || strings.ContainsAny(j.FilePattern, `/\`) || !filepath.IsAbs(j.Out) {
				t.Errorf("accepted job %+v", j)
			}
		}
	})
}
