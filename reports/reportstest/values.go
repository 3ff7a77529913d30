package reportstest

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// csvValuesFilter is csvFilter with "save cell contents as shown" off: each
// number comes out as its value with up to 15 significant digits, whatever
// its number format ("0.0923076923076923", not "9.23%"), and text as text.
// Formulas are recalculated on load as with ConvertToCSV.
const csvValuesFilter = `csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1`

// ConvertToValues opens the workbook at xlsxPath in LibreOffice Calc, with
// every formula recalculated on load, and returns each sheet's cell values
// by sheet name: numbers unformatted, so that a test can compare what
// LibreOffice computed with the writer's own numbers to 15 significant
// digits. LibreOffice keeps the % of cells with a percent format even in
// this mode; ConvertToValues turns "9.2307%" back into 0.092307. Dates
// and times come out as LibreOffice's standard date text. Errors such as
// #N/A come out as their text. It skips and fails like ConvertToCSV.
func ConvertToValues(t testing.TB, xlsxPath string) map[string][][]string {
	t.Helper()
	outDir := convertWorkbook(t, xlsxPath, csvValuesFilter)
	entries, err := os.ReadDir(outDir)
	if err != nil {
		t.Fatalf("read LibreOffice output: %v", err)
	}
	sheets := make(map[string][][]string)
	for _, e := range entries {
		sheet, ok := strings.CutPrefix(e.Name(), bookName+"-")
		if !ok || !strings.HasSuffix(sheet, ".csv") {
			continue
		}
		rows, err := readCSV(filepath.Join(outDir, e.Name()))
		if err != nil {
			t.Fatalf("read sheet %q that LibreOffice exported from %s: %v", sheet, xlsxPath, err)
		}
		for _, row := range rows {
			for i, v := range row {
				row[i] = unpercent(v)
			}
		}
		sheets[strings.TrimSuffix(sheet, ".csv")] = rows
	}
	if len(sheets) == 0 {
		t.Fatalf("LibreOffice exported no sheet of %s", xlsxPath)
	}
	return sheets
}

// percent matches a number that LibreOffice wrote with a percent format.
var percent = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?%$`)

// unpercent turns "12.5%" into "0.125"; anything else is returned as is.
func unpercent(v string) string {
	if !percent.MatchString(v) {
		return v
	}
	f, err := strconv.ParseFloat(strings.TrimSuffix(v, "%"), 64)
	if err != nil {
		return v
	}
	return strconv.FormatFloat(f/100, 'g', -1, 64)
}
