package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/origen-analytics/origen/attribution"
)

func TestConfigPaid(t *testing.T) {
	c, err := loadConfig(writeFile(t, t.TempDir(), "c.toml", utmConfig("channel = \"ch\"", "", `
[channels]
paid = [" Partners "]
unpaid = ["Email", "Organic Search"]
`)), envMap{}.get)
	if err != nil {
		t.Fatal(err)
	}
	p := c.Paid
	if len(p.Paid) != 1 || !p.Paid["Partners"] || len(p.Unpaid) != 2 || !p.Unpaid["Email"] || !p.Unpaid["Organic Search"] {
		t.Errorf("paid rule = %+v", p)
	}
	if !strings.Contains(c.Text, "paid = [' Partners ']") && !strings.Contains(c.Text, `paid = [" Partners "]`) {
		t.Errorf("About text lacks the paid list:\n%s", c.Text)
	}
	if !strings.Contains(c.Text, "unpaid = [") {
		t.Errorf("About text lacks the unpaid list:\n%s", c.Text)
	}
}

func TestConfigPaidErrors(t *testing.T) {
	tests := []struct{ name, rest, want string }{
		{"in both lists", "[channels]\npaid = [\"Email\"]\nunpaid = [\" Email\"]\n", `[channels] names "Email" in both paid and unpaid`},
		{"empty name", "[channels]\nunpaid = [\"Email\", \"  \"]\n", "[channels] unpaid: entry 2 is empty"},
		{"not a list", "[channels]\npaid = \"Email\"\n", "paid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadConfig(writeFile(t, t.TempDir(), "c.toml", utmConfig("channel = \"ch\"", "", tt.rest)), envMap{}.get)
			var ae *attribution.Error
			if err == nil || !errors.As(err, &ae) || ae.Kind != attribution.KindConfig || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want a config error containing %q", err, tt.want)
			}
		})
	}
}
