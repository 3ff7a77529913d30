package main

import (
	"strings"
	"testing"

	"github.com/origen-analytics/origen/reports"
)

// TestConfigPaper: [report] paper is "a4" (the default) or "letter"; any
// other value is a configuration error naming the key and the value.
func TestConfigPaper(t *testing.T) {
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
		name, line, want string
		err              []string
	}{
		{"default", "", reports.PaperA4, nil},
		{"a4", `paper = "a4"`, reports.PaperA4, nil},
		{"letter", `paper = "letter"`, reports.PaperLetter, nil},
		{"unknown", `paper = "A3"`, "", []string{`[report] paper = "A3"`, `"a4"`, `"letter"`}},
		{"capitalised", `paper = "Letter"`, "", []string{`[report] paper = "Letter"`}},
		{"not text", `paper = 4`, "", []string{"paper"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "c.toml", base+tt.line+"\n")
			c, err := loadConfig(path, envMap{}.get)
			if tt.err != nil {
				if err == nil {
					t.Fatalf("no error, paper = %q", c.Paper)
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
			if c.Paper != tt.want {
				t.Errorf("paper = %q, want %q", c.Paper, tt.want)
			}
			if tt.line != "" && !strings.Contains(c.Text, `paper = "`+tt.want+`"`) {
				t.Errorf("the About sheet's configuration does not show the paper:\n%s", c.Text)
			}
		})
	}
}
