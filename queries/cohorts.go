package queries

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
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

// ReadSpendCSVDaily reads a spend file like ReadSpendCSV (which the report
// runs first and whose errors it reports) and returns the spend of the
// period's dates per raw channel label and date, for cohorts and the trend.
func ReadSpendCSVDaily(r io.Reader, name string, p attribution.Period) ([]attribution.DailySpendRow, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, attribution.Errorf(attribution.KindData, "spend file %s: %w", name, err)
	}
	idx := map[string]int{}
	for i, h := range header {
		idx[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, want := range []string{"date", "channel", "amount"} {
		if _, ok := idx[want]; !ok {
			return nil, attribution.Errorf(attribution.KindData, "spend file %s: the header has no %q column", name, want)
		}
	}
	type key struct {
		channel string
		day     int64
	}
	sums := map[key]attribution.Money{}
	counts := map[key]int64{}
	var order []key
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, attribution.Errorf(attribution.KindData, "spend file %s: %w", name, err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			return nil, attribution.Errorf(attribution.KindData, "spend file %s line %d: %d fields, the header has %d", name, line, len(rec), len(header))
		}
		d, err := attribution.ParseDate(strings.TrimSpace(rec[idx["date"]]))
		if err != nil {
			return nil, attribution.Errorf(attribution.KindData, "spend file %s line %d: %v", name, line, err)
		}
		if d.Before(p.From) || !d.Before(p.To) {
			continue
		}
		amount, err := attribution.ParseMoney(rec[idx["amount"]])
		if err != nil {
			return nil, attribution.Errorf(attribution.KindData, "spend file %s line %d: %v", name, line, err)
		}
		k := key{rec[idx["channel"]], d.Unix()}
		if _, ok := sums[k]; !ok {
			order = append(order, k)
		}
		sums[k] += amount
		counts[k]++
	}
	out := make([]attribution.DailySpendRow, 0, len(order))
	for _, k := range order {
		out = append(out, attribution.DailySpendRow{Channel: k.channel, ChannelValid: true, Date: epochDay(k.day), Amount: sums[k], Rows: counts[k]})
	}
	return out, nil
}
