package queries_test

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/fixtures/pgtest"
	"github.com/origen-analytics/origen/internal/clickhouse/chtest"
	"github.com/origen-analytics/origen/queries"
)

// loadLTVClickHouse is loadLTV on the two-shard cluster: Distributed
// tables spreading the registrations by user and the purchases by user + 1,
// so that a user's registrations and purchases sit on different shards and
// a user's purchases are never all on the shard of its registration.
func loadLTVClickHouse(t *testing.T, regs []reg, purs []pur) edgeDB {
	t.Helper()
	e, _ := loadLTVClickHouseCluster(t, regs, purs)
	return e
}

// loadLTVClickHouseCluster is loadLTVClickHouse with its cluster.
func loadLTVClickHouseCluster(t *testing.T, regs []reg, purs []pur) (edgeDB, *chtest.Cluster) {
	t.Helper()
	c := chtest.New(t)
	c.CreateSharded(t, "signups", "uid Nullable(Int64), at DateTime, channel Nullable(String)", "tuple()", "ifNull(uid, 0)")
	c.CreateSharded(t, "orders", "uid Nullable(Int64), at DateTime, total Nullable(Decimal(12, 2))", "tuple()", "ifNull(uid, 0) + 1")
	c.CreateSharded(t, "spend", "day Date, channel Nullable(String), cost Decimal(12, 2)", "day", "toUInt16(day)")
	insertRegsAndPurs(t, c, "signups", "orders", regs, purs)
	var rows [][]string
	for _, s := range ltvSpend {
		rows = append(rows, []string{chtest.Literal(s.date), chtest.Literal(s.channel), chtest.Literal(s.amount)})
	}
	c.Insert(t, "spend", rows)
	for _, tb := range []string{"signups", "orders"} {
		if n := c.Counts(t, tb); n[0] == 0 || n[1] == 0 {
			t.Fatalf("%s is not spread over both shards: %v", tb, n)
		}
	}
	return edgeDB{db: chDB(t, c), dialect: queries.ClickHouse, mapping: queries.Mapping{
		Registrations: queries.Source{Table: "signups", Columns: map[string]string{
			"user_id": "uid", "registered_at": "at", "channel": "channel"}},
		Purchases: queries.Source{Table: "orders", Columns: map[string]string{
			"user_id": "uid", "purchased_at": "at", "amount": "total"}},
		Spend: &queries.Source{Table: c.Database + ".spend", Columns: map[string]string{"date": "day", "channel": "channel", "amount": "cost"}},
	}}, c
}

// ltvAll is the whole lifetime-value section of req as text lines:
// ltvLines and one line per customer (ReadLTV's Customers).
func ltvAll(t *testing.T, e edgeDB, tz string, req attribution.LTVRequest) []string {
	t.Helper()
	var customers []string
	req.Customers = func(c attribution.LTVCustomer) error {
		customers = append(customers, fmt.Sprintf("customer %s %s/%v %s/%v first=%s n=%d rev=%s x=%d tx=%d T=%d rep=%s",
			c.UserID, c.Channel, c.ChannelValid, c.Campaign, c.CampaignValid, c.FirstPurchase.Format(time.RFC3339),
			c.Purchases, c.Revenue.Format(4), c.X, c.TxDays, c.TDays, c.RepeatTotal.Format(4)))
		return nil
	}
	out := append(ltvLines(readLTV(t, e, tz, req), req.AsOf), customers...)
	sort.Strings(out)
	return out
}

// ltvPostgres is the data set on PostgreSQL, the reference.
func ltvPostgres(t *testing.T, regs []reg, purs []pur) edgeDB {
	t.Helper()
	pg, err := sqlx.Open("postgres", pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Close() })
	return loadLTV(t, pg, queries.Postgres, regs, purs)
}

// The lifetime-value section of the hand-computed data set
// (TestLTVByHand) is the same on the two-shard cluster as on PostgreSQL,
// line by line, customers included, for several cohort spans and zones;
// and its aggregates are the hand-computed ones.
func TestClickHouseLTVAgreesWithPostgres(t *testing.T) {
	pg, ch := ltvPostgres(t, ltvRegs, ltvPurs), loadLTVClickHouse(t, ltvRegs, ltvPurs)
	hand := ltvLines(readLTV(t, ch, "UTC", attribution.LTVRequest{AsOf: ltvAsOf, Months: 4}), ltvAsOf)
	for _, want := range []string{
		"cohort Search 2026-03-01 regs=3 youngest=75d",
		"month Search 2026-03-01 m2 rev=115.00 new=1 rep=0",
		"month Email 2026-04-01 m1 rev=20.00 new=1 rep=1",
		"rfm Search x=3 tx=65 T=106 n=1 first=70.00",
		"spend Search x=3 rep=130.00 n=1",
		"cost Search 2026-03-01 300.00 rows=1",
	} {
		if !strings.Contains(strings.Join(hand, "\n"), want) {
			t.Errorf("ClickHouse lifetime value lacks %q:\n%s", want, strings.Join(hand, "\n"))
		}
	}
	for _, tz := range []string{"UTC", "Europe/Berlin", "America/Los_Angeles"} {
		for _, months := range []int{1, 3, 4, 12} {
			req := attribution.LTVRequest{AsOf: ltvAsOf, Months: months}
			want, got := ltvAll(t, pg, tz, req), ltvAll(t, ch, tz, req)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("%s, %d months: ClickHouse\n %s\nPostgreSQL\n %s", tz, months, strings.Join(got, "\n "), strings.Join(want, "\n "))
			}
		}
	}
}

