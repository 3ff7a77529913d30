package queries_test

import (
	"context"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/fixtures"
)

// A report read while other sessions insert registrations and purchases
// into the period reconciles exactly with a read of the data as it was when
// the snapshot began: every query of a run sees one snapshot.
func TestSnapshotHoldsDuringConcurrentInserts(t *testing.T) {
	dbs := generated(t, smallConfig(5))
	pg := dbs[1]
	ctx := context.Background()
	loc, _ := time.LoadLocation(fixtures.DemoTimezone)
	req := attribution.ReportRequest{Period: fixtures.DemoPeriod(), Location: loc, Timezone: fixtures.DemoTimezone,
		AsOf: fixtures.DemoAsOf, WindowDays: 30}
	read := func(s attribution.Snapshot) attribution.Report {
		t.Helper()
		rep, err := attribution.BuildReport(ctx, s, req)
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	before := read(pg.snapshot(t, fixtures.DemoTimezone))

	// The snapshot is taken by its first statement (the mapping check).
	snap := pg.snapshot(t, fixtures.DemoTimezone)
	// Insert into the period from other sessions, before and while the
	// snapshot's queries run.
	var inserted atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	insert := func(i int64) {
		uid := 900_000_000 + i
		at := time.Date(2026, 10, 10, 12, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)
		if _, err := pg.db.Exec(`INSERT INTO gen.registrations (user_id, registered_at, channel) VALUES ($1, $2, 'Email')`, uid, at); err != nil {
			t.Error(err)
		}
		if _, err := pg.db.Exec(`INSERT INTO gen.purchases (user_id, purchased_at, amount) VALUES ($1, $2, 10)`, uid, at.Add(time.Hour)); err != nil {
			t.Error(err)
		}
		if _, err := pg.db.Exec(`INSERT INTO gen.spend (date, channel, amount) VALUES ('2026-10-10', 'Email', 5)`); err != nil {
			t.Error(err)
		}
		inserted.Add(1)
	}
	for i := int64(0); i < 20; i++ {
		insert(i)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := int64(20); ; i++ {
			select {
			case <-stop:
				return
			default:
				insert(i)
			}
		}
	}()
	during, err := attribution.BuildReport(ctx, snap, req)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before.Channels, during.Channels) || !reflect.DeepEqual(before.Total, during.Total) ||
		!reflect.DeepEqual(before.Quality, during.Quality) || !reflect.DeepEqual(before.Curves, during.Curves) {
		t.Fatalf("the snapshot read saw concurrent inserts (%d users inserted)", inserted.Load())
	}
	after := read(pg.snapshot(t, fixtures.DemoTimezone))
	if after.Quality.RegistrationRows != before.Quality.RegistrationRows+inserted.Load() {
		t.Errorf("a new snapshot sees %d rows, want %d + %d inserted", after.Quality.RegistrationRows, before.Quality.RegistrationRows, inserted.Load())
	}
	t.Logf("%d users inserted concurrently; the snapshot read matched the data at its start", inserted.Load())
}
