package attribution

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// GA4's default channel group for manual traffic, one or more cases per
// rule of Google's published definitions ("[GA4] Default channel group",
// channels for manual traffic; docs/CHANNELS.md quotes them), including
// the cases where the order of the rules decides.
func TestGA4Channel(t *testing.T) {
	cases := []struct {
		source, medium, campaign, want, why string
	}{
		{"(direct)", "(none)", "", ChannelDirect, "source (direct), medium (none)"},
		{"(direct)", "(not set)", "", ChannelDirect, "source (direct), medium (not set)"},
		{"(Direct)", "(NONE)", "", ChannelDirect, "rules are not case sensitive"},
		{"(direct)", "", "", ChannelDirect, "an empty medium reads as (not set)"},
		{"", "", "", ChannelDirect, "no source and no medium: GA4 records (direct) / (none)"},
		{"google", "cpc", "summer cross-network", ChannelCrossNetwork, "campaign contains cross-network, before Paid Search"},
		{"amazon", "cpc", "", ChannelPaidShopping, "shopping site and a paid medium"},
		{"google", "cpc", "black friday shop", ChannelPaidShopping, "campaign ...shop and a paid medium, before Paid Search"},
		{"google", "cpc", "eshop", ChannelPaidShopping, "'e' may precede shop in ([^a-df-z]|^)shop"},
		{"google", "cpc", "webshop", ChannelPaidSearch, "'b' may not precede shop: not a shopping campaign"},
		{"google", "cpc", "", ChannelPaidSearch, "search site and medium cpc"},
		{"bing", "ppc", "", ChannelPaidSearch, "medium ppc"},
		{"baidu", "paidsearch", "", ChannelPaidSearch, "medium paid.*"},
		{"google", "retargeting", "", ChannelPaidSearch, "medium retargeting"},
		{" Google ", "CPC", "", ChannelPaidSearch, "values are trimmed and case-insensitive"},
		{"google", "cpm", "", ChannelPaidSearch, "cpm matches .*cp.*: Paid Search comes before Display"},
		{"facebook", "paid_social", "", ChannelPaidSocial, "social site and medium paid.*"},
		{"instagram", "cpc", "", ChannelPaidSocial, "social site and medium cpc"},
		{"youtube", "cpv", "", ChannelPaidVideo, "video site and medium cpv (.*cp.*)"},
		{"vimeo.com", "paid", "", ChannelPaidVideo, "video site (domain) and medium paid"},
		{"dv360", "display", "", ChannelDisplay, "medium display"},
		{"example.com", "banner", "", ChannelDisplay, "medium banner"},
		{"example.com", "interstitial", "", ChannelDisplay, "medium interstitial"},
		{"newsletter", "cpm", "", ChannelDisplay, "medium cpm, source no search/social/video site"},
		{"partner-network", "cpa", "", ChannelPaidOther, "paid medium, no site category"},
		{"(direct)", "cpc", "", ChannelPaidOther, "(direct) with a paid medium is not Direct"},
		{"ebay", "referral", "", ChannelOrganicShopping, "shopping site, unpaid medium, before Referral"},
		{"example.com", "referral", "spring shopping", ChannelOrganicShopping, "shopping campaign, unpaid medium"},
		{"facebook", "referral", "", ChannelOrganicSocial, "social site, before Referral"},
		{"t.co", "", "", ChannelOrganicSocial, "social site, no medium"},
		{"newsletter", "social", "", ChannelOrganicSocial, "medium social"},
		{"facebook", "email", "", ChannelOrganicSocial, "social site, before Email"},
		{"youtube", "referral", "", ChannelOrganicVideo, "video site"},
		{"partner", "video-ads", "", ChannelOrganicVideo, "medium .*video.*"},
		{"google", "organic", "", ChannelOrganicSearch, "search site"},
		{"example.com", "organic", "", ChannelOrganicSearch, "medium organic"},
		{"DuckDuckGo", "referral", "", ChannelOrganicSearch, "search site, any case, before Referral"},
		{"blog.example.com", "referral", "", ChannelReferral, "medium referral"},
		{"partner.com", "link", "", ChannelReferral, "medium link"},
		{"someapp", "app", "", ChannelReferral, "medium app"},
		{"email", "referral", "", ChannelReferral, "Referral comes before Email"},
		{"newsletter", "email", "", ChannelEmail, "medium email"},
		{"mailchimp", "e-mail", "", ChannelEmail, "medium e-mail"},
		{"e_mail", "newsletter", "", ChannelEmail, "source e_mail"},
		{"weekly e mail", "blast", "", ChannelEmail, "source contains e mail"},
		{"partner-x", "affiliate", "", ChannelAffiliates, "medium affiliate"},
		{"partner-x", "affiliates", "", ChannelUnassigned, "medium = affiliate is exact"},
		{"spotify", "audio", "", ChannelAudio, "medium audio"},
		{"twilio", "sms", "", ChannelSMS, "medium sms"},
		{"sms", "text", "", ChannelSMS, "source sms"},
		{"onesignal", "web-push", "", ChannelMobilePush, "medium ends with push"},
		{"braze", "mobile", "", ChannelMobilePush, "medium contains mobile"},
		{"app", "in-app-notification", "", ChannelMobilePush, "medium contains notification"},
		{"firebase", "", "", ChannelMobilePush, "source firebase"},
		{"partner", "print", "", ChannelUnassigned, "no rule matches"},
		{"", "qr", "", ChannelUnassigned, "a medium without a source matches no rule"},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/%s/%s", c.source, c.medium, c.campaign), func(t *testing.T) {
			if got := GA4Channel(c.source, c.medium, c.campaign); got != c.want {
				t.Errorf("GA4Channel(%q, %q, %q) = %q, want %q (%s)", c.source, c.medium, c.campaign, got, c.want, c.why)
			}
		})
	}
	if len(cases) < 30 {
		t.Fatalf("only %d cases", len(cases))
	}
}

