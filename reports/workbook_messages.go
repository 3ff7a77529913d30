package reports

import (
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
)

// Why an undefined cell of a table is empty, and when a day-N conversion
// will be filled, is the cell's input message: a data validation that
// allows any value and shows a title and a text when the cell is selected,
// in Excel and LibreOffice alike. Cells with the same message share one
// validation whose range lists them all, so a sheet has one per distinct
// message however many rows it has, and the cost is linear in the cells.
//
// Notes (excelize's AddComment) were used before: each is a VML shape of
// its own, excelize scans every earlier one when adding the next
// (quadratic: 58% of a 100,000-registration report's time went there) and
// LibreOffice loads each as a drawing object. The Summary, with a bounded
// handful of undefined cells, keeps its notes.

// Excel's limits on an input message, in UTF-16 code units.
const (
	maxPromptTitle = 32
	maxPrompt      = 255
)

// cellMessages collects the input messages of one sheet's cells.
type cellMessages struct {
	order []cellMessage
	index map[cellMessage]int
	// cells[i] lists the cells of message order[i], by column letter in
	// the order first seen, each with its rows in the order added.
	cells []*messageCells
}

type cellMessage struct{ title, text string }

type messageCells struct {
	cols []string
	rows map[string][]int
}

// add gives the cell at column letter col and row the message title and
// text. Rows of a column must be added in increasing order.
func (m *cellMessages) add(col string, row int, title, text string) {
	key := cellMessage{clipUTF16(title, maxPromptTitle), clipUTF16(text, maxPrompt)}
	if m.index == nil {
		m.index = map[cellMessage]int{}
	}
	i, ok := m.index[key]
	if !ok {
		i = len(m.order)
		m.index[key] = i
		m.order = append(m.order, key)
		m.cells = append(m.cells, &messageCells{rows: map[string][]int{}})
	}
	c := m.cells[i]
	if _, ok := c.rows[col]; !ok {
		c.cols = append(c.cols, col)
	}
	c.rows[col] = append(c.rows[col], row)
}

// sqref is the range list of the cells of message i, consecutive rows of a
// column joined into one range: "E5:E9 F12".
func (m *cellMessages) sqref(i int) string {
	var b strings.Builder
	c := m.cells[i]
	for _, col := range c.cols {
		rows := c.rows[col]
		for j := 0; j < len(rows); {
			k := j
			for k+1 < len(rows) && rows[k+1] == rows[k]+1 {
				k++
			}
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(col + strconv.Itoa(rows[j]))
			if k > j {
				b.WriteString(":" + col + strconv.Itoa(rows[k]))
			}
			j = k + 1
		}
	}
	return b.String()
}

// addMessages writes the collected messages of sheet as data validations.
// On a streamed sheet it must run before the stream writer's Flush.
func (b *workbook) addMessages(sheet string, m *cellMessages) {
	for i, msg := range m.order {
		if b.err != nil {
			return
		}
		dv := excelize.NewDataValidation(true)
		dv.Sqref = m.sqref(i)
		dv.SetInput(msg.title, msg.text)
		b.check(b.f.AddDataValidation(sheet, dv))
	}
}

// clipUTF16 shortens s to at most n UTF-16 code units, ending with "…"
// when it had to cut.
func clipUTF16(s string, n int) string {
	units, cut := 0, -1
	for i, r := range s {
		units += utf16.RuneLen(r)
		if units > n-1 && cut < 0 {
			cut = i // "…" takes the last unit
		}
		if units > n {
			return s[:cut] + "…"
		}
	}
	return s
}
