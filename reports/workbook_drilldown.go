package reports

import (
	"fmt"
	"slices"

	"github.com/xuri/excelize/v2"

	"github.com/origen-analytics/origen/attribution"
)

// The drill-down's sheets (docs/METRICS.md, "Drill-down").
const (
	sheetCampaigns  = "Campaigns"
	sheetSources    = "Sources"
	sheetDimensions = "Dimensions"
)

// Words of the drill-down shared by the workbook and the page.
const (
	drillAllChannels     = "All channels"
	drillNoSpendNote     = "Spend is not known below the channel here: spend, cost per registration, CAC and ROAS are n/a, and the channel's spend stays on its row of Channels."
	drillCampaignNoSpend = "The spend source has no campaign column ([spend] campaign, or a campaign column in the spend file): campaign rows show spend n/a, and the channel's spend stays on its row of Channels."
)

// spendKeys are the columns that read spend: a drill table whose spend is
// not known leaves them out (their formulas would compute 0, not n/a).
var spendKeys = []string{"cost_per_registration", "cost_per_customer", "roas",
	"projected_cost_per_customer", "projected_cost_per_customer_low", "projected_cost_per_customer_high"}

// drillColumns are the channel table's columns for a drill table (the
// Channel column is replaced by the table's own leading columns): its
// metrics, the targets and status when r has targets, the projection
// when withProjection, without the spend-derived ones when !spend.
func drillColumns(r attribution.Report, spend, withProjection bool) []column {
	var cols []column
	for _, c := range columns[1:] {
		if !spend && slices.Contains(spendKeys, c.Key) {
			continue
		}
		cols = append(cols, c)
	}
	if !r.Targets.IsZero() {
		cols = append(cols, targetColumns...)
	}
	if withProjection && hasProjection(r) {
		for _, c := range projectionColumns {
			if spend || !slices.Contains(spendKeys, c.Key) {
				cols = append(cols, c)
			}
		}
	}
	return cols
}

// drillSheetNames are the drill-down's sheets r has.
func drillSheetNames(r attribution.Report) []string {
	var out []string
	if len(r.Campaigns) > 0 {
		out = append(out, sheetCampaigns)
	}
	if len(r.Sources) > 0 {
		out = append(out, sheetSources)
	}
	if len(r.Dimensions) > 0 {
		out = append(out, sheetDimensions)
	}
	return out
}

// drillTable is one block of a drill sheet: a header row at row, then a
// row per element of rows.
type drillTable struct {
	lead   []string                                  // headers of the leading text columns
	leadOf func(d attribution.DrillMetrics) []string // their values
	rows   []attribution.DrillMetrics
	cols   []column
	spend  bool   // spend is known (else the spend cell is empty, n/a)
	table  string // the Excel table's name, "" for none
}

// drillSheets writes Campaigns, Sources and Dimensions.
func (b *workbook) drillSheets() {
	r := b.r
	if len(r.Campaigns) > 0 {
		b.drillSheet(sheetCampaigns, []drillTable{{
			lead: []string{"Channel", "Campaign"}, leadOf: func(d attribution.DrillMetrics) []string { return []string{d.Parent, d.Campaign} },
			rows: r.Campaigns, cols: drillColumns(r, r.CampaignSpend, true), spend: r.CampaignSpend, table: "CampaignTable",
		}}, !r.CampaignSpend, drillCampaignNoSpend)
	}
	if len(r.Sources) > 0 {
		b.drillSheet(sheetSources, []drillTable{{
			lead:   []string{"Channel", "Source", "Medium"},
			leadOf: func(d attribution.DrillMetrics) []string { return []string{d.Parent, d.Source, d.Medium} },
			rows:   r.Sources, cols: drillColumns(r, false, false), table: "SourceTable",
		}}, true, drillNoSpendNote)
	}
	if len(r.Dimensions) > 0 {
		var blocks []drillTable
		for _, dim := range r.Dimensions {
			lead := []string{"Channel", dim.Name}
			of := func(d attribution.DrillMetrics) []string {
				if d.Parent == "" {
					return []string{drillAllChannels, d.Value}
				}
				return []string{d.Parent, d.Value}
			}
			cols := drillColumns(r, false, false)
			blocks = append(blocks, drillTable{lead: lead, leadOf: of, rows: dim.Values, cols: cols},
				drillTable{lead: lead, leadOf: of, rows: dim.ByChannel, cols: cols})
		}
		b.drillSheet(sheetDimensions, blocks, true, drillNoSpendNote)
	}
}

