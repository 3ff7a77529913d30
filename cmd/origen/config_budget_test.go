package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/origen-analytics/origen/attribution"
)

func TestConfigBudget(t *testing.T) {
	t.Run("defaults", func(t *testing.T) {
		c, err := loadConfig(writeFile(t, t.TempDir(), "c.toml", baseConfig), envMap{}.get)
		if err != nil {
			t.Fatal(err)
		}
		b := c.Budget
		if b.Objective != "customers" || b.LookbackWeeks != 26 || b.Options.BaselineWeeks != 4 || b.Options.MaxChange != 0.3 || b.Options.HasTotal || b.Limits != nil {
			t.Errorf("defaults %+v", b)
		}
	})
	t.Run("every key", func(t *testing.T) {
		c, err := loadConfig(writeFile(t, t.TempDir(), "c.toml", baseConfig+`
[budget]
objective = "revenue"
lookback_weeks = 12
baseline_weeks = 2
total = 30000       # an integer is fine
max_change = 0.25
[budget.channel."Paid Search"]
min = 1000.5
max = 9000
[budget.channel." Display "]
max = 500
`), envMap{}.get)
		if err != nil {
			t.Fatal(err)
		}
		b := c.Budget
		if b.Objective != "revenue" || b.LookbackWeeks != 12 || b.Options.BaselineWeeks != 2 || b.Options.MaxChange != 0.25 ||
			!b.Options.HasTotal || b.Options.Total != 30000*attribution.MoneyScale {
			t.Errorf("budget %+v", b)
		}
		ps, d := b.Limits["Paid Search"], b.Limits["Display"]
		if !ps.HasMin || ps.Min != 10005000 || !ps.HasMax || ps.Max != 9000*attribution.MoneyScale || d.HasMin || d.Max != 500*attribution.MoneyScale {
			t.Errorf("limits %+v", b.Limits)
		}
		for _, line := range []string{"[budget]", `objective = "revenue"`, "lookback_weeks = 12", "total = 30000.0", `[budget.channel."Paid Search"]`, "min = 1000.5"} {
			if !strings.Contains(c.Text, line) {
				t.Errorf("audit text lacks %q:\n%s", line, c.Text)
			}
		}
	})
}

func TestConfigBudgetErrors(t *testing.T) {
	tests := []struct{ name, section, want string }{
		{"objective", "[budget]\nobjective = \"profit\"\n", `[budget] objective = "profit": use "customers" (the default) or "revenue"`},
		{"lookback too short", "[budget]\nlookback_weeks = 4\n", "[budget] lookback_weeks = 4: use a number of weeks from 8"},
		{"baseline zero", "[budget]\nbaseline_weeks = 0\n", "[budget] baseline_weeks = 0: use a number of weeks from 1 to lookback_weeks (26)"},
		{"baseline above lookback", "[budget]\nlookback_weeks = 10\nbaseline_weeks = 11\n", "[budget] baseline_weeks = 11"},
		{"max_change as a percentage", "[budget]\nmax_change = 30\n", "[budget] max_change = 30: a fraction from 0 to 1"},
		{"negative total", "[budget]\ntotal = -1\n", "[budget] total = -1: a weekly amount of 0 or more"},
		{"too many decimals", "[budget]\ntotal = 1.23456\n", "[budget] total = 1.23456: a weekly amount in the report currency with at most 4 decimals"},
		{"min above max", "[budget.channel.\"Email\"]\nmin = 10\nmax = 5\n", `[budget.channel."Email"] min = 10 is above max = 5`},
		{"negative max", "[budget.channel.\"Email\"]\nmax = -5\n", `[budget.channel."Email"] max = -5`},
		{"channel without limits", "[budget.channel.\"Email\"]\n", `[budget.channel."Email"] sets no limit`},
		{"blank channel", "[budget.channel.\" \"]\nmax = 3\n", "a channel name is empty"},
		{"same channel twice", "[budget.channel.\"Email\"]\nmax = 3\n[budget.channel.\"Email \"]\nmax = 4\n", `channel "Email" has limits twice`},
		{"unknown key", "[budget]\nweeks = 3\n", "unknown key budget.weeks"},
		{"unknown channel key", "[budget.channel.\"Email\"]\nmaximum = 3\n", "unknown key budget.channel.Email.maximum"},
		{"text instead of a number", "[budget]\ntotal = \"100\"\n", "total"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadConfig(writeFile(t, t.TempDir(), "c.toml", baseConfig+tt.section), envMap{}.get)
			var ae *attribution.Error
			if err == nil || !errors.As(err, &ae) || ae.Kind != attribution.KindConfig || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want a config error with %q", err, tt.want)
			}
		})
	}
}
