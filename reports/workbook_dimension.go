package reports

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"

	"github.com/xuri/excelize/v2"
)

// excelize writes <dimension ref="A1"/> in every worksheet it creates and
// never updates it: not for cells set one by one, not for a stream writer
// (which writes the element before its first row), not for tables. A
// reader that trusts the element, such as openpyxl in read-only mode,
// then sees one cell of the sheet. dimensionZip puts the real used range
// in as the package is written, whoever wrote the sheet and however.

// dimensionZip is the zip writer WriteWorkbookWith hands excelize: it
// passes every part through to zw, except that a worksheet part is held
// (in memory, then a temporary file) while its cells are counted, and
// written with its <dimension> set to the range of its cells.
type dimensionZip struct {
	zw     *zip.Writer
	tmpDir string
	// spill is how many bytes of a worksheet are held in memory before
	// the rest goes to a temporary file; 0 means sheetSpill.
	spill int
	part  *sheetPart // the worksheet being written, nil otherwise
}

// worksheetPart matches the package names of worksheets.
var worksheetPart = regexp.MustCompile(`^xl/worksheets/[^/]+\.xml$`)

var _ excelize.ZipWriter = (*dimensionZip)(nil)

func (d *dimensionZip) Create(name string) (io.Writer, error) {
	if err := d.flush(); err != nil {
		return nil, err
	}
	if !worksheetPart.MatchString(name) {
		return d.zw.Create(name)
	}
	spill := d.spill
	if spill <= 0 {
		spill = sheetSpill
	}
	d.part = &sheetPart{name: name, tmpDir: d.tmpDir, spill: spill, minCol: -1}
	return d.part, nil
}

func (d *dimensionZip) AddFS(fsys fs.FS) error {
	if err := d.flush(); err != nil {
		return err
	}
	return d.zw.AddFS(fsys)
}

func (d *dimensionZip) Close() error {
	if err := d.flush(); err != nil {
		d.zw.Close()
		return err
	}
	return d.zw.Close()
}

// flush writes the held worksheet, if any, to the zip.
func (d *dimensionZip) flush() error {
	p := d.part
	if p == nil {
		return nil
	}
	d.part = nil
	defer p.close()
	w, err := d.zw.Create(p.name)
	if err != nil {
		return err
	}
	return p.writeTo(w)
}

// sheetSpill is how much of a worksheet is held in memory before the rest
// goes to a temporary file: a Registrations sheet of a million rows is
// about 100 MiB of XML.
const sheetSpill = 8 << 20

// sheetPart holds one worksheet's XML and the range of its cells, which it
// reads from the cell references (<c r="B7" ...>) as the XML goes by.
type sheetPart struct {
	name   string
	tmpDir string
	spill  int
	buf    bytes.Buffer
	tmp    *os.File
	head   bool // buf holds <sheetData (headHeld)
	err    error

	// The scanner: matched is how much of cellOpen the last bytes
	// matched; ref collects a reference up to its closing quote.
	matched int
	inRef   bool
	ref     []byte

	minCol, minRow, maxCol, maxRow int // minCol -1: no cell yet
}

// cellOpen starts every cell excelize writes, its reference first.
const cellOpen = `<c r="`

func (p *sheetPart) Write(b []byte) (int, error) {
	if p.err != nil {
		return 0, p.err
	}
	p.scan(b)
	if p.tmp == nil && p.buf.Len()+len(b) > p.spill && p.headHeld() {
		if p.tmp, p.err = os.CreateTemp(p.tmpDir, "origen-sheet-*.xml"); p.err != nil {
			return 0, fmt.Errorf("hold worksheet %s: %w", p.name, p.err)
		}
	}
	if p.tmp == nil {
		return p.buf.Write(b)
	}
	// The head stays in memory (the dimension is in it); the rest goes to
	// the file.
	n, err := p.tmp.Write(b)
	if err != nil {
		p.err = fmt.Errorf("hold worksheet %s: %w", p.name, err)
	}
	return n, p.err
}

