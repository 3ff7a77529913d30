package queries_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/fixtures"
	"github.com/origen-analytics/origen/fixtures/pgtest"
	"github.com/origen-analytics/origen/queries"
)

// BenchmarkMultiTouchPostgres measures a whole report with multi-touch
// attribution (every model) on 1,000,000 generated registrations with
// about 1.5 and about 5 touchpoints each, against the same report without
// touchpoints and against the bare-SQL peer bench/multitouch_linear.sql
// (the linear model only), whose per-channel figures it must match.
// Memory target: the peak heap does not grow with the touchpoints, which
// the database aggregates into paths. Results: docs/PERFORMANCE.md,
// "Multi-touch".
func BenchmarkMultiTouchPostgres(b *testing.B) {
	peer, err := os.ReadFile("../bench/multitouch_linear.sql")
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name          string
		before, after float64
	}{{"touches=1.5_per_user", 0.3, 0.2}, {"touches=5_per_user", 2.5, 1.5}} {
		b.Run(tc.name, func(b *testing.B) {
			db, err := sqlx.Open("postgres", pgtest.NewDatabase(b))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			cfg := fixtures.DemoConfig()
			cfg.Registrations = 1_000_000
			if n, err := strconv.Atoi(os.Getenv("ORIGEN_BENCH_REGISTRATIONS")); err == nil && n > 0 {
				cfg.Registrations = n // a quick look at a smaller size
			}
			cfg.Touch.Before, cfg.Touch.After = tc.before, tc.after
			started := time.Now()
			if err := fixtures.LoadPostgres(context.Background(), db.DB, "bench", cfg); err != nil {
				b.Fatal(err)
			}
			var touches int64
			if err := db.Get(&touches, "SELECT count(*) FROM bench.touchpoints"); err != nil {
				b.Fatal(err)
			}
			b.Logf("loaded %d registrations and %d touchpoints in %v", cfg.Registrations, touches, time.Since(started).Round(time.Millisecond))
			m := queries.Mapping{
				Registrations: queries.Source{Table: "bench.registrations"},
				Purchases:     queries.Source{Table: "bench.purchases"},
				Spend:         &queries.Source{Table: "bench.spend"},
			}
			plain := timeReport(b, db, m)
			m.Touchpoints = &queries.Source{Table: "bench.touchpoints"}
			var rep attribution.Report
			var peak uint64
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				rep, peak = measuredReport(b, db, m)
			}
			b.StopTimer()
			with := b.Elapsed() / time.Duration(b.N)
			t0 := time.Now()
			rows, err := db.Queryx(string(peer))
			if err != nil {
				b.Fatal(err)
			}
			bare := map[string]float64{}
			for rows.Next() {
				var ch string
				var v float64
				if err := rows.Scan(&ch, &v); err != nil {
					b.Fatal(err)
				}
				bare[ch] = v
			}
			rows.Close()
			peerTime := time.Since(t0)
			lin, _ := rep.MultiTouch.Model(attribution.ModelLinear)
			for ch, v := range bare {
				if got := lin.Channel(ch).Conversions; math.Abs(got-v) > 1e-6*math.Max(1, v) {
					b.Errorf("linear %s: Origen %v, bare SQL %v", ch, got, v)
				}
			}
			if len(bare) == 0 {
				b.Error("the bare peer found no conversion")
			}
			vocab, paths := timeTouchStatements(b, db, m)
			b.Logf("touch_channels.sql %v, paths.sql %v (read alone in a snapshot)", vocab.Round(time.Millisecond), paths.Round(time.Millisecond))
			b.ReportMetric(vocab.Seconds(), "touch-channels-s")
			b.ReportMetric(paths.Seconds(), "paths-s")
			mt := rep.MultiTouch
			b.Logf("%d touchpoints: report %v without touchpoints, %v with every model (%d paths, %d converting, %d customers); bare linear SQL %v; peak heap %.1f MiB",
				touches, plain.Round(time.Millisecond), with.Round(time.Millisecond), mt.Paths, mt.ConvertingPaths, mt.Conversions, peerTime.Round(time.Millisecond), float64(peak)/(1<<20))
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(peerTime.Seconds(), "bare-linear-s")
			b.ReportMetric(plain.Seconds(), "report-without-touchpoints-s")
		})
	}
}

// timeTouchStatements times the two statements of the multi-touch section
// alone: the touchpoints' raw labels, and the paths named by them.
func timeTouchStatements(b *testing.B, db *sqlx.DB, m queries.Mapping) (vocab, paths time.Duration) {
	b.Helper()
	ctx := context.Background()
	snap, err := queries.Open(ctx, db, queries.SnapshotOptions{Dialect: queries.Postgres, Mapping: m, Timezone: fixtures.DemoTimezone})
	if err != nil {
		b.Fatal(err)
	}
	defer snap.Close()
	r := benchRequest()
	req := attribution.PathsRequest{Period: r.Period, Location: r.Location, AsOf: r.AsOf, WindowDays: r.WindowDays,
		LookbackDays: attribution.DefaultLookbackDays, Labels: map[string]string{}}
	t0 := time.Now()
	if err := snap.ReadTouchChannels(ctx, req, func(raw string) error {
		req.Labels[raw] = attribution.NormalizeChannel(raw, true)
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	vocab = time.Since(t0)
	t0 = time.Now()
	if err := snap.ReadPaths(ctx, req, func(attribution.PathRow) error { return nil }); err != nil {
		b.Fatal(err)
	}
	return vocab, time.Since(t0)
}

// benchRequest is the demo report's request.
func benchRequest() attribution.ReportRequest {
	loc, _ := time.LoadLocation(fixtures.DemoTimezone)
	return attribution.ReportRequest{Period: fixtures.DemoPeriod(), Location: loc, Timezone: fixtures.DemoTimezone,
		AsOf: fixtures.DemoAsOf, WindowDays: 30}
}

// timeReport is the wall time of one report of m.
func timeReport(b *testing.B, db *sqlx.DB, m queries.Mapping) time.Duration {
	b.Helper()
	t0 := time.Now()
	measuredReport(b, db, m)
	return time.Since(t0)
}

// measuredReport builds one report of m and samples the live heap meanwhile.
func measuredReport(b *testing.B, db *sqlx.DB, m queries.Mapping) (attribution.Report, uint64) {
	b.Helper()
	ctx := context.Background()
	var peak uint64
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
		}
	}()
	snap, err := queries.Open(ctx, db, queries.SnapshotOptions{Dialect: queries.Postgres, Mapping: m, Timezone: fixtures.DemoTimezone})
	if err != nil {
		b.Fatal(err)
	}
	rep, err := attribution.BuildReport(ctx, snap, benchRequest())
	snap.Close()
	close(stop)
	<-done
	if err != nil {
		b.Fatal(fmt.Errorf("build report: %w", err))
	}
	return rep, peak
}
