package queries_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/queries"
)

// utmRegs are registrations tagged with source, medium and campaign only;
// the comment is the channel GA4's rules give (docs/CHANNELS.md), or the
// custom rule's or alias's.
var utmRegs = []struct {
	user                     int
	at                       string
	source, medium, campaign any
}{
	{1, "2026-03-01 10:00:00", "google", "cpc", "brand"},                       // Paid Search; buys 50.00 on day 0
	{2, "2026-03-01 11:00:00", " Google ", "CPC", nil},                         // Paid Search (trimmed, any case)
	{3, "2026-03-01 12:00:00", "facebook", "paid_social", "spring"},            // Paid Social; buys 20.00 on day 2
	{4, "2026-03-01 13:00:00", nil, nil, nil},                                  // Direct (no source, no medium); buys 10.00
	{5, "2026-03-01 14:00:00", "newsletter", "email", nil},                     // Email
	{6, "2026-03-01 15:00:00", "amazon", "cpc", "x"},                           // Paid Shopping, no spend
	{7, "2026-03-01 16:00:00", "partner", "affiliate", nil},                    // Affiliates, no spend
	{8, "2026-03-01 17:00:00", "example.com", "referral", nil},                 // Referral
	{9, "2026-03-01 18:00:00", "flyer", "QR", nil},                             // rule: medium ^qr$ → Offline QR
	{10, "2026-03-01 19:00:00", "google", "cpc", "Black Friday Cross-Network"}, // Cross-network, no spend
	{11, "2026-03-01 20:00:00", nil, nil, nil},                                 // tie with the next row: the tagged one counts
	{11, "2026-03-01 20:00:00", "google", "organic", nil},                      // Organic Search, alias → SEO
	{12, "2026-02-28 12:00:00", "bing", "cpc", nil},                            // before the period
	{13, "2026-03-01 21:00:00", "foo", "bar", nil},                             // Unassigned
	{14, "2026-03-01 22:00:00", "youtube", "cpv", "launch"},                    // Paid Video; buys 30.00 on day 40 (outside the window)
}

var utmPurs = []struct {
	user   int
	at     string
	amount string
}{
	{1, "2026-03-01 10:00:00", "50.00"},
	{3, "2026-03-03 12:00:00", "20.00"},
	{4, "2026-03-05 13:00:00", "10.00"},
	{14, "2026-04-10 22:00:00", "30.00"},
}

var utmSpend = []struct {
	day            string
	source, medium string
	amount         string
}{
	{"2026-03-01", "google", "cpc", "100.00"},   // Paid Search
	{"2026-03-01", "bing", "CPC", "20.00"},      // Paid Search
	{"2026-03-01", "facebook", "cpc", "30.00"},  // Paid Social
	{"2026-03-01", "tiktok", "paid", "5.00"},    // Paid Social
	{"2026-03-01", "dv360", "display", "40.00"}, // Display: no registrations
	{"2026-03-01", "youtube", "cpv", "8.00"},    // Paid Video
	{"2026-02-28", "google", "cpc", "999.00"},   // before the period
}