// The embedded list is Google's as shipped (data/README.md): every row
// has a known category, and the counts per category are the file's.
func TestSourceCategories(t *testing.T) {
	m := sourceCategories()
	counts := map[sourceCategory]int{}
	for _, c := range m {
		counts[c]++
	}
	if len(m) != 819 || counts[categorySearch] != 131 || counts[categorySocial] != 590 || counts[categoryShopping] != 52 || counts[categoryVideo] != 46 {
		t.Errorf("%d sources, categories %v", len(m), counts)
	}
	for src, want := range map[string]sourceCategory{"google shopping": categoryShopping, "igshopping": categoryShopping,
		"youtube.com": categoryVideo, "ecosia.org": categorySearch, "linkedin": categorySocial} {
		if m[src] != want {
			t.Errorf("%s: category %d, want %d", src, m[src], want)
		}
	}
}

func TestPaidLooking(t *testing.T) {
	for name, want := range map[string]bool{
		"Paid Search": true, "paid social": true, "Display": true, "Cross-network": true, "CROSS-NETWORK": true,
		"Affiliates": true, "Google CPC": true, "bing_ppc": true, "Affiliate partners": true, "Paid Other": true,
		"Organic Search": false, "Email": false, "Unpaid": false, "Referral": false, "Direct": false, "Prepaid cards": false,
	} {
		if got := PaidLooking(name); got != want {
			t.Errorf("PaidLooking(%q) = %v, want %v", name, got, want)
		}
	}
}

// fakeSnapshot serves fixed rows, as a database would return them.
type fakeSnapshot struct {
	facts Facts
	spend []DailySpendRow
}

