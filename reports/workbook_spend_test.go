package reports

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/reports/reportstest"
)

// TestWorkbookSpendSheet by hand: sampleReport's daily spend (a third of
// each channel's spend on 1 March, the rest on 15 March) sums per channel
// to its spend in Channels, 12,345.67 + 2,000.005 + 120 + 999.99 + 0.015 =
// 15,465.68 in all, every difference 0; the daily rows are listed by date,
// then channel.
func TestWorkbookSpendSheet(t *testing.T) {
	r := sampleReport(t)
	f, _ := openWorkbookWith(t, r, WorkbookOptions{})
	line := func(name string) (sum, channels, diff string) {
		t.Helper()
		row := rowOf(t, f, sheetSpend, name) // the first: the reconciliation
		return rawValue(t, f, sheetSpend, cellName(t, 2, row)), rawValue(t, f, sheetSpend, cellName(t, 3, row)), rawValue(t, f, sheetSpend, cellName(t, 4, row))
	}
	for name, want := range map[string]string{chSearch: "12345.67", chSocial: "2000.005", chScript: "120", chKanji: "999.99", chImg: "0.015", chFormula: "0", totalLabel: "15465.68"} {
		sum, channels, diff := line(name)
		if sum != want || channels != want || diff != "0" {
			t.Errorf("%s: daily rows %s, Channels %s, difference %s; want %s, %s, 0", name, sum, channels, diff, want, want)
		}
	}
	row := rowOf(t, f, sheetSpend, "Date")
	// Byte order on 1 March: "<img …" first.
	if got := []string{shownValue(t, f, sheetSpend, cellName(t, 1, row+1)), rawValue(t, f, sheetSpend, cellName(t, 2, row+1)), rawValue(t, f, sheetSpend, cellName(t, 3, row+1))}; got[0] != "2026-03-01" || got[1] != chImg || got[2] != "0.005" {
		t.Errorf("first daily row %q, want 2026-03-01, %q, 0.005", got, chImg)
	}
	var all attribution.Money
	n := 0
	for i := 1; ; i++ {
		v := rawValue(t, f, sheetSpend, cellName(t, 3, row+i))
		if v == "" {
			break
		}
		n++
		m, err := attribution.ParseMoney(v)
		if err != nil {
			t.Fatalf("daily spend %q: %v", v, err)
		}
		all += m
	}
	if n != 10 || all != r.Total.Spend {
		t.Errorf("%d daily rows adding up to %s, want 10 adding up to %s", n, all.Format(4), r.Total.Spend.Format(4))
	}
}

// TestSpendSheetInLibreOffice: LibreOffice recalculates the reconciliation
// to Origen's values (TestWorkbookRecalculatedInLibreOffice checks every
// formula), and after an amount of the daily rows is edited the line and
// the Total show the difference.
func TestSpendSheetInLibreOffice(t *testing.T) {
	if testing.Short() {
		t.Skip("starts LibreOffice")
	}
	r := sampleReport(t)
	f, _ := openWorkbookWith(t, r, WorkbookOptions{})
	row := rowOf(t, f, sheetSpend, "Date") + 1 // the first daily row: chImg, 0.005
	if err := f.SetCellFloat(sheetSpend, cellName(t, 3, row), 10.005, -1, 64); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "edited.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(path)
	sheet := reportstest.ConvertToValues(t, path)[sheetSpend]
	find := func(name string) []string {
		for _, row := range sheet {
			if len(row) >= 4 && row[0] == name {
				return row
			}
		}
		t.Fatalf("LibreOffice shows no line %q", name)
		return nil
	}
	for name, want := range map[string][3]float64{
		chImg:      {10.015, 0.015, 10},
		chSearch:   {12345.67, 12345.67, 0},
		totalLabel: {15475.68, 15465.68, 10},
	} {
		got := find(name)
		for i, w := range want {
			if !closeEnough(got[i+1], strconv.FormatFloat(w, 'g', -1, 64)) {
				t.Errorf("%s column %d = %s, want %v (row %q)", name, i+2, got[i+1], w, got)
			}
		}
	}
}

