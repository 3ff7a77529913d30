package reports

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/reports/reportstest"
)

// cellRange reads a worksheet's XML with encoding/xml and returns the
// range of its <c> elements ("A1" without any), and its <dimension>.
func cellRange(t *testing.T, part string) (cells, dimension string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(part))
	minC, minR, maxC, maxR := 0, 0, 0, 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("worksheet XML: %v", err)
		}
		el, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		for _, a := range el.Attr {
			if a.Name.Local != "ref" || el.Name.Local != "dimension" {
				continue
			}
			if dimension != "" {
				t.Errorf("two dimension elements: %s and %s", dimension, a.Value)
			}
			dimension = a.Value
		}
		if el.Name.Local != "c" {
			continue
		}
		for _, a := range el.Attr {
			if a.Name.Local != "r" {
				continue
			}
			c, r, err := excelize.CellNameToCoordinates(a.Value)
			if err != nil {
				t.Fatalf("cell reference %q: %v", a.Value, err)
			}
			if minC == 0 {
				minC, minR, maxC, maxR = c, r, c, r
			}
			minC, minR, maxC, maxR = min(minC, c), min(minR, r), max(maxC, c), max(maxR, r)
		}
	}
	if minC == 0 {
		return "A1", dimension
	}
	from, _ := excelize.CoordinatesToCellName(minC, minR)
	to, _ := excelize.CoordinatesToCellName(maxC, maxR)
	if from == to {
		return from, dimension
	}
	return from + ":" + to, dimension
}

// TestWorkbookDimensions: every sheet of every kind of workbook (streamed
// or not, with tables, charts, comments, the detail split over sheets)
// declares the range its cells really cover.
func TestWorkbookDimensions(t *testing.T) {
	detail, rows := detailReport(t, 6)
	for _, tc := range []struct {
		name string
		r    attribution.Report
		o    WorkbookOptions
	}{
		{"sample", sampleReport(t), WorkbookOptions{}},
		{"targets, previous period, audit", fullReport(t), auditOptions()},
		{"maturity sheets", maturityReport(t), WorkbookOptions{}},
		{"detail on two sheets", detail, WorkbookOptions{Detail: yieldAll(rows), maxSheetRows: 4}},
		{"empty", attribution.Report{Period: sampleReport(t).Period, Currency: attribution.Currency{Code: "EUR", Digits: 2}}, WorkbookOptions{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, data := openWorkbookWith(t, tc.r, tc.o)
			for _, sheet := range f.GetSheetList() {
				cells, dim := cellRange(t, sheetXML(t, data, sheet))
				if dim != cells {
					t.Errorf("sheet %q declares dimension %q; its cells cover %s", sheet, dim, cells)
				}
				if sheet == sheetChannels && !strings.Contains(dim, ":") {
					t.Errorf("Channels covers %q only", dim)
				}
			}
		})
	}
}

// TestDimensionZip drives the zip writer directly with a worksheet written
// in small pieces (cell references cut in two), held partly in a
// temporary file, and with its dimension missing or wrong.
func TestDimensionZip(t *testing.T) {
	const head = `<?xml version="1.0"?><worksheet xmlns="x"><sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>`
	body := `<sheetViews><sheetView/></sheetViews><sheetData><row r="2"><c r="C2" s="1"><v>1</v></c></row>` +
		`<row r="40"><c r="B40" t="inlineStr"><is><t>&lt;c r="ZZ99"</t></is></c><c r="AB40"><f>SUM(C2)</f><v>1</v></c></row></sheetData></worksheet>`
	for _, tc := range []struct{ name, dimension string }{
		{"wrong", `<dimension ref="A1"></dimension>`},
		{"self-closing", `<dimension ref="A1"/>`},
		{"missing", ``},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			d := &dimensionZip{zw: zip.NewWriter(&out), tmpDir: t.TempDir(), spill: 64}
			w, err := d.Create("xl/worksheets/sheet7.xml")
			if err != nil {
				t.Fatal(err)
			}
			xmlText := head + tc.dimension + body
			for i := 0; i < len(xmlText); i += 5 {
				if _, err := w.Write([]byte(xmlText[i:min(i+5, len(xmlText))])); err != nil {
					t.Fatal(err)
				}
			}
			other, err := d.Create("xl/styles.xml")
			if err != nil {
				t.Fatal(err)
			}
			io.WriteString(other, `<c r="ZZ1">`)
			if err := d.Close(); err != nil {
				t.Fatal(err)
			}
			got := zipFile(t, out.Bytes(), "xl/worksheets/sheet7.xml")
			want := head + `<dimension ref="B2:AB40"/>` + body
			if got != want {
				t.Errorf("worksheet written as\n%s\nwant\n%s", got, want)
			}
			if s := zipFile(t, out.Bytes(), "xl/styles.xml"); s != `<c r="ZZ1">` {
				t.Errorf("another part changed: %q", s)
			}
			left, _ := filepath.Glob(filepath.Join(d.tmpDir, "*"))
			if len(left) > 0 {
				t.Errorf("temporary files left: %q", left)
			}
		})
	}
}

// TestWorkbookInOpenpyxl reads Channels with openpyxl in read-only mode,
// which reads only the rows and columns the sheet's dimension declares:
// it must see the header, every channel and the Total row, each with
// every column.
func TestWorkbookInOpenpyxl(t *testing.T) {
	if testing.Short() {
		t.Skip("starts python3")
	}
	r := fullReport(t)
	_, data := openWorkbookWith(t, r, auditOptions())
	path := filepath.Join(t.TempDir(), "report.xlsx")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	got := reportstest.ReadWithOpenpyxl(t, path, sheetChannels)
	rows, total := tableRows(r)
	cols := tableColumns(r)
	want := [][]string{{cols[0].Header}}
	for _, x := range append(rows, total) {
		want = append(want, []string{x.M.Channel})
	}
	last, _ := excelize.ColumnNumberToName(len(cols))
	if wantDim := "A1:" + last + strconv.Itoa(len(want)); got.Dimension != wantDim {
		t.Errorf("openpyxl %s sees dimension %q, want %q", got.Version, got.Dimension, wantDim)
	}
	if len(got.Rows) != len(want) {
		t.Fatalf("openpyxl %s reads %d rows of Channels, want %d (header, %d channels, Total)", got.Version, len(got.Rows), len(want), len(rows))
	}
	for i, row := range got.Rows {
		if len(row) != len(cols) {
			t.Errorf("row %d: %d cells, want %d", i+1, len(row), len(cols))
		}
		if len(row) == 0 || row[0] != want[i][0] {
			t.Errorf("row %d starts %q, want %q", i+1, row, want[i][0])
		}
	}
	// A stored number of the last row, to see the values are read too.
	reg := got.Rows[len(got.Rows)-1][1]
	if reg != strconv.FormatInt(total.M.Registrations, 10) {
		t.Errorf("Total registrations read as %q, want %d", reg, total.M.Registrations)
	}
	t.Logf("openpyxl %s read %d rows × %d columns of Channels", got.Version, len(got.Rows), len(cols))
}
