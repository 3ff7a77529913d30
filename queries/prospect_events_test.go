package queries_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/fixtures"
	"github.com/origen-analytics/origen/queries"
)

// The prospect events query gives the same rows on PostgreSQL, SQLite and MariaDB
// (events from registering up to as_of, the recent ones, the last one,
// and the outcome), ignores events after as_of, and Check accepts the
// [events] mapping on both.
func TestProspectEventsAgree(t *testing.T) {
	dbs := generated(t, smallConfig(11))
	ctx := context.Background()
	sq := dbs[0].db
	var users []struct {
		ID  int64  `db:"user_id"`
		Reg string `db:"registered_at"`
	}
	if err := sq.SelectContext(ctx, &users, `SELECT user_id, MIN(registered_at) AS registered_at FROM registrations
		WHERE user_id IS NOT NULL AND registered_at IS NOT NULL GROUP BY user_id ORDER BY user_id`); err != nil {
		t.Fatal(err)
	}
	type event struct {
		id int64
		at time.Time
	}
	var events []event
	rng := rand.New(rand.NewPCG(11, 1))
	for _, u := range users {
		reg, err := time.Parse(fixtures.TimestampLayout, u.Reg)
		if err != nil {
			t.Fatal(err)
		}
		for i := rng.IntN(6); i > 0; i-- {
			// Some before registering (ignored), most after, some after as_of.
			events = append(events, event{u.ID, reg.Add(time.Duration(rng.Float64()*50-5) * 24 * time.Hour).Truncate(time.Millisecond)})
		}
	}
	for i, d := range dbs {
		table, stamp := "events", "TEXT"
		switch d.dialect {
		case queries.Postgres:
			table, stamp = "gen.events", "timestamptz"
		case queries.MySQL:
			stamp = "datetime(3)"
		}
		if _, err := d.db.ExecContext(ctx, fmt.Sprintf(`CREATE TABLE %s (user_id bigint, occurred %s, name text)`, table, stamp)); err != nil {
			t.Fatal(err)
		}
		tx, err := d.db.BeginTxx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		ins, err := tx.PreparexContext(ctx, d.db.Rebind(`INSERT INTO `+table+` VALUES (?, ?, ?)`))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			var at any = e.at.UTC().Format(fixtures.TimestampLayout)
			switch d.dialect {
			case queries.Postgres:
				at = e.at
			case queries.MySQL:
				at = e.at.UTC().Format(fixtures.MySQLTimestampLayout)
			}
			if _, err := ins.ExecContext(ctx, e.id, at, "visit"); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		dbs[i].mapping.Events = &queries.Source{Table: table, Columns: map[string]string{"occurred_at": "occurred"}}
	}
	type row struct {
		recent, total int64
		last          int64
		converted     bool
	}
	asOf := fixtures.DemoAsOf.Add(-10 * 24 * time.Hour)
	var got []map[string]row
	for _, d := range dbs {
		s := d.snapshot(t, "UTC")
		if len(s.Checks) != 4 {
			t.Fatalf("%s: checks %v", d.dialect, s.Checks)
		}
		m := map[string]row{}
		err := s.ReadProspectEvents(ctx, asOf, asOf.Add(7*24*time.Hour), 30, func(p attribution.ProspectActivity) error {
			if !p.Activity.Last.IsZero() && p.Activity.Last.After(asOf) || p.Activity.Recent > p.Activity.Total {
				return fmt.Errorf("user %s: %+v", p.UserID, p.Activity)
			}
			m[p.UserID] = row{p.Activity.Recent, p.Activity.Total, p.Activity.Last.UnixMicro(), p.Converted}
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", d.dialect, err)
		}
		got = append(got, m)
	}
	var active, converted int
	for i := 1; i < len(got); i++ {
		for id, a := range got[0] {
			if b, ok := got[i][id]; !ok || a != b {
				t.Fatalf("user %s: sqlite %+v, %s %+v", id, a, dbs[i].dialect, b)
			}
		}
		if len(got[0]) != len(got[i]) {
			t.Errorf("%d and %d prospects on sqlite and %s", len(got[0]), len(got[i]), dbs[i].dialect)
		}
	}
	for _, a := range got[0] {
		if a.total > 0 {
			active++
		}
		if a.converted {
			converted++
		}
	}
	if len(got[0]) != len(got[1]) || active == 0 || converted == 0 {
		t.Errorf("%d and %d prospects, %d active, %d converted", len(got[0]), len(got[1]), active, converted)
	}
	t.Logf("%d prospects, %d with events, %d converted within 7 days", len(got[0]), active, converted)
}
