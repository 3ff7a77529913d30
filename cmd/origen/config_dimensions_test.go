package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/origen-analytics/origen/attribution"
)

// [registrations] dimensions is a list of column names; anything else in
// it, or another key that is not text, is a configuration error naming
// the key; the audit text of the About sheet lists it.
func TestConfigDimensions(t *testing.T) {
	conf := func(reg string) string {
		return "[database]\ndriver = \"sqlite\"\ndsn = \"x.db\"\n[registrations]\ntable = \"r\"\n" + reg +
			"\n[purchases]\ntable = \"p\"\n[spend]\nfile = \"s.csv\"\n[report]\ncurrency = \"EUR\"\n"
	}
	dir := t.TempDir()
	c, err := loadConfig(writeFile(t, dir, "ok.toml", conf(`dimensions = ["country", "device"]`)), envMap{}.get)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Mapping.Registrations.Dimensions, []string{"country", "device"}) || c.Mapping.Registrations.Table != "r" {
		t.Errorf("registrations %+v", c.Mapping.Registrations)
	}
	if !strings.Contains(c.Text, `dimensions = ["country", "device"]`) {
		t.Errorf("audit text lacks the dimensions:\n%s", c.Text)
	}
	for _, tc := range []struct{ reg, want string }{
		{`dimensions = "country"`, "dimensions must be a list of column names"},
		{`dimensions = [1]`, "dimensions must be a list of column names (text)"},
		{`dimensions = ["a", "a"]`, `dimensions lists "a" twice`},
		{`dimensions = ["a", "b", "c", "d", "e"]`, "at most 4"},
		{`dimensions = [" "]`, "empty name"},
		{`channel = 3`, "channel must be text"},
	} {
		_, err := loadConfig(writeFile(t, dir, "bad.toml", conf(tc.reg)), envMap{}.get)
		if err == nil || attribution.KindOf(err) != attribution.KindConfig || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want a config error with %q", tc.reg, err, tc.want)
		}
	}
}
