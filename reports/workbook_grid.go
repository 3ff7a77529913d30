package reports

import (
	"fmt"
	"maps"
	"slices"

	"github.com/xuri/excelize/v2"
)

// excelize keeps a formula's numeric cached value only through its stream
// writer, which writes rows in order, once. A sheet laid out cell by cell
// (label here, value there, a row added when a list grows) that has
// formulas is collected in a grid instead: the cell helpers (text, int,
// date, metric, formula, styleOnly, width) put their cells there, and
// finishSheets streams it row by row.

// grid is a sheet's cells by row and column, and its column widths.
type grid struct {
	cells  map[int]map[int]excelize.Cell
	widths map[int]float64
}

// useGrid makes the cell helpers collect sheet's cells in a grid.
func (b *workbook) useGrid(sheet string) {
	if b.grids == nil {
		b.grids = map[string]*grid{}
	}
	b.grids[sheet] = &grid{cells: map[int]map[int]excelize.Cell{}, widths: map[int]float64{}}
}

// gridCell returns sheet's grid and the coordinates of cell, or nil when
// the sheet is written cell by cell.
func (b *workbook) gridCell(sheet, cell string) (g *grid, col, row int) {
	g = b.grids[sheet]
	if g == nil || b.err != nil {
		return nil, 0, 0
	}
	col, row, err := excelize.CellNameToCoordinates(cell)
	b.check(err)
	return g, col, row
}

// set puts a cell in the grid, keeping the style of a cell that only had
// one so far when c has none.
func (g *grid) set(col, row int, c excelize.Cell) {
	r := g.cells[row]
	if r == nil {
		r = map[int]excelize.Cell{}
		g.cells[row] = r
	}
	if old, ok := r[col]; ok && c.StyleID == 0 {
		c.StyleID = old.StyleID
	}
	r[col] = c
}

// style sets a cell's style, keeping its value.
func (g *grid) style(col, row, style int) {
	c := g.cells[row][col]
	c.StyleID = style
	g.set(col, row, c)
}

// formula writes a formula with Origen's value cached in the cell: a
// number, a string, or nil for the "" of an IF guard.
func (b *workbook) formula(sheet, cell, formula string, cached any, style int) {
	g, col, row := b.gridCell(sheet, cell)
	if g == nil {
		if b.err == nil {
			b.check(fmt.Errorf("formula %s!%s: the sheet is not a grid (useGrid): excelize would cache its value as text", sheet, cell))
		}
		return
	}
	if cached == nil {
		cached = ""
	}
	g.set(col, row, excelize.Cell{StyleID: style, Formula: formula, Value: cached})
}

// streamGrid writes sheet's grid with a stream writer (b.stream), which
// finishSheets flushes.
func (b *workbook) streamGrid(sheet string, g *grid) {
	// A cell set on the sheet directly (f.SetCellValue, not the helpers)
	// would be dropped by the stream writer: refuse, so a test shows it.
	if rows, err := b.f.GetRows(sheet); err != nil || len(rows) > 0 {
		b.check(fmt.Errorf("sheet %s is written from a grid, but %d rows were set on it directly (%v): use the cell helpers", sheet, len(rows), err))
		return
	}
	sw := b.stream(sheet)
	if sw == nil {
		return
	}
	for _, col := range slices.Sorted(maps.Keys(g.widths)) {
		b.check(sw.SetColWidth(col, col, g.widths[col]))
	}
	for _, row := range slices.Sorted(maps.Keys(g.cells)) {
		r := g.cells[row]
		last := slices.Max(slices.Collect(maps.Keys(r)))
		cells := make([]any, last)
		for col, c := range r {
			cells[col-1] = c
		}
		b.check(sw.SetRow(b.cellName(1, row), cells))
	}
}
