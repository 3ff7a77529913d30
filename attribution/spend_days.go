package attribution

import (
	"cmp"
	"slices"
)

// SpendByDay is the daily spend of the period p ([From, To)) as read, for
// the workbook's Spend sheet: one row per channel and date, the channel
// named as the channel table names it (NormalizeChannel, METRICS.md
// "Spend"; labels that normalise alike are summed, with their Rows),
// sorted by date, then channel (byte order). The amounts of a channel add
// up to its Spend in the report. Like SpendOver, the sums are plain int64
// additions of amounts whose total fits.
func SpendByDay(days []DailySpendRow, p Period) []DailySpendRow {
	type key struct {
		channel string
		date    int64
	}
	at := map[key]int{}
	var out []DailySpendRow
	for _, d := range DaysIn(days, p) {
		name := NormalizeChannel(d.Channel, d.ChannelValid)
		k := key{name, d.Date.Unix()}
		i, ok := at[k]
		if !ok {
			i = len(out)
			at[k] = i
			out = append(out, DailySpendRow{Channel: name, ChannelValid: true, Date: d.Date})
		}
		out[i].Amount += d.Amount
		out[i].Rows += d.Rows
	}
	slices.SortFunc(out, func(a, b DailySpendRow) int {
		if c := cmp.Compare(a.Date.Unix(), b.Date.Unix()); c != 0 {
			return c
		}
		return cmp.Compare(a.Channel, b.Channel)
	})
	return out
}
