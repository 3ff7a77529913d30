package reports

import (
	"fmt"

	"github.com/xuri/excelize/v2"

	"github.com/origen-analytics/origen/attribution"
)

// sheetSpend is the sheet of the daily spend and its reconciliation.
const sheetSpend = "Spend"

// spendTableName is the Excel table of the Spend sheet's daily rows.
const spendTableName = "SpendTable"

// hasSpendSheet reports whether the workbook has a Spend sheet: when the
// report has spend, or daily spend rows.
func hasSpendSheet(r attribution.Report) bool {
	return len(r.SpendDays) > 0 || r.Total.Spend != 0
}

// spend writes the Spend sheet: first the reconciliation, one line per
// row of the Channels table (its channels in the same order) with the sum
// of its daily rows below, its spend in Channels and the difference, then
// a Total line; then the daily rows as read (date, channel, spend), as an
// Excel table. The sums are formulas over the daily rows that match the
// channel's name exactly (EXACT: "Paid Search" and "paid search" are two
// channels, as in Channels, and no name is read as a wildcard), so they
// survive sorting and filtering the table and follow an edited amount;
// the differences are rounded to the currency's minor unit and are 0
// when the spend reconciles. Origen's values are cached in every cell.
func (b *workbook) spend() {
	const sheet = sheetSpend
	r := b.r
	cur := r.Currency
	sw := b.stream(sheet)
	if sw == nil {
		return
	}
	days := r.SpendDays
	lines := len(b.rows) // one per row of the Channels table
	const top = 4        // the reconciliation's header
	totalRow := top + lines + 1
	dayHeader := totalRow + 2
	first, last := dayHeader+1, dayHeader+len(days)
	listed := last <= b.sheetRowLimit()
	if !listed {
		first, last = dayHeader, dayHeader-1 // no daily rows: the sums are stored
	}

	nameWidth := max(headerWidth("Channel"), 10)
	for _, x := range b.rows {
		nameWidth = max(nameWidth, displayWidth(x.M.Channel))
	}
	nameCol := float64(min(nameWidth+2, 40))
	b.check(sw.SetColWidth(1, 1, nameCol))
	b.check(sw.SetColWidth(2, 2, max(nameCol, 20))) // the daily rows' channel
	b.check(sw.SetColWidth(3, 4, 20))

	spendCol := columnByKey("spend")
	money, moneyTotal := b.valueStyle(spendCol, false), b.valueStyle(spendCol, true)
	b.check(sw.SetRow("A1", []any{excelize.Cell{StyleID: b.titleStyle(), Value: "Spend"}}))
	intro := fmt.Sprintf("The spend of %s by channel and day (and campaign, where the spend has one) as Origen read it (local dates; channels named as in Channels), "+
		"and how it reconciles to the Channels sheet: each line sums the channel's daily rows, which must equal its spend there (difference 0).", periodText(r.Period))
	if !listed {
		intro = fmt.Sprintf("The %s daily spend rows of %s do not fit in a sheet (Excel holds %s rows): the sums below are Origen's, without the rows.",
			formatCount(int64(len(days))), periodText(r.Period), formatCount(int64(b.sheetRowLimit())))
	}
	// The introduction wraps over the table's width, so that the page is
	// scaled to the table, not to one long line of text.
	introLines := textLines(intro, nameCol+max(nameCol, 20)+2*20, textCharWidth)
	b.check(sw.SetRow("A2", []any{excelize.Cell{StyleID: b.wrapStyle(), Value: intro}}, excelize.RowOpts{Height: float64(introLines)*lineHeight + 2}))
	b.check(sw.MergeCell("A2", "D2"))
	header := []any{
		excelize.Cell{StyleID: b.headerStyle(kindText), Value: "Channel"},
		excelize.Cell{StyleID: b.headerStyle(kindMoney), Value: "Spend of the daily rows"},
		excelize.Cell{StyleID: b.headerStyle(kindMoney), Value: "Spend in Channels"},
		excelize.Cell{StyleID: b.headerStyle(kindMoney), Value: "Difference"},
	}
	b.check(sw.SetRow(b.cellName(1, top), header, excelize.RowOpts{Height: 32}))

	sums := map[string]attribution.Money{}
	for _, d := range days {
		sums[d.Channel] += d.Amount
	}
	var all attribution.Money
	round := func(a, c string) string { return fmt.Sprintf("ROUND(%s-%s,%d)", a, c, cur.Digits) }
	// sumOf sums the daily rows of channel, whose name is in cell.
	sumOf := func(cell, channel string) excelize.Cell {
		c := excelize.Cell{StyleID: money, Value: sums[channel].Float64()}
		if listed && len(days) > 0 {
			c.Formula = fmt.Sprintf("SUMPRODUCT(EXACT($B$%[1]d:$B$%[2]d,%[3]s)*$C$%[1]d:$C$%[2]d)", first, last, cell)
		}
		return c
	}
	spendLetter := b.letters["spend"]
	for j, x := range b.rows {
		row := top + 1 + j
		a, bc, cc := b.cellName(1, row), b.cellName(2, row), b.cellName(3, row)
		all += sums[x.M.Channel]
		b.check(sw.SetRow(a, []any{
			x.M.Channel,
			sumOf(a, x.M.Channel),
			excelize.Cell{StyleID: money, Formula: fmt.Sprintf("%s!$%s$%d", sheetChannels, spendLetter, j+2), Value: x.M.Spend.Float64()},
			excelize.Cell{StyleID: money, Formula: round(bc, cc), Value: (sums[x.M.Channel] - x.M.Spend).Float64()},
		}))
	}
	b.check(sw.SetRow(b.cellName(1, totalRow), []any{
		excelize.Cell{StyleID: b.totalTextStyle(), Value: totalLabel},
		excelize.Cell{StyleID: moneyTotal, Formula: fmt.Sprintf("SUM(B%d:B%d)", top+1, totalRow-1), Value: all.Float64()},
		excelize.Cell{StyleID: moneyTotal, Formula: fmt.Sprintf("%s!$%s$%d", sheetChannels, spendLetter, len(b.rows)+2), Value: r.Total.Spend.Float64()},
		excelize.Cell{StyleID: moneyTotal, Formula: round(b.cellName(2, totalRow), b.cellName(3, totalRow)), Value: (all - r.Total.Spend).Float64()},
	}))
	if !listed {
		b.printAs(sheet, "portrait")
		return
	}
	// With a campaign column in the spend source, the daily rows are per
	// campaign too (column D, after the columns the sums read).
	perCampaign := len(days) > 0 && days[0].PerCampaign
	dayCols := []any{
		excelize.Cell{StyleID: b.headerStyle(kindText), Value: "Date"},
		excelize.Cell{StyleID: b.headerStyle(kindText), Value: "Channel"},
		excelize.Cell{StyleID: b.headerStyle(kindMoney), Value: "Spend"},
	}
	lastCol := "C"
	if perCampaign {
		dayCols = append(dayCols, excelize.Cell{StyleID: b.headerStyle(kindText), Value: "Campaign"})
		lastCol = "D"
	}
	b.check(sw.SetRow(b.cellName(1, dayHeader), dayCols))
	date := b.dateStyle()
	for i, d := range days {
		cells := []any{
			excelize.Cell{StyleID: date, Value: dateSerial(d.Date)},
			d.Channel,
			excelize.Cell{StyleID: money, Value: d.Amount.Float64()},
		}
		if perCampaign {
			cells = append(cells, d.Campaign)
		}
		b.check(sw.SetRow(b.cellName(1, first+i), cells))
	}
	if len(days) > 0 {
		b.check(sw.AddTable(&excelize.Table{
			Range: fmt.Sprintf("A%d:%s%d", dayHeader, lastCol, last), Name: spendTableName, StyleName: "TableStyleLight9",
			ShowRowStripes: new(true),
		}))
	}
	b.printAs(sheet, "portrait")
	b.printTitles(sheet, "", fmt.Sprintf("$%d:$%d", dayHeader, dayHeader))
}
