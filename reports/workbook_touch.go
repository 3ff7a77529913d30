package reports

import (
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/origen-analytics/origen/attribution"
)

// The multi-touch sheets (docs/MULTITOUCH.md): Attribution, one row per
// channel with a column group per model, and Paths, the most followed
// paths.
const (
	sheetAttribution = "Attribution"
	sheetPaths       = "Paths"
	touchHeaderRow   = 5 // row 4 names the models over their groups
)

// touchSheetNames are the multi-touch sheets r has, in tab order.
func touchSheetNames(r attribution.Report) []string {
	if r.MultiTouch == nil {
		return nil
	}
	return []string{sheetAttribution, sheetPaths}
}

// touchSheets writes the sheets of touchSheetNames, which must exist.
func (b *workbook) touchSheets() {
	if b.r.MultiTouch == nil || b.err != nil {
		return
	}
	b.attributionSheet(*b.r.MultiTouch)
	b.pathsSheet(*b.r.MultiTouch)
}

// touchIntro is what the Attribution sheet and the page say above the
// table.
func touchIntro(mt attribution.MultiTouch) string {
	s := mt.Settings
	conv := "the first purchase inside the conversion window"
	if s.Conversion == attribution.ConversionRegistration {
		conv = "the registration"
	}
	return fmt.Sprintf("Each conversion (%s) of the period's registrations is shared among the channels touched in the %d days before it: %s paths, %s of them converting. "+
		"Time decay halves a touch's weight every %s days; the Markov chain is of order %d; last non-direct skips %s. Every model's Total equals the report's customers and revenue.",
		conv, s.LookbackDays, formatCount(mt.Paths), formatCount(mt.ConvertingPaths), trimFloat(s.HalfLifeDays), s.MarkovOrder, orDash(strings.Join(s.Direct, ", ")))
}

func trimFloat(f float64) string {
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", f), "0"), ".")
}

// touchChannels is the channel order of the Attribution sheet: the first
// model's, plus any a later model adds (Shapley's "(other)").
func touchChannels(mt attribution.MultiTouch) []string {
	var names []string
	seen := map[string]bool{}
	for _, m := range mt.Models {
		for _, c := range m.Channels {
			if !seen[c.Channel] {
				seen[c.Channel] = true
				names = append(names, c.Channel)
			}
		}
	}
	return names
}

// attributionSheet writes one row per channel: its spend, then per model
// the attributed conversions, revenue, cost per conversion and ROAS; the
// Total row below holds the report's customers and revenue.
func (b *workbook) attributionSheet(mt attribution.MultiTouch) {
	const sheet = sheetAttribution
	cur := b.r.Currency
	b.text(sheet, "A1", "Multi-touch attribution", b.titleStyle())
	b.text(sheet, "A2", touchIntro(mt), 0)
	b.text(sheet, "A3", "Conversions are fractional shares. Cost per conversion = spend ÷ attributed conversions (n/a without any); ROAS = attributed revenue ÷ spend (n/a without spend). Formulas: docs/MULTITOUCH.md.", 0)
	money := b.style("touch-money", &excelize.Style{CustomNumFmt: new(moneyFormat(cur))})
	conv := b.style("touch-conv", &excelize.Style{CustomNumFmt: new("#,##0.00")})
	roas := b.style("touch-roas", &excelize.Style{CustomNumFmt: new("0.00")})
	totalMoney := b.style("touch-total-money", &excelize.Style{Font: b.bold(0), Border: borderTop, CustomNumFmt: new(moneyFormat(cur))})
	totalConv := b.style("touch-total-conv", &excelize.Style{Font: b.bold(0), Border: borderTop, CustomNumFmt: new("#,##0.00")})
	totalRoas := b.style("touch-total-roas", &excelize.Style{Font: b.bold(0), Border: borderTop, CustomNumFmt: new("0.00")})
	group := b.style("touch-group", &excelize.Style{Font: b.bold(0), Alignment: &excelize.Alignment{Horizontal: "center"}, Border: borderBottom})

	b.text(sheet, b.cellName(1, touchHeaderRow), "Channel", b.headerStyle(kindText))
	b.text(sheet, b.cellName(2, touchHeaderRow), "Spend", b.headerStyle(kindMoney))
	heads := []string{"Conversions", "Revenue", "Cost per conversion", "ROAS"}
	for mi, m := range mt.Models {
		col := 3 + 4*mi
		b.text(sheet, b.cellName(col, touchHeaderRow-1), attribution.TouchModelTitle(m.Model), group)
		if b.err == nil {
			b.check(b.f.MergeCell(sheet, b.cellName(col, touchHeaderRow-1), b.cellName(col+3, touchHeaderRow-1)))
		}
		for hi, h := range heads {
			b.text(sheet, b.cellName(col+hi, touchHeaderRow), h, b.headerStyle(kindMoney))
		}
	}
	names := touchChannels(mt)
	width := headerWidth("Channel")
	cell := func(col, row int, c attribution.ChannelCredit, total bool) {
		ms, cs, rs := money, conv, roas
		if total {
			ms, cs, rs = totalMoney, totalConv, totalRoas
		}
		b.float(sheet, b.cellName(col, row), c.Conversions, cs)
		b.float(sheet, b.cellName(col+1, row), c.Revenue.Float64(), ms)
		if c.CostPerConversionValid {
			b.float(sheet, b.cellName(col+2, row), c.CostPerConversion.Float64(), ms)
		} else {
			b.text(sheet, b.cellName(col+2, row), "n/a", cs)
		}
		if c.ROAS.Valid {
			b.float(sheet, b.cellName(col+3, row), c.ROAS.Value, rs)
		} else {
			b.text(sheet, b.cellName(col+3, row), "n/a", rs)
		}
	}
	for i, name := range names {
		row := touchHeaderRow + 1 + i
		b.text(sheet, b.cellName(1, row), name, 0)
		width = max(width, displayWidth(name))
		var spend attribution.Money
		for mi, m := range mt.Models {
			c := m.Channel(name)
			if c.Spend != 0 {
				spend = c.Spend
			}
			cell(3+4*mi, row, c, false)
		}
		b.float(sheet, b.cellName(2, row), spend.Float64(), money)
	}
	total := touchHeaderRow + 1 + len(names)
	b.text(sheet, b.cellName(1, total), totalLabel, b.totalTextStyle())
	if len(mt.Models) > 0 {
		b.float(sheet, b.cellName(2, total), mt.Models[0].Total.Spend.Float64(), totalMoney)
	}
	for mi, m := range mt.Models {
		cell(3+4*mi, total, m.Total, true)
	}
	b.width(sheet, 1, width, 40)
	for col := 2; col <= 2+4*len(mt.Models); col++ {
		b.width(sheet, col, 13, 13)
	}
	row := total + 2
	if mk := mt.Markov; mk != nil {
		b.text(sheet, b.cellName(1, row), fmt.Sprintf("Markov chain of order %d: %s states, conversion probability %.4f", mk.Order, formatCount(int64(mk.States)), mk.ConversionProbability), b.boldStyle())
		row++
		b.text(sheet, b.cellName(1, row), "Channel", b.headerStyle(kindText))
		b.text(sheet, b.cellName(2, row), "Removal effect", b.headerStyle(kindMoney))
		rate := b.style("touch-rate", &excelize.Style{CustomNumFmt: new("0.0000")})
		for _, re := range mk.RemovalEffects {
			row++
			b.text(sheet, b.cellName(1, row), re.Channel, 0)
			b.float(sheet, b.cellName(2, row), re.Value, rate)
		}
		row += 2
	}
	for _, n := range mt.Notes {
		b.text(sheet, b.cellName(1, row), n, 0)
		row++
	}
	if b.err == nil {
		b.check(b.f.SetPanes(sheet, &excelize.Panes{Freeze: true, XSplit: 1, YSplit: touchHeaderRow, TopLeftCell: "B6", ActivePane: "bottomRight"}))
	}
	b.printLayout(sheet, "landscape")
	b.printTitles(sheet, "$A:$A", fmt.Sprintf("$%d:$%d", touchHeaderRow-1, touchHeaderRow))
}

