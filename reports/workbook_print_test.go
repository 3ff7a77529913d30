package reports

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/origen-analytics/origen/attribution"
)

// xmlAttr returns attribute name of the first element tag in part, and
// whether the element is there.
func xmlAttr(part, tag, name string) (string, bool) {
	el := regexp.MustCompile(`<` + tag + `\b[^>]*>`).FindString(part)
	if el == "" {
		return "", false
	}
	m := regexp.MustCompile(`\b` + name + `="([^"]*)"`).FindStringSubmatch(el)
	if m == nil {
		return "", true
	}
	return m[1], true
}

// TestWorkbookPrintSetup reads every sheet's XML as a spreadsheet program
// gets it: the paper, fit to one page wide and as tall as needed, the
// orientation, the header with the report's name and period and the page
// numbers in the footer. Sheets streamed or not, and the detail sheets
// added last, all have them.
func TestWorkbookPrintSetup(t *testing.T) {
	detail, rows := detailReport(t, 6)
	orientations := map[string]string{sheetSummary: "portrait", sheetSpend: "portrait"} // the rest landscape
	for _, tc := range []struct {
		name  string
		r     attribution.Report
		o     WorkbookOptions
		paper string // paperSize code
	}{
		{"A4 by default", fullReport(t), auditOptions(), "9"},
		{"A4", sampleReport(t), WorkbookOptions{Paper: PaperA4}, "9"},
		{"letter", maturityReport(t), WorkbookOptions{Paper: PaperLetter}, "1"},
		{"detail sheets", detail, WorkbookOptions{Detail: yieldAll(rows), maxSheetRows: 4}, "9"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, data := openWorkbookWith(t, tc.r, tc.o)
			sheets := f.GetSheetList()
			if tc.name == "detail sheets" && !strings.Contains(strings.Join(sheets, "|"), "Registrations (2)") {
				t.Fatalf("no second detail sheet in %q", sheets)
			}
			for _, sheet := range sheets {
				part := sheetXML(t, data, sheet)
				want := map[string]string{"paperSize": tc.paper, "fitToWidth": "1", "fitToHeight": "0", "orientation": "landscape"}
				if o, ok := orientations[sheet]; ok {
					want["orientation"] = o
				}
				for attr, w := range want {
					if got, ok := xmlAttr(part, "pageSetup", attr); !ok || got != w {
						t.Errorf("%s: pageSetup %s = %q (element there: %v), want %q", sheet, attr, got, ok, w)
					}
				}
				if got, _ := xmlAttr(part, "pageSetUpPr", "fitToPage"); got != "true" && got != "1" {
					t.Errorf("%s: sheetPr fitToPage = %q: the fit to width is ignored without it", sheet, got)
				}
				header := regexp.MustCompile(`<oddHeader>([^<]*)</oddHeader>`).FindStringSubmatch(part)
				footer := regexp.MustCompile(`<oddFooter>([^<]*)</oddFooter>`).FindStringSubmatch(part)
				period := tc.r.Period.From.String() + " to " + lastDay(tc.r.Period).String()
				if header == nil || !strings.Contains(header[1], "Origen channel report") || !strings.Contains(header[1], period) {
					t.Errorf("%s: header %q, want the report's name and %s", sheet, header, period)
				}
				if footer == nil || !strings.Contains(footer[1], "&amp;P") || !strings.Contains(footer[1], "&amp;N") {
					t.Errorf("%s: footer %q, want page &P of &N", sheet, footer)
				}
				// CT_Worksheet order: a program may refuse elements out of it.
				iSetup, iHF := strings.Index(part, "<pageSetup "), strings.Index(part, "<headerFooter")
				iMargins := strings.Index(part, "<pageMargins")
				if !(iMargins < iSetup && iSetup < iHF) {
					t.Errorf("%s: pageMargins at %d, pageSetup at %d, headerFooter at %d: out of order", sheet, iMargins, iSetup, iHF)
				}
			}
		})
	}
}

func TestWorkbookPaperErrors(t *testing.T) {
	var b bytes.Buffer
	err := WriteWorkbookWith(&b, sampleReport(t), WorkbookOptions{Paper: "A3"})
	if err == nil || !strings.Contains(err.Error(), `paper "A3"`) || !strings.Contains(err.Error(), "letter") {
		t.Errorf("paper A3: error %v, want one naming it and the choices", err)
	}
	if b.Len() != 0 {
		t.Errorf("%d bytes written before the error", b.Len())
	}
}

