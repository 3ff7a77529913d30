package attribution

import (
	"context"
	"runtime"
	"strconv"
	"testing"
)

// streamSnap is a TouchSnapshot of n distinct generated paths, made up as
// they are read (the rows are garbage once handed on): path i is the
// base-12 digits of 144 + i over twelve channels (3 to 6 touches, all
// distinct), every third converting with revenue, one user not converting
// on each. sample is called every 4,096 rows.
type streamSnap struct {
	n      int
	sample func()
}

var streamChannels = []string{"Affiliate", "Direct", "Display", "Email", "Organic Search", "Organic Social",
	"Paid Search", "Paid Social", "Referral", "SMS", "Video", "Audio"}

func (s streamSnap) HasTouchpoints() bool { return true }

func (s streamSnap) ReadTouchChannels(_ context.Context, _ PathsRequest, yield func(string) error) error {
	for _, c := range streamChannels {
		if err := yield(c); err != nil {
			return err
		}
	}
	return nil
}

func (s streamSnap) row(i int) PathRow {
	var chans []string
	for v := 144 + i; v > 0; v /= 12 {
		chans = append(chans, streamChannels[v%12])
	}
	r := PathRow{Touched: true, Channels: chans, NonConversions: 1, First: true}
	if i%3 == 0 {
		r.Conversions, r.Revenue = 1, Money(i%1000+1)*MoneyScale
		r.Days = make([]int, len(chans))
		for k := range r.Days {
			r.Days[k] = (len(chans) - 1 - k) * (i % 5)
		}
	}
	r.PathConversions, r.PathNonConversions, r.PathRevenue = r.Conversions, r.NonConversions, r.Revenue
	return r
}

func (s streamSnap) ReadPaths(_ context.Context, _ PathsRequest, yield func(PathRow) error) error {
	touches := map[string]int64{}
	for i := range s.n {
		r := s.row(i)
		for _, c := range r.Channels {
			touches[c] += r.Conversions + r.NonConversions
		}
	}
	for _, c := range streamChannels {
		if err := yield(PathRow{TouchCount: true, Touched: true, Channels: []string{c}, Touches: touches[c]}); err != nil {
			return err
		}
	}
	for i := range s.n {
		if i%4096 == 0 && s.sample != nil {
			s.sample()
		}
		if err := yield(s.row(i)); err != nil {
			return err
		}
	}
	return nil
}

// streamReport is the report whose totals the n generated paths hold.
func streamReport(n int) Report {
	s := streamSnap{n: n}
	var rep Report
	for i := range n {
		r := s.row(i)
		rep.Total.Customers += r.Conversions
		rep.Total.Registrations += r.Conversions + r.NonConversions
		rep.Total.Revenue += r.Revenue
	}
	return rep
}

// liveHeapWhileReading reads n generated paths with every model and
// returns the largest live heap (after a collection, every 4,096 rows)
// above the live heap before, and the section.
func liveHeapWhileReading(tb testing.TB, n int) (uint64, *MultiTouch) {
	tb.Helper()
	rep := streamReport(n)
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapAlloc, ms.HeapAlloc
	sample := func() {
		runtime.GC()
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapAlloc)
	}
	mt, err := readMultiTouch(context.Background(), streamSnap{n: n, sample: sample}, PathsRequest{},
		TouchSettings{MarkovOrder: 2}.WithDefaults(), nil, rep)
	if err != nil {
		tb.Fatal(err)
	}
	sample()
	return peak - base, mt
}

// Memory does not grow with the distinct paths: reading 4 × as many
// (80,000 against 20,000, of 3 to 6 touches over 12 channels) holds the
// same live heap, to within 256 KiB; holding the paths would add to it
// in proportion to their number.
func TestMultiTouchMemoryIsFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 100,000 generated paths")
	}
	small, a := liveHeapWhileReading(t, 20_000)
	large, b := liveHeapWhileReading(t, 80_000)
	t.Logf("live heap above the start: %d KiB for %d paths, %d KiB for %d paths", small>>10, a.Paths, large>>10, b.Paths)
	if a.Paths != 20_000 || b.Paths != 80_000 || len(b.TopPaths) != MaxTopPaths {
		t.Fatalf("%d and %d paths, %d top paths", a.Paths, b.Paths, len(b.TopPaths))
	}
	if large > small+256<<10 {
		t.Errorf("the live heap grew from %d KiB to %d KiB with 4 × the paths", small>>10, large>>10)
	}
}

// BenchmarkMultiTouchStream reads 25,000, 100,000 and 400,000 distinct
// generated paths through every model (Markov of order 2) and reports the
// largest live heap above the start (after a collection every 4,096 rows)
// and the time per path. Results: docs/PERFORMANCE.md, "Multi-touch".
func BenchmarkMultiTouchStream(b *testing.B) {
	for _, n := range []int{25_000, 100_000, 400_000} {
		b.Run("paths="+strconv.Itoa(n), func(b *testing.B) {
			var peak uint64
			for b.Loop() {
				p, _ := liveHeapWhileReading(b, n)
				peak = max(peak, p)
			}
			b.ReportMetric(float64(peak)/(1<<10), "peak-live-heap-KiB")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/path")
		})
	}
}
