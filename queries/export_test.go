package queries

import "time"

// LocalDayExprForTest exposes localDayExpr, in dialect d's spelling, to
// the external tests.
func LocalDayExprForTest(d Dialect, col string, loc *time.Location, from, to time.Time) string {
	return Reader{Dialect: d}.localDay(col, loc, from, to)
}
