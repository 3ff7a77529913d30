package queries_test

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	chdriver "github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/jmoiron/sqlx"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/fixtures"
	"github.com/origen-analytics/origen/internal/clickhouse"
	"github.com/origen-analytics/origen/internal/clickhouse/chtest"
	"github.com/origen-analytics/origen/queries"
)

// openReportEdgeDBs are openEdgeDBs and the edge data set on the two-shard
// ClickHouse cluster, for the tests of what ClickHouse computes (the
// report, cohorts, curves, prospects; queries.ClickHouseCoverage names
// the rest).
func openReportEdgeDBs(t *testing.T) []edgeDB {
	t.Helper()
	return append(openEdgeDBs(t), openClickHouseEdge(t))
}

// chDB is Origen's read-only handle on the cluster's database, through the
// first shard (the initiator of the Distributed tables).
func chDB(t *testing.T, c *chtest.Cluster) *sqlx.DB {
	t.Helper()
	db, err := clickhouse.Open(c.DSN, clickhouse.Options{StatementTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return sqlx.NewDb(db, "clickhouse")
}

// openClickHouseEdge loads the edge data set into local tables on both
// shards behind Distributed tables, spread by user so that a user's
// registrations and purchases sit on different shards (user_id and
// user_id + 1): no fact may depend on where a row is stored.
func openClickHouseEdge(t *testing.T) edgeDB {
	t.Helper()
	e, _ := openClickHouseEdgeCluster(t)
	return e
}

// openClickHouseEdgeCluster is openClickHouseEdge with its cluster.
func openClickHouseEdgeCluster(t *testing.T) (edgeDB, *chtest.Cluster) {
	t.Helper()
	c := chtest.New(t)
	c.CreateSharded(t, "Sign Ups", "`User ID` Nullable(Int64), `Created At` Nullable(DateTime), `UTM \"Channel\"` Nullable(String)",
		"tuple()", "ifNull(`User ID`, 0)")
	c.CreateSharded(t, "orders", "customer Nullable(Int64), ordered_at DateTime, total Nullable(Decimal(12, 2))",
		"tuple()", "ifNull(customer, 0) + 1")
	c.CreateSharded(t, "ad_spend", "day Date, network Nullable(String), cost Decimal(12, 2)", "day", "toUInt16(day)")
	insertRegsAndPurs(t, c, "Sign Ups", "orders", edgeRegs, edgePurs)
	var rows [][]string
	for _, s := range edgeSpend {
		rows = append(rows, []string{chtest.Literal(s.date), chtest.Literal(s.channel), chtest.Literal(s.amount)})
	}
	c.Insert(t, "ad_spend", rows)
	for _, tb := range []string{"Sign Ups", "orders"} {
		if n := c.Counts(t, tb); n[0] == 0 || n[1] == 0 {
			t.Fatalf("%s is not spread over both shards: %v", tb, n)
		}
	}
	return edgeDB{db: chDB(t, c), dialect: queries.ClickHouse, mapping: queries.Mapping{
		Registrations: queries.Source{Table: "Sign Ups", Columns: map[string]string{
			"user_id": "User ID", "registered_at": "Created At", "channel": `UTM "Channel"`}},
		Purchases: queries.Source{Table: "orders", Columns: map[string]string{
			"user_id": "customer", "purchased_at": "ordered_at", "amount": "total"}},
		Spend: &queries.Source{Table: c.Database + ".ad_spend", Columns: map[string]string{
			"date": "day", "channel": "network", "amount": "cost"}},
	}}, c
}

// generatedClickHouse loads cfg's data (whole seconds) into the two-shard
// cluster the way `origen fixtures load --driver clickhouse` does: local
// tables on each shard, Distributed tables spreading them by user.
func generatedClickHouse(t *testing.T, cfg fixtures.Config) edgeDB {
	t.Helper()
	c := chtest.New(t)
	ctx := context.Background()
	var shards []chdriver.Conn
	for _, h := range c.Hosts {
		conn, err := fixtures.OpenClickHouse("clickhouse://default@" + h + "/default")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		shards = append(shards, conn)
	}
	if err := fixtures.LoadClickHouse(ctx, fixtures.ClickHouseTarget{Conn: shards[0], Database: c.Database,
		Cluster: chtest.ClusterName, Shards: shards}, cfg); err != nil {
		t.Fatal(err)
	}
	for _, tb := range []string{"registrations", "purchases"} {
		if n := c.Counts(t, tb); n[0] == 0 || n[1] == 0 {
			t.Fatalf("%s is not spread over both shards: %v", tb, n)
		}
	}
	cols := func(names ...string) map[string]string {
		m := map[string]string{}
		for _, n := range names {
			m[n] = n
		}
		return m
	}
	return edgeDB{chDB(t, c), queries.ClickHouse, queries.Mapping{
		Registrations: queries.Source{Table: "registrations", Columns: cols("user_id", "registered_at", "channel", "campaign")},
		Purchases:     queries.Source{Table: "purchases", Columns: cols("user_id", "purchased_at", "amount")},
		Spend:         &queries.Source{Table: "spend", Columns: cols("date", "channel", "amount")},
	}}
}

// The same generated data gives the same reports on PostgreSQL and on the
// two-shard ClickHouse cluster, in every period, time zone and as-of of
// TestPostgresAndSQLiteAgree.
func TestClickHouseAgreesWithPostgres(t *testing.T) {
	cfg := smallConfig(7)
	cfg.WholeSeconds = true // ClickHouse 18.16's DateTime holds seconds
	pg := generated(t, cfg)[1]
	chdb := generatedClickHouse(t, cfg)
	// With the drill-down: source and medium, and the declared dimensions.
	for _, e := range []*edgeDB{&pg, &chdb} {
		r := &e.mapping.Registrations
		r.Columns["source"], r.Columns["medium"] = "source", "medium"
		r.Dimensions = []string{"country", "device"}
	}
	for _, c := range []struct {
		from, to, tz string
		asOf         time.Time
	}{
		{"2026-10-01", "2026-11-01", "Europe/Berlin", fixtures.DemoAsOf},
		{"2026-03-01", "2026-04-01", "UTC", fixtures.DemoAsOf},
		{"2026-03-25", "2026-03-31", "America/New_York", time.Date(2026, 4, 10, 13, 0, 0, 0, time.UTC)},
		{"2025-11-01", "2026-11-01", "Asia/Tokyo", fixtures.DemoAsOf},
	} {
		t.Run(fmt.Sprintf("%s_%s_%s", c.from, c.to, c.tz), func(t *testing.T) {
			p := mustPeriod(t, c.from, c.to)
			a := runReport(t, pg, p, c.tz, c.asOf)
			b := runReport(t, chdb, p, c.tz, c.asOf)
			if a.Total.Registrations == 0 || a.Total.Customers == 0 || len(a.Campaigns) == 0 || len(a.Sources) == 0 || len(a.Dimensions) != 2 {
				t.Fatalf("degenerate data: %s, %d campaign rows, %d source rows, %d dimensions", row(a.Total), len(a.Campaigns), len(a.Sources), len(a.Dimensions))
			}
			if !reflect.DeepEqual(a, b) {
				for i := range a.Channels {
					if i < len(b.Channels) && row(a.Channels[i]) != row(b.Channels[i]) {
						t.Errorf("postgres   %s\nclickhouse %s", row(a.Channels[i]), row(b.Channels[i]))
					}
				}
				t.Fatalf("reports differ:\npostgres   %+v\nclickhouse %+v", a.Total, b.Total)
			}
		})
	}
}

// A pass that needs more memory than the server allows says what to
// change.
func TestClickHouseMemoryLimitIsExplained(t *testing.T) {
	e, c := openClickHouseEdgeCluster(t)
	db, err := clickhouse.Open(c.DSN+"?max_memory_usage=100000", clickhouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	e.db = sqlx.NewDb(db, "clickhouse")
	s, err := queries.Open(context.Background(), e.db, queries.SnapshotOptions{Dialect: e.dialect, Mapping: e.mapping, Timezone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = s.ReadFacts(context.Background(), attribution.FactsRequest{AsOf: edgeAsOf, WindowDays: 30,
		Period: attribution.Period{From: attribution.Date{Year: 2026, Month: 3, Day: 1}, To: attribution.Date{Year: 2026, Month: 3, Day: 2}}})
	if err == nil || !strings.Contains(err.Error(), "raise max_memory_usage") || !strings.Contains(err.Error(), "max_bytes_before_external_group_by") {
		t.Fatalf("facts with 100 kB of memory: %v", err)
	}
}

// The ties of TestEqualEarliestRegistrationsPickTheSameChannel on the
// two-shard cluster, a user's rows spread over both shards (rand()).
func TestClickHouseTiesPickTheSameChannel(t *testing.T) {
	c := chtest.New(t)
	c.CreateSharded(t, "r", "user_id Int64, registered_at DateTime, channel Nullable(String), campaign Nullable(String)", "tuple()", "rand()")
	c.CreateSharded(t, "p", "user_id Int64, purchased_at DateTime, amount Decimal(20, 2)", "tuple()", "rand()")
	c.CreateSharded(t, "s", "date Date, channel String, amount Decimal(20, 2)", "tuple()", "rand()")
	at := "2026-03-01 10:00:00"
	regs := [][4]any{
		{1, at, nil, nil}, {1, at, "Zeta", nil},
		{2, at, "", nil}, {2, at, "Beta", nil},
		{3, at, "Beta", nil}, {3, at, "Alpha", nil},
		{4, at, "alpha", nil}, {4, at, "Alpha", nil},
		{5, at, "Beta", nil}, {5, at, "Beta", "spring"},
		{6, at, "Gamma", "x"}, {6, at, "Gamma", "x"},
		{7, "2026-03-01 09:00:00", nil, nil}, {7, at, "Alpha", nil},
	}
	var rows [][]string
	for _, r := range regs {
		rows = append(rows, []string{chtest.Literal(r[0]), chtest.Literal(r[1]), chtest.Literal(r[2]), chtest.Literal(r[3])})
	}
	c.Insert(t, "r", rows)
	e := edgeDB{db: chDB(t, c), dialect: queries.ClickHouse, mapping: queries.Mapping{
		Registrations: queries.Source{Table: "r", Columns: map[string]string{"campaign": "campaign"}},
		Purchases:     queries.Source{Table: "p"},
		Spend:         &queries.Source{Table: "s"},
	}}
	rep := runReport(t, e, mustPeriod(t, "2026-03-01", "2026-03-02"), "UTC", time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC))
	var got []string
	for _, m := range rep.Channels {
		got = append(got, fmt.Sprintf("%s=%d", m.Channel, m.Registrations))
	}
	sort.Strings(got)
	got = append(got, fmt.Sprintf("duplicates=%d", rep.Quality.DuplicateRegistrations))
	if want := "(none)=1 Alpha=2 Beta=2 Gamma=1 Zeta=1 duplicates=7"; strings.Join(got, " ") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(got, " "), want)
	}
	for _, p := range rep.Prospects {
		if p.UserID == "5" && p.Campaign != "spring" {
			t.Errorf("user 5's campaign = %q, want spring", p.Campaign)
		}
	}
}

// Sums beyond 64 bits are a data error on ClickHouse too, never wrapped:
// spend (TestOverflowingSpendIsADataError) and a user's window revenue.
func TestClickHouseOverflowIsADataError(t *testing.T) {
	for _, tc := range []struct{ name, purchases, spend string }{
		{"spend", "", "('2026-03-01', 'Search', 900000000000000), ('2026-03-01', 'Search', 900000000000000)"},
		{"revenue", "(1, '2026-03-02 10:00:00', 900000000000000), (1, '2026-03-03 10:00:00', 900000000000000)", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := chtest.New(t)
			c.CreateSharded(t, "r", "user_id Int64, registered_at DateTime, channel Nullable(String)", "tuple()", "rand()")
			c.CreateSharded(t, "p", "user_id Int64, purchased_at DateTime, amount Decimal(20, 2)", "tuple()", "rand()")
			c.CreateSharded(t, "s", "date Date, channel String, amount Decimal(20, 2)", "tuple()", "rand()")
			c.Insert(t, "r", [][]string{{"1", "'2026-03-01 10:00:00'", "'Search'"}})
			for table, values := range map[string]string{"p": tc.purchases, "s": tc.spend} {
				if values != "" {
					if err := c.Post("INSERT INTO " + table + " VALUES " + values); err != nil {
						t.Fatal(err)
					}
				}
			}
			e := edgeDB{db: chDB(t, c), dialect: queries.ClickHouse, mapping: queries.Mapping{
				Registrations: queries.Source{Table: "r"}, Purchases: queries.Source{Table: "p"}, Spend: &queries.Source{Table: "s"}}}
			_, err := attribution.BuildReport(context.Background(), e.snapshot(t, "UTC"), attribution.ReportRequest{
				Period: mustPeriod(t, "2026-03-01", "2026-03-02"), AsOf: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC),
				Location: time.UTC, WindowDays: 30})
			if err == nil || attribution.KindOf(err) != attribution.KindData || !strings.Contains(err.Error(), "beyond what Origen holds") {
				t.Errorf("err = %v (kind %v), want a data error about the amounts", err, attribution.KindOf(err))
			}
		})
	}
}

