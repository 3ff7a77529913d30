package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/origen-analytics/origen/attribution"
)

func TestConfigTouchpoints(t *testing.T) {
	plain := `channel = "ch"`
	for _, tc := range []struct {
		name, regs, rest string
		want             string // error substring; "" = loads
	}{
		{"channel column", plain, "[touchpoints]\ntable = \"t\"\nuser_id = \"visitor\"\noccurred_at = \"at\"\nchannel = \"utm\"", ""},
		{"grouped like the registrations", utmRegs, "[touchpoints]\ntable = \"t\"\noccurred_at = \"at\"\nsource = \"s\"\nmedium = \"m\"", ""},
		{"source without grouped registrations", plain, "[touchpoints]\ntable = \"t\"\noccurred_at = \"at\"\nsource = \"s\"\nmedium = \"m\"", "[touchpoints] maps source and medium, but the registrations' channels are not grouped"},
		{"source only", utmRegs, "[touchpoints]\ntable = \"t\"\nsource = \"s\"", "[touchpoints] maps only one of source and medium"},
		{"channel and source", utmRegs, "[touchpoints]\ntable = \"t\"\nsource = \"s\"\nmedium = \"m\"\nchannel = \"c\"", "[touchpoints] maps channel = \"c\" and source and medium"},
		{"no table", plain, "[touchpoints]\nchannel = \"c\"", "[touchpoints] needs either table"},
		{"unknown column", plain, "[touchpoints]\ntable = \"t\"\nwhen = \"at\"", `[touchpoints] unknown key "when"`},
		{"markov order", plain, "[attribution]\nmarkov_order = 5", "[attribution] markov_order = 5"},
		{"unknown model", plain, "[attribution]\nmodels = [\"linear\", \"u_shape\"]", `[attribution] models names "u_shape"`},
		{"no model", plain, "[attribution]\nmodels = []", "[attribution] models = []"},
		{"conversion", plain, "[attribution]\nconversion = \"signup\"", `[attribution] conversion = "signup"`},
		{"lookback", plain, "[attribution]\nlookback_days = 0", "[attribution] lookback_days = 0"},
		{"half-life", plain, "[attribution]\nhalf_life_days = -1.5", "[attribution] half_life_days = -1.5"},
		{"unknown key", plain, "[attribution]\nlookback = 3", "unknown key attribution.lookback"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := loadConfig(writeFile(t, t.TempDir(), "c.toml", utmConfig(tc.regs, "channel = \"c\"", tc.rest)), envMap{}.get)
			if tc.want != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("err = %v, want %q", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tp := c.Mapping.Touchpoints
			if tp == nil || tp.GroupChannel != (tc.regs == utmRegs) {
				t.Fatalf("touchpoints %+v", tp)
			}
		})
	}
	t.Run("settings", func(t *testing.T) {
		c, err := loadConfig(writeFile(t, t.TempDir(), "c.toml", utmConfig(plain, "channel = \"c\"", `[touchpoints]
table = "t"
[attribution]
conversion = "registration"
lookback_days = 14
models = ["markov", "linear"]
half_life_days = 3.5
markov_order = 2
direct = [" Direct ", "(none)"]
max_paths = 50
`)), envMap{}.get)
		if err != nil {
			t.Fatal(err)
		}
		s := c.Touch
		want := attribution.TouchSettings{Conversion: "registration", LookbackDays: 14, Models: []attribution.TouchModel{"markov", "linear"},
			HalfLifeDays: 3.5, MarkovOrder: 2, Direct: []string{"Direct", "(none)"}, MaxPaths: 50}
		if s.Conversion != want.Conversion || s.LookbackDays != 14 || !slices.Equal(s.Models, want.Models) || s.HalfLifeDays != 3.5 ||
			s.MarkovOrder != 2 || !slices.Equal(s.Direct, want.Direct) || s.MaxPaths != 50 {
			t.Errorf("settings %+v", s)
		}
		// The About sheet's configuration text has both sections.
		for _, want := range []string{"\n[touchpoints]\ntable = \"t\"\n", "\n[attribution]\nconversion = \"registration\"\nlookback_days = 14\nmodels = [\"markov\", \"linear\"]\nhalf_life_days = 3.5\nmarkov_order = 2\n"} {
			if !strings.Contains(c.Text, want) {
				t.Errorf("config text lacks %q:\n%s", want, c.Text)
			}
		}
	})
	t.Run("without the sections", func(t *testing.T) {
		c, err := loadConfig(writeFile(t, t.TempDir(), "c.toml", utmConfig(plain, "channel = \"c\"", "")), envMap{}.get)
		if err != nil {
			t.Fatal(err)
		}
		if c.Mapping.Touchpoints != nil || c.Touch.WithDefaults().LookbackDays != 30 {
			t.Errorf("touchpoints %+v, settings %+v", c.Mapping.Touchpoints, c.Touch)
		}
	})
}
