package attribution

import (
	"cmp"
	"slices"
)

// SpendOver sums daily spend over the period p ([From, To)) per raw channel
// label — labels are kept as written, as METRICS.md "Spend" normalises them
// later together with the registrations' — and returns one row per label
// that has a date in p, sorted by label (byte order; an invalid (NULL)
// label before a valid empty one), each with its summed Amount and Rows,
// and rowsInPeriod, the source rows of p (the sum of the days' Rows).
//
// The sums are plain int64 additions: the caller guarantees that they fit,
// as ParseSpendCSV in queries does by refusing a file whose total spend
// overflows (spend is never negative, so no subset of it can then overflow).
func SpendOver(days []DailySpendRow, p Period) (rows []SpendRow, rowsInPeriod int64) {
	type key struct {
		channel string
		valid   bool
	}
	byLabel := map[key]int{}
	for _, d := range DaysIn(days, p) {
		k := key{d.Channel, d.ChannelValid}
		i, ok := byLabel[k]
		if !ok {
			i = len(rows)
			byLabel[k] = i
			rows = append(rows, SpendRow{Channel: d.Channel, ChannelValid: d.ChannelValid})
		}
		rows[i].Amount += d.Amount
		rows[i].Rows += d.Rows
		rowsInPeriod += d.Rows
	}
	slices.SortFunc(rows, func(a, b SpendRow) int {
		if c := cmp.Compare(a.Channel, b.Channel); c != 0 {
			return c
		}
		return compareBool(a.ChannelValid, b.ChannelValid)
	})
	return rows, rowsInPeriod
}

// DaysIn returns the days whose Date is in p ([From, To)), in their order
// in days. It never modifies days; the result shares no memory with it.
func DaysIn(days []DailySpendRow, p Period) []DailySpendRow {
	from, to := p.From.Unix(), p.To.Unix()
	var out []DailySpendRow
	for _, d := range days {
		if u := d.Date.Unix(); from <= u && u < to {
			out = append(out, d)
		}
	}
	return out
}

// compareBool orders false before true.
func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}
