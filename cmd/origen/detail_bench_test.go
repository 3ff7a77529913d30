package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/fixtures"
	"github.com/origen-analytics/origen/fixtures/pgtest"
	"github.com/origen-analytics/origen/queries"
	"github.com/origen-analytics/origen/reports"
)

// BenchmarkWorkbookDetailPostgres measures origen report --detail's
// workbook on generated PostgreSQL data whose report period holds about
// 100,000 and 1,000,000 registrations: the read in one snapshot, then the
// workbook with the Registrations sheet streamed from the detail query
// into a file. Memory target (docs/PERFORMANCE.md): the peak Go heap and
// the peak resident set stay the same order for both sizes, because rows
// go from the database cursor through excelize's stream writer to a
// temporary file, one at a time.
func BenchmarkWorkbookDetailPostgres(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("registrations=%d", n), func(b *testing.B) {
			db, err := sqlx.Open("postgres", pgtest.NewDatabase(b))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			cfg := fixtures.DemoConfig()
			// All registrations in the report period, so the detail has n
			// rows (the demo spreads them over a year).
			cfg.Registrations = n
			cfg.Start, cfg.End = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
			started := time.Now()
			if err := fixtures.LoadPostgres(context.Background(), db.DB, "bench", cfg); err != nil {
				b.Fatal(err)
			}
			b.Logf("loaded %d registrations in %v", n, time.Since(started).Round(time.Millisecond))
			mapping := queries.Mapping{
				Registrations: queries.Source{Table: "bench.registrations"},
				Purchases:     queries.Source{Table: "bench.purchases"},
				Spend:         &queries.Source{Table: "bench.spend"},
			}
			loc, _ := time.LoadLocation(fixtures.DemoTimezone)
			p := attribution.ReportRequest{Period: attribution.Period{From: attribution.Date{Year: 2026, Month: 10, Day: 1}, To: attribution.Date{Year: 2026, Month: 11, Day: 1}},
				Location: loc, Timezone: fixtures.DemoTimezone, Currency: attribution.Currency{Code: "EUR", Digits: 2},
				AsOf: fixtures.DemoAsOf, WindowDays: 30, TopProspects: -1}
			out := filepath.Join(b.TempDir(), "detail.xlsx")
			runtime.GC()
			resetPeakRSS()
			peak := sampleHeap()
			b.ResetTimer()
			var rows int64
			for b.Loop() {
				rows = writeDetailWorkbook(b, db, mapping, p, out)
			}
			b.StopTimer()
			heap := peak()
			st, _ := os.Stat(out)
			b.ReportMetric(float64(rows), "rows")
			b.ReportMetric(float64(heap)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(peakRSS())/(1<<10), "peak-RSS-MiB")
			b.ReportMetric(float64(st.Size())/(1<<20), "xlsx-MiB")
		})
	}
}

// writeDetailWorkbook is origen report --detail's read and workbook in one
// snapshot; it returns the number of detail rows.
func writeDetailWorkbook(b *testing.B, db *sqlx.DB, m queries.Mapping, p attribution.ReportRequest, path string) int64 {
	ctx := context.Background()
	snap, err := queries.Open(ctx, db, queries.SnapshotOptions{Dialect: queries.Postgres, Mapping: m, Timezone: fixtures.DemoTimezone})
	if err != nil {
		b.Fatal(err)
	}
	defer snap.Close()
	rep, err := attribution.BuildReport(ctx, snap, p)
	if err != nil {
		b.Fatal(err)
	}
	started := time.Now()
	defer func() { b.ReportMetric(time.Since(started).Seconds(), "workbook-s") }()
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	err = reports.WriteWorkbookWith(f, rep, reports.WorkbookOptions{Detail: func(yield func(attribution.DetailRow) error) error {
		return snap.ReadDetail(ctx, attribution.DetailRequest{Period: p.Period, Location: p.Location, AsOf: p.AsOf, WindowDays: p.WindowDays}, yield)
	}})
	if err != nil {
		b.Fatal(err)
	}
	return rep.Total.Registrations
}

// sampleHeap samples the live heap every 10 ms until the returned function
// is called, which returns the largest sample.
func sampleHeap() func() uint64 {
	var peak uint64
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	return func() uint64 {
		close(stop)
		<-done
		return peak
	}
}

// resetPeakRSS resets the kernel's peak resident set size of this process
// (Linux; elsewhere peakRSS reports 0).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS is the peak resident set size since resetPeakRSS, in KiB.
func peakRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}