func (f fakeSnapshot) ReadQuality(context.Context, time.Time) (DataQuality, []string, error) {
	return DataQuality{RegistrationRows: 100}, nil, nil
}
func (f fakeSnapshot) ReadFacts(context.Context, FactsRequest) (Facts, error) {
	// A copy: the rows are named in place.
	g := f.facts
	g.Cohort, g.Previous, g.Days = slices.Clone(g.Cohort), slices.Clone(g.Previous), slices.Clone(g.Days)
	g.Curves = [][]CurveRow{slices.Clone(f.facts.Curves[0])}
	return g, nil
}
func (f fakeSnapshot) HasSpend() bool { return true }
func (f fakeSnapshot) ReadSpend(context.Context, Period) ([]DailySpendRow, error) {
	return slices.Clone(f.spend), nil
}
func (f fakeSnapshot) HasEvents() bool { return false }
func (f fakeSnapshot) ReadBudgetWeeks(context.Context, BudgetWeeksRequest) ([]BudgetWeekRow, error) {
	return nil, nil
}
func (f fakeSnapshot) ReadProspectEvents(context.Context, time.Time, time.Time, int, func(ProspectActivity) error) error {
	return nil
}
func (f fakeSnapshot) ReadDetail(context.Context, DetailRequest, func(DetailRow) error) error {
	return nil
}
func (f fakeSnapshot) Statements() []Statement { return nil }

