package queries_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/fixtures"
	"github.com/origen-analytics/origen/queries"
)

// ltvDB is a small database with the sources of the lifetime-value tests,
// on both drivers.
func openLTVDBs(t *testing.T, regs []reg, purs []pur) []edgeDB {
	t.Helper()
	sq, pg := openSQLiteAndPostgres(t, "ltv.db")
	return []edgeDB{loadLTV(t, sq, queries.SQLite, regs, purs), loadLTV(t, pg, queries.Postgres, regs, purs),
		loadLTV(t, openMySQL(t), queries.MySQL, regs, purs)}
}

func loadLTV(t *testing.T, db *sqlx.DB, d queries.Dialect, regs []reg, purs []pur) edgeDB {
	t.Helper()
	ts, money := "TEXT", "NUMERIC"
	switch d {
	case queries.Postgres:
		ts, money = "timestamp", "numeric(12,2)"
	case queries.MySQL:
		ts, money = "datetime", "decimal(12,2)"
	}
	mustExec(t, db, fmt.Sprintf(`CREATE TABLE signups (uid bigint, at %s, channel text)`, ts))
	mustExec(t, db, fmt.Sprintf(`CREATE TABLE orders (uid bigint, at %s, total %s)`, ts, money))
	mustExec(t, db, fmt.Sprintf(`CREATE TABLE spend (day %s, channel text, cost %s)`, map[queries.Dialect]string{queries.SQLite: "TEXT", queries.Postgres: "date", queries.MySQL: "date"}[d], money))
	tx := db.MustBegin()
	for _, s := range ltvSpend {
		tx.MustExec(db.Rebind(`INSERT INTO spend VALUES (?, ?, ?)`), s.date, s.channel, s.amount)
	}
	for _, r := range regs {
		tx.MustExec(db.Rebind(`INSERT INTO signups VALUES (?, ?, ?)`), r.user, r.at, r.channel)
	}
	for _, p := range purs {
		tx.MustExec(db.Rebind(`INSERT INTO orders VALUES (?, ?, ?)`), p.user, p.at, p.amount)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return edgeDB{db: db, dialect: d, mapping: queries.Mapping{
		Registrations: queries.Source{Table: "signups", Columns: map[string]string{
			"user_id": "uid", "registered_at": "at", "channel": "channel"}},
		Purchases: queries.Source{Table: "orders", Columns: map[string]string{
			"user_id": "uid", "purchased_at": "at", "amount": "total"}},
		Spend: &queries.Source{Table: "spend", Columns: map[string]string{"date": "day", "channel": "channel", "amount": "cost"}},
	}}
}

// The lifetime-value data set, computed by hand below. as_of is
// 2026-06-15 12:00 UTC, four cohort months (March to June 2026), UTC.
var (
	ltvRegs = []reg{
		{1, "2026-03-01 10:00:00", "Search"},
		{2, "2026-03-15 00:00:00", "Search"},
		{3, "2026-03-31 23:00:00", "Search"}, // the youngest of Search's March cohort
		{4, "2026-04-02 00:00:00", "Email"},
		{5, "2026-02-20 00:00:00", "Social"}, // before the cohort months
		{6, "2026-03-05 00:00:00", "Social"}, // bought before registering
		{7, "2026-06-10 00:00:00", "Search"}, // a June cohort: nothing mature
		{8, "2026-02-10 00:00:00", "Email"},  // first registration before the months
		{8, "2026-03-10 00:00:00", "Email"},  // a later duplicate: not a cohort member
	}
	ltvPurs = []pur{
		{1, "2026-03-01 10:00:00", "50.00"},  // day 0, month 1: birth
		{1, "2026-03-01 18:00:00", "20.00"},  // the same day: not a repeat
		{1, "2026-03-20 09:00:00", "30.00"},  // day 18, month 1: second day
		{1, "2026-04-10 10:00:00", "40.00"},  // day 40, month 2
		{1, "2026-04-20 10:00:00", "-25.00"}, // refund on day 50, month 2, after the window
		{1, "2026-05-05 10:00:00", "60.00"},  // day 65, month 3
		{3, "2026-05-10 00:00:00", "100.00"}, // day 39 (39 d 1 h), month 2
		{4, "2026-04-02 12:00:00", "10.00"},
		{4, "2026-04-05 00:00:00", "10.00"},
		{4, "2026-06-01 00:00:00", "10.00"}, // day 60, month 3
		{5, "2026-03-02 00:00:00", "99.00"},
		{6, "2026-03-01 00:00:00", "99.00"},
		{6, "2026-03-06 00:00:00", "99.00"},
		{7, "2026-06-11 00:00:00", "15.00"},
		{8, "2026-03-11 00:00:00", "99.00"},
		{9, "2026-03-11 00:00:00", "99.00"}, // never registered
	}
	ltvSpend = []spd{
		{"2026-03-10", "Search", "300.00"},
		{"2026-04-03", "Email", "10.00"},
		{"2026-06-12", "Search", "50.00"},
		{"2026-04-01", "Display", "5.00"},  // no registrations in April
		{"2026-02-01", "Search", "999.00"}, // before the cohort months
	}
	ltvAsOf = time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
)

func readLTV(t *testing.T, e edgeDB, tz string, req attribution.LTVRequest) attribution.LTVFacts {
	t.Helper()
	req.Location = location(t, tz)
	f, err := e.snapshot(t, tz).ReadLTV(context.Background(), req)
	if err != nil {
		t.Fatalf("read lifetime value: %v", err)
	}
	return f
}

func ltvLines(f attribution.LTVFacts, asOf time.Time) []string {
	var out []string
	for _, c := range f.Cohorts {
		out = append(out, fmt.Sprintf("cohort %s %s regs=%d youngest=%dd", c.Channel, c.Cohort, c.Registrations,
			int(asOf.Sub(c.LastRegistered)/(24*time.Hour))))
	}
	for _, m := range f.Months {
		out = append(out, fmt.Sprintf("month %s %s m%d rev=%s new=%d rep=%d", m.Channel, m.Cohort, m.Month,
			m.Revenue.Format(2), m.NewCustomers, m.NewRepeaters))
	}
	for _, s := range f.Summaries {
		out = append(out, fmt.Sprintf("rfm %s x=%d tx=%d T=%d n=%d first=%s", s.Channel, s.X, s.TxDays, s.TDays,
			s.Customers, s.FirstSpend.Format(2)))
	}
	for _, s := range f.Spend {
		out = append(out, fmt.Sprintf("spend %s x=%d rep=%s n=%d", s.Channel, s.X, s.RepeatTotal.Format(2), s.Customers))
	}
	for _, s := range f.CohortSpend {
		out = append(out, fmt.Sprintf("cost %s %s %s rows=%d", s.Channel, s.Cohort, s.Amount.Format(2), s.Rows))
	}
	sort.Strings(out)
	return out
}

// The aggregates of ltv.sql and ltv_spend.sql, by hand (docs/LTV.md):
//
//	Search March: u1, u2, u3 (u8's first registration is February's, u6 is
//	an existing customer); youngest u3, 75 days 13 h at as_of.
//	Month 1 (days 0-29) 50 + 20 + 30 = 100.00, u1 born, u1's second day.
//	Month 2 (days 30-59) 40 − 25 (the refund, after the 30-day window)
//	+ 100 (u3, day 39) = 115.00, u3 born. Month 3 60.00.
//	Email April: u4, 74 days 12 h; month 1 20.00 with a repeat, month 3 10.00.
//	Search June: u7, 5 days; month 1 15.00.
//	Summaries (local days to 2026-06-15) - u1 birth 03-01 (70.00),
//	repeat days 03-20, 04-10, 05-05 - x 3, t_x 65, T 106, repeat 130.00;
//	u3 x 0, T 36; u4 x 2, t_x 60, T 74, repeat 20.00; u7 x 0, T 4.
func TestLTVByHand(t *testing.T) {
	want := []string{
		"cohort Email 2026-04-01 regs=1 youngest=74d",
		"cohort Search 2026-03-01 regs=3 youngest=75d",
		"cohort Search 2026-06-01 regs=1 youngest=5d",
		// ltv_spend - the cohort months' spend per channel and month
		// (February's 999.00 is before them; Display has no cohort).
		"cost Display 2026-04-01 5.00 rows=1",
		"cost Email 2026-04-01 10.00 rows=1",
		"cost Search 2026-03-01 300.00 rows=1",
		"cost Search 2026-06-01 50.00 rows=1",
		"month Email 2026-04-01 m1 rev=20.00 new=1 rep=1",
		"month Email 2026-04-01 m3 rev=10.00 new=0 rep=0",
		"month Search 2026-03-01 m1 rev=100.00 new=1 rep=1",
		"month Search 2026-03-01 m2 rev=115.00 new=1 rep=0",
		"month Search 2026-03-01 m3 rev=60.00 new=0 rep=0",
		"month Search 2026-06-01 m1 rev=15.00 new=1 rep=0",
		"rfm Email x=2 tx=60 T=74 n=1 first=10.00",
		"rfm Search x=0 tx=0 T=36 n=1 first=100.00",
		"rfm Search x=0 tx=0 T=4 n=1 first=15.00",
		"rfm Search x=3 tx=65 T=106 n=1 first=70.00",
		"spend Email x=2 rep=20.00 n=1",
		"spend Search x=3 rep=130.00 n=1",
	}
	for _, e := range openLTVDBs(t, ltvRegs, ltvPurs) {
		t.Run(string(e.dialect), func(t *testing.T) {
			got := ltvLines(readLTV(t, e, "UTC", attribution.LTVRequest{AsOf: ltvAsOf, Months: 4}), ltvAsOf)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("lifetime value:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
			}
			// Three months: March is still in; two: only the young cohorts.
			got = ltvLines(readLTV(t, e, "UTC", attribution.LTVRequest{AsOf: ltvAsOf, Months: 3}), ltvAsOf)
			if !strings.Contains(strings.Join(got, "\n"), "cohort Email 2026-04-01") || strings.Contains(strings.Join(got, "\n"), "2026-03-01") {
				t.Errorf("three cohort months (April to June):\n%s", strings.Join(got, "\n"))
			}
		})
	}
}

// The SQL summaries equal attribution.SummarizeCustomer on generated
// repeat purchases (fixtures.GenerateRepeat) with refunds, several
// purchases on a day and registrations that never buy, in a zone with a
// DST change inside the data (Europe/Berlin), grouped as the fits read
// them.
func TestLTVSummariesMatchSummarizeCustomer(t *testing.T) {
	const seed = 12
	t.Logf("seed %d", seed)
	gen, err := fixtures.GenerateRepeat(fixtures.RepeatConfig{Seed: seed, Customers: 300, BirthWeeks: 20, AsOfWeeks: 30,
		BGNBD: attribution.BGNBD{R: 0.8, Alpha: 3, A: 0.8, B: 2.5}, Spend: attribution.GammaGamma{P: 6, Q: 4, V: 15}})
	if err != nil {
		t.Fatal(err)
	}
	tz := "Europe/Berlin"
	loc := location(t, tz)
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, loc)
	at := func(weeks float64) time.Time {
		return start.Add(time.Duration(weeks * 7 * 24 * float64(time.Hour))).Truncate(time.Second)
	}
	asOf := at(30)
	asOfDay := attribution.DateOf(asOf.In(loc))
	r := rand.New(rand.NewPCG(seed, 1))
	text := func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") }
	var regs []reg
	var purs []pur
	type key struct {
		ch          string
		x, tx, tDay int
	}
	wantRFM := map[key]int64{}
	wantSpend := map[string]int64{}
	for i, c := range gen {
		uid := i + 1
		ch := []string{"A", "B"}[r.IntN(2)]
		first := at(c.Purchases[0].Week)
		regs = append(regs, reg{uid, text(first.Add(-time.Duration(r.IntN(72*3600)) * time.Second)), ch})
		var ps []attribution.LTVPurchase
		add := func(t time.Time, m attribution.Money) {
			m = m / 100 * 100 // whole cents, as the table stores them
			purs = append(purs, pur{uid, text(t), m.Format(2)})
			ps = append(ps, attribution.LTVPurchase{Day: attribution.DateOf(t.In(loc)), Amount: m})
		}
		for _, p := range c.Purchases {
			t := at(p.Week)
			add(t, p.Amount)
			if r.IntN(5) == 0 && t.Add(2*time.Hour).Before(asOf) { // a second purchase, often the same day
				add(t.Add(2*time.Hour), p.Amount/2+attribution.MoneyScale)
			}
			if r.IntN(6) == 0 && t.Add(24*time.Hour).Before(asOf) { // a refund the next day
				add(t.Add(24*time.Hour), -p.Amount/3)
			}
		}
		rfm, sp, ok, err := attribution.SummarizeCustomer(ps, asOfDay)
		if err != nil || !ok {
			t.Fatalf("customer %d: %v %v", uid, ok, err)
		}
		days := func(w float64) int { return int(w*7 + 0.5) }
		wantRFM[key{ch, rfm.X, days(rfm.Tx), days(rfm.T)}]++
		if rfm.X > 0 {
			wantSpend[fmt.Sprintf("%s x=%d mean=%.6f", ch, sp.X, sp.Mean)]++
		}
		if r.IntN(4) == 0 { // a registration that never buys
			regs = append(regs, reg{10000 + uid, text(first), ch})
		}
	}
	for _, e := range openLTVDBs(t, regs, purs) {
		t.Run(string(e.dialect), func(t *testing.T) {
			f := readLTV(t, e, tz, attribution.LTVRequest{AsOf: asOf, Months: 8})
			gotRFM := map[key]int64{}
			for _, s := range f.Summaries {
				gotRFM[key{s.Channel, s.X, s.TxDays, s.TDays}] += s.Customers
			}
			gotSpend := map[string]int64{}
			for _, s := range f.Spend {
				gotSpend[fmt.Sprintf("%s x=%d mean=%.6f", s.Channel, s.X, s.RepeatTotal.Float64()/float64(s.X))] += s.Customers
			}
			if fmt.Sprint(gotRFM) != fmt.Sprint(wantRFM) {
				t.Errorf("summaries differ:\n got %v\nwant %v", gotRFM, wantRFM)
			}
			if fmt.Sprint(gotSpend) != fmt.Sprint(wantSpend) {
				t.Errorf("spend summaries differ:\n got %v\nwant %v", gotSpend, wantSpend)
			}
			var n int64
			for _, v := range gotRFM {
				n += v
			}
			if n != int64(len(gen)) {
				t.Errorf("%d customers summarised, want %d", n, len(gen))
			}
		})
	}
}

