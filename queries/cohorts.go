package queries

import (
	"fmt"
	"strings"
	"time"

	"github.com/origen-analytics/origen/attribution"
)

const microsPerDay = 86400 * 1000000

// localDayExpr returns SQL computing the local date (days since
// 1970-01-01) of the microsecond timestamp column col in loc, for
// timestamps in [from, to). SQLite has no time zone database, so instead of
// converting in SQL Origen lists the zone's UTC offsets over the range
// (transitions from Go's zone database) in a CASE: the same text for every
// dialect. Subtracting the first day keeps the division on non-negative
// numbers, where both dialects' integer division is floor division. The
// result contains only numbers Origen computed, never user text.
func localDayExpr(col string, loc *time.Location, from, to time.Time) string {
	baseDay := attribution.DateOf(from.In(loc)).Unix()
	base := baseDay * microsPerDay
	var whens []string
	t := from
	_, off := t.In(loc).Zone()
	for {
		_, end := t.In(loc).ZoneBounds()
		if end.IsZero() || !end.Before(to) || !end.After(t) {
			break
		}
		whens = append(whens, fmt.Sprintf("WHEN %s < %d THEN %d", col, end.UnixMicro(), int64(off)*1000000-base))
		t = end
		_, off = t.In(loc).Zone()
	}
	last := int64(off)*1000000 - base
	if len(whens) == 0 {
		return fmt.Sprintf("((%s + %d) / %d + %d)", col, last, microsPerDay, baseDay)
	}
	return fmt.Sprintf("((%s + CASE %s ELSE %d END) / %d + %d)", col, strings.Join(whens, " "), last, microsPerDay, baseDay)
}

func epochDay(n int64) attribution.Date {
	return attribution.Date{Year: 1970, Month: 1, Day: 1}.AddDays(int(n))
}