func TestPrintHeader(t *testing.T) {
	if got, want := printHeader("2026-03-01", "2026-03-31"), `&L&"-,Bold"Origen channel report&R2026-03-01 to 2026-03-31`; got != want {
		t.Errorf("header %q, want %q", got, want)
	}
	if got := printHeader("R&D", "x"); !strings.Contains(got, "R&&D") {
		t.Errorf("an & is not doubled: %q", got)
	}
}

func TestTextLines(t *testing.T) {
	for _, tt := range []struct {
		s     string
		width float64
		want  int
	}{
		{"", 10, 1},
		{"aaa bbb", 7, 1},
		{"aaa bbb", 6, 2},
		{"aaa bbb ccc", 7, 2},
		{"a\nb", 10, 2},
		{"a\n\nb", 10, 3},
		{strings.Repeat("x", 25), 10, 3},
		{"日本語", 4, 2}, // wide letters count double
	} {
		if got := textLines(tt.s, tt.width, 1); got != tt.want {
			t.Errorf("textLines(%q, %v) = %d, want %d", tt.s, tt.width, got, tt.want)
		}
	}
	if got := textLines("abcd efgh", 8, 0.8); got != 1 { // 3.2 + 0.8 + 3.2
		t.Errorf("at 0.8 units a letter: %d lines, want 1", got)
	}
}

// TestWorkbookWrappedRows: the About and Data quality rows that wrap are
// as tall as their lines, so that nothing prints over the next row; rows
// of one line keep the default height.
func TestWorkbookWrappedRows(t *testing.T) {
	r := fullReport(t)
	o := auditOptions()
	o.Statements[0].SQL += "\nWHERE " + strings.Repeat("a_rather_long_column_name = 1 AND ", 8) + "TRUE"
	f, _ := openWorkbookWith(t, r, o)
	height := func(sheet string, row int) float64 {
		t.Helper()
		h, err := f.GetRowHeight(sheet, row)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	width := func(sheet, col string) float64 {
		w, err := f.GetColWidth(sheet, col)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	checked := 0
	for _, sheet := range []string{sheetAbout, sheetQuality} {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for i, row := range rows {
			lines := 1
			for j, v := range row {
				col := string(rune('A' + j))
				style := cellStyle(t, f, sheet, col+strconv.Itoa(i+1))
				if style == nil || style.Alignment == nil || !style.Alignment.WrapText {
					continue
				}
				cw := textCharWidth
				if style.Font != nil && style.Font.Family == "Courier New" {
					cw = monoCharWidth
				}
				lines = max(lines, textLines(v, width(sheet, col), cw))
			}
			h := height(sheet, i+1)
			if lines > 1 {
				checked++
				if h < min(float64(lines)*monoLineHeight, maxRowHeight) {
					t.Errorf("%s row %d wraps to %d lines but is %.1f points tall", sheet, i+1, lines, h)
				}
			} else if h > lineHeight+2 && i > 0 {
				t.Errorf("%s row %d has one line but is %.1f points tall", sheet, i+1, h)
			}
		}
	}
	if checked < 5 {
		t.Errorf("only %d wrapped rows", checked)
	}
}

// A text taller than a row can be (409 points, about 27 lines) gets the
// tallest row instead of failing the workbook: the About sheet of a report
// with many arguments once did.
func TestWorkbookTallestRow(t *testing.T) {
	r := fullReport(t)
	o := auditOptions()
	var args []any
	for i := range 400 {
		args = append(args, fmt.Sprintf("argument number %d", i))
	}
	o.Statements[0].Args = args
	f, _ := openWorkbookWith(t, r, o)
	rows, err := f.GetRows(sheetAbout)
	if err != nil {
		t.Fatal(err)
	}
	tallest := 0.0
	for i := range rows {
		h, err := f.GetRowHeight(sheetAbout, i+1)
		if err != nil {
			t.Fatal(err)
		}
		tallest = max(tallest, h)
	}
	if tallest != maxRowHeight {
		t.Errorf("tallest About row is %.1f points, want %.0f (the limit)", tallest, maxRowHeight)
	}
}

// A cell set directly on a sheet that is written from a grid would be
// dropped by the stream writer: the workbook refuses instead.
func TestGridRefusesDirectCells(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	b := &workbook{f: f, r: sampleReport(t), styles: map[string]int{}}
	b.useGrid("Sheet1")
	b.text("Sheet1", "A2", "kept", 0)
	if err := f.SetCellValue("Sheet1", "B7", "lost"); err != nil {
		t.Fatal(err)
	}
	b.streamGrid("Sheet1", b.grids["Sheet1"])
	if b.err == nil || !strings.Contains(b.err.Error(), "set on it directly") {
		t.Errorf("error %v, want one about the cells set directly", b.err)
	}
}
