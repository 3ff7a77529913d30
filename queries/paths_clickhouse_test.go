package queries_test

import (
	"context"
	"sort"
	"strings"
	"testing"

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
	c := chtest.New(t)
	c.CreateSharded(t, "regs", "uid Nullable(Int64), at DateTime, ch Nullable(String)", "tuple()", "ifNull(uid, 0)")
	c.CreateSharded(t, "purs", "uid Nullable(Int64), at DateTime, amount Nullable(Decimal(12, 2))", "tuple()", "ifNull(uid, 0) + 1")
	c.CreateSharded(t, "Touch Points", "visitor Nullable(Int64), `When` DateTime, utm Nullable(String)", "tuple()", "ifNull(visitor, 0) + 2")
	var rows [][]string
	for _, r := range touchRegs {
		rows = append(rows, []string{chtest.Literal(r.user), chtest.Literal(r.at), chtest.Literal(r.channel)})
	}
	c.Insert(t, "regs", rows)
	rows = nil
	for _, p := range touchPurs {
		rows = append(rows, []string{chtest.Literal(p.user), chtest.Literal(p.at), chtest.Literal(p.amount)})
	}
	c.Insert(t, "purs", rows)
	rows = nil
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