// Generated users - several registrations each, purchases and refunds,
// several on a day, some before registering, some never buying - give the
// same lifetime-value section on the cluster as on PostgreSQL, in a zone
// with daylight-saving changes inside the cohorts.
func TestClickHouseLTVGeneratedAgreesWithPostgres(t *testing.T) {
	const seed = 14
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 2))
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	asOf := time.Date(2026, 11, 20, 17, 30, 0, 0, time.UTC)
	text := func(t time.Time) string { return t.Format("2006-01-02 15:04:05") }
	at := func(from time.Time, maxDays int) time.Time {
		return from.Add(time.Duration(r.Int64N(int64(maxDays)*86400)) * time.Second)
	}
	var regs []reg
	var purs []pur
	for u := 1; u <= 400; u++ {
		reg0 := at(start, 320)
		ch := []any{"Search", "Email", "Social", nil, ""}[r.IntN(5)]
		regs = append(regs, reg{u, text(reg0), ch})
		if r.IntN(5) == 0 { // a second registration, earlier or later
			regs = append(regs, reg{u, text(at(reg0.Add(-20*24*time.Hour), 40)), []any{"Search", "Email"}[r.IntN(2)]})
		}
		for range r.IntN(6) {
			p := at(reg0.Add(-5*24*time.Hour), 300)
			amount := fmt.Sprintf("%d.%02d", r.IntN(200), r.IntN(100))
			if r.IntN(8) == 0 {
				amount = "-" + amount
			}
			purs = append(purs, pur{u, text(p), amount})
			if r.IntN(4) == 0 { // another on the same day
				purs = append(purs, pur{u, text(p.Add(time.Duration(r.IntN(3600)) * time.Second)), "12.34"})
			}
		}
	}
	pg, ch := ltvPostgres(t, regs, purs), loadLTVClickHouse(t, regs, purs)
	for _, tz := range []string{"UTC", "Europe/Berlin"} {
		for _, months := range []int{6, 11} {
			req := attribution.LTVRequest{AsOf: asOf, Months: months}
			want, got := ltvAll(t, pg, tz, req), ltvAll(t, ch, tz, req)
			if n := strings.Count(strings.Join(want, "\n"), "customer "); len(want) < 100 || n < 50 {
				t.Fatalf("%s, %d months: only %d lines, %d customers on PostgreSQL", tz, months, len(want), n)
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("%s, %d months: ClickHouse and PostgreSQL differ:\n%s", tz, months, lineDiff(got, want))
			}
		}
	}
}

// lineDiff is the lines only one of two sorted lists has.
func lineDiff(got, want []string) string {
	in := func(l []string) map[string]int {
		m := map[string]int{}
		for _, s := range l {
			m[s]++
		}
		return m
	}
	g, w := in(got), in(want)
	var out []string
	for s, n := range g {
		if w[s] != n {
			out = append(out, fmt.Sprintf("ClickHouse %dx: %s", n, s))
		}
	}
	for s, n := range w {
		if g[s] != n {
			out = append(out, fmt.Sprintf("PostgreSQL %dx: %s", n, s))
		}
	}
	sort.Strings(out)
	if len(out) > 40 {
		out = append(out[:40], "...")
	}
	return strings.Join(out, "\n")
}

// A cohort of many registrations (their instants' sum far beyond 64 bits,
// which part 1 never sums: it keeps the latest) reads as on PostgreSQL.
func TestClickHouseLTVLargeCohort(t *testing.T) {
	var regs []reg
	var purs []pur
	for u := 1; u <= 6000; u++ {
		at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(u*397) * time.Second)
		regs = append(regs, reg{u, at.Format("2006-01-02 15:04:05"), "Search"})
		if u%3 == 0 {
			purs = append(purs, pur{u, at.Add(time.Duration(u%50) * 24 * time.Hour).Format("2006-01-02 15:04:05"), fmt.Sprintf("%d.50", u%90)})
		}
	}
	pg, ch := ltvPostgres(t, regs, purs), loadLTVClickHouse(t, regs, purs)
	req := attribution.LTVRequest{AsOf: ltvAsOf, Months: 4}
	want, got := ltvLines(readLTV(t, pg, "UTC", req), ltvAsOf), ltvLines(readLTV(t, ch, "UTC", req), ltvAsOf)
	if !strings.Contains(strings.Join(want, "\n"), "cohort Search 2026-03-01 regs=6000") {
		t.Fatalf("PostgreSQL:\n%s", strings.Join(want, "\n"))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("ClickHouse and PostgreSQL differ:\n%s", lineDiff(got, want))
	}
}

// A user with two tied first registrations (a NULL and an empty channel at
// the same instant) is a customer of each channel with all its purchase
// days on the cluster too, as on the other drivers
// (TestLTVTiedFirstRegistrationsAreEachACustomer), line by line as on
// PostgreSQL.
func TestClickHouseLTVTiedFirstRegistrationsAgreeWithPostgres(t *testing.T) {
	pg, ch := ltvPostgres(t, ltvTiedRegs, ltvTiedPurs), loadLTVClickHouse(t, ltvTiedRegs, ltvTiedPurs)
	req := attribution.LTVRequest{AsOf: ltvAsOf, Months: 4}
	if got := ltvTiedLines(t, ch, req); strings.Join(got, "\n") != strings.Join(ltvTiedWant, "\n") {
		t.Errorf("ClickHouse lifetime value:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(ltvTiedWant, "\n     "))
	}
	for _, tz := range []string{"UTC", "America/Los_Angeles"} {
		req := attribution.LTVRequest{AsOf: ltvAsOf, Months: 4}
		if want, got := ltvAll(t, pg, tz, req), ltvAll(t, ch, tz, req); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s: ClickHouse\n %s\nPostgreSQL\n %s", tz, strings.Join(got, "\n "), strings.Join(want, "\n "))
		}
	}
}