// drillSheet writes the blocks of one sheet with a stream writer, one
// below the other (a blank row between), each a header and its rows:
// derived columns are the Channels sheet's formulas over the same row
// with Origen's values cached; a note below says what spend means here.
func (b *workbook) drillSheet(sheet string, blocks []drillTable, note bool, noteText string) {
	if b.err != nil {
		return
	}
	r := b.r
	b.printAs(sheet, "landscape")
	sw := b.stream(sheet)
	if sw == nil {
		return
	}
	saved := b.letters
	defer func() { b.letters = saved }()
	// Widths from the first block's layout (the blocks share it).
	first := blocks[0]
	nLead := len(first.lead)
	for i := range nLead {
		w := minColWidth
		for _, bl := range blocks {
			w = max(w, headerWidth(bl.lead[i]))
			for _, d := range bl.rows {
				w = max(w, displayWidth(bl.leadOf(d)[i]))
			}
		}
		b.check(sw.SetColWidth(i+1, i+1, float64(min(w+2, maxColWidth))))
	}
	for i, c := range first.cols {
		b.check(sw.SetColWidth(nLead+i+1, nLead+i+1, float64(min(max(headerWidth(c.Header)+2, minColWidth+2), maxColWidth))))
	}
	b.check(sw.SetPanes(&excelize.Panes{
		Freeze: true, XSplit: nLead, YSplit: 1, TopLeftCell: b.cellName(nLead+1, 2), ActivePane: "bottomRight",
		Selection: []excelize.Selection{{SQRef: b.cellName(nLead+1, 2), ActiveCell: b.cellName(nLead+1, 2), Pane: "bottomRight"}},
	}))
	var notes cellMessages
	row := 1
	for bi, bl := range blocks {
		if bi > 0 {
			row++ // a blank row between blocks
		}
		b.letters = map[string]string{}
		for i, c := range bl.cols {
			name, err := excelize.ColumnNumberToName(nLead + i + 1)
			b.check(err)
			b.letters[c.Key] = name
		}
		header := make([]any, 0, nLead+len(bl.cols))
		for _, h := range bl.lead {
			header = append(header, excelize.Cell{StyleID: b.groupHeaderStyle(kindText, groupMetric), Value: h})
		}
		for _, c := range bl.cols {
			header = append(header, excelize.Cell{StyleID: b.groupHeaderStyle(c.Kind, c.Group), Value: c.Header})
		}
		top := row
		b.check(sw.SetRow(b.cellName(1, row), header, excelize.RowOpts{Height: 48}))
		for _, d := range bl.rows {
			row++
			x := rowData{M: d.ChannelMetrics, Th: d.Thresholds(r.Targets)}
			cells := make([]any, 0, nLead+len(bl.cols))
			for _, s := range bl.leadOf(d) {
				cells = append(cells, excelize.Cell{StyleID: b.valueStyle(columns[0], false), Value: s})
			}
			for _, c := range bl.cols {
				cell := b.tableCell(c, x, row, false, 0)
				v := c.value(x)
				if c.Key == "spend" && !bl.spend {
					cell.Value = nil
					notes.add(b.letters[c.Key], row, c.Header, "n/a: "+noteText)
				} else if !v.OK && c.NA != "" {
					notes.add(b.letters[c.Key], row, c.Header, c.naNote())
				}
				cells = append(cells, cell)
			}
			b.check(sw.SetRow(b.cellName(1, row), cells))
		}
		if bl.table != "" && row > top {
			b.check(sw.AddTable(&excelize.Table{
				Range: b.cellName(1, top) + ":" + b.cellName(nLead+len(bl.cols), row), Name: bl.table, StyleName: "TableStyleLight9",
				ShowRowStripes: new(true),
			}))
		}
	}
	if len(blocks) == 1 {
		// Cells that miss their channel's targets, as on Channels.
		b.conditionalFormats(sheet, blocks[0].cols, row)
	}
	if note {
		row += 2
		b.check(sw.SetRow(b.cellName(1, row), []any{excelize.Cell{Value: noteText}}))
	}
	if b.err != nil {
		return
	}
	b.addMessages(sheet, &notes)
	b.printTitles(sheet, fmt.Sprintf("$A:$%c", 'A'+nLead-1), "$1:$1")
}
