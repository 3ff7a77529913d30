package queries_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"
	_ "modernc.org/sqlite"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/fixtures/mysqltest"
	"github.com/origen-analytics/origen/fixtures/pgtest"
	"github.com/origen-analytics/origen/queries"
)

// edgeRow is one input row of the hand-computed edge-case data set.
type reg struct {
	user    any
	at      string
	channel any
}
type pur struct {
	user   any
	at     string
	amount any
}
type spd struct {
	date    string
	channel any
	amount  any
}

// The edge cases of METRICS.md in one small data set; every expected value
// below is computed by hand from the rules.
var (
	edgeRegs = []reg{
		{1, "2026-03-01 10:00:00", "Search"},                     // purchase at registered_at: day 0
		{2, "2026-03-01 11:00:00", "Search"},                     // purchase at registered_at + W: not converted
		{3, "2026-03-01 12:00:00", " Search\t"},                  // dirty label; refund inside the window
		{4, "2026-03-01 08:00:00", "Social"},                     // bought before registering: existing customer
		{5, "2026-03-01 23:30:00", "Social"},                     // 00:30 on 2 March in Berlin
		{6, "2026-03-01 09:00:00", "Email"},                      // first of two registrations
		{6, "2026-03-01 15:00:00", "Search"},                     // later duplicate: ignored
		{7, "2026-03-01 01:00:00", nil},                          // NULL channel
		{8, "2026-03-01 02:00:00", "   "},                        // white-space channel
		{9, "2026-03-01 03:00:00", "=1+1"},                       // formula-looking label
		{11, "2026-03-01 04:00:00", "Email"},                     // zero purchase then a real one
		{12, "2026-03-01 05:00:00", "<script>alert(1)</script>"}, // HTML label
		{13, "2026-03-01 06:00:00", "Réseaux sociaux"},           // converts 1 s before the window ends
		{14, "2026-03-01 20:00:00", "Search"},                    // purchase after as_of inside the window
		{15, "2026-02-28 23:59:59", "Search"},                    // before the period
		{16, "2026-03-02 00:00:00", "Search"},                    // after the period (To is exclusive)
		{17, "2026-04-20 00:00:00", "Search"},                    // registered after as_of
		{nil, "2026-03-01 06:00:00", "Search"},                   // no user: ignored
	}
	edgePurs = []pur{
		{1, "2026-03-01 10:00:00", "50.00"},
		{2, "2026-03-31 11:00:00", "80.00"},
		{3, "2026-03-05 12:00:00", "100.00"},
		{3, "2026-03-06 09:00:00", "-30.00"},
		{4, "2026-02-01 08:00:00", "20.00"},
		{4, "2026-03-02 08:00:00", "40.00"},
		{11, "2026-03-02 04:00:00", "0.00"},
		{11, "2026-03-04 04:00:00", "10.00"},
		{13, "2026-03-31 05:59:59", "25.00"},
		{14, "2026-03-31 12:00:00", "60.00"},
		{99, "2026-03-01 00:00:00", nil}, // NULL amount: ignored
	}
	edgeSpend = []spd{
		{"2026-03-01", "Search", "100.00"},
		{"2026-03-01", "Display", "55.55"},
		{"2026-03-02", "Search", "1000.00"}, // outside the period
		{"2026-02-28", "Email", "7.00"},     // outside the period
	}
	// as_of is exactly u2's registered_at + W: its purchase there is not a
	// conversion although it is not after as_of.
	edgeAsOf = time.Date(2026, 3, 31, 11, 0, 0, 0, time.UTC)
)

// A data set in a real database, mapped with awkward identifiers.
type edgeDB struct {
	db      *sqlx.DB
	dialect queries.Dialect
	mapping queries.Mapping
}

