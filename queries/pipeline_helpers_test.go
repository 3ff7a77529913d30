package queries_test

import (
	"context"
	"testing"
	"time"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/queries"
)

// snapshot opens a report snapshot of e in zone tz, closed with the test.
func (e edgeDB) snapshot(t *testing.T, tz string) *queries.Snapshot {
	t.Helper()
	s, err := queries.Open(context.Background(), e.db, queries.SnapshotOptions{Dialect: e.dialect, Mapping: e.mapping,
		Timezone: tz, StatementTimeout: time.Minute})
	if err != nil {
		t.Fatalf("open snapshot: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// location loads tz or fails the test.
func location(t *testing.T, tz string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(tz)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// runReport builds the whole report of period in a fresh snapshot of e,
// through the pipeline origen report runs (a 30-day window).
func runReport(t *testing.T, e edgeDB, period attribution.Period, tz string, asOf time.Time) attribution.Report {
	t.Helper()
	rep, err := attribution.BuildReport(context.Background(), e.snapshot(t, tz), attribution.ReportRequest{
		Period: period, AsOf: asOf, Location: location(t, tz), Timezone: tz, WindowDays: 30,
		Currency: attribution.Currency{Code: "EUR", Digits: 2}})
	if err != nil {
		t.Fatalf("build report: %v", err)
	}
	return rep
}

// readFacts runs the one pass of req in a fresh snapshot of e.
func readFacts(t *testing.T, e edgeDB, tz string, req attribution.FactsRequest) attribution.Facts {
	t.Helper()
	if req.Location == nil {
		req.Location = location(t, tz)
	}
	if req.WindowDays == 0 {
		req.WindowDays = 30
	}
	f, err := e.snapshot(t, tz).ReadFacts(context.Background(), req)
	if err != nil {
		t.Fatalf("read facts: %v", err)
	}
	return f
}

// readCurves reads the curves of one specification in a fresh snapshot of
// e and estimates them.
func readCurves(t *testing.T, e edgeDB, tz string, w int, spec attribution.CurveSpec) attribution.CurveSet {
	t.Helper()
	// The data cutoff of the pass is the latest instant the spec reads.
	cutoff := spec.AsOf
	if spec.OutcomeEnd.After(cutoff) {
		cutoff = spec.OutcomeEnd
	}
	f := readFacts(t, e, tz, attribution.FactsRequest{AsOf: cutoff, WindowDays: w, Curves: []attribution.CurveSpec{spec}})
	set, err := attribution.BuildCurves(f.Curves[0], w)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// reportCurveSpec is the projection's curve specification of a report, as
// the pipeline builds it.
func reportCurveSpec(period attribution.Period, loc *time.Location, asOf time.Time, w int) attribution.CurveSpec {
	return attribution.ReportFacts(period, asOf, loc, w, attribution.DefaultHorizonDays, false).Curves[0]
}
