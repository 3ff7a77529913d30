package queries_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
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

// loadTouchClickHouse is loadTouch on the two-shard cluster: the
// registrations spread by user, the purchases by user + 1 and the
// touchpoints by user + 2 over the shards, so a user's path is read from
// both.
func loadTouchClickHouse(t *testing.T) edgeDB {
	t.Helper()
	return loadTouchDataClickHouse(t, touchRegs, touchPurs, touchRows)
}

// loadTouchDataClickHouse is loadTouchClickHouse with the given rows.
func loadTouchDataClickHouse(t *testing.T, touchRegs []reg, touchPurs []pur, touchRows []touch) edgeDB {
	t.Helper()
	c := chtest.New(t)
	c.CreateSharded(t, "regs", "uid Nullable(Int64), at DateTime, ch Nullable(String)", "tuple()", "ifNull(uid, 0)")
	c.CreateSharded(t, "purs", "uid Nullable(Int64), at DateTime, amount Nullable(Decimal(12, 2))", "tuple()", "ifNull(uid, 0) + 1")
	c.CreateSharded(t, "Touch Points", "visitor Nullable(Int64), `When` DateTime, utm Nullable(String)", "tuple()", "ifNull(visitor, 0) + 2")
	insertRegsAndPurs(t, c, "regs", "purs", touchRegs, touchPurs)
	var rows [][]string
	for _, r := range touchRows {
		rows = append(rows, []string{chtest.Literal(r.user), chtest.Literal(r.at), chtest.Literal(r.channel)})
	}
	c.Insert(t, "Touch Points", rows)
	for _, tb := range []string{"regs", "purs", "Touch Points"} {
		if n := c.Counts(t, tb); n[0] == 0 || n[1] == 0 {
			t.Fatalf("%s is not spread over both shards: %v", tb, n)
		}
	}
	return edgeDB{db: chDB(t, c), dialect: queries.ClickHouse, mapping: queries.Mapping{
		Registrations: queries.Source{Table: "regs", Columns: map[string]string{"user_id": "uid", "registered_at": "at", "channel": "ch"}},
		Purchases:     queries.Source{Table: "purs", Columns: map[string]string{"user_id": "uid", "purchased_at": "at"}},
		Touchpoints: &queries.Source{Table: "Touch Points", Columns: map[string]string{
			"user_id": "visitor", "occurred_at": "When", "channel": "utm"}},
	}}
}

// insertRegsAndPurs inserts regs (user, at, channel) into the sharded
// table regsTable and purs (user, at, amount) into pursTable.
func insertRegsAndPurs(t *testing.T, c *chtest.Cluster, regsTable, pursTable string, regs []reg, purs []pur) {
	t.Helper()
	var rows [][]string
	for _, r := range regs {
		rows = append(rows, []string{chtest.Literal(r.user), chtest.Literal(r.at), chtest.Literal(r.channel)})
	}
	c.Insert(t, regsTable, rows)
	rows = nil
	for _, p := range purs {
		rows = append(rows, []string{chtest.Literal(p.user), chtest.Literal(p.at), chtest.Literal(p.amount)})
	}
	c.Insert(t, pursTable, rows)
}

// touchChannels is ReadTouchChannels of req, sorted.
func touchChannels(t *testing.T, e edgeDB, req attribution.PathsRequest) []string {
	t.Helper()
	var out []string
	if err := e.snapshot(t, "UTC").ReadTouchChannels(context.Background(), req, func(ch string) error {
		out = append(out, ch)
		return nil
	}); err != nil {
		t.Fatalf("%s: %v", e.dialect, err)
	}
	sort.Strings(out)
	return out
}