func openEdgeDBs(t *testing.T) []edgeDB {
	t.Helper()
	var out []edgeDB
	sq, err := sqlx.Open("sqlite", filepath.Join(t.TempDir(), "edge.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sq.Close() })
	out = append(out, loadEdge(t, sq, queries.SQLite, ""))
	pg, err := sqlx.Open("postgres", pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Close() })
	out = append(out, loadEdge(t, pg, queries.Postgres, `"Src Data".`))
	my, err := sqlx.Open("mysql", mysqltest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { my.Close() })
	out = append(out, loadEdge(t, my, queries.MySQL, ""))
	return out
}

func loadEdge(t *testing.T, db *sqlx.DB, d queries.Dialect, schema string) edgeDB {
	t.Helper()
	ts, money, day := "TEXT", "NUMERIC", "TEXT"
	switch d {
	case queries.Postgres:
		ts, money, day = "timestamp", "numeric(12,2)", "date"
		mustExec(t, db, `CREATE SCHEMA "Src Data"`)
	case queries.MySQL:
		ts, money, day = "datetime", "decimal(12,2)", "date"
	}
	mustExec(t, db, fmt.Sprintf(`CREATE TABLE %s"Sign Ups" ("User ID" bigint, "Created At" %s, "UTM ""Channel""" text)`, schema, ts))
	mustExec(t, db, fmt.Sprintf(`CREATE TABLE %sorders (customer bigint, ordered_at %s, total %s)`, schema, ts, money))
	mustExec(t, db, fmt.Sprintf(`CREATE TABLE %sad_spend (day %s, network text, cost %s)`, schema, day, money))
	ins := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(db.Rebind(q), args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, r := range edgeRegs {
		ins(fmt.Sprintf(`INSERT INTO %s"Sign Ups" VALUES (?, ?, ?)`, schema), r.user, r.at, r.channel)
	}
	for _, p := range edgePurs {
		ins(fmt.Sprintf(`INSERT INTO %sorders VALUES (?, ?, ?)`, schema), p.user, p.at, p.amount)
	}
	for _, s := range edgeSpend {
		ins(fmt.Sprintf(`INSERT INTO %sad_spend VALUES (?, ?, ?)`, schema), s.date, s.channel, s.amount)
	}
	table := func(name string) string {
		if schema == "" {
			return name
		}
		return "Src Data." + name
	}
	return edgeDB{db: db, dialect: d, mapping: queries.Mapping{
		Registrations: queries.Source{Table: table("Sign Ups"), Columns: map[string]string{
			"user_id": "User ID", "registered_at": "Created At", "channel": `UTM "Channel"`}},
		Purchases: queries.Source{Table: table("orders"), Columns: map[string]string{
			"user_id": "customer", "purchased_at": "ordered_at", "amount": "total"}},
		Spend: &queries.Source{Table: table("ad_spend"), Columns: map[string]string{
			"date": "day", "channel": "network", "amount": "cost"}},
	}}
}

func mustExec(t *testing.T, db *sqlx.DB, q string) {
	t.Helper()
	if _, err := db.Exec(q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// row is the printable form of a channel row: money at 2 decimals, ratios
// at 4, n/a as "n/a".
func row(m attribution.ChannelMetrics) string {
	r := func(x attribution.Ratio) string {
		if !x.Valid {
			return "n/a"
		}
		return fmt.Sprintf("%.4f", x.Value)
	}
	q := func(x attribution.Quotient) string {
		if !x.Valid() {
			return "n/a"
		}
		return x.Format(2)
	}
	return fmt.Sprintf("%s regs=%d cust=%d cr=%s spend=%s cpr=%s cac=%s rev=%s roas=%s median=%s immature=%d",
		m.Channel, m.Registrations, m.Customers, r(m.ConversionRate), m.Spend.Format(2),
		q(m.CostPerRegistration), q(m.CostPerCustomer), m.Revenue.Format(2), r(m.ROAS),
		r(m.MedianDaysToConvert), m.Immature)
}

func TestEdgeCases(t *testing.T) {
	march1 := attribution.Period{From: attribution.Date{Year: 2026, Month: 3, Day: 1}, To: attribution.Date{Year: 2026, Month: 3, Day: 2}}
	for _, e := range openReportEdgeDBs(t) {
		t.Run(string(e.dialect), func(t *testing.T) {
			rep := runReport(t, e, march1, "UTC", edgeAsOf)
			// Search: u1 day 0 (50), u2 not converted (purchase at exactly +W),
			// u3 day 4 (100 - 30 refund), u14 purchase after as_of: 4 regs, 2 customers.
			// Email: u6 (duplicate under Search ignored), u11 day 3 after a zero purchase.
			// Réseaux sociaux: day 29, one second before the window ends.
			want := []string{
				"Search regs=4 cust=2 cr=0.5000 spend=100.00 cpr=25.00 cac=50.00 rev=120.00 roas=1.2000 median=2.0000 immature=2",
				"Email regs=2 cust=1 cr=0.5000 spend=0.00 cpr=0.00 cac=0.00 rev=10.00 roas=n/a median=3.0000 immature=0",
				"Réseaux sociaux regs=1 cust=1 cr=1.0000 spend=0.00 cpr=0.00 cac=0.00 rev=25.00 roas=n/a median=29.0000 immature=0",
				"(none) regs=2 cust=0 cr=0.0000 spend=0.00 cpr=0.00 cac=n/a rev=0.00 roas=n/a median=n/a immature=0",
				"<script>alert(1)</script> regs=1 cust=0 cr=0.0000 spend=0.00 cpr=0.00 cac=n/a rev=0.00 roas=n/a median=n/a immature=0",
				"=1+1 regs=1 cust=0 cr=0.0000 spend=0.00 cpr=0.00 cac=n/a rev=0.00 roas=n/a median=n/a immature=0",
				"Display regs=0 cust=0 cr=n/a spend=55.55 cpr=n/a cac=n/a rev=0.00 roas=0.0000 median=n/a immature=0",
				"Social regs=1 cust=0 cr=0.0000 spend=0.00 cpr=0.00 cac=n/a rev=0.00 roas=n/a median=n/a immature=1",
			}
			var got []string
			for _, m := range rep.Channels {
				got = append(got, row(m))
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("channels:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
			}
			wantTotal := "Total regs=12 cust=4 cr=0.3333 spend=155.55 cpr=12.96 cac=38.89 rev=155.00 roas=0.9965 median=3.5000 immature=3"
			if g := row(rep.Total); g != wantTotal {
				t.Errorf("total:\n got %s\nwant %s", g, wantTotal)
			}
			q := rep.Quality
			if q.DuplicateRegistrations != 1 || q.ExistingCustomers != 1 || q.NoChannel != 2 ||
				q.RegistrationsNoUser != 1 || q.RegistrationsAfterAsOf != 1 || q.PurchasesIgnored != 1 ||
				q.Refunds != 1 || q.ZeroAmountPurchases != 1 || q.SpendRowsInPeriod != 2 ||
				strings.Join(q.SpendWithoutRegistrations, ",") != "Display" {
				t.Errorf("quality = %+v", q)
			}
		})
	}
}

// A registration belongs to the period by its local date in the report's
// time zone (METRICS.md, "Time"): 23:30 UTC on 1 March is 2 March in Berlin.
func TestLocalDateDecidesThePeriod(t *testing.T) {
	march2 := attribution.Period{From: attribution.Date{Year: 2026, Month: 3, Day: 2}, To: attribution.Date{Year: 2026, Month: 3, Day: 3}}
	for _, e := range openReportEdgeDBs(t) {
		t.Run(string(e.dialect), func(t *testing.T) {
			for _, tc := range []struct {
				tz   string
				want string
			}{
				{"Europe/Berlin", "Search:1 Social:1"}, // u16 at 00:00 UTC = 01:00 local, u5 at 00:30 local
				{"UTC", "Search:1"},                    // only u16
				{"America/New_York", "(none):0"},       // 2 March local starts at 05:00 UTC
			} {
				rep := runReport(t, e, march2, tc.tz, edgeAsOf)
				var got []string
				for _, m := range rep.Channels {
					if m.Registrations > 0 {
						got = append(got, fmt.Sprintf("%s:%d", m.Channel, m.Registrations))
					}
				}
				if len(got) == 0 {
					got = []string{"(none):0"}
				}
				if g := strings.Join(got, " "); g != tc.want {
					t.Errorf("%s: got %s, want %s", tc.tz, g, tc.want)
				}
			}
		})
	}
}
