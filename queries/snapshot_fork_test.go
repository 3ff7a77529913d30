package queries_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/fixtures"
	"github.com/origen-analytics/origen/fixtures/pgtest"
	"github.com/origen-analytics/origen/queries"
)

// forkDB is a PostgreSQL database with the generator's data in schema gen,
// touchpoints included.
func forkDB(t *testing.T) edgeDB {
	t.Helper()
	pg, err := sqlx.Open("postgres", pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Close() })
	cfg := fixtures.DemoConfig()
	cfg.Seed, cfg.Registrations = 11, 3000
	t.Logf("generator seed %d, %d registrations", cfg.Seed, cfg.Registrations)
	if err := fixtures.LoadPostgres(context.Background(), pg.DB, "gen", cfg); err != nil {
		t.Fatal(err)
	}
	return edgeDB{pg, queries.Postgres, forkMapping("gen.")}
}

func forkMapping(prefix string) queries.Mapping {
	cols := func(names ...string) map[string]string {
		m := map[string]string{}
		for _, n := range names {
			m[n] = n
		}
		return m
	}
	return queries.Mapping{
		Registrations: queries.Source{Table: prefix + "registrations", Columns: cols("user_id", "registered_at", "channel", "campaign", "source", "medium")},
		Purchases:     queries.Source{Table: prefix + "purchases", Columns: cols("user_id", "purchased_at", "amount")},
		Spend:         &queries.Source{Table: prefix + "spend", Columns: cols("date", "channel", "amount")},
		Touchpoints:   &queries.Source{Table: prefix + "touchpoints", Columns: cols("user_id", "occurred_at", "channel")},
	}
}