// The hand-computed paths (TestPathsByHand) are the same on the two-shard
// cluster as on PostgreSQL, row by row and in the same order, raw and
// named, by purchase and by registration, with several lookbacks; and so
// are the touch channels.
func TestClickHouseTouchpointsAgreeWithPostgres(t *testing.T) {
	pgdb, err := sqlx.Open("postgres", pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pgdb.Close() })
	pg, ch := loadTouch(t, pgdb, queries.Postgres), loadTouchClickHouse(t)
	base := attribution.PathsRequest{Period: touchMarch, AsOf: touchAsOf, WindowDays: 30, LookbackDays: 30}
	named := base
	named.Labels = map[string]string{"Direct": "Direct", "Organic Search": "Search", "Display": "Search", "Email": "Email", "": "(none)"}
	byReg := base
	byReg.ByRegistration = true
	short := base
	short.LookbackDays, short.WindowDays = 3, 7
	for name, req := range map[string]attribution.PathsRequest{"raw": base, "named": named, "by registration": byReg, "short lookback": short} {
		want, got := readPathRows(t, pg, req), readPathRows(t, ch, req)
		if len(want) < 5 {
			t.Fatalf("%s: only %d rows on PostgreSQL", name, len(want))
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s: ClickHouse\n %s\nPostgreSQL\n %s", name, strings.Join(got, "\n "), strings.Join(want, "\n "))
		}
		if w, g := touchChannels(t, pg, req), touchChannels(t, ch, req); strings.Join(g, "|") != strings.Join(w, "|") {
			t.Errorf("%s: touch channels %q, PostgreSQL %q", name, g, w)
		}
	}
	got := strings.Join(readPathRows(t, ch, base), "\n")
	for _, want := range []string{"Direct > Organic Search > Direct days=[13 3 0] conv=1 non=0 rev=140.00 path=2/0/280.00", `touches "Direct" 4`} {
		if !strings.Contains(got, want) {
			t.Errorf("ClickHouse paths lack %q:\n%s", want, got)
		}
	}
}

// loadTouchPostgres is loadTouch with the given rows.
func loadTouchPostgres(t *testing.T, regs []reg, purs []pur, touches []touch) edgeDB {
	t.Helper()
	db, err := sqlx.Open("postgres", pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	mustExec(t, db, `CREATE TABLE regs (uid bigint, at timestamp, ch text)`)
	mustExec(t, db, `CREATE TABLE purs (uid bigint, at timestamp, amount numeric(12,2))`)
	mustExec(t, db, `CREATE TABLE "Touch Points" (visitor bigint, "When" timestamp, utm text)`)
	tx := db.MustBegin()
	for _, r := range regs {
		tx.MustExec(`INSERT INTO regs VALUES ($1, $2, $3)`, r.user, r.at, r.channel)
	}
	for _, p := range purs {
		tx.MustExec(`INSERT INTO purs VALUES ($1, $2, $3)`, p.user, p.at, p.amount)
	}
	for _, r := range touches {
		tx.MustExec(`INSERT INTO "Touch Points" VALUES ($1, $2, $3)`, r.user, r.at, r.channel)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return edgeDB{db: db, dialect: queries.Postgres, mapping: queries.Mapping{
		Registrations: queries.Source{Table: "regs", Columns: map[string]string{"user_id": "uid", "registered_at": "at", "channel": "ch"}},
		Purchases:     queries.Source{Table: "purs", Columns: map[string]string{"user_id": "uid", "purchased_at": "at"}},
		Touchpoints: &queries.Source{Table: "Touch Points", Columns: map[string]string{
			"user_id": "visitor", "occurred_at": "When", "channel": "utm"}},
	}}
}

// Generated users - repeat registrations, purchases before and after
// registering, refunds, touches of several channels (some without one, some
// at the same instant, some outside the lookback) - give the same paths on
// the two-shard cluster as on PostgreSQL, row by row, raw and named.
func TestClickHouseTouchpointsGeneratedAgreeWithPostgres(t *testing.T) {
	const seed = 15
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 3))
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	at := func(from time.Time, maxHours int) time.Time {
		return from.Add(time.Duration(r.Int64N(int64(maxHours)*3600)) * time.Second)
	}
	text := func(t time.Time) string { return t.Format("2006-01-02 15:04:05") }
	channels := []any{"Search", "Email", "Display", "Direct", nil, ""}
	var regs []reg
	var purs []pur
	var touches []touch
	for u := 1; u <= 500; u++ {
		reg0 := at(start, 24*10)
		regs = append(regs, reg{u, text(reg0), channels[r.IntN(len(channels))]})
		if r.IntN(6) == 0 {
			regs = append(regs, reg{u, text(at(reg0.Add(-5*24*time.Hour), 24*10)), "Search"})
		}
		for range r.IntN(3) {
			amount := fmt.Sprintf("%d.%02d", 1+r.IntN(150), r.IntN(100))
			if r.IntN(6) == 0 {
				amount = "-" + amount
			}
			purs = append(purs, pur{u, text(at(reg0.Add(-2*24*time.Hour), 24*40)), amount})
		}
		for range r.IntN(6) {
			tt := at(reg0.Add(-40*24*time.Hour), 24*70)
			touches = append(touches, touch{u, text(tt), channels[r.IntN(len(channels))]})
			if r.IntN(5) == 0 { // another touch at the same instant
				touches = append(touches, touch{u, text(tt), channels[r.IntN(len(channels))]})
			}
		}
	}
	pg, ch := loadTouchPostgres(t, regs, purs, touches), loadTouchDataClickHouse(t, regs, purs, touches)
	week := attribution.Period{From: attribution.Date{Year: 2026, Month: 3, Day: 1}, To: attribution.Date{Year: 2026, Month: 3, Day: 8}}
	base := attribution.PathsRequest{Period: week, AsOf: time.Date(2026, 4, 2, 12, 0, 0, 0, time.UTC), WindowDays: 30, LookbackDays: 21}
	named := base
	named.Labels = map[string]string{"Search": "Paid", "Display": "Paid", "": "(none)"}
	for name, req := range map[string]attribution.PathsRequest{"raw": base, "named": named} {
		want, got := readPathRows(t, pg, req), readPathRows(t, ch, req)
		if len(want) < 100 {
			t.Fatalf("%s: only %d rows on PostgreSQL", name, len(want))
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s: ClickHouse and PostgreSQL differ:\n%s", name, lineDiff(got, want))
		}
	}
}

