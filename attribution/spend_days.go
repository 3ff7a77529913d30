package attribution

import (
	"cmp"
	"slices"
)

// SpendByDay is the daily spend of the period p ([From, To)) as read, for
// the workbook's Spend sheet: one row per channel and date (and campaign,
// when the spend source has a campaign column), the channel
// named as the channel table names it (NormalizeChannel, METRICS.md
// "Spend"; labels that normalise alike are summed, with their Rows),
// sorted by date, then channel, then campaign (byte order). The amounts of a channel add
// up to its Spend in the report. Like SpendOver, the sums are plain int64
// additions of amounts whose total fits.
func SpendByDay(days []DailySpendRow, p Period) []DailySpendRow {
	type key struct {
		channel, campaign string
		date              int64
	}
	at := map[key]int{}
	var out []DailySpendRow
	for _, d := range DaysIn(days, p) {
		name := NormalizeChannel(d.Channel, d.ChannelValid)
		k := key{channel: name, date: d.Date.Unix()}
		row := DailySpendRow{Channel: name, ChannelValid: true, Date: d.Date}
		if d.PerCampaign {
			// With a campaign column, a day has a row per campaign, named
			// as the Campaigns sheet names it.
			k.campaign = drillLabel(d.Campaign, d.CampaignValid, NoCampaignLabel)
			row.Campaign, row.CampaignValid, row.PerCampaign = k.campaign, true, true
		}
		i, ok := at[k]
		if !ok {
			i = len(out)
			at[k] = i
			out = append(out, row)
		}
		out[i].Amount += d.Amount
		out[i].Rows += d.Rows
	}
	slices.SortFunc(out, func(a, b DailySpendRow) int {
		if c := cmp.Compare(a.Date.Unix(), b.Date.Unix()); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Channel, b.Channel); c != 0 {
			return c
		}
		return cmp.Compare(a.Campaign, b.Campaign)
	})
	return out
}
