package reports

import (
	"fmt"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/origen-analytics/origen/attribution"
)

// detailHeaders are the columns of the Registrations sheets.
var detailHeaders = []string{"User", "Registered at", "Channel", "Converted at", "Days to convert", "Revenue", "Immature"}

// detailSheetName is the name of the n-th Registrations sheet (1-based).
func detailSheetName(n int) string {
	if n == 1 {
		return sheetRegistrations
	}
	return fmt.Sprintf("%s (%d)", sheetRegistrations, n)
}

// detailTally is what the detail rows of one channel add up to.
type detailTally struct {
	registrations, customers int64
	revenue                  attribution.Money
}

// detail writes the Registrations sheets from o.Detail, one row per
// registration, with excelize's stream writer: rows go to a temporary
// file as they come, so memory stays bounded however many there are.
// Excel holds 1,048,576 rows a sheet; beyond that the list continues on
// "Registrations (2)" and so on, and a note on the full sheet says so.
// The rows must add up to the report's registrations, customers and
// revenue per channel, or the workbook is refused: they come from the same
// snapshot, so a difference is a bug.
func (b *workbook) detail() {
	if b.err != nil {
		return
	}
	limit := b.sheetRowLimit()
	loc, err := time.LoadLocation(b.r.Timezone)
	if err != nil {
		loc = time.UTC
	}
	var (
		sw     *excelize.StreamWriter
		sheets int
		row    int // last row written on the current sheet
		total  int64
		tally  = map[string]*detailTally{}
	)
	datetime := b.style("datetime", &excelize.Style{CustomNumFmt: new("yyyy-mm-dd hh:mm:ss.000")})
	days := b.style("days", &excelize.Style{CustomNumFmt: new("0")})
	money := b.style("detail-money", &excelize.Style{CustomNumFmt: new(moneyFormat(b.r.Currency))})
	start := func() error {
		sheets++
		name := detailSheetName(sheets)
		if _, err := b.f.NewSheet(name); err != nil {
			return err
		}
		var err error
		if sw, err = b.newStream(name); err != nil {
			return err
		}
		for i, w := range []float64{18, 24, 22, 24, 10, 14, 10} {
			if err := sw.SetColWidth(i+1, i+1, w); err != nil {
				return err
			}
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
		header := make([]any, len(detailHeaders))
		for i, h := range detailHeaders {
			k := kindText
			if i == 4 || i == 5 {
				k = kindCount
			}
			header[i] = excelize.Cell{StyleID: b.headerStyle(k), Value: h}
		}
		row = 1
		return sw.SetRow("A1", header)
	}
	finish := func(continues bool) error {
		name := detailSheetName(sheets)
		if row >= 2 {
			if err := sw.AddTable(&excelize.Table{
				Range: "A1:" + b.cellName(len(detailHeaders), row), Name: fmt.Sprintf("RegistrationTable%d", sheets),
				StyleName: "TableStyleLight9", ShowRowStripes: new(true),
			}); err != nil {
				return err
			}
		}
		text := fmt.Sprintf("One row per registration of the cohort (%s, local times in %s); existing customers are left out. "+
			"The rows of a channel add up to its registrations, customers and revenue in Channels.", periodText(b.r.Period), orDash(b.r.Timezone))
		if continues {
			text = fmt.Sprintf("This sheet is full: Excel holds %d rows a sheet. The registrations continue on %q.", limit, detailSheetName(sheets+1))
		}
		// finishSheets flushes the sheet with its print setup.
		return b.f.AddComment(name, excelize.Comment{Cell: "A1", Author: commentAuthor, Text: text, Width: 320, Height: 90})
	}
	err = b.o.Detail(func(d attribution.DetailRow) error {
		if sw == nil || row == limit {
			if sw != nil {
				if err := finish(true); err != nil {
					return err
				}
			}
			if err := start(); err != nil {
				return err
			}
		}
		row++
		total++
		cells := []any{
			d.UserID,
			excelize.Cell{StyleID: datetime, Value: excelSerial(d.RegisteredAt, loc)},
			d.Channel,
			excelize.Cell{StyleID: datetime},
			excelize.Cell{StyleID: days},
			excelize.Cell{StyleID: money, Value: d.Revenue.Float64()},
			"no",
		}
		t := tally[d.Channel]
		if t == nil {
			t = &detailTally{}
			tally[d.Channel] = t
		}
		t.registrations++
		t.revenue += d.Revenue
		if d.Days >= 0 {
			t.customers++
			cells[3] = excelize.Cell{StyleID: datetime, Value: excelSerial(d.ConvertedAt, loc)}
			cells[4] = excelize.Cell{StyleID: days, Value: d.Days}
		}
		if d.Immature {
			cells[6] = "yes"
		}
		return sw.SetRow("A"+fmt.Sprint(row), cells)
	})
	if err == nil && sw == nil {
		err = start() // no registrations: the sheet says so with its header and note
	}
	if err == nil {
		err = finish(false)
	}
	if err != nil {
		b.check(fmt.Errorf("registrations detail: %w", err))
		return
	}
	b.check(b.reconcile(tally, total))
	b.detailRows, b.detailSheets = total, sheets
}

// reconcile checks that the detail rows add up to the report.
func (b *workbook) reconcile(tally map[string]*detailTally, total int64) error {
	if total != b.r.Total.Registrations {
		return fmt.Errorf("registrations detail has %d rows, the report %d registrations", total, b.r.Total.Registrations)
	}
	for _, m := range b.r.Channels {
		t := tally[m.Channel]
		if t == nil {
			t = &detailTally{}
		}
		if t.registrations != m.Registrations || t.customers != m.Customers || t.revenue != m.Revenue {
			return fmt.Errorf("registrations detail of channel %q adds up to %d registrations, %d customers, revenue %s; the report has %d, %d, %s",
				m.Channel, t.registrations, t.customers, t.revenue, m.Registrations, m.Customers, m.Revenue)
		}
		delete(tally, m.Channel)
	}
	for name, t := range tally {
		return fmt.Errorf("registrations detail has %d rows of channel %q, which the report does not have", t.registrations, name)
	}
	return nil
}

// excelSerial is t's wall-clock time in loc as a spreadsheet date-time
// serial (days since 1899-12-30), to the millisecond, the resolution
// spreadsheets keep.
func excelSerial(t time.Time, loc *time.Location) float64 {
	_, offset := t.In(loc).Zone()
	ms := t.UnixMilli() + int64(offset)*1000
	const epoch = 25569 // 1970-01-01 as a serial
	return float64(ms)/86_400_000 + epoch
}