// The generated data set with touchpoints, loaded by fixtures.LoadClickHouse
// over the two shards, gives the same multi-touch section (every model's
// credits, the Markov chain) and the same paths as on PostgreSQL.
func TestClickHouseMultiTouchAgreesWithPostgresOnGeneratedData(t *testing.T) {
	cfg := smallConfig(13)
	cfg.WholeSeconds = true // ClickHouse 18.16's DateTime holds seconds
	pg := generated(t, cfg)[1]
	chdb := generatedClickHouse(t, cfg)
	pg.mapping.Touchpoints = &queries.Source{Table: strings.TrimSuffix(pg.mapping.Registrations.Table, "registrations") + "touchpoints"}
	chdb.mapping.Touchpoints = &queries.Source{Table: "touchpoints"}
	loc := location(t, "Europe/Berlin")
	october := attribution.Period{From: attribution.Date{Year: 2026, Month: 10, Day: 1}, To: attribution.Date{Year: 2026, Month: 11, Day: 1}}
	asOf := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	for _, order := range []int{1, 3} {
		var mts []*attribution.MultiTouch
		for _, e := range []edgeDB{pg, chdb} {
			rep, err := attribution.BuildReport(context.Background(), e.snapshot(t, "Europe/Berlin"), attribution.ReportRequest{
				Period: october, AsOf: asOf, Location: loc, Timezone: "Europe/Berlin",
				WindowDays: 30, Currency: attribution.Currency{Code: "EUR", Digits: 2}, TopProspects: -1,
				Touch: attribution.TouchSettings{MarkovOrder: order}})
			if err != nil {
				t.Fatalf("%s: %v", e.dialect, err)
			}
			if rep.MultiTouch == nil || rep.MultiTouch.Paths < 50 {
				t.Fatalf("%s: no multi-touch section with paths", e.dialect)
			}
			mts = append(mts, rep.MultiTouch)
		}
		if !reflect.DeepEqual(mts[0], mts[1]) {
			t.Errorf("order %d: the multi-touch sections differ:\npostgres   %+v\nclickhouse %+v", order, *mts[0], *mts[1])
		}
	}
	req := attribution.PathsRequest{Period: october, AsOf: asOf, Location: loc, WindowDays: 30, LookbackDays: 30}
	if want, got := readPathRows(t, pg, req), readPathRows(t, chdb, req); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("paths differ:\n%s", lineDiff(got, want))
	}
}