// TestWorkbookLabelFindings: the Data quality sheet lists the channels
// that look paid without spend (4 + 2 + 3 = 9 registrations, by hand) and
// the labels that differ only by case or white space (one group, by
// registrations).
func TestWorkbookLabelFindings(t *testing.T) {
	row := func(ch string, n int64) attribution.CohortRow {
		return attribution.CohortRow{Channel: ch, ChannelValid: true, Days: -1, Count: n}
	}
	r := attribution.Compute(attribution.Inputs{
		Period:   sampleReport(t).Period,
		Currency: attribution.Currency{Code: "EUR", Digits: 2}, WindowDays: 30,
		Cohort: []attribution.CohortRow{row("Paid Search", 10), row("paid search", 3), row("PAID  Search", 2), row("Display", 4), row("Email", 5)},
		Spend:  []attribution.SpendRow{{Channel: "Paid Search", ChannelValid: true, Amount: 50 * attribution.MoneyScale}},
	})
	r.Quality.PaidWithoutSpend = attribution.PaidWithoutSpend(r.Channels)
	f, _ := openWorkbookWith(t, r, WorkbookOptions{})
	rows, err := f.GetRows(sheetQuality)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]string{
		"Of channels that look paid but have no spend":                             {"9", "Display\nPAID  Search\npaid search"},
		"Channel labels that differ only by case, accents or white space (groups)": {"1", "Paid Search (10) · paid search (3) · PAID  Search (2)"},
	}
	for _, row := range rows {
		if len(row) < 4 {
			continue
		}
		if w, ok := want[row[1]]; ok {
			if row[2] != w[0] || row[3] != w[1] {
				t.Errorf("%s: count %q, channels %q; want %q, %q", row[1], row[2], row[3], w[0], w[1])
			}
			delete(want, row[1])
		}
	}
	for label := range want {
		t.Errorf("no check %q", label)
	}
}

// With a campaign column in the spend source, the daily rows carry their
// campaign in column D and the reconciliation still adds up per channel.
func TestWorkbookSpendSheetCampaigns(t *testing.T) {
	r := sampleReport(t)
	var days []attribution.DailySpendRow
	for _, d := range r.SpendDays {
		half := d.Amount / 2
		a, b := d, d
		a.Amount, b.Amount = half, d.Amount-half
		a.Campaign, b.Campaign = "brand", "generic"
		a.CampaignValid, b.CampaignValid = true, true
		a.PerCampaign, b.PerCampaign = true, true
		days = append(days, a, b)
	}
	r.SpendDays = days
	f, _ := openWorkbookWith(t, r, WorkbookOptions{})
	row := rowOf(t, f, sheetSpend, "Date")
	if got := rawValue(t, f, sheetSpend, cellName(t, 4, row)); got != "Campaign" {
		t.Fatalf("daily header D = %q, want Campaign", got)
	}
	campaigns := map[string]int{}
	for i := 1; ; i++ {
		if rawValue(t, f, sheetSpend, cellName(t, 3, row+i)) == "" {
			break
		}
		campaigns[rawValue(t, f, sheetSpend, cellName(t, 4, row+i))]++
	}
	if campaigns["brand"] != len(days)/2 || campaigns["generic"] != len(days)/2 || len(campaigns) != 2 {
		t.Errorf("campaigns of the daily rows %v, want %d brand and %d generic", campaigns, len(days)/2, len(days)/2)
	}
	for name, want := range map[string]string{chSearch: "12345.67", chSocial: "2000.005", totalLabel: "15465.68"} {
		line := rowOf(t, f, sheetSpend, name)
		sum, diff := rawValue(t, f, sheetSpend, cellName(t, 2, line)), rawValue(t, f, sheetSpend, cellName(t, 4, line))
		if sum != want || diff != "0" {
			t.Errorf("%s: daily rows %s, difference %s; want %s, 0", name, sum, diff, want)
		}
	}
}
