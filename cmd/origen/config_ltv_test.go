package main

import (
	"strings"
	"testing"

	"github.com/origen-analytics/origen/attribution"
)

// TestConfigLTV: [ltv] cohort_months defaults to 24 (1 to 120) and
// [report] gross_margin to 1 (0 < g ≤ 1); errors name the key; the About
// text repeats what was set.
func TestConfigLTV(t *testing.T) {
	base := "[database]\ndriver = \"sqlite\"\ndsn = \"x.sqlite\"\n[registrations]\ntable = \"r\"\n[purchases]\ntable = \"p\"\n[spend]\ntable = \"s\"\n[report]\ncurrency = \"EUR\"\n"
	for _, tt := range []struct {
		name, report, ltv string
		months            int
		margin            attribution.GrossMargin
		err               []string
	}{
		{"defaults", "", "", 24, 1, nil},
		{"set", "gross_margin = 0.35\n", "[ltv]\ncohort_months = 12\n", 12, 0.35, nil},
		{"margin zero", "gross_margin = 0\n", "", 0, 0, []string{"[report] gross_margin = 0", "above 0 and at most 1"}},
		{"margin above one", "gross_margin = 1.5\n", "", 0, 0, []string{"[report] gross_margin = 1.5"}},
		{"months zero: no section", "", "[ltv]\ncohort_months = 0\n", 0, 1, nil},
		{"months negative", "", "[ltv]\ncohort_months = -1\n", 0, 0, []string{"[ltv] cohort_months = -1", "from 1 to 120"}},
		{"months too many", "", "[ltv]\ncohort_months = 121\n", 0, 0, []string{"[ltv] cohort_months = 121"}},
		{"unknown key", "", "[ltv]\ncohorts = 3\n", 0, 0, []string{"unknown key ltv.cohorts"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "c.toml", base+tt.report+tt.ltv)
			c, err := loadConfig(path, envMap{}.get)
			if tt.err != nil {
				if err == nil {
					t.Fatalf("no error: %+v", c.ltvConfig)
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
			if c.LTVCohortMonths != tt.months || c.GrossMargin != tt.margin {
				t.Errorf("got %+v, want months %d margin %v", c.ltvConfig, tt.months, tt.margin)
			}
			if tt.months == 12 && !strings.Contains(c.Text, "[ltv]\ncohort_months = 12") || tt.report != "" && !strings.Contains(c.Text, "gross_margin = 0.35") {
				t.Errorf("About text lacks the [ltv] settings:\n%s", c.Text)
			}
		})
	}
}
