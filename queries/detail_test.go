package queries_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/fixtures"
)

// readDetail reads the report and the detail of one period in one
// snapshot, as origen report --detail does.
func readDetail(t *testing.T, e edgeDB, period attribution.Period, tz string, asOf time.Time) (attribution.Report, []attribution.DetailRow) {
	t.Helper()
	loc := location(t, tz)
	ctx := context.Background()
	s := e.snapshot(t, tz)
	rep, err := attribution.BuildReport(ctx, s, attribution.ReportRequest{Period: period, AsOf: asOf, Location: loc,
		Timezone: tz, WindowDays: 30, TopProspects: -1})
	if err != nil {
		t.Fatalf("build report: %v", err)
	}
	var rows []attribution.DetailRow
	if err := s.ReadDetail(ctx, attribution.DetailRequest{Period: period, Location: loc, AsOf: asOf, WindowDays: 30},
		func(d attribution.DetailRow) error {
			rows = append(rows, d)
			return nil
		}); err != nil {
		t.Fatalf("detail: %v", err)
	}
	return rep, rows
}

// checkDetail checks that the detail rows add up to the report per channel
// and that each row is consistent on its own.
func checkDetail(t *testing.T, rep attribution.Report, rows []attribution.DetailRow, period attribution.Period, loc *time.Location, asOf time.Time) {
	t.Helper()
	type sums struct {
		regs, customers, immature int64
		revenue                   attribution.Money
		days                      []int64
	}
	by := map[string]*sums{}
	start, end := period.Bounds(loc)
	for i, d := range rows {
		s := by[d.Channel]
		if s == nil {
			s = &sums{days: make([]int64, 30)}
			by[d.Channel] = s
		}
		s.regs++
		s.revenue += d.Revenue
		if d.Immature {
			s.immature++
		}
		if d.RegisteredAt.Before(start) || !d.RegisteredAt.Before(end) {
			t.Errorf("row %d registered at %s, outside the period", i, d.RegisteredAt)
		}
		if d.Days >= 0 {
			s.customers++
			s.days[d.Days]++
			if got := int(d.ConvertedAt.Sub(d.RegisteredAt) / (24 * time.Hour)); got != d.Days || d.ConvertedAt.After(asOf) {
				t.Errorf("row %d: converted at %s, %d days after %s", i, d.ConvertedAt, d.Days, d.RegisteredAt)
			}
		} else if !d.ConvertedAt.IsZero() {
			t.Errorf("row %d has a conversion time but no days", i)
		}
		if i > 0 && d.RegisteredAt.Before(rows[i-1].RegisteredAt) {
			t.Errorf("rows %d and %d are not in registration order", i-1, i)
		}
	}
	if len(rep.Channels) == 0 {
		t.Fatal("no channels: the test data is degenerate")
	}
	for _, m := range rep.Channels {
		s := by[m.Channel]
		if s == nil {
			s = &sums{days: make([]int64, 30)}
		}
		if s.regs != m.Registrations || s.customers != m.Customers || s.revenue != m.Revenue || s.immature != m.Immature ||
			!slices.Equal(s.days, m.DaysToConvert) {
			t.Errorf("%s: detail adds up to regs=%d customers=%d revenue=%s immature=%d, the report has %s",
				m.Channel, s.regs, s.customers, s.revenue, s.immature, row(m))
		}
		delete(by, m.Channel)
	}
	for name := range by {
		t.Errorf("detail has channel %q, which the report does not", name)
	}
}

// The detail rows add up to the aggregated report on every edge case and
// on generated data, in both dialects.
func TestDetailAddsUpToTheReport(t *testing.T) {
	edges := openReportEdgeDBs(t)
	gens := generated(t, smallConfig(5))
	cases := []struct {
		name     string
		dbs      []edgeDB
		from, to string
		tz       string
		asOf     time.Time
	}{
		{"edge cases", edges, "2026-03-01", "2026-03-02", "Europe/Berlin", time.Date(2026, 4, 15, 0, 0, 0, 0, time.UTC)},
		{"edge cases, early as-of", edges, "2026-02-27", "2026-03-03", "UTC", time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)},
		{"generated month", gens, "2026-10-01", "2026-11-01", fixtures.DemoTimezone, fixtures.DemoAsOf},
		{"generated quarter in Tokyo", gens, "2026-04-01", "2026-07-01", "Asia/Tokyo", fixtures.DemoAsOf},
	}
	for _, c := range cases {
		for _, db := range c.dbs {
			t.Run(fmt.Sprintf("%s/%s", c.name, db.dialect), func(t *testing.T) {
				p := mustPeriod(t, c.from, c.to)
				loc, _ := time.LoadLocation(c.tz)
				rep, rows := readDetail(t, db, p, c.tz, c.asOf)
				checkDetail(t, rep, rows, p, loc, c.asOf)
			})
		}
	}
}

// Detail stops at the first error of yield and returns it.
func TestDetailStopsOnYieldError(t *testing.T) {
	db := generated(t, smallConfig(3))[0]
	loc, _ := time.LoadLocation(fixtures.DemoTimezone)
	stop := errors.New("stop")
	n := 0
	err := db.snapshot(t, fixtures.DemoTimezone).ReadDetail(context.Background(),
		attribution.DetailRequest{Period: fixtures.DemoPeriod(), Location: loc, AsOf: fixtures.DemoAsOf, WindowDays: 30},
		func(attribution.DetailRow) error {
			n++
			if n == 3 {
				return stop
			}
			return nil
		})
	if !errors.Is(err, stop) || n != 3 {
		t.Errorf("err = %v after %d rows, want stop after 3", err, n)
	}
}