// The lifetime-value section through the report pipeline on both drivers,
// gross margin 0.5, by hand from the data above:
//
//	Search - March (3 registrations, spend 300.00, youngest 75 days) is
//	mature at months 1 and 2, June (1, 50.00, 5 days) at none. Pooled
//	month 1 = 100.00 / 3 = 33.33 per registration, 100.00 per customer,
//	repeat rate 1/1; month 2 = 215.00 / 3 = 71.67, 107.50 per customer
//	(2), repeat 1/2; cost 100.00 per registration; margin 50 % never
//	reaches it - not within 2 months. All cohorts - 4 registrations,
//	3 customers (u1, u3, u7), 350.00 - 87.50 and 116.67.
//	Email - April (1, 10.00, 74 days) - 20.00 at month 1, margin 10.00 =
//	the cost 10.00 - payback in month 1 (exact equality).
//	Total - months 1 and 2 pool Search March and Email April - 120.00 and
//	235.00 per 4 registrations (customers u1, u4 at month 1; u1, u3, u4
//	at month 2, of whom u1 and u4 repeat - 2/3), cost 310.00 - not within
//	2 months.
//	Display has spend in a month without registrations - a note.
//	Nobody is old enough for month 12, so no observed 12-month LTV; too few
//	customers to fit the models anywhere - no projection, stated.
func TestLTVReportByHand(t *testing.T) {
	want := []string{
		"Email regs=1 cust=1 spend=10.00 cpr=10.00 cpc=10.00 m1=20.00/20.00/1.00 m2=20.00/20.00/1.00 m3=- payback=month 1 ltv12=- projected=false",
		"Search regs=4 cust=3 spend=350.00 cpr=87.50 cpc=116.67 m1=33.33/100.00/1.00 m2=71.67/107.50/0.50 m3=- payback=not within 2 months ltv12=- projected=false",
		"Total regs=5 cust=4 spend=360.00 cpr=72.00 cpc=90.00 m1=30.00/60.00/1.00 m2=58.75/78.33/0.67 m3=- payback=not within 2 months ltv12=- projected=false",
	}
	for _, e := range openLTVDBs(t, ltvRegs, ltvPurs) {
		t.Run(string(e.dialect), func(t *testing.T) {
			rep, err := attribution.BuildReport(context.Background(), e.snapshot(t, "UTC"), attribution.ReportRequest{
				Period: mustPeriod(t, "2026-06-01", "2026-06-16"), AsOf: ltvAsOf, Location: time.UTC, Timezone: "UTC", WindowDays: 30,
				Currency: attribution.Currency{Code: "EUR", Digits: 2}, LTVCohortMonths: 4, GrossMargin: 0.5, TopProspects: -1})
			if err != nil {
				t.Fatal(err)
			}
			l := rep.LTV
			if l == nil || l.Basis != "margin" || l.FirstCohort.String() != "2026-03-01" {
				t.Fatalf("section %+v", l)
			}
			var got []string
			for _, c := range l.Channels {
				pt := func(m int) string {
					p := c.Curve.At(m)
					if !p.Mature {
						return "-"
					}
					return fmt.Sprintf("%s/%s/%.2f", p.RevenuePerRegistration().Format(2), p.RevenuePerCustomer().Format(2), p.RepeatRate().Value)
				}
				ltv := c.ObservedLTV12.Format(2)
				if ltv == "" {
					ltv = "-"
				}
				got = append(got, fmt.Sprintf("%s regs=%d cust=%d spend=%s cpr=%s cpc=%s m1=%s m2=%s m3=%s payback=%s ltv12=%s projected=%v",
					c.Channel, c.Registrations, c.Customers, c.Spend.Format(2), c.CostPerRegistration.Format(2), c.CostPerCustomer.Format(2),
					pt(1), pt(2), pt(3), c.Payback, ltv, c.ProjectedOK))
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("channels:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
			}
			notes := strings.Join(l.Notes, "\n")
			for _, n := range []string{`channel "Display" has spend in cohort months without registrations (5.00`,
				`channel "Search" does not pay back its cost per registration within the 2 months observed`,
				`channel "Email": no projected value, too few customers`} {
				if !strings.Contains(notes, n) {
					t.Errorf("notes lack %q:\n%s", n, notes)
				}
			}
			if len(l.Cohorts) != 3 {
				t.Errorf("%d cohort curves, want 3", len(l.Cohorts))
			}
		})
	}
}

// A negative spend amount in a cohort month (here March, before any report
// period would read it) is the same data error as in the report's spend
// read, naming the channel, the rows and the first date, on both drivers.
func TestLTVNegativeSpend(t *testing.T) {
	for _, e := range openLTVDBs(t, ltvRegs, ltvPurs) {
		t.Run(string(e.dialect), func(t *testing.T) {
			mustExec(t, e.db, `INSERT INTO spend VALUES ('2026-03-20', 'Search', -4.00)`)
			mustExec(t, e.db, `INSERT INTO spend VALUES ('2026-04-02', 'Search', -1.00)`)
			_, err := e.snapshot(t, "UTC").ReadLTV(context.Background(), attribution.LTVRequest{AsOf: ltvAsOf, Location: time.UTC, Months: 4})
			var ae *attribution.Error
			if !errors.As(err, &ae) || ae.Kind != attribution.KindData {
				t.Fatalf("error %v, want a data error", err)
			}
			for _, want := range []string{"2 rows with a negative amount", `channel "Search"`, "first on 2026-03-20"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
		})
	}
}

// ltv.sql's own first registrations follow first_registrations' rule
// (docs/METRICS.md, "Cohort" and "Ties") on every driver: the cohorts are
// the pass's registrations of the same month, existing customers left
// out, channel by channel (raw label and NULL apart), and the hand-counted
// ones below. User 8's two registrations at the same instant, one with a
// NULL and one with an empty channel, have the same keys: neither comes
// before the other, so both count, in the pass as here.
func TestLTVFirstRegistrationsFollowTheTieRule(t *testing.T) {
	at := "2026-03-01T10:00:00Z"
	regs := [][4]any{
		{1, at, nil, nil}, {1, at, "Zeta", nil}, // labelled before NULL
		{2, at, "", nil}, {2, at, "Beta", nil}, // labelled before empty
		{3, at, "Beta", nil}, {3, at, "Alpha", nil}, // by name
		{4, at, "alpha", nil}, {4, at, "Alpha", nil}, // byte order: "A" < "a"
		{5, at, "Beta", nil}, {5, at, "Beta", "spring"}, // campaign: labelled first
		{6, at, "Gamma", "x"}, {6, at, "Gamma", "x"}, // identical rows: one
		{7, "2026-03-01T09:00:00Z", nil, nil}, {7, at, "Alpha", nil}, // earlier wins, even unlabelled
		{8, at, nil, nil}, {8, at, "", nil}, // the same keys: both
		{9, "2026-01-15T10:00:00Z", "Zeta", nil}, {9, at, "Beta", nil}, // first before the cohort month
		{10, at, "Beta", nil},                                                                 // bought before registering
		{11, at, " ", nil}, {11, at, "Alpha", "a"}, {11, "2026-03-02T10:00:00Z", "Beta", nil}, // a customer
	}
	purs := [][3]any{
		{10, "2026-02-01T10:00:00Z", "20.00"}, {10, "2026-03-05T10:00:00Z", "30.00"},
		{11, "2026-03-05T10:00:00Z", "50.00"}, {11, "2026-03-20T10:00:00Z", "-5.00"},
	}
	asOf := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	want := "Alpha=3 Beta=2 Gamma=1 Zeta=1 [NULL]=2 []=1 | months Alpha m1 rev=45.00 new=1"
	for _, e := range smallDBs(t, regs, nil, "date") {
		t.Run(string(e.dialect), func(t *testing.T) {
			for _, p := range purs {
				v := p[1]
				if e.dialect == queries.MySQL {
					v = mysqlTime(v)
				}
				if _, err := e.db.Exec(e.db.Rebind(`INSERT INTO p VALUES (?, ?, ?)`), p[0], v, p[2]); err != nil {
					t.Fatal(err)
				}
			}
			label := func(ch string, valid bool) string {
				if !valid {
					return "[NULL]"
				}
				if ch == "" {
					return "[]"
				}
				return ch
			}
			f := readLTV(t, e, "UTC", attribution.LTVRequest{AsOf: asOf, Months: 2}) // March and April
			ltv := map[string]int64{}
			for _, c := range f.Cohorts {
				ltv[label(c.Channel, c.ChannelValid)] += c.Registrations
			}
			var got []string
			for k, n := range ltv {
				got = append(got, fmt.Sprintf("%s=%d", k, n))
			}
			sort.Strings(got)
			got = append(got, "|")
			for _, m := range f.Months {
				got = append(got, fmt.Sprintf("months %s m%d rev=%s new=%d", label(m.Channel, m.ChannelValid), m.Month, m.Revenue.Format(2), m.NewCustomers))
			}
			if g := strings.Join(got, " "); g != want {
				t.Errorf("cohorts of ltv.sql\n got %s\nwant %s", g, want)
			}
			pass := map[string]int64{}
			for _, c := range readFacts(t, e, "UTC", attribution.FactsRequest{AsOf: asOf, Period: mustPeriod(t, "2026-03-01", "2026-04-01")}).Cohort {
				if !c.Existing {
					pass[label(c.Channel, c.ChannelValid)] += c.Count
				}
			}
			if fmt.Sprint(pass) != fmt.Sprint(ltv) {
				t.Errorf("ltv.sql's cohorts %v, the pass's registrations %v", ltv, pass)
			}
		})
	}
}

// The data set of TestLTVTiedFirstRegistrationsAreEachACustomer - user 1's
// two first registrations at the same instant, one with a NULL and one
// with an empty channel, which the tie rule keeps both of, with purchases
// on three local days and a refund; user 2 the same alone, for contrast.
var (
	ltvTiedRegs = []reg{
		{1, "2026-03-01 10:00:00", nil},
		{1, "2026-03-01 10:00:00", ""},
		{2, "2026-03-02 10:00:00", "Search"},
	}
	ltvTiedPurs = []pur{
		{1, "2026-03-01 12:00:00", "30.00"}, // day 0, month 1 - birth
		{1, "2026-03-10 10:00:00", "20.00"}, // day 9, month 1 - second day
		{1, "2026-04-15 10:00:00", "50.00"}, // day 45, month 2
		{1, "2026-04-20 10:00:00", "-5.00"}, // refund, month 2
		{2, "2026-03-02 12:00:00", "30.00"}, // the same, a day later
		{2, "2026-03-11 10:00:00", "20.00"}, //
		{2, "2026-04-16 10:00:00", "50.00"}, //
		{2, "2026-04-21 10:00:00", "-5.00"}, //
	}
	// Each of user 1's first registrations is a cohort member with all of
	// the user's purchases, as in the pass (facts.sql) - per channel (NULL
	// apart from empty) the figures of user 2 alone, one day younger.
	ltvTiedWant = []string{
		"cohort Search 2026-03-01 regs=1", "cohort [NULL] 2026-03-01 regs=1", "cohort [] 2026-03-01 regs=1",
		"customer 1 [NULL] first=2026-03-01T12:00:00Z n=3 rev=95.00 x=2 tx=45 T=106 rep=70.00",
		"customer 1 [] first=2026-03-01T12:00:00Z n=3 rev=95.00 x=2 tx=45 T=106 rep=70.00",
		"customer 2 Search first=2026-03-02T12:00:00Z n=3 rev=95.00 x=2 tx=45 T=105 rep=70.00",
		"month Search m1 rev=50.00 new=1 rep=1", "month Search m2 rev=45.00 new=0 rep=0",
		"month [NULL] m1 rev=50.00 new=1 rep=1", "month [NULL] m2 rev=45.00 new=0 rep=0",
		"month [] m1 rev=50.00 new=1 rep=1", "month [] m2 rev=45.00 new=0 rep=0",
		"rfm Search x=2 tx=45 T=105 n=1 first=30.00", "rfm [NULL] x=2 tx=45 T=106 n=1 first=30.00",
		"rfm [] x=2 tx=45 T=106 n=1 first=30.00",
		"spend Search x=2 rep=70.00 n=1", "spend [NULL] x=2 rep=70.00 n=1", "spend [] x=2 rep=70.00 n=1",
	}
)

// ltvTiedLines is the lifetime-value section of req with NULL and empty
// channels told apart ([NULL], []), customers included, sorted.
func ltvTiedLines(t *testing.T, e edgeDB, req attribution.LTVRequest) []string {
	t.Helper()
	label := func(ch string, valid bool) string {
		if !valid {
			return "[NULL]"
		}
		if ch == "" {
			return "[]"
		}
		return ch
	}
	var out []string
	req.Customers = func(c attribution.LTVCustomer) error {
		out = append(out, fmt.Sprintf("customer %s %s first=%s n=%d rev=%s x=%d tx=%d T=%d rep=%s", c.UserID,
			label(c.Channel, c.ChannelValid), c.FirstPurchase.Format(time.RFC3339), c.Purchases, c.Revenue.Format(2),
			c.X, c.TxDays, c.TDays, c.RepeatTotal.Format(2)))
		return nil
	}
	f := readLTV(t, e, "UTC", req)
	for _, c := range f.Cohorts {
		out = append(out, fmt.Sprintf("cohort %s %s regs=%d", label(c.Channel, c.ChannelValid), c.Cohort, c.Registrations))
	}
	for _, m := range f.Months {
		out = append(out, fmt.Sprintf("month %s m%d rev=%s new=%d rep=%d", label(m.Channel, m.ChannelValid), m.Month,
			m.Revenue.Format(2), m.NewCustomers, m.NewRepeaters))
	}
	for _, s := range f.Summaries {
		out = append(out, fmt.Sprintf("rfm %s x=%d tx=%d T=%d n=%d first=%s", label(s.Channel, s.ChannelValid), s.X, s.TxDays,
			s.TDays, s.Customers, s.FirstSpend.Format(2)))
	}
	for _, s := range f.Spend {
		out = append(out, fmt.Sprintf("spend %s x=%d rep=%s n=%d", label(s.Channel, s.ChannelValid), s.X, s.RepeatTotal.Format(2), s.Customers))
	}
	sort.Strings(out)
	return out
}

// A user whose two first registrations the tie rule keeps (docs/METRICS.md,
// "Ties" - a NULL and an empty channel at the same instant have the same
// keys) is in the pass two registrations, each with all of the user's
// purchase facts; in the lifetime-value section each is likewise a
// customer of its own channel with all of the user's purchase days - its
// own birth, second day, x, t_x, T, first-day amount, repeat total and
// revenue (docs/LTV.md, "Reads"). Before, the days were ranked per user
// across both: one of the two had no birth (a first-day amount of 0, its
// first day a repeat, a second day in the month of birth), which of them
// varying from run to run, and the customer's revenue counted twice.
func TestLTVTiedFirstRegistrationsAreEachACustomer(t *testing.T) {
	asOf := ltvAsOf
	for _, e := range openLTVDBs(t, ltvTiedRegs, ltvTiedPurs) {
		t.Run(string(e.dialect), func(t *testing.T) {
			got := ltvTiedLines(t, e, attribution.LTVRequest{AsOf: asOf, Months: 4})
			if strings.Join(got, "\n") != strings.Join(ltvTiedWant, "\n") {
				t.Errorf("lifetime value:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(ltvTiedWant, "\n     "))
			}
			// The pass: user 1 is one registration of each channel, a
			// customer on day 0 with the window revenue 50.00 in each.
			var pass []string
			for _, c := range readFacts(t, e, "UTC", attribution.FactsRequest{AsOf: asOf, Period: mustPeriod(t, "2026-03-01", "2026-03-02")}).Cohort {
				pass = append(pass, fmt.Sprintf("%q/%v existing=%v days=%d n=%d rev=%s", c.Channel, c.ChannelValid, c.Existing, c.Days, c.Count, c.Revenue.Format(2)))
			}
			sort.Strings(pass)
			if want := `""/false existing=false days=0 n=1 rev=50.00 ""/true existing=false days=0 n=1 rev=50.00`; strings.Join(pass, " ") != want {
				t.Errorf("the pass's cohort\n got %s\nwant %s", strings.Join(pass, " "), want)
			}
		})
	}
}

// The same with the campaign - two first registrations of user 1 at one
// instant in channel Alpha, one with a NULL and one with an empty campaign
// (the same keys, both kept) - are two customers of Alpha, each with all of
// the user's purchase days and its own campaign.
func TestLTVTiedCampaignsAreEachACustomer(t *testing.T) {
	at := "2026-03-01T10:00:00Z"
	regs := [][4]any{{1, at, "Alpha", nil}, {1, at, "Alpha", ""}}
	want := []string{
		"cohort Alpha 2026-03-01 regs=2",
		"customer 1 Alpha first=2026-03-01T12:00:00Z n=3 rev=95.00 x=2 tx=45 T=106 rep=70.00",
		"customer 1 Alpha first=2026-03-01T12:00:00Z n=3 rev=95.00 x=2 tx=45 T=106 rep=70.00",
		"month Alpha m1 rev=100.00 new=2 rep=2", "month Alpha m2 rev=90.00 new=0 rep=0",
		"rfm Alpha x=2 tx=45 T=106 n=2 first=60.00",
		"spend Alpha x=2 rep=70.00 n=2", // rep is each customer's total
	}
	for _, e := range smallDBs(t, regs, nil, "date") {
		t.Run(string(e.dialect), func(t *testing.T) {
			for _, p := range ltvTiedPurs {
				if p.user != 1 {
					continue
				}
				v, err := time.Parse("2006-01-02 15:04:05", p.at)
				if err != nil {
					t.Fatal(err)
				}
				var ts any = v.Format(time.RFC3339)
				if e.dialect == queries.MySQL {
					ts = mysqlTime(ts)
				}
				if _, err := e.db.Exec(e.db.Rebind(`INSERT INTO p VALUES (?, ?, ?)`), p.user, ts, p.amount); err != nil {
					t.Fatal(err)
				}
			}
			var campaigns []string
			req := attribution.LTVRequest{AsOf: ltvAsOf, Months: 4}
			got := ltvTiedLines(t, e, req)
			req.Customers = func(c attribution.LTVCustomer) error {
				campaigns = append(campaigns, fmt.Sprintf("%q/%v", c.Campaign, c.CampaignValid))
				return nil
			}
			readLTV(t, e, "UTC", req)
			sort.Strings(campaigns)
			if strings.Join(got, "\n") != strings.Join(want, "\n") || strings.Join(campaigns, " ") != `""/false ""/true` {
				t.Errorf("lifetime value:\n got %s\n     campaigns %s\nwant %s\n     campaigns \"\"/false \"\"/true",
					strings.Join(got, "\n     "), strings.Join(campaigns, " "), strings.Join(want, "\n     "))
			}
		})
	}
}
