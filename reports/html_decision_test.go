package reports

import (
	"slices"
	"strings"
	"testing"
)

// Hand-checked on fullReport (default targets CAC ≤ 110, conversion ≥ 6%;
// Réseaux sociaux CAC ≤ 90 and ROAS ≥ 0.3): the channels off target come
// first, by spend, then the others by spend; the previous period's only
// channel is left out.
func TestDecisionView(t *testing.T) {
	r := fullReport(t)
	p, err := newPage(r, HTMLOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d := p.Decision
	var names []string
	byName := map[string]decisionRow{}
	for _, row := range d.Rows {
		names = append(names, row.Name)
		byName[row.Name] = row
	}
	want := []string{chSocial, chKanji, chScript, chHyperlnk, chSearch, chImg, chFormula, chNone}
	if !slices.Equal(names, want) {
		t.Errorf("order = %q\nwant    %q", names, want)
	}
	if d.OffTarget != 4 {
		t.Errorf("%d off target, want 4", d.OffTarget)
	}
	for _, tt := range []struct {
		name    string
		reasons []string
	}{
		{chSocial, []string{"CAC 100.00 > 90.00", "conversion rate 5.00% < 6.00%"}},
		{chKanji, []string{"no customer for spend 999.99 (CAC max 110.00)"}},
		{chScript, []string{"no customer for spend 120.00 (CAC max 110.00)", "conversion rate 0.00% < 6.00%"}},
		{chHyperlnk, []string{"conversion rate 0.00% < 6.00%"}},
		{chSearch, nil},
	} {
		if got := byName[tt.name].Reasons; !slices.Equal(got, tt.reasons) {
			t.Errorf("%s reasons = %q, want %q", tt.name, got, tt.reasons)
		}
	}
	// Search: spend 12,345.67 of 15,465.68 = 79.8%, customers 120 of 148
	// = 81.1%, the largest share: its customer bar fills the track.
	s := byName[chSearch]
	if s.SpendShare != "79.8%" || s.CustomerShare != "81.1%" || s.CustomerWidth != "100.0%" || !s.Paid || s.Small {
		t.Errorf("Search = %+v", s)
	}
	if soc := byName[chSocial]; !soc.CACMiss || soc.ROASMiss || soc.CACTarget != "target ≤ 90.00" || soc.ROASTarget != "target ≥ 0.30x" {
		t.Errorf("Réseaux sociaux = %+v", soc)
	}
	if n := byName[chNone]; !n.Small || n.Paid {
		t.Errorf("(none), 7 registrations and no spend: small %v, paid %v", n.Small, n.Paid)
	}
	// Paid CAC 15,465.68 / 142; blended 15,465.68 / 148.
	if d.PaidCAC != "108.91 EUR" || d.BlendedCAC != "104.50 EUR" || d.PaidShare != "100.0%" {
		t.Errorf("paid CAC %q, blended %q, paid share %q", d.PaidCAC, d.BlendedCAC, d.PaidShare)
	}
	body := textOf(parseHTML(t, render(t, writeHTML, r)))
	if i, j := strings.Index(body, "Where the money works"), strings.Index(body, "Registrations"); i < 0 || i > j {
		t.Errorf("the decision view is not the first section")
	}
}