func openParallel(t *testing.T, e edgeDB, o queries.SnapshotOptions) *queries.Snapshot {
	t.Helper()
	o.Dialect, o.Mapping, o.Timezone, o.StatementTimeout = e.dialect, e.mapping, fixtures.DemoTimezone, time.Minute
	s, err := queries.Open(context.Background(), e.db, o)
	if err != nil {
		t.Fatalf("open snapshot: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func registrationRows(t *testing.T, s attribution.Snapshot) int64 {
	t.Helper()
	q, _, err := s.ReadQuality(context.Background(), fixtures.DemoAsOf)
	if err != nil {
		t.Fatal(err)
	}
	return q.RegistrationRows
}

// A fork reads the snapshot's data: rows another session commits after
// the snapshot began and before the fork did are not in the fork's reads,
// while a new snapshot sees them.
func TestForkReadsTheSnapshotsData(t *testing.T) {
	e := forkDB(t)
	snap := openParallel(t, e, queries.SnapshotOptions{Parallel: 3})
	if snap.Parallel() != 3 {
		t.Fatalf("Parallel() = %d, want 3", snap.Parallel())
	}
	before := registrationRows(t, snap)
	if _, err := e.db.Exec(`INSERT INTO gen.registrations (user_id, registered_at, channel)
		SELECT 800000000 + i, TIMESTAMPTZ '2026-10-10 12:00:00+00', 'Email' FROM generate_series(1, 25) AS i`); err != nil {
		t.Fatal(err)
	}
	fork, err := snap.Fork(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer fork.Close()
	if got := registrationRows(t, fork); got != before {
		t.Errorf("the fork reads %d registration rows, the snapshot %d: it sees the rows committed after the snapshot began", got, before)
	}
	if got := registrationRows(t, openParallel(t, e, queries.SnapshotOptions{})); got != before+25 {
		t.Errorf("a new snapshot reads %d registration rows, want %d (the test's insert did not commit)", got, before+25)
	}
	// The fork has the snapshot's settings, for its transaction.
	for name, want := range map[string]string{"TimeZone": fixtures.DemoTimezone, "jit": "off", "statement_timeout": "1min",
		"transaction_isolation": "repeatable read", "transaction_read_only": "on"} {
		got, err := queries.SettingForTest(fork, name)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("the fork's %s is %q, want %q", name, got, want)
		}
	}
}

// The report read side by side on forks is the report read sequentially,
// figure for figure and note for note, and the About sheet's statements
// are the same, in the same order; with [channels] merge_case, budget,
// lifetime value, prospects and multi-touch paths.
func TestParallelReportEqualsSequential(t *testing.T) {
	e := forkDB(t)
	loc := location(t, fixtures.DemoTimezone)
	req := attribution.ReportRequest{Period: fixtures.DemoPeriod(), Location: loc, Timezone: fixtures.DemoTimezone,
		AsOf: fixtures.DemoAsOf, WindowDays: 30, LTVCohortMonths: 24, Budget: ptr(attribution.DefaultBudgetRequest()),
		Channels: &attribution.ChannelMapping{MergeCase: true}}
	build := func(parallel int) (attribution.Report, []queries.Statement) {
		t.Helper()
		snap := openParallel(t, e, queries.SnapshotOptions{Parallel: parallel})
		rep, err := attribution.BuildReport(context.Background(), snap, req)
		if err != nil {
			t.Fatalf("parallel %d: %v", parallel, err)
		}
		rep.Labels = nil
		return rep, snap.Statements()
	}
	seq, seqSt := build(1)
	for _, n := range []int{2, 3, 8} {
		par, parSt := build(n)
		if !sameValue(reflect.ValueOf(seq), reflect.ValueOf(par)) {
			t.Errorf("parallel = %d: the report differs from the sequential one in %s", n, reportDiff(seq, par))
		}
		if !reflect.DeepEqual(seqSt, parSt) {
			t.Errorf("parallel = %d: statements\n  %s\nsequential\n  %s", n, statementNames(parSt), statementNames(seqSt))
		}
	}
}

func statementNames(st []queries.Statement) string {
	var n []string
	for _, s := range st {
		n = append(n, s.Name)
	}
	return strings.Join(n, " ")
}

// A server that cannot export the snapshot (an old server, a hot standby,
// a pooler) gives a snapshot without forks: the report reads
// sequentially, said in one log line.
func TestSnapshotWithoutExportReadsSequentially(t *testing.T) {
	e := forkDB(t)
	var logs bytes.Buffer
	o := queries.WithExportSQLForTest(queries.SnapshotOptions{Parallel: 3, Log: slog.New(slog.NewTextHandler(&logs, nil))},
		"SELECT pg_export_snapshot_of_a_server_without_it()")
	snap := openParallel(t, e, o)
	if snap.Parallel() != 1 {
		t.Errorf("Parallel() = %d after a failed export, want 1", snap.Parallel())
	}
	if n := strings.Count(logs.String(), "reading sequentially"); n != 1 {
		t.Errorf("%d log lines say the snapshot reads sequentially, want 1:\n%s", n, logs.String())
	}
	// The snapshot began again after the failed statement, and reads.
	if registrationRows(t, snap) == 0 {
		t.Error("the snapshot reads no registration rows")
	}
}

// Forks that cannot import the snapshot (sent to another server by a
// pooler) make BuildReport read sequentially, said in one log line, and
// the report is the sequential one.
func TestReportWithFailingForksReadsSequentially(t *testing.T) {
	e := forkDB(t)
	loc := location(t, fixtures.DemoTimezone)
	var logs bytes.Buffer
	req := attribution.ReportRequest{Period: fixtures.DemoPeriod(), Location: loc, Timezone: fixtures.DemoTimezone,
		AsOf: fixtures.DemoAsOf, WindowDays: 30, LTVCohortMonths: 24}
	seq, err := attribution.BuildReport(context.Background(), openParallel(t, e, queries.SnapshotOptions{Parallel: 1}), req)
	if err != nil {
		t.Fatal(err)
	}
	snap := openParallel(t, e, queries.SnapshotOptions{Parallel: 3})
	queries.BreakForksForTest(snap)
	if _, err := snap.Fork(context.Background()); err == nil || !strings.Contains(err.Error(), "import the snapshot") {
		t.Fatalf("a fork of a snapshot that does not exist: %v", err)
	}
	req.Log = slog.New(slog.NewTextHandler(&logs, nil))
	got, err := attribution.BuildReport(context.Background(), snap, req)
	if err != nil {
		t.Fatal(err)
	}
	seq.Labels, got.Labels = nil, nil
	if !sameValue(reflect.ValueOf(seq), reflect.ValueOf(got)) {
		t.Error("the report read after the forks failed differs from the sequential one")
	}
	if n := strings.Count(logs.String(), "reading sequentially"); n != 1 {
		t.Errorf("%d log lines say the report reads sequentially, want 1:\n%s", n, logs.String())
	}
}

// SQLite shares no snapshot between connections: a user's file reads
// sequentially; origen demo's own file (Unwritten) forks, and its report
// read side by side is the sequential one.
func TestSQLiteForksOnlyAnUnwrittenFile(t *testing.T) {
	sq, err := sqlx.Open("sqlite", filepath.Join(t.TempDir(), "gen.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sq.Close() })
	cfg := fixtures.DemoConfig()
	cfg.Seed, cfg.Registrations = 11, 3000
	if err := fixtures.BuildSQLite(context.Background(), sq.DB, cfg); err != nil {
		t.Fatal(err)
	}
	e := edgeDB{sq, queries.SQLite, forkMapping("")}
	if s := openParallel(t, e, queries.SnapshotOptions{Parallel: 3}); s.Parallel() != 1 {
		t.Errorf("a user's SQLite file: Parallel() = %d, want 1", s.Parallel())
	}
	loc := location(t, fixtures.DemoTimezone)
	req := attribution.ReportRequest{Period: fixtures.DemoPeriod(), Location: loc, Timezone: fixtures.DemoTimezone,
		AsOf: fixtures.DemoAsOf, WindowDays: 30, LTVCohortMonths: 24}
	var reps []attribution.Report
	var sts []string
	for _, o := range []queries.SnapshotOptions{{Parallel: 1}, {Parallel: 3, Unwritten: true}} {
		s := openParallel(t, e, o)
		if o.Unwritten && s.Parallel() != 3 {
			t.Fatalf("an unwritten SQLite file: Parallel() = %d, want 3", s.Parallel())
		}
		rep, err := attribution.BuildReport(context.Background(), s, req)
		if err != nil {
			t.Fatal(err)
		}
		rep.Labels = nil
		reps = append(reps, rep)
		sts = append(sts, fmt.Sprint(s.Statements()))
	}
	if !sameValue(reflect.ValueOf(reps[0]), reflect.ValueOf(reps[1])) {
		t.Error("the SQLite report read side by side differs from the sequential one")
	}
	if sts[0] != sts[1] {
		t.Error("the SQLite report read side by side lists other statements")
	}
}

func ptr[T any](v T) *T { return &v }

// reportDiff names the fields of the report that differ.
func reportDiff(a, b attribution.Report) string {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	var out []string
	for i := range va.NumField() {
		if !sameValue(va.Field(i), vb.Field(i)) {
			out = append(out, fmt.Sprintf("%s (%v vs %v)", va.Type().Field(i).Name, short(va.Field(i).Interface()), short(vb.Field(i).Interface())))
		}
	}
	return strings.Join(out, ", ")
}

func short(v any) string {
	s := fmt.Sprintf("%+v", v)
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// sameValue is reflect.DeepEqual for reports: a NaN equals a NaN (a
// quantity the data leaves undefined, in both reports alike).
func sameValue(a, b reflect.Value) bool {
	if a.IsValid() != b.IsValid() {
		return false
	}
	if !a.IsValid() {
		return true
	}
	if a.Type() != b.Type() {
		return false
	}
	switch a.Kind() {
	case reflect.Float32, reflect.Float64:
		x, y := a.Float(), b.Float()
		return x == y || math.IsNaN(x) && math.IsNaN(y)
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return sameValue(a.Elem(), b.Elem())
	case reflect.Struct:
		for i := range a.NumField() {
			if !sameValue(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Slice, reflect.Array:
		if a.Kind() == reflect.Slice && a.IsNil() != b.IsNil() {
			return false
		}
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !sameValue(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Map:
		if a.Len() != b.Len() {
			return false
		}
		for _, k := range a.MapKeys() {
			if !sameValue(a.MapIndex(k), b.MapIndex(k)) {
				return false
			}
		}
		return true
	case reflect.Func:
		return a.IsNil() && b.IsNil()
	}
	if !a.CanInterface() {
		// An unexported field of a basic kind: compare its text.
		return fmt.Sprint(a) == fmt.Sprint(b)
	}
	return reflect.DeepEqual(a.Interface(), b.Interface())
}

// On ClickHouse (no transactions; the data cutoff keeps later rows out) a
// fork is another connection of the pool: the report read side by side is
// the sequential one, with the same statements.
func TestClickHouseParallelReportEqualsSequential(t *testing.T) {
	cfg := fixtures.DemoConfig()
	cfg.Seed, cfg.Registrations, cfg.WholeSeconds = 11, 3000, true
	e := generatedClickHouse(t, cfg)
	loc := location(t, fixtures.DemoTimezone)
	req := attribution.ReportRequest{Period: fixtures.DemoPeriod(), Location: loc, Timezone: fixtures.DemoTimezone,
		AsOf: fixtures.DemoAsOf, WindowDays: 30, LTVCohortMonths: 24, Budget: ptr(attribution.DefaultBudgetRequest())}
	var reps []attribution.Report
	var sts []string
	for _, n := range []int{1, 3} {
		s := openParallel(t, e, queries.SnapshotOptions{Parallel: n})
		if s.Parallel() != n {
			t.Fatalf("Parallel() = %d, want %d", s.Parallel(), n)
		}
		rep, err := attribution.BuildReport(context.Background(), s, req)
		if err != nil {
			t.Fatal(err)
		}
		rep.Labels = nil
		reps = append(reps, rep)
		sts = append(sts, fmt.Sprint(s.Statements()))
	}
	if !sameValue(reflect.ValueOf(reps[0]), reflect.ValueOf(reps[1])) {
		t.Errorf("the ClickHouse report read side by side differs in %s", reportDiff(reps[0], reps[1]))
	}
	if sts[0] != sts[1] {
		t.Error("the ClickHouse report read side by side lists other statements")
	}
}

// MySQL and MariaDB cannot share a snapshot between connections: a
// snapshot asked for forks reads sequentially.
func TestMySQLSnapshotHasNoForks(t *testing.T) {
	my := generated(t, smallConfig(5))[2]
	if s := openParallel(t, my, queries.SnapshotOptions{Parallel: 3}); s.Parallel() != 1 {
		t.Errorf("MySQL: Parallel() = %d, want 1", s.Parallel())
	}
}
