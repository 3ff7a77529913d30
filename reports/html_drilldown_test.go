package reports

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/reports/reportstest"
)

// The page has the drill-down sections as <details> per channel (readable
// without JavaScript), with the campaigns' figures and statuses.
func TestHTMLDrilldown(t *testing.T) {
	out := string(render(t, writeHTML, drillReport(t)))
	for _, want := range []string{
		`<section class="card" id="campaigns">`, `<section class="card" id="sources">`, `<section class="card" id="dimensions">`,
		`<details class="drill">`, `<bdi>Brand</bdi>`, `<bdi>` + attribution.NoCampaignLabel + `</bdi>`, `<bdi>google / cpc</bdi>`, `<h3><bdi>device</bdi></h3>`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	// Brand's row: 770 registrations, CAC 142.86 against Search's 110.00
	// (off target); the row is a real table row of the section.
	brand := regexp.MustCompile(`<tr><th scope="row" class="name"><bdi>Brand</bdi></th>(.*?)</tr>`).FindStringSubmatch(out)
	if brand == nil {
		t.Fatal("no Brand row")
	}
	for _, want := range []string{">770<", ">142.86<", "off target"} {
		if !strings.Contains(brand[1], want) {
			t.Errorf("Brand row lacks %s: %s", want, brand[1])
		}
	}
	// Sources have no spend of their own: n/a, with the reason.
	google := regexp.MustCompile(`<bdi>google / cpc</bdi></th>(.*?)</tr>`).FindStringSubmatch(out)
	if google == nil || !strings.Contains(google[1], `title="n/a: spend is not known`) {
		t.Errorf("google / cpc row spend not n/a: %v", google)
	}
}

// Beyond MaxCampaigns campaigns of a channel, the page shows the ones with
// the most registrations and adds up the rest in "(other campaigns)"; the
// JSON keeps them all.
func TestHTMLDrilldownFoldsCampaigns(t *testing.T) {
	r := fullReport(t)
	var rows []attribution.DrillRow
	n := MaxCampaigns + 10
	for i := range n {
		// Campaign i has n - i registrations, one customer each.
		rows = append(rows,
			attribution.DrillRow{CohortRow: attribution.CohortRow{Channel: chSearch, ChannelValid: true, Days: -1, Count: int64(n - i - 1)},
				Value: fmt.Sprintf("c%02d", i), ValueValid: true},
			attribution.DrillRow{CohortRow: attribution.CohortRow{Channel: chSearch, ChannelValid: true, Days: 1, Count: 1},
				Value: fmt.Sprintf("c%02d", i), ValueValid: true})
	}
	in := attribution.Inputs{Period: r.Period, AsOf: r.AsOf, Currency: r.Currency, WindowDays: r.WindowDays}
	if err := attribution.DrillDown(&r, attribution.Facts{Campaigns: rows}, in, attribution.CurveSet{}, nil); err != nil {
		t.Fatal(err)
	}
	out := string(render(t, writeHTML, r))
	if strings.Contains(out, "<bdi>c50</bdi>") || !strings.Contains(out, "<bdi>c49</bdi>") {
		t.Error("the page should show c00..c49 by name and no more")
	}
	// The other 10 campaigns: 10 + 9 + … + 1 = 55 registrations, 10 customers.
	other := regexp.MustCompile(`<bdi>` + regexp.QuoteMeta(otherCampaigns) + `</bdi></th><td class="status[^>]*>[^<]*</td><td[^>]*>([^<]*)</td><td[^>]*>([^<]*)</td>`).FindStringSubmatch(out)
	if other == nil || other[1] != "55" || other[2] != "10" {
		t.Errorf("(other campaigns) row %v, want 55 registrations and 10 customers", other)
	}
	if j := string(render(t, writeJSON, r)); strings.Count(j, `"campaign": "c`) != n {
		t.Errorf("JSON has %d campaigns, want %d", strings.Count(j, `"campaign": "c`), n)
	}
}

func TestDrillGroupSummary(t *testing.T) {
	one := []attribution.DrillMetrics{{ChannelMetrics: attribution.ChannelMetrics{Registrations: 1234}}}
	if got := groupSummary(1, "campaigns", one); got != "1 campaign, 1,234 registrations" {
		t.Errorf("%q", got)
	}
	if got := groupSummary(2, "sources / media", append(one, one...)); got != "2 sources / media, 2,468 registrations" {
		t.Errorf("%q", got)
	}
}

// In Chromium, with JavaScript off, the drill-down is there: a <details>
// per channel that opens to its campaigns; with JavaScript on, the page
// with the drill-down loads without problems.
func TestHTMLDrilldownInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Chromium")
	}
	path := htmlFile(t, drillReport(t))
	got := reportstest.EvalInPage(t, path, reportstest.PageOptions{NoJavaScript: true},
		`String(document.querySelectorAll("#campaigns details").length)`,
		`(() => { const d = document.querySelector("#campaigns details"); d.open = true;
		   return [...d.querySelectorAll("tbody th")].map(th => th.innerText + ":" + (th.nextElementSibling.nextElementSibling.innerText)).join(",") })()`,
		`String(document.querySelectorAll("#dimensions table").length)`,
	)
	// Two channels; Search's campaigns Brand (770 registrations after the
	// status cell) and Generic (530).
	if got[0] != "2" || got[1] != "Brand:770,Generic:530" || got[2] != "3" {
		t.Errorf("without JavaScript: %q", got)
	}
	if c := reportstest.LoadPage(t, path, 1280, 800, ""); len(c.Problems()) > 0 {
		t.Errorf("page problems: %v", c.Problems())
	}
}

// A page that adds up channels breaks down only those it shows by name.
func TestHTMLDrilldownFoldedChannels(t *testing.T) {
	var b bytes.Buffer
	if err := WriteHTMLWith(&b, drillReport(t), HTMLOptions{MaxChannels: 1}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	i := strings.Index(out, `id="campaigns"`)
	if i < 0 || !strings.Contains(out, `id="drilldown-folded"`) {
		t.Fatal("no campaigns section or no folded note")
	}
	if n := strings.Count(out[i:], `<details class="drill">`); n != 1+1+1 { // Search's campaigns, sources, devices
		t.Errorf("%d drill-downs, want Search's 3", n)
	}
	if strings.Contains(out[i:], "<bdi>"+chSocial+"</bdi> <span") {
		t.Error("the folded channel has a drill-down on the page")
	}
}