// pathsSheet lists the most followed paths (at most attribution.MaxTopPaths).
func (b *workbook) pathsSheet(mt attribution.MultiTouch) {
	const sheet = sheetPaths
	b.text(sheet, "A1", "Paths", b.titleStyle())
	b.text(sheet, "A2", fmt.Sprintf("The %s most followed of %s distinct paths (channels touched in time order, the lookback of %d days); a user without touchpoint has the registration's channel as the only touch.",
		formatCount(int64(len(mt.TopPaths))), formatCount(mt.Paths), mt.Settings.LookbackDays), 0)
	heads := []string{"Path", "Conversions", "Non-conversions", "Revenue"}
	kinds := []kind{kindText, kindCount, kindCount, kindMoney}
	for i, h := range heads {
		b.text(sheet, b.cellName(i+1, 4), h, b.headerStyle(kinds[i]))
	}
	count := b.style("prospect-count", &excelize.Style{CustomNumFmt: new("#,##0")})
	money := b.style("touch-money", &excelize.Style{CustomNumFmt: new(moneyFormat(b.r.Currency))})
	width := 20
	for i, p := range mt.TopPaths {
		row := 5 + i
		b.text(sheet, b.cellName(1, row), p.Path, 0)
		b.int(sheet, b.cellName(2, row), p.Conversions, count)
		b.int(sheet, b.cellName(3, row), p.NonConversions, count)
		b.float(sheet, b.cellName(4, row), p.Revenue.Float64(), money)
		width = max(width, displayWidth(p.Path))
	}
	b.width(sheet, 1, width, 80)
	for col := 2; col <= 4; col++ {
		b.width(sheet, col, 15, 15)
	}
	if b.err == nil && len(mt.TopPaths) > 0 {
		b.check(b.f.AddTable(sheet, &excelize.Table{Range: "A4:" + b.cellName(4, 4+len(mt.TopPaths)), Name: "PathTable",
			StyleName: "TableStyleLight9", ShowRowStripes: new(true)}))
		b.check(b.f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 4, TopLeftCell: "A5", ActivePane: "bottomLeft"}))
	}
	b.printLayout(sheet, "portrait")
	b.printTitles(sheet, "", "$4:$4")
}

// float writes a number with a style.
func (b *workbook) float(sheet, cell string, v float64, style int) {
	if b.err != nil {
		return
	}
	b.check(b.f.SetCellFloat(sheet, cell, v, -1, 64))
	if style != 0 {
		b.check(b.f.SetCellStyle(sheet, cell, cell, style))
	}
}
