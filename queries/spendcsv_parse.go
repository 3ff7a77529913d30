package queries

import (
	"bytes"
	"io"

	"github.com/origen-analytics/origen/attribution"
)

// SpendCSV is a parsed spend file: its spend per raw channel label and
// date over the whole file, and its number of data rows.
type SpendCSV struct {
	Days []attribution.DailySpendRow
	Rows int64
}

// ParseSpendCSV reads a whole spend file (see ReadSpendCSV for its form).
func ParseSpendCSV(r io.Reader, name string) (SpendCSV, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return SpendCSV{}, attribution.Errorf(attribution.KindData, "spend file %s: %w", name, err)
	}
	all := attribution.Period{From: attribution.Date{Year: 1, Month: 1, Day: 1}, To: attribution.Date{Year: 9999, Month: 12, Day: 31}}
	_, q, err := ReadSpendCSV(bytes.NewReader(b), name, all)
	if err != nil {
		return SpendCSV{}, err
	}
	days, err := ReadSpendCSVDaily(bytes.NewReader(b), name, all)
	return SpendCSV{Days: days, Rows: q.SpendRows}, err
}
