package queries

import (
	"context"
	"time"

	"github.com/origen-analytics/origen/attribution"
)

// LocalDayExprForTest exposes localDayExpr, in dialect d's spelling, to
// the external tests.
func LocalDayExprForTest(d Dialect, col string, loc *time.Location, from, to time.Time) string {
	return Reader{Dialect: d}.localDay(col, loc, from, to)
}

// WithExportSQLForTest replaces pg_export_snapshot() in o, for tests of
// the fallback when a server cannot export the snapshot.
func WithExportSQLForTest(o SnapshotOptions, q string) SnapshotOptions {
	o.exportSQL = q
	return o
}

// BreakForksForTest makes the forks of s import a snapshot that does not
// exist, as a pooler that sends them to another server would.
func BreakForksForTest(s *Snapshot) { s.fork.id = "00000003-0000FFFF-1" }

// SettingForTest reads a setting in the transaction of a fork.
func SettingForTest(f attribution.Fork, name string) (string, error) {
	var v string
	err := f.(forkSnapshot).tx.QueryRowxContext(context.Background(), "SELECT current_setting($1)", name).Scan(&v)
	return v, err
}
