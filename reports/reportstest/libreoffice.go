package reportstest

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// sofficeTimeout bounds one LibreOffice run. A conversion takes one to three
// seconds here; the margin is for a loaded two-core CI machine.
const sofficeTimeout = 2 * time.Minute

// csvFilter is the CSV export filter of LibreOffice 7.2 and later. Its tokens
// are: 44 field separator ',', 34 text delimiter '"', 76 UTF-8, 1 and "" first
// line and column formats (import only), 0 language (the profile pins the
// locale to en-US), false do not quote every text cell, true detect special
// numbers (import only), true save cell contents as shown (so "12.34%" and
// "1,234.57" come out as a person sees them), false export values and not
// formulas, false remove spaces (import only), -1 export every sheet, each to
// <name>-<Sheet>.csv.
const csvFilter = `csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1`

// pdfFilter exports every sheet as one page sized to its used area, so that
// a picture of a sheet has no empty paper around it.
const pdfFilter = `pdf:calc_pdf_Export:{"SinglePageSheets":{"type":"boolean","value":"true"}}`

// pngDPI is the resolution of ConvertToPNG's picture: 1.5 pixels a point,
// sharp on a high-density screen and still small.
const pngDPI = "144"

// registryModifications is written into each private LibreOffice profile
// before its only run. OOXMLRecalcMode and ODFRecalcMode 0 mean "always
// recalculate on load" (the default, 1, trusts the cached values the file
// carries), so what LibreOffice shows is its own result for every formula.
// ooSetupSystemLocale pins number and date formats to en-US whatever the
// machine's locale is.
const registryModifications = `<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>en-US</value></prop></item>
</oor:items>
`

// bookName is the name the workbook is copied under, so that LibreOffice's
// output files have names this package can predict.
const bookName = "book"

// ConvertToCSV opens the workbook at xlsxPath in LibreOffice Calc, with every
// formula recalculated on load, and returns each sheet's cells as LibreOffice
// formats them for display, by sheet name. A test compares them with the
// values the writer cached to prove that LibreOffice computes the same
// numbers. Each call runs soffice with a profile of its own, so calls may run
// in parallel. It skips the test when soffice is missing (fails under CI=true)
// and fails it when the conversion fails.
func ConvertToCSV(t testing.TB, xlsxPath string) map[string][][]string {
	t.Helper()
	outDir := convertWorkbook(t, xlsxPath, csvFilter)
	entries, err := os.ReadDir(outDir)
	if err != nil {
		t.Fatalf("read LibreOffice output: %v", err)
	}
	sheets := make(map[string][][]string)
	for _, e := range entries {
		name := e.Name()
		if name == bookName+".csv" {
			t.Fatalf("LibreOffice wrote only the first sheet of %s: it ignores the all-sheets token of the CSV filter (needs LibreOffice 7.2 or later)", xlsxPath)
		}
		sheet, ok := strings.CutPrefix(name, bookName+"-")
		if !ok || !strings.HasSuffix(sheet, ".csv") {
			continue
		}
		sheet = strings.TrimSuffix(sheet, ".csv")
		rows, err := readCSV(filepath.Join(outDir, name))
		if err != nil {
			t.Fatalf("read sheet %q that LibreOffice exported from %s: %v", sheet, xlsxPath, err)
		}
		sheets[sheet] = rows
	}
	if len(sheets) == 0 {
		t.Fatalf("LibreOffice exported no sheet of %s", xlsxPath)
	}
	return sheets
}

// ConvertToPNG draws the first sheet of the workbook at xlsxPath, with its
// formulas recalculated, as LibreOffice prints it, into the PNG file outPNG:
// LibreOffice exports a PDF with one page a sheet and pdftoppm draws the
// first page. It is for screenshots in the documentation.
func ConvertToPNG(t testing.TB, xlsxPath, outPNG string) {
	t.Helper()
	ConvertSheetToPNG(t, xlsxPath, 1, outPNG)
}

