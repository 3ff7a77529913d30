package attribution

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// SpendByDay by hand: labels that normalise alike meet on one row per
// date, NULL and blank labels are "(none)", dates outside the period are
// left out, rows are by date then channel.
func TestSpendByDay(t *testing.T) {
	d1, d2, d3 := Date{Year: 2026, Month: 3, Day: 1}, Date{Year: 2026, Month: 3, Day: 2}, Date{Year: 2026, Month: 4, Day: 1}
	days := []DailySpendRow{
		{Channel: "Search", ChannelValid: true, Date: d2, Amount: 300, Rows: 1},
		{Channel: " Search ", ChannelValid: true, Date: d2, Amount: 50, Rows: 2},
		{Channel: "Search", ChannelValid: true, Date: d1, Amount: 100, Rows: 1},
		{Channel: "", ChannelValid: false, Date: d1, Amount: 7, Rows: 1},
		{Channel: "  ", ChannelValid: true, Date: d1, Amount: 3, Rows: 1},
		{Channel: "Display", ChannelValid: true, Date: d1, Amount: 20, Rows: 1},
		{Channel: "Search", ChannelValid: true, Date: d3, Amount: 999, Rows: 1}, // April: outside
	}
	got := SpendByDay(days, Period{From: d1, To: d3})
	var lines []string
	for _, d := range got {
		lines = append(lines, fmt.Sprintf("%s %s %d %d", d.Date, d.Channel, d.Amount, d.Rows))
	}
	want := []string{
		"2026-03-01 (none) 10 2",
		"2026-03-01 Display 20 1",
		"2026-03-01 Search 100 1",
		"2026-03-02 Search 350 3",
	}
	if !slices.Equal(lines, want) {
		t.Errorf("SpendByDay\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if days[1].Channel != " Search " {
		t.Errorf("the input was modified")
	}
}

// With a campaign column, a day has a row per channel and campaign, the
// campaigns named as the Campaigns sheet names them.
func TestSpendByDayCampaigns(t *testing.T) {
	d1, d2 := Date{Year: 2026, Month: 3, Day: 1}, Date{Year: 2026, Month: 3, Day: 2}
	c := func(channel, campaign string, valid bool, d Date, amount Money) DailySpendRow {
		return DailySpendRow{Channel: channel, ChannelValid: true, Date: d, Amount: amount, Rows: 1,
			Campaign: campaign, CampaignValid: valid, PerCampaign: true}
	}
	days := []DailySpendRow{
		c("Search", "brand", true, d1, 100),
		c("Search", " brand ", true, d1, 5),
		c("Search", "generic", true, d1, 40),
		c("Search", "", false, d1, 7),
		c("Search", "  ", true, d1, 3),
		c("Display", "retarget", true, d2, 20),
		c("Search", "brand", true, d2, 1),
	}
	got := SpendByDay(days, Period{From: d1, To: d2.AddDays(1)})
	var lines []string
	for _, d := range got {
		if !d.PerCampaign || !d.CampaignValid {
			t.Errorf("%+v: not marked per campaign", d)
		}
		lines = append(lines, fmt.Sprintf("%s %s %s %d %d", d.Date, d.Channel, d.Campaign, d.Amount, d.Rows))
	}
	want := []string{
		"2026-03-01 Search (no campaign) 10 2",
		"2026-03-01 Search brand 105 2",
		"2026-03-01 Search generic 40 1",
		"2026-03-02 Display retarget 20 1",
		"2026-03-02 Search brand 1 1",
	}
	if !slices.Equal(lines, want) {
		t.Errorf("SpendByDay\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

// Through BuildReport, after the channel mapping: every channel's days add
// up to its Spend, on the same names as the channel table.
func TestReportSpendDays(t *testing.T) {
	day := Date{Year: 2026, Month: 3, Day: 1}
	f := Facts{
		Cohort: []CohortRow{{Channel: "Paid Search", ChannelValid: true, Count: 3, Days: -1}},
		Curves: [][]CurveRow{{}},
	}
	spend := []DailySpendRow{
		{Channel: "PAID SEARCH", ChannelValid: true, Date: day, Amount: 100 * MoneyScale},
		{Channel: "Paid Search", ChannelValid: true, Date: day.AddDays(1), Amount: 20 * MoneyScale},
		{Channel: "Display", ChannelValid: true, Date: day, Amount: 5 * MoneyScale},
		{Channel: "Display", ChannelValid: true, Date: day.AddDays(-1), Amount: 1 * MoneyScale}, // before the period
	}
	rep, err := BuildReport(context.Background(), fakeSnapshot{facts: f, spend: spend}, ReportRequest{
		Period: Period{From: day, To: day.AddDays(2)}, AsOf: time.Date(2026, 4, 20, 0, 0, 0, 0, time.UTC), WindowDays: 30,
		Currency: Currency{Code: "EUR", Digits: 2}, TopProspects: -1, Comparison: CompareNone,
		Channels: &ChannelMapping{MergeCase: true}})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	sums := map[string]Money{}
	for _, d := range rep.SpendDays {
		lines = append(lines, fmt.Sprintf("%s %s %s", d.Date, d.Channel, d.Amount.Format(2)))
		sums[d.Channel] += d.Amount
	}
	want := []string{"2026-03-01 Display 5.00", "2026-03-01 Paid Search 100.00", "2026-03-02 Paid Search 20.00"}
	if !slices.Equal(lines, want) {
		t.Errorf("SpendDays\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	for _, m := range rep.Channels {
		if sums[m.Channel] != m.Spend {
			t.Errorf("%s: days add up to %s, spend %s", m.Channel, sums[m.Channel].Format(2), m.Spend.Format(2))
		}
	}
}