// headHeld reports whether the memory buffer holds the elements before
// <sheetData>, which writeTo searches for the dimension: only then may the
// rest go to the file.
func (p *sheetPart) headHeld() bool {
	if !p.head {
		p.head = bytes.Contains(p.buf.Bytes(), []byte("<sheetData"))
	}
	return p.head
}

// scan follows the cell references in b, which may start or end in the
// middle of one.
func (p *sheetPart) scan(b []byte) {
	for _, c := range b {
		if p.inRef {
			if c == '"' {
				p.inRef = false
				p.cell(p.ref)
				p.ref = p.ref[:0]
			} else if len(p.ref) < 16 {
				p.ref = append(p.ref, c)
			}
			continue
		}
		switch {
		case c == cellOpen[p.matched]:
			p.matched++
		case c == cellOpen[0]:
			p.matched = 1
		default:
			p.matched = 0
		}
		if p.matched == len(cellOpen) {
			p.matched, p.inRef = 0, true
		}
	}
}

// cell widens the range to the cell ref.
func (p *sheetPart) cell(ref []byte) {
	col, row, err := excelize.CellNameToCoordinates(string(ref))
	if err != nil {
		return // not a cell reference: leave the range as it is
	}
	if p.minCol < 0 {
		p.minCol, p.minRow, p.maxCol, p.maxRow = col, row, col, row
		return
	}
	p.minCol, p.minRow = min(p.minCol, col), min(p.minRow, row)
	p.maxCol, p.maxRow = max(p.maxCol, col), max(p.maxRow, row)
}

// dimension is the <dimension> element of the cells seen: A1 for a sheet
// without cells, as Excel writes it.
func (p *sheetPart) dimension() string {
	ref := "A1"
	if p.minCol >= 0 {
		from, _ := excelize.CoordinatesToCellName(p.minCol, p.minRow)
		to, _ := excelize.CoordinatesToCellName(p.maxCol, p.maxRow)
		ref = from
		if to != from {
			ref += ":" + to
		}
	}
	return `<dimension ref="` + ref + `"/>`
}

// dimensionElement matches excelize's <dimension>, empty or not.
var dimensionElement = regexp.MustCompile(`<dimension\b[^>]*?(/>|>\s*</dimension>)`)

// afterDimension are the elements that may follow <dimension> in a
// worksheet (ECMA-376 CT_Worksheet), the first of which it goes before
// when the sheet has none.
var afterDimension = [][]byte{[]byte("<sheetViews"), []byte("<sheetFormatPr"), []byte("<cols"), []byte("<sheetData")}

// writeTo writes the held XML to w with its dimension set.
func (p *sheetPart) writeTo(w io.Writer) error {
	if p.err != nil {
		return p.err
	}
	head := p.buf.Bytes()
	// The elements before <sheetData> are small; only they are searched.
	end := bytes.Index(head, []byte("<sheetData"))
	if end < 0 {
		end = len(head)
	}
	// The parts before and after the element it replaces (or goes before).
	before, after := head, head[len(head):]
	if loc := dimensionElement.FindIndex(head[:end]); loc != nil {
		before, after = head[:loc[0]], head[loc[1]:]
	} else {
		at := end
		for _, tag := range afterDimension {
			if i := bytes.Index(head[:end], tag); i >= 0 && i < at {
				at = i
			}
		}
		if at == len(head) {
			return fmt.Errorf("worksheet %s has no sheetData in its first %d bytes", p.name, len(head))
		}
		before, after = head[:at], head[at:]
	}
	for _, b := range [][]byte{before, []byte(p.dimension()), after} {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	if p.tmp == nil {
		return nil
	}
	if _, err := p.tmp.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("read back worksheet %s: %w", p.name, err)
	}
	if _, err := io.Copy(w, p.tmp); err != nil {
		return fmt.Errorf("read back worksheet %s: %w", p.name, err)
	}
	return nil
}

// close removes the temporary file, if any.
func (p *sheetPart) close() {
	if p.tmp != nil {
		p.tmp.Close()
		os.Remove(p.tmp.Name())
	}
}