// ConvertSheetToPNG draws the sheet-th sheet (1-based, in workbook order) of
// the workbook at xlsxPath like ConvertToPNG.
func ConvertSheetToPNG(t testing.TB, xlsxPath string, sheet int, outPNG string) {
	t.Helper()
	pdftoppm := RequireTool(t, "pdftoppm")
	outDir := convertWorkbook(t, xlsxPath, pdfFilter)
	ctx, cancel := callContext(t, sofficeTimeout)
	defer cancel()
	prefix := filepath.Join(outDir, "page")
	start := time.Now()
	out, err := runTool(ctx, nil, pdftoppm, "-png", "-r", pngDPI, "-f", strconv.Itoa(sheet), "-l", strconv.Itoa(sheet), "-singlefile",
		filepath.Join(outDir, bookName+".pdf"), prefix)
	if err != nil {
		t.Fatalf("draw the PDF of %s as PNG: %v\npdftoppm output:\n%s", xlsxPath, err, out)
	}
	png, err := os.ReadFile(prefix + ".png")
	if err != nil {
		t.Fatalf("pdftoppm wrote no PNG for %s: %v\npdftoppm output:\n%s", xlsxPath, err, out)
	}
	if err := os.MkdirAll(filepath.Dir(outPNG), 0o755); err != nil {
		t.Fatalf("create the folder of %s: %v", outPNG, err)
	}
	if err := os.WriteFile(outPNG, png, 0o644); err != nil {
		t.Fatalf("write %s: %v", outPNG, err)
	}
	t.Logf("pdftoppm drew %s in %s", outPNG, time.Since(start).Round(time.Millisecond))
}

// sofficeError matches the lines in which soffice reports a failure. soffice
// exits with 0 after some of them, for example "Error: no export filter".
var sofficeError = regexp.MustCompile(`(?m)^Error:.*$`)

// convertWorkbook runs soffice on a copy of xlsxPath with a fresh profile and
// returns the folder that holds what the filter wrote.
func convertWorkbook(t testing.TB, xlsxPath, filter string) string {
	t.Helper()
	soffice := RequireTool(t, "soffice")
	book, err := os.ReadFile(xlsxPath)
	if err != nil {
		t.Fatalf("read workbook: %v", err)
	}
	work := t.TempDir()
	profile := filepath.Join(work, "profile")
	if err := os.MkdirAll(filepath.Join(profile, "user"), 0o755); err != nil {
		t.Fatalf("create LibreOffice profile: %v", err)
	}
	if err := os.WriteFile(filepath.Join(profile, "user", "registrymodifications.xcu"), []byte(registryModifications), 0o644); err != nil {
		t.Fatalf("write LibreOffice profile: %v", err)
	}
	in := filepath.Join(work, bookName+".xlsx")
	if err := os.WriteFile(in, book, 0o644); err != nil {
		t.Fatalf("copy workbook: %v", err)
	}
	outDir := filepath.Join(work, "out")

	ctx, cancel := callContext(t, sofficeTimeout)
	defer cancel()
	start := time.Now()
	profileURL := (&url.URL{Scheme: "file", Path: filepath.ToSlash(profile)}).String()
	out, err := runTool(ctx, nil, soffice,
		"-env:UserInstallation="+profileURL,
		"--headless", "--norestore", "--nologo", "--nolockcheck",
		"--convert-to", filter, "--outdir", outDir, in)
	if err == nil {
		if msg := sofficeError.Find(out); msg != nil {
			err = fmt.Errorf("soffice reported %q", msg)
		}
	}
	if err != nil {
		t.Fatalf("convert %s with LibreOffice (filter %s): %v\nsoffice output:\n%s", xlsxPath, filter, err, out)
	}
	t.Logf("soffice converted %s in %s", filepath.Base(xlsxPath), time.Since(start).Round(time.Millisecond))
	return outDir
}

// readCSV reads a CSV file that LibreOffice wrote. Rows may differ in length.
func readCSV(path string) ([][]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	return r.ReadAll()
}

// callContext returns a context for one helper call: it ends with the test,
// after limit, or a little before the test binary's deadline, so that a hung
// program fails the test with its output instead of a panic with a stack dump.
func callContext(t testing.TB, limit time.Duration) (context.Context, context.CancelFunc) {
	ctx := t.Context()
	if d, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		if deadline, ok := d.Deadline(); ok {
			if left := time.Until(deadline) - 10*time.Second; left > 0 && left < limit {
				limit = left
			}
		}
	}
	return context.WithTimeout(ctx, limit)
}