// merge_case and aliases merge labels before anything is computed; the
// spelling with the most registrations (period and comparison period)
// stands for a group, ties by byte order; spend-only variants merge too.
// Every number below is added up by hand from the rows.
func TestChannelMappingMerges(t *testing.T) {
	day := Date{Year: 2026, Month: 3, Day: 1}
	cohort := func(ch string, n int64, days int) CohortRow {
		return CohortRow{Channel: ch, ChannelValid: true, Count: n, Days: days, Revenue: Money(n) * 10 * MoneyScale}
	}
	f := Facts{
		Cohort: []CohortRow{
			cohort("Paid Search", 6, -1), cohort("Paid Search", 4, 3), // 10 registrations, 4 customers
			cohort("paid  search", 3, 1), // 3, 3 customers
			cohort("PAID SEARCH", 2, -1), // 2
			cohort("Email", 2, 0),        // 2, 2 customers
			cohort("email", 2, -1),       // 2: ties with "Email", which sorts first
			cohort("news letter", 1, -1), // alias → Newsletter
			{Channel: "", ChannelValid: false, Count: 1, Days: -1},
		},
		Previous: []CohortRow{cohort("paid  search", 20, -1)}, // the comparison period counts too
		Days:     []DailyRow{{Channel: "PAID SEARCH", ChannelValid: true, Date: day, Registrations: 2}},
		Curves:   [][]CurveRow{{{Channel: "Paid Search", ChannelValid: true, Day: 3, Converted: 4}, {Channel: "paid  search", ChannelValid: true, Day: 1, Converted: 3}}},
	}
	spend := []DailySpendRow{
		{Channel: "PAID SEARCH", ChannelValid: true, Date: day, Amount: 100 * MoneyScale},
		{Channel: "Paid Search", ChannelValid: true, Date: day, Amount: 20 * MoneyScale},
		{Channel: "Display", ChannelValid: true, Date: day, Amount: 5 * MoneyScale},
		{Channel: "display", ChannelValid: true, Date: day, Amount: 7 * MoneyScale},
	}
	rep, err := BuildReport(context.Background(), fakeSnapshot{facts: f, spend: spend}, ReportRequest{
		Period: Period{From: day, To: day.AddDays(1)}, AsOf: time.Date(2026, 4, 20, 0, 0, 0, 0, time.UTC), WindowDays: 30,
		Currency: Currency{Code: "EUR", Digits: 2}, TopProspects: -1, Comparison: CompareNone,
		Channels: &ChannelMapping{MergeCase: true, Aliases: map[string]string{"news letter": "Newsletter"}}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range rep.Channels {
		got = append(got, fmt.Sprintf("%s regs=%d cust=%d spend=%s", m.Channel, m.Registrations, m.Customers, m.Spend.Format(2)))
	}
	// "paid  search" has 3 + 20 registrations over both periods, more than
	// "Paid Search" (10) and "PAID SEARCH" (2): its spelling stands.
	want := []string{
		"paid  search regs=15 cust=7 spend=120.00",
		"Email regs=4 cust=2 spend=0.00",
		"(none) regs=1 cust=0 spend=0.00",
		"Display regs=0 cust=0 spend=12.00",
		"Newsletter regs=1 cust=0 spend=0.00",
	}
	if !slices.Equal(got, want) {
		t.Errorf("channels\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(LabelVariants(rep.Channels)) != 0 {
		t.Errorf("variants remain: %v", LabelVariants(rep.Channels))
	}
	if len(rep.Curves) != 1 || rep.Curves[0].Channel != "paid  search" || rep.Curves[0].Conversions != 7 {
		t.Errorf("curves %+v", rep.Curves)
	}
	if n := rep.Labels("PAID SEARCH", true); n != "paid  search" {
		t.Errorf("Labels(PAID SEARCH) = %q", n)
	}
	notes := strings.Join(rep.Notes, "\n")
	for _, n := range []string{`channel labels "PAID SEARCH", "Paid Search" are reported as "paid  search"`,
		`channel labels "email" are reported as "Email"`, `channel labels "display" are reported as "Display"`,
		`channel "Display" has spend but no registrations in the period (12.00 EUR)`} {
		if !strings.Contains(notes, n) {
			t.Errorf("notes lack %q:\n%s", n, notes)
		}
	}
	if strings.Contains(notes, `"paid  search" looks paid`) {
		t.Errorf("a paid channel with spend is a finding:\n%s", notes)
	}
}

// Configured rules come before GA4's, in order; aliases apply to their
// result; labels that are not grouped are only normalised.
func TestChannelRules(t *testing.T) {
	m := &ChannelMapping{
		Rules: []ChannelRule{
			{Source: regexp.MustCompile(`(?i)^partner`), Medium: regexp.MustCompile(`(?i)^cpc$`), Channel: "Partner ads"},
			{Source: regexp.MustCompile(`(?i)^partner`), Channel: "Partners"},
			{Campaign: regexp.MustCompile(`(?i)^tv-`), Channel: "TV"},
		},
		Aliases: map[string]string{"Organic Search": "SEO", "Legacy": "Email"},
	}
	l := m.labeler()
	for _, c := range []struct{ raw, want string }{
		{GroupedLabel("partner-a", "CPC", ""), "Partner ads"},
		{GroupedLabel("Partner-b", "referral", ""), "Partners"},
		{GroupedLabel("google", "cpc", "TV-spring"), "TV"},
		{GroupedLabel("google", "cpc", ""), "Paid Search"},
		{GroupedLabel("google", "organic", ""), "SEO"},
		{GroupedLabel(" ", "", ""), "Direct"},
		{"  Legacy ", "Email"},
		{"Print", "Print"},
	} {
		if got := l.name(c.raw, true); got != c.want {
			t.Errorf("%q → %q, want %q", ReadableLabel(c.raw), got, c.want)
		}
	}
	if got := l.name("", false); got != NoChannel {
		t.Errorf("NULL → %q", got)
	}
}

// A pass without a report period (origen prospects) chooses the spelling
// by the registrations of its first curve population.
func TestChannelMappingMergesByCurvePopulation(t *testing.T) {
	l := (&ChannelMapping{MergeCase: true}).labeler()
	f := Facts{Curves: [][]CurveRow{
		{{Channel: "Email", ChannelValid: true, Day: 2, Converted: 1}, {Channel: "email", ChannelValid: true, Day: 30, Censored: 5}},
		{{Channel: "EMAIL", ChannelValid: true, Day: 30, Censored: 9}}, // a later spec's rows do not count
	}}
	l.mapFacts(&f)
	for _, rows := range f.Curves {
		for _, r := range rows {
			if r.Channel != "email" {
				t.Errorf("row %+v: want email (5 registrations against 1 and 0)", r)
			}
		}
	}
}
