package main

import (
	"strings"
	"testing"

	"github.com/origen-analytics/origen/reports"
)

// TestConfigMaxChannels: [report] max_channels defaults to
// reports.DefaultMaxChannels and must be a whole number of at least 1;
// errors name the key.
func TestConfigMaxChannels(t *testing.T) {
	base := `[database]
driver = "sqlite"
dsn = "x.sqlite"
[registrations]
table = "r"
[purchases]
table = "p"
[spend]
table = "s"
[report]
currency = "EUR"
`
	for _, tt := range []struct {
		name, line string
		want       int
		err        []string
	}{
		{"default", "", reports.DefaultMaxChannels, nil},
		{"set", "max_channels = 12", 12, nil},
		{"one", "max_channels = 1", 1, nil},
		{"zero", "max_channels = 0", 0, []string{"[report] max_channels = 0", "at least 1"}},
		{"negative", "max_channels = -5", 0, []string{"[report] max_channels = -5", "at least 1"}},
		{"not a number", `max_channels = "50"`, 0, []string{"max_channels"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "c.toml", base+tt.line+"\n")
			c, err := loadConfig(path, envMap{}.get)
			if tt.err != nil {
				if err == nil {
					t.Fatalf("no error, max_channels = %d", c.MaxChannels)
				}
				for _, w := range tt.err {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not say %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.MaxChannels != tt.want {
				t.Errorf("max_channels = %d, want %d", c.MaxChannels, tt.want)
			}
		})
	}
}
