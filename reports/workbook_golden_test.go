package reports

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// layout describes a workbook as a person auditing it would: per sheet,
// its tables, frozen panes and print setup, then every cell that holds
// something, with its value as stored (formulas' cached results), its
// formula and its number format, the notes and the input messages (data
// validation prompts) that say why an empty cell is empty. Golden files keep this
// text, not the .xlsx bytes, which change with every excelize release.
func layout(t *testing.T, f *excelize.File) string {
	t.Helper()
	var b strings.Builder
	var names []string
	for _, d := range f.GetDefinedName() {
		names = append(names, fmt.Sprintf("defined name %s (%s) = %s", d.Name, orDash(d.Scope), d.RefersTo))
	}
	slices.Sort(names)
	b.WriteString(strings.Join(names, "\n") + "\n")
	props, err := f.GetDocProps()
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "properties: title %q, subject %q, creator %q, created %q\n", props.Title, props.Subject, props.Creator, props.Created)
	for _, sheet := range f.GetSheetList() {
		fmt.Fprintf(&b, "\n== %s\n", sheet)
		tables, err := f.GetTables(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for _, tb := range tables {
			fmt.Fprintf(&b, "table %s %s style %s\n", tb.Name, tb.Range, tb.StyleName)
		}
		if p, err := f.GetPanes(sheet); err == nil && p.Freeze {
			fmt.Fprintf(&b, "frozen at %s\n", p.TopLeftCell)
		}
		if l, err := f.GetPageLayout(sheet); err == nil && l.Orientation != nil {
			wide := 0
			if l.FitToWidth != nil {
				wide = *l.FitToWidth
			}
			size := 0
			if l.Size != nil {
				size = *l.Size
			}
			fmt.Fprintf(&b, "printed %s, %d page(s) wide, paper %d\n", *l.Orientation, wide, size)
		}
		if hf, err := f.GetHeaderFooter(sheet); err == nil && hf != nil {
			fmt.Fprintf(&b, "header %q footer %q\n", hf.OddHeader, hf.OddFooter)
		}
		notes := map[string]string{}
		list, err := f.GetComments(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range list {
			notes[c.Cell] = c.Text
		}
		messages := inputMessages(t, f, sheet)
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		width := 0
		for _, r := range rows {
			width = max(width, len(r))
		}
		for i := range rows {
			for j := 0; j < width; j++ {
				cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
				value := ""
				if j < len(rows[i]) {
					value = rows[i][j]
				}
				formula, _ := f.GetCellFormula(sheet, cell)
				note, message := notes[cell], messages[cell]
				if value == "" && formula == "" && note == "" && message == "" {
					continue
				}
				line := cell + " " + fmt.Sprintf("%q", value)
				if formula != "" {
					line += " =" + formula
				}
				if id, err := f.GetCellStyle(sheet, cell); err == nil && id != 0 {
					if s, err := f.GetStyle(id); err == nil && s.CustomNumFmt != nil && *s.CustomNumFmt != "@" {
						line += " [" + *s.CustomNumFmt + "]"
					}
				}
				if note != "" {
					line += " note " + fmt.Sprintf("%q", note)
				}
				if message != "" {
					line += " input " + fmt.Sprintf("%q", message)
				}
				b.WriteString(line + "\n")
			}
		}
	}
	return b.String()
}

// TestWorkbookLayoutGolden pins every sheet's cells and formulas, for the
// plain report and for one with targets, a previous period and an audit
// trail. Refresh with go test ./reports -run TestWorkbookLayoutGolden -update
// and review the diff.
func TestWorkbookLayoutGolden(t *testing.T) {
	t.Run("metrics only", func(t *testing.T) {
		f, _ := openWorkbookWith(t, sampleReport(t), WorkbookOptions{})
		golden(t, "workbook.golden.txt", []byte(layout(t, f)))
	})
	t.Run("targets, previous period, audit trail", func(t *testing.T) {
		f, _ := openWorkbookWith(t, fullReport(t), auditOptions())
		golden(t, "workbook_comparison.golden.txt", []byte(layout(t, f)))
	})
}
