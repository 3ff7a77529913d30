package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/origen-analytics/origen/attribution"
)

// baseConfig is a valid configuration that tests extend with sections.
const baseConfig = `[database]
driver = "postgres"
dsn = "postgres://origen:s3cret@db/shop?sslmode=require"
[registrations]
table = "r"
[purchases]
table = "p"
[spend]
table = "s"
[report]
currency = "EUR"
`

func TestConfigTargets(t *testing.T) {
	cfg := writeFile(t, t.TempDir(), "c.toml", baseConfig+`
[targets]
cac_max = 120          # an integer is fine
conversion_rate_min = 0.05
[targets.channel."Paid Search"]
cac_max = 80.5
roas_min = 1.5
[targets.channel." Email "]
conversion_rate_min = 0.2
`)
	c, err := loadConfig(cfg, envMap{}.get)
	if err != nil {
		t.Fatal(err)
	}
	tg := c.Targets
	if tg.Default.CACMax == nil || *tg.Default.CACMax != 120*attribution.MoneyScale || *tg.Default.ConversionRateMin != 0.05 || tg.Default.ROASMin != nil {
		t.Errorf("default = %+v", tg.Default)
	}
	ps := tg.For("Paid Search")
	if *ps.CACMax != attribution.Money(805000) || *ps.ROASMin != 1.5 || *ps.ConversionRateMin != 0.05 {
		t.Errorf("Paid Search = %+v, want its own CAC and ROAS over the default rate", ps)
	}
	if e := tg.For("Email"); *e.ConversionRateMin != 0.2 {
		t.Errorf("Email (trimmed) = %+v", e)
	}
}

func TestConfigTargetsErrors(t *testing.T) {
	tests := []struct{ name, section, want string }{
		{"rate as a percentage", "[targets]\nconversion_rate_min = 5\n", "[targets] conversion_rate_min = 5: a fraction from 0 to 1 (5% is 0.05)"},
		{"negative CAC", "[targets.channel.\"Display\"]\ncac_max = -3\n", `[targets.channel."Display"] cac_max = -3: use a number of 0 or more`},
		{"too many decimals", "[targets]\ncac_max = 1.23456\n", "[targets] cac_max = 1.23456: an amount in the report currency with at most 4 decimals"},
		{"unknown key", "[targets]\ncac = 3\n", "unknown key targets.cac"},
		{"unknown channel key", "[targets.channel.\"Email\"]\nroas = 3\n", "unknown key targets.channel.Email.roas"},
		{"channel without targets", "[targets.channel.\"Email\"]\n", `[targets.channel."Email"] sets no target`},
		{"blank channel", "[targets.channel.\" \"]\ncac_max = 3\n", "a channel name is empty; registrations without a channel are \"(none)\""},
		{"same channel twice after trimming", "[targets.channel.\"Email\"]\ncac_max = 3\n[targets.channel.\"Email \"]\ncac_max = 4\n", `channel "Email" has targets twice`},
		{"text instead of a number", "[targets]\nroas_min = \"1.5\"\n", "roas_min"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := writeFile(t, t.TempDir(), "c.toml", baseConfig+tt.section)
			_, err := loadConfig(cfg, envMap{}.get)
			var ae *attribution.Error
			if err == nil || !errors.As(err, &ae) || ae.Kind != attribution.KindConfig || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want a config error with %q", err, tt.want)
			}
		})
	}
}

func TestConfigAuditText(t *testing.T) {
	cfg := writeFile(t, t.TempDir(), "c.toml", baseConfig+`timezone = "Europe/Berlin"
detail = true
[targets]
roas_min = 1.2
[targets.channel."Paid \"Search\""]
cac_max = 80
[smtp]
host = "mail.example.com"
from = "origen@example.com"
username = "smtp-user-secret"
`)
	c, err := loadConfig(cfg, envMap{}.get)
	if err != nil {
		t.Fatal(err)
	}
	want := `[database]
driver = "postgres"
dsn = "postgres://origen:xxxxx@db/shop?sslmode=require"

[registrations]
table = "r"

[purchases]
table = "p"

[spend]
table = "s"

[report]
currency = "EUR"
timezone = "Europe/Berlin"
detail = true

[targets]
roas_min = 1.2

[targets.channel."Paid \"Search\""]
cac_max = 80.0
`
	if c.Text != want {
		t.Errorf("audit text =\n%s\nwant\n%s", c.Text, want)
	}
	for _, secret := range []string{"s3cret", "smtp-user-secret", "mail.example.com"} {
		if strings.Contains(c.Text, secret) {
			t.Errorf("audit text shows %q", secret)
		}
	}
	if !c.Detail {
		t.Errorf("[report] detail = true was not read")
	}
}

func TestPreviousPeriod(t *testing.T) {
	d := func(s string) attribution.Date {
		x, err := attribution.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	tests := []struct{ from, to, wantFrom string }{
		{"2026-10-01", "2026-11-01", "2026-08-31"}, // 31 days before October
		{"2026-03-01", "2026-04-01", "2026-01-29"},
		{"2026-11-16", "2026-11-23", "2026-11-09"}, // a week
		{"2024-03-01", "2024-03-02", "2024-02-29"}, // a day, leap year
	}
	for _, tt := range tests {
		p := attribution.PreviousPeriod(attribution.Period{From: d(tt.from), To: d(tt.to)})
		if p.From != d(tt.wantFrom) || p.To != d(tt.from) {
			t.Errorf("previous of %s–%s = %s", tt.from, tt.to, p)
		}
	}
}
