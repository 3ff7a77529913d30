package main

import (
	"fmt"
	"strings"

	"github.com/origen-analytics/origen/attribution"
)

// rawLTV mirrors [ltv].
type rawLTV struct {
	CohortMonths *int `toml:"cohort_months"`
}

// ltvConfig is the lifetime-value part of the configuration (docs/LTV.md):
// [ltv] cohort_months and [report] gross_margin.
type ltvConfig struct {
	LTVCohortMonths int
	GrossMargin     attribution.GrossMargin
}

// maxLTVCohortMonths bounds [ltv] cohort_months: ten years of monthly
// cohorts (the cohort expression has a branch per month).
const maxLTVCohortMonths = 120

// loadLTV validates [ltv] cohort_months (default 24; 0 turns the section
// off, for databases where its fits cost more than a report may take) and
// [report] gross_margin (default 1: revenue).
func loadLTV(raw *rawConfig) (ltvConfig, error) {
	c := ltvConfig{LTVCohortMonths: attribution.DefaultLTVCohortMonths, GrossMargin: 1}
	if n := raw.LTV.CohortMonths; n != nil {
		if *n < 0 || *n > maxLTVCohortMonths {
			return c, fmt.Errorf("[ltv] cohort_months = %d: use a number of months from 1 to %d (default %d), or 0 for no lifetime-value section", *n, maxLTVCohortMonths, attribution.DefaultLTVCohortMonths)
		}
		c.LTVCohortMonths = *n
	}
	if g := raw.Report.GrossMargin; g != nil {
		gm := attribution.GrossMargin(*g)
		if err := gm.Validate(); err != nil {
			return c, fmt.Errorf("[report] %v", err)
		}
		c.GrossMargin = gm
	}
	return c, nil
}

// auditLTV writes [ltv] as read, for the About sheet.
func auditLTV(b *strings.Builder, raw *rawConfig) {
	if n := raw.LTV.CohortMonths; n != nil {
		fmt.Fprintf(b, "\n[ltv]\ncohort_months = %d\n", *n)
	}
}
