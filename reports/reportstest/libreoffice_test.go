package reportstest

import (
	"archive/zip"
	"bytes"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// writeRecalcWorkbook writes a workbook with two sheets whose formulas carry
// deliberately wrong cached values: B4 caches 999 for SUM(B2:B3) = 1234.5, and
// Ratios!B2 caches 0 for Spend!B4*2 = 2469. A reader that shows the cached
// values shows the wrong numbers.
func writeRecalcWorkbook(t *testing.T) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "Spend"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.NewSheet("Ratios"); err != nil {
		t.Fatal(err)
	}
	pct, err := f.NewStyle(&excelize.Style{NumFmt: 10}) // 0.00%
	if err != nil {
		t.Fatal(err)
	}
	thousands, err := f.NewStyle(&excelize.Style{NumFmt: 4}) // #,##0.00
	if err != nil {
		t.Fatal(err)
	}
	// The stream writer is the excelize API that writes a formula together
	// with a cached value (<f> and <v>); SetCellValue would drop the formula.
	sw, err := f.NewStreamWriter("Spend")
	if err != nil {
		t.Fatal(err)
	}
	// Wide enough for every value, so the picture of ConvertToPNG shows
	// the numbers and not ###.
	if err := sw.SetColWidth(1, 2, 16); err != nil {
		t.Fatal(err)
	}
	rows := [][]any{
		{"channel", "spend"},
		{"search", 1200.5},
		{"social", 34},
		{"total", excelize.Cell{Formula: "SUM(B2:B3)", Value: 999}},
		{"share", excelize.Cell{StyleID: pct, Value: 0.1234}},
		{"big", excelize.Cell{StyleID: thousands, Value: 1234567.891}},
		{`quoted, "text"`, "é ü"},
	}
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, row); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	sw, err = f.NewStreamWriter("Ratios")
	if err != nil {
		t.Fatal(err)
	}
	if err := sw.SetRow("A1", []any{"metric", "value"}); err != nil {
		t.Fatal(err)
	}
	if err := sw.SetRow("A2", []any{"double total", excelize.Cell{Formula: "Spend!B4*2", Value: 0}}); err != nil {
		t.Fatal(err)
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "recalc.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// sheetXML returns the XML of a part of the xlsx file at path.
func sheetXML(t *testing.T, path, part string) string {
	t.Helper()
	r, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, f := range r.File {
		if f.Name != part {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	t.Fatalf("%s has no part %s", path, part)
	return ""
}

func TestConvertToCSV(t *testing.T) {
	t.Parallel()
	path := writeRecalcWorkbook(t)

	// The fixture must really carry the wrong cached values, or the test below
	// would pass without any recalculation.
	for part, want := range map[string]string{
		"xl/worksheets/sheet1.xml": `<c r="B4"><f>SUM(B2:B3)</f><v>999</v></c>`,
		"xl/worksheets/sheet2.xml": `<c r="B2"><f>Spend!B4*2</f><v>0</v></c>`,
	} {
		if got := sheetXML(t, path, part); !strings.Contains(got, want) {
			t.Fatalf("%s lacks %s; excelize no longer writes the cached value this test needs:\n%s", part, want, got)
		}
	}

	sheets := ConvertToCSV(t, path)
	want := map[string][][]string{
		"Spend": {
			{"channel", "spend"},
			{"search", "1200.5"},
			{"social", "34"},
			{"total", "1234.5"}, // recalculated; the file caches 999
			{"share", "12.34%"},
			{"big", "1,234,567.89"},
			{`quoted, "text"`, "é ü"},
		},
		"Ratios": {
			{"metric", "value"},
			{"double total", "2469"}, // recalculated across sheets; the file caches 0
		},
	}
	if len(sheets) != len(want) {
		t.Errorf("got sheets %v, want %d sheets", keys(sheets), len(want))
	}
	for name, wantRows := range want {
		got, ok := sheets[name]
		if !ok {
			t.Errorf("sheet %q not exported; got %v", name, keys(sheets))
			continue
		}
		if !equalRows(got, wantRows) {
			t.Errorf("sheet %q:\n got %q\nwant %q", name, got, wantRows)
		}
	}
}

func TestConvertToCSVEmptyAndUnicodeSheets(t *testing.T) {
	t.Parallel()
	f := excelize.NewFile()
	defer f.Close()
	for _, name := range []string{"Empty", "Ünï cødé & more"} {
		if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SetCellValue("Ünï cødé & more", "B2", "x"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "names.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	sheets := ConvertToCSV(t, path)
	if got := sheets["Empty"]; len(got) != 0 {
		t.Errorf("Empty: got %q, want no rows", got)
	}
	if _, ok := sheets["Empty"]; !ok {
		t.Errorf("Empty sheet missing; got %v", keys(sheets))
	}
	want := [][]string{{"", ""}, {"", "x"}}
	if got := sheets["Ünï cødé & more"]; !equalRows(got, want) {
		t.Errorf("Ünï cødé & more: got %q, want %q (all sheets: %v)", got, want, keys(sheets))
	}
}

func TestConvertToPNG(t *testing.T) {
	t.Parallel()
	path := writeRecalcWorkbook(t)
	out := filepath.Join(t.TempDir(), "shot", "recalc.png")
	ConvertToPNG(t, path, out)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s is no PNG: %v", out, err)
	}
	if r := img.Bounds(); r.Dx() < 100 || r.Dy() < 50 {
		t.Errorf("picture is %dx%d, too small for a sheet of 7 rows", r.Dx(), r.Dy())
	}
	if !hasTwoColours(img) {
		t.Error("picture has a single colour: nothing was drawn")
	}
}

func keys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func equalRows(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			if a[i][j] != b[i][j] {
				return false
			}
		}
	}
	return true
}
