package queries_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/internal/clickhouse/chtest"
	"github.com/origen-analytics/origen/queries"
)

// The prospects' event activity (all events from registering up to as_of,
// the recent ones, the last one, and the outcome in (as_of, outcome_end])
// is the same on the two-shard cluster as on PostgreSQL, for generated
// users whose events sit on another shard than their registrations.
func TestClickHouseProspectEventsAgreeWithPostgres(t *testing.T) {
	const seed = 16
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 4))
	asOf := time.Date(2026, 5, 20, 12, 0, 0, 0, time.UTC)
	start := asOf.Add(-40 * 24 * time.Hour)
	at := func(from time.Time, maxHours int) time.Time {
		return from.Add(time.Duration(r.Int64N(int64(maxHours)*3600)) * time.Second)
	}
	text := func(t time.Time) string { return t.Format("2006-01-02 15:04:05") }
	var regs []reg
	var purs []pur
	var events [][2]string
	for u := 1; u <= 400; u++ {
		reg0 := at(start, 24*40)
		regs = append(regs, reg{u, text(reg0), []any{"Search", "Email", nil}[r.IntN(3)]})
		if r.IntN(8) == 0 {
			purs = append(purs, pur{u, text(at(reg0.Add(-3*24*time.Hour), 24*40)), "10.00"})
		}
		if r.IntN(4) == 0 { // perhaps after as_of: the outcome
			purs = append(purs, pur{u, text(at(asOf.Add(-24*time.Hour), 24*10)), []string{"25.00", "-5.00"}[r.IntN(2)]})
		}
		for range r.IntN(6) {
			events = append(events, [2]string{fmt.Sprint(u), text(at(reg0.Add(-5*24*time.Hour), 24*50))})
		}
	}
	pg := ltvPostgres(t, regs, purs)
	ch, c := loadLTVClickHouseCluster(t, regs, purs)
	mustExec(t, pg.db, `CREATE TABLE events (uid bigint, occurred timestamp, name text)`)
	tx := pg.db.MustBegin()
	var rows [][]string
	for _, e := range events {
		tx.MustExec(`INSERT INTO events VALUES ($1, $2, 'visit')`, e[0], e[1])
		rows = append(rows, []string{e[0], chtest.Literal(e[1]), "'visit'"})
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	c.CreateSharded(t, "events", "uid Nullable(Int64), occurred DateTime, name String", "tuple()", "ifNull(uid, 0) + 3")
	c.Insert(t, "events", rows)
	if n := c.Counts(t, "events"); n[0] == 0 || n[1] == 0 {
		t.Fatalf("events are not spread over both shards: %v", n)
	}
	lines := func(e edgeDB) []string {
		e.mapping.Events = &queries.Source{Table: "events", Columns: map[string]string{"user_id": "uid", "occurred_at": "occurred", "name": "name"}}
		var out []string
		err := e.snapshot(t, "UTC").ReadProspectEvents(context.Background(), asOf, asOf.Add(7*24*time.Hour), 30, func(p attribution.ProspectActivity) error {
			out = append(out, fmt.Sprintf("%s %s/%v %s reg=%s recent=%d total=%d last=%s converted=%v", p.UserID, p.Channel, p.ChannelValid,
				p.Campaign, p.RegisteredAt.Format(time.RFC3339), p.Activity.Recent, p.Activity.Total, p.Activity.Last.Format(time.RFC3339), p.Converted))
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", e.dialect, err)
		}
		sort.Strings(out)
		return out
	}
	want, got := lines(pg), lines(ch)
	all := strings.Join(want, "\n")
	if len(want) < 100 || !strings.Contains(all, "converted=true") || !strings.Contains(all, "total=0") || !strings.Contains(all, "recent=2") {
		t.Fatalf("degenerate data: %d prospects on PostgreSQL:\n%s", len(want), all)
	}
	if strings.Join(got, "\n") != all {
		t.Errorf("ClickHouse and PostgreSQL differ:\n%s", lineDiff(got, want))
	}
}
