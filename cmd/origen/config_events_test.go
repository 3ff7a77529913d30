package main

import (
	"strings"
	"testing"
)

// [events] is optional; when present it is read and refused exactly like
// the other input sections.
func TestConfigEvents(t *testing.T) {
	const base = `[database]
driver = "sqlite"
dsn = "x.db"
[registrations]
table = "r"
[purchases]
table = "p"
[spend]
file = "spend.csv"
[report]
currency = "EUR"
`
	dir := t.TempDir()
	c, err := loadConfig(writeFile(t, dir, "none.toml", base), envMap{}.get)
	if err != nil || c.Mapping.Events != nil || strings.Contains(c.Text, "[events]") {
		t.Fatalf("without [events]: %v, %+v", err, c)
	}
	c, err = loadConfig(writeFile(t, dir, "ev.toml", base+"[events]\ntable = \"web.events\"\noccurred_at = \"ts\"\n"), envMap{}.get)
	if err != nil {
		t.Fatal(err)
	}
	if e := c.Mapping.Events; e == nil || e.Table != "web.events" || e.Columns["occurred_at"] != "ts" || !strings.Contains(c.Text, "[events]") {
		t.Errorf("events = %+v, text %q", e, c.Text)
	}
	for _, tc := range []struct{ section, want string }{
		{"[events]\n", "[events] needs either table"},
		{"[events]\ntable = \"e\"\nwhen = \"ts\"\n", `[events] unknown key "when"`},
		{"[events]\nfile = \"e.csv\"\n", "[events] file = is only for [spend]"},
		{"[events]\ntable = \"e\"\nsql = \"SELECT 1\"\n", "[events] sets both table and sql"},
	} {
		_, err := loadConfig(writeFile(t, dir, "bad.toml", base+tc.section), envMap{}.get)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.section, err, tc.want)
		}
	}
}