// loadUTMClickHouse is loadUTM on the two-shard cluster (rows spread at
// random).
func loadUTMClickHouse(t *testing.T) edgeDB {
	t.Helper()
	c := chtest.New(t)
	c.CreateSharded(t, "signups", "uid Int64, created DateTime, utm_source Nullable(String), utm_medium Nullable(String), utm_campaign Nullable(String)", "tuple()", "rand()")
	c.CreateSharded(t, "orders", "uid Int64, at DateTime, total Decimal(12, 2)", "tuple()", "rand()")
	c.CreateSharded(t, "costs", "day Date, src String, med String, cost Decimal(12, 2)", "tuple()", "rand()")
	var rows [][]string
	for _, r := range utmRegs {
		rows = append(rows, []string{chtest.Literal(r.user), chtest.Literal(r.at), chtest.Literal(r.source), chtest.Literal(r.medium), chtest.Literal(r.campaign)})
	}
	c.Insert(t, "signups", rows)
	rows = nil
	for _, p := range utmPurs {
		rows = append(rows, []string{chtest.Literal(p.user), chtest.Literal(p.at), p.amount})
	}
	c.Insert(t, "orders", rows)
	rows = nil
	for _, s := range utmSpend {
		rows = append(rows, []string{chtest.Literal(s.day), chtest.Literal(s.source), chtest.Literal(s.medium), s.amount})
	}
	c.Insert(t, "costs", rows)
	e := loadUTMMapping()
	e.db, e.dialect = chDB(t, c), queries.ClickHouse
	return e
}
