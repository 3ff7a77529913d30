package reports

import (
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Paper sizes of WorkbookOptions.Paper ([report] paper).
const (
	PaperA4     = "a4"
	PaperLetter = "letter"
)

// CheckPaper returns an error naming paper unless it is a paper size the
// workbook prints on ("" is A4).
func CheckPaper(paper string) error {
	if _, ok := paperSizes[paper]; !ok {
		return fmt.Errorf("paper %q: use %q or %q", paper, PaperA4, PaperLetter)
	}
	return nil
}

// paperSizes are the OOXML paper size codes (ECMA-376 Part 1, 18.3.1.63,
// pageSetup paperSize): 9 is A4, 1 Letter.
var paperSizes = map[string]int{"": 9, PaperA4: 9, PaperLetter: 1}

// sheetPrint is how a sheet prints, when the sheet says (printAs).
type sheetPrint struct {
	orientation string // "portrait" or "landscape"
}

// Every sheet prints on the report's paper, one page wide and as many
// pages tall as it needs, with the report's name and period in the
// header and the page number in the footer: finishSheets applies it to
// every sheet of the workbook at the end, whoever wrote it. A sheet only
// says how it is turned (printAs, default landscape: most sheets are
// tables wider than a portrait page).
//
// A sheet written with a stream writer must get it from b.stream and
// leave the flushing to finishSheets: print settings go into the sheet's
// XML when its stream is flushed, and excelize drops any made after.

// printAs records the orientation sheet prints in.
func (b *workbook) printAs(sheet, orientation string) {
	if b.prints == nil {
		b.prints = map[string]sheetPrint{}
	}
	b.prints[sheet] = sheetPrint{orientation: orientation}
}

// stream starts the stream writer of sheet, after marking it to fit its
// print width (the sheet properties are the stream's first bytes), and
// keeps it for finishSheets to flush. It returns nil once b.err is set.
func (b *workbook) stream(sheet string) *excelize.StreamWriter {
	if b.err != nil {
		return nil
	}
	sw, err := b.newStream(sheet)
	b.check(err)
	return sw
}

// newStream is stream for callers that handle the error.
func (b *workbook) newStream(sheet string) (*excelize.StreamWriter, error) {
	fit := true
	if err := b.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return nil, err
	}
	sw, err := b.f.NewStreamWriter(sheet)
	if err != nil {
		return nil, err
	}
	if b.streams == nil {
		b.streams = map[string]*excelize.StreamWriter{}
	}
	b.streams[sheet] = sw
	return sw, nil
}

// finishSheets gives every sheet its print setup and flushes the stream
// writers.
func (b *workbook) finishSheets() {
	for _, sheet := range b.f.GetSheetList() {
		if b.err != nil {
			return
		}
		if g := b.grids[sheet]; g != nil {
			b.streamGrid(sheet, g)
		}
		sw := b.streams[sheet]
		if sw == nil {
			b.fitToPage(sheet)
		}
		b.printSetup(sheet)
		if sw != nil {
			b.check(sw.Flush())
		}
	}
}

// printSetup sets sheet's paper, orientation, fit to one page wide, header
// and footer.
func (b *workbook) printSetup(sheet string) {
	if b.err != nil {
		return
	}
	orientation := "landscape"
	if p, ok := b.prints[sheet]; ok {
		orientation = p.orientation
	}
	size, ok := paperSizes[b.o.Paper]
	if !ok {
		b.check(CheckPaper(b.o.Paper))
		return
	}
	wide, tall := 1, 0 // 0: as many pages as needed
	b.check(b.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{
		Size: &size, Orientation: &orientation, FitToWidth: &wide, FitToHeight: &tall,
	}))
	b.check(b.f.SetHeaderFooter(sheet, &excelize.HeaderFooterOptions{
		OddHeader: printHeader(b.r.Period.From.String(), lastDay(b.r.Period).String()),
		OddFooter: "&L&A&RPage &P of &N",
	}))
}

// printHeader is the page header: the report's name left, its period
// right (codes of ECMA-376 Part 1, 18.3.1.46: &L, &R sections, &"-,Bold"
// the bold default font; a literal & is &&).
func printHeader(from, to string) string {
	esc := func(s string) string { return strings.ReplaceAll(s, "&", "&&") }
	return `&L&"-,Bold"Origen channel report&R` + esc(from+" to "+to)
}

// Row heights of wrapped text, in points: a line of the default 11-point
// font, and of the 9-point monospaced font of the configuration and SQL.
const (
	lineHeight     = 15.0
	maxRowHeight   = 409.0
	monoLineHeight = 12.0
	// monoCharWidth is a Courier New 9-point letter in column width units
	// (the width of a digit of the default 11-point font).
	monoCharWidth = 0.8
	// textCharWidth is a letter of the default font: Calibri's are
	// narrower than its digits, but LibreOffice without Calibri draws
	// DejaVu Sans, about a tenth wider (seen in its PDF export).
	textCharWidth = 1.1
)

// textLines is how many lines s takes when wrapped at word boundaries in
// a column width units wide, each character charWidth units (1 for the
// default font: its letters are mostly narrower than a digit, so the
// estimate errs on the side of one line too many, never of text cut
// off). Line breaks in s start new lines.
func textLines(s string, width, charWidth float64) int {
	lines := 0
	for _, par := range strings.Split(s, "\n") {
		lines++
		cur := 0.0
		for _, word := range strings.Fields(par) {
			w := float64(displayWidth(word)) * charWidth
			switch {
			case cur == 0:
				cur = w
			case cur+charWidth+w > width:
				lines++
				cur = w
			default:
				cur += charWidth + w
			}
			for cur > width { // a word longer than the column breaks anywhere
				lines++
				cur -= width
			}
		}
	}
	return lines
}

// fitRow makes row of sheet tall enough for its wrapped cells: texts[i]
// in a column widths[i] units wide, each line lineH points tall. Rows of
// one line keep the default height. Spreadsheet programs size rows to
// wrapped text when they lay a sheet out, but not all of them, and not
// always before printing: the height is written down.
func (b *workbook) fitRow(sheet string, row int, lineH, charWidth float64, texts []string, widths []float64) {
	lines := 1
	for i, s := range texts {
		lines = max(lines, textLines(s, widths[i], charWidth))
	}
	if lines > 1 && b.err == nil {
		// A row is at most 409 points tall in Excel (and excelize refuses
		// more); a longer text still wraps, and its cell shows it whole.
		b.check(b.f.SetRowHeight(sheet, row, min(float64(lines)*lineH+2, maxRowHeight)))
	}
}