func loadUTM(t *testing.T, db *sqlx.DB, d queries.Dialect) edgeDB {
	t.Helper()
	ts, money, day := "TEXT", "NUMERIC", "TEXT"
	switch d {
	case queries.Postgres:
		ts, money, day = "timestamp", "numeric(12,2)", "date"
	case queries.MySQL:
		ts, money, day = "datetime", "decimal(12,2)", "date"
	}
	mustExec(t, db, fmt.Sprintf(`CREATE TABLE signups (uid bigint, created %s, utm_source text, utm_medium text, utm_campaign text)`, ts))
	mustExec(t, db, fmt.Sprintf(`CREATE TABLE orders (uid bigint, at %s, total %s)`, ts, money))
	mustExec(t, db, fmt.Sprintf(`CREATE TABLE costs (day %s, src text, med text, cost %s)`, day, money))
	ins := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(db.Rebind(q), args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, r := range utmRegs {
		ins(`INSERT INTO signups VALUES (?, ?, ?, ?, ?)`, r.user, r.at, r.source, r.medium, r.campaign)
	}
	for _, p := range utmPurs {
		ins(`INSERT INTO orders VALUES (?, ?, ?)`, p.user, p.at, p.amount)
	}
	for _, s := range utmSpend {
		ins(`INSERT INTO costs VALUES (?, ?, ?, ?)`, s.day, s.source, s.medium, s.amount)
	}
	e := loadUTMMapping()
	e.db, e.dialect = db, d
	return e
}

// loadUTMMapping is the mapping of loadUTM's tables.
func loadUTMMapping() edgeDB {
	return edgeDB{mapping: queries.Mapping{
		Registrations: queries.Source{Table: "signups", GroupChannel: true, Columns: map[string]string{
			"user_id": "uid", "registered_at": "created", "source": "utm_source", "medium": "utm_medium", "campaign": "utm_campaign"}},
		Purchases: queries.Source{Table: "orders", Columns: map[string]string{"user_id": "uid", "purchased_at": "at", "amount": "total"}},
		Spend: &queries.Source{Table: "costs", GroupChannel: true, Columns: map[string]string{
			"date": "day", "source": "src", "medium": "med", "amount": "cost"}},
	}}
}

// Registrations and spend that only carry source, medium and campaign are
// grouped by GA4's rules (after the configured rule and alias), identically
// on SQLite and PostgreSQL, in the channel table, the cohorts, the curves
// and the detail rows; every expected value is computed by hand from
// utmRegs, utmPurs and utmSpend.
func TestGA4GroupingEndToEnd(t *testing.T) {
	sq, pg := openSQLiteAndPostgres(t, "utm.db")
	mapping := &attribution.ChannelMapping{
		Rules:   []attribution.ChannelRule{{Medium: regexp.MustCompile(`(?i)^qr$`), Channel: "Offline QR"}},
		Aliases: map[string]string{"Organic Search": "SEO"},
	}
	period := mustPeriod(t, "2026-03-01", "2026-03-02")
	asOf := time.Date(2026, 4, 20, 0, 0, 0, 0, time.UTC)
	want := []string{
		"Direct regs=1 cust=1 cr=1.0000 spend=0.00 cpr=0.00 cac=0.00 rev=10.00 roas=n/a median=4.0000 immature=0",
		"Paid Search regs=2 cust=1 cr=0.5000 spend=120.00 cpr=60.00 cac=120.00 rev=50.00 roas=0.4167 median=0.0000 immature=0",
		"Paid Social regs=1 cust=1 cr=1.0000 spend=35.00 cpr=35.00 cac=35.00 rev=20.00 roas=0.5714 median=2.0000 immature=0",
		"Affiliates regs=1 cust=0 cr=0.0000 spend=0.00 cpr=0.00 cac=n/a rev=0.00 roas=n/a median=n/a immature=0",
		"Cross-network regs=1 cust=0 cr=0.0000 spend=0.00 cpr=0.00 cac=n/a rev=0.00 roas=n/a median=n/a immature=0",
		"Display regs=0 cust=0 cr=n/a spend=40.00 cpr=n/a cac=n/a rev=0.00 roas=0.0000 median=n/a immature=0",
		"Email regs=1 cust=0 cr=0.0000 spend=0.00 cpr=0.00 cac=n/a rev=0.00 roas=n/a median=n/a immature=0",
		"Offline QR regs=1 cust=0 cr=0.0000 spend=0.00 cpr=0.00 cac=n/a rev=0.00 roas=n/a median=n/a immature=0",
		"Paid Shopping regs=1 cust=0 cr=0.0000 spend=0.00 cpr=0.00 cac=n/a rev=0.00 roas=n/a median=n/a immature=0",
		"Paid Video regs=1 cust=0 cr=0.0000 spend=8.00 cpr=8.00 cac=n/a rev=0.00 roas=0.0000 median=n/a immature=0",
		"Referral regs=1 cust=0 cr=0.0000 spend=0.00 cpr=0.00 cac=n/a rev=0.00 roas=n/a median=n/a immature=0",
		"SEO regs=1 cust=0 cr=0.0000 spend=0.00 cpr=0.00 cac=n/a rev=0.00 roas=n/a median=n/a immature=0",
		"Unassigned regs=1 cust=0 cr=0.0000 spend=0.00 cpr=0.00 cac=n/a rev=0.00 roas=n/a median=n/a immature=0",
	}
	dbs := []edgeDB{loadUTM(t, sq, queries.SQLite), loadUTM(t, pg, queries.Postgres), loadUTMClickHouse(t), loadUTM(t, openMySQL(t), queries.MySQL)}
	got := make([][]string, len(dbs))
	for i, e := range dbs {
		t.Run(string(e.dialect), func(t *testing.T) {
			snap := e.snapshot(t, "UTC")
			rep, err := attribution.BuildReport(context.Background(), snap, attribution.ReportRequest{
				Period: period, AsOf: asOf, Location: time.UTC, Timezone: "UTC", WindowDays: 30,
				Currency: attribution.Currency{Code: "EUR", Digits: 2}, Channels: mapping})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range rep.Channels {
				got[i] = append(got[i], row(m))
			}
			if d := strings.Join(got[i], "\n"); d != strings.Join(want, "\n") {
				t.Errorf("channels:\n%s\nwant:\n%s", d, strings.Join(want, "\n"))
			}
			if r := row(rep.Total); r != "Total regs=13 cust=3 cr=0.2308 spend=203.00 cpr=15.62 cac=67.67 rev=80.00 roas=0.3941 median=2.0000 immature=0" {
				t.Errorf("total = %s", r)
			}
			if q := rep.Quality; !slices.Equal(q.SpendWithoutRegistrations, []string{"Display"}) ||
				!slices.Equal(q.PaidWithoutSpend, []string{"Affiliates", "Cross-network", "Paid Shopping"}) {
				t.Errorf("spend without registrations %q, paid without spend %q", q.SpendWithoutRegistrations, q.PaidWithoutSpend)
			}
			notes := strings.Join(rep.Notes, "\n")
			for _, n := range []string{`channel "Display" has spend but no registrations in the period (40.00 EUR)`,
				`channel "Affiliates" looks paid but has no spend in the period: its 1 registrations count at no cost`} {
				if !strings.Contains(notes, n) {
					t.Errorf("notes lack %q:\n%s", n, notes)
				}
			}
			// The cohorts, the curves and the detail rows carry the same
			// names and add up to the channel table.
			cohorts := map[string]int64{}
			for _, c := range rep.Cohorts {
				cohorts[c.Channel] += c.Registrations
			}
			curves := map[string]bool{}
			for _, c := range rep.Curves {
				if !c.IsCampaign {
					curves[c.Channel] = true
				}
			}
			detail := map[string]int64{}
			err = snap.ReadDetail(context.Background(), attribution.DetailRequest{Period: period, Location: time.UTC, AsOf: asOf,
				WindowDays: 30, Labels: rep.Labels}, func(d attribution.DetailRow) error {
				detail[d.Channel]++
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range rep.Channels {
				if cohorts[m.Channel] != m.Registrations || detail[m.Channel] != m.Registrations {
					t.Errorf("%s: %d registrations, cohorts %d, detail rows %d", m.Channel, m.Registrations, cohorts[m.Channel], detail[m.Channel])
				}
				if m.Registrations > 0 && !curves[m.Channel] {
					t.Errorf("%s has no curve (curves %v)", m.Channel, curves)
				}
			}
		})
	}
	for i := 1; i < len(dbs); i++ {
		if !slices.Equal(got[0], got[i]) {
			t.Errorf("SQLite and %s differ:\n%q\n%q", dbs[i].dialect, got[0], got[i])
		}
	}
}
