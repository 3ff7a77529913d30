package reports

import (
	"fmt"
	"html"
	"strings"
	"testing"
)

// decisionPart is the page's decision section, the first screen.
func decisionPart(t *testing.T, page string) string {
	t.Helper()
	i := strings.Index(page, `id="decision"`)
	if i < 0 {
		t.Fatal("no decision section")
	}
	j := strings.Index(page[i:], "</section>")
	if j < 0 {
		t.Fatal("decision section not closed")
	}
	return page[i : i+j]
}

// The first screen's channel decision carries each channel's projected
// LTV/CAC and payback month when the report has a lifetime-value section.
func TestDecisionShowsLTVAndPayback(t *testing.T) {
	r := ltvReport(t)
	d := decisionPart(t, string(render(t, writeHTML, r)))
	checked := 0
	for _, c := range r.LTV.Channels {
		onPage := false
		for _, m := range r.Channels {
			onPage = onPage || m.Channel == c.Channel
		}
		if !onPage || !c.ProjectedLTVToCAC.Valid || c.Payback.NoCost {
			continue
		}
		want := fmt.Sprintf("LTV/CAC %.2f×, payback %s", c.ProjectedLTVToCAC.Value, c.Payback)
		if !strings.Contains(html.UnescapeString(d), want) {
			t.Errorf("decision view lacks %q for %s", want, c.Channel)
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no channel with LTV/CAC and payback to check")
	}
}

// The budget plan's one line sits on the first screen, in the decision
// section, and only there.
func TestDecisionShowsBudgetSummary(t *testing.T) {
	r := budgetReport(t)
	page := string(render(t, writeHTML, r))
	want := BudgetSummary(r)
	if want == "" {
		t.Fatal("the sample budget has no summary")
	}
	if !strings.Contains(html.UnescapeString(decisionPart(t, page)), want) {
		t.Errorf("decision section lacks the budget summary %q", want)
	}
	if n := strings.Count(page, `class="caption budget-summary"`); n != 1 {
		t.Errorf("budget summary shown %d times, want once", n)
	}
}
