package attribution

import "sort"

// SpendOver sums daily spend per raw channel label over p (METRICS.md,
// "Money": spend rows whose date is in [from, to)), sorted by label, and
// counts the rows behind it.
func SpendOver(days []DailySpendRow, p Period) (rows []SpendRow, rowsInPeriod int64) {
	byChannel := map[spendKey]*SpendRow{}
	for _, d := range days {
		if d.Date.Before(p.From) || !d.Date.Before(p.To) {
			continue
		}
		k := spendKey{d.Channel, d.ChannelValid}
		r, ok := byChannel[k]
		if !ok {
			r = &SpendRow{Channel: d.Channel, ChannelValid: d.ChannelValid}
			byChannel[k] = r
		}
		r.Amount += d.Amount
		r.Rows += d.Rows
		rowsInPeriod += d.Rows
	}
	rows = make([]SpendRow, 0, len(byChannel))
	for _, r := range byChannel {
		rows = append(rows, *r)
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].Channel != rows[j].Channel {
			return rows[i].Channel < rows[j].Channel
		}
		return !rows[i].ChannelValid && rows[j].ChannelValid
	})
	return rows, rowsInPeriod
}

type spendKey struct {
	channel string
	valid   bool
}

// DaysIn returns the daily rows whose date is in p, in their order.
func DaysIn(days []DailySpendRow, p Period) []DailySpendRow {
	var out []DailySpendRow
	for _, d := range days {
		if !d.Date.Before(p.From) && d.Date.Before(p.To) {
			out = append(out, d)
		}
	}
	return out
}
