package queries_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/origen-analytics/origen/internal/clickhouse"
	"github.com/origen-analytics/origen/internal/clickhouse/chtest"
	"github.com/origen-analytics/origen/queries"
)

// openReportEdgeDBs are openEdgeDBs and the edge data set on the two-shard
// ClickHouse cluster, for the tests of what ClickHouse computes (the
// report, cohorts, curves, prospects; queries.ClickHouseUnsupported names
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
	c := chtest.New(t)
	c.CreateSharded(t, "Sign Ups", "`User ID` Nullable(Int64), `Created At` Nullable(DateTime), `UTM \"Channel\"` Nullable(String)",
		"tuple()", "ifNull(`User ID`, 0)")
	c.CreateSharded(t, "orders", "customer Nullable(Int64), ordered_at DateTime, total Nullable(Decimal(12, 2))",
		"tuple()", "ifNull(customer, 0) + 1")
	c.CreateSharded(t, "ad_spend", "day Date, network Nullable(String), cost Decimal(12, 2)", "day", "toUInt16(day)")
	var rows [][]string
	for _, r := range edgeRegs {
		rows = append(rows, []string{chtest.Literal(r.user), chtest.Literal(r.at), chtest.Literal(r.channel)})
	}
	c.Insert(t, "Sign Ups", rows)
	rows = nil
	for _, p := range edgePurs {
		rows = append(rows, []string{chtest.Literal(p.user), chtest.Literal(p.at), chtest.Literal(p.amount)})
	}
	c.Insert(t, "orders", rows)
	rows = nil
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
	}}
}

var _ = fmt.Sprint
