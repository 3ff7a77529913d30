package queries

import (
	"encoding/csv"
	"errors"
	"io"
	"sort"
	"strings"

	"github.com/origen-analytics/origen/attribution"
)

// ReadSpendCSV reads spend from an ad platform export with the header
// date,channel,amount (optionally campaign, in any order) and returns the
// period's spend per raw channel label, plus the file's counts. name is
// used in error messages, which point at the line to fix.
func ReadSpendCSV(r io.Reader, name string, p attribution.Period) ([]attribution.SpendRow, attribution.DataQuality, error) {
	var q attribution.DataQuality
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, q, attribution.Errorf(attribution.KindData, "spend file %s is empty: it needs the header date,channel,amount", name)
	}
	if err != nil {
		return nil, q, attribution.Errorf(attribution.KindData, "spend file %s: %w", name, err)
	}
	idx := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := idx[h]; dup {
			return nil, q, attribution.Errorf(attribution.KindData, "spend file %s: column %q appears twice in the header", name, h)
		}
		idx[h] = i
	}
	for _, want := range []string{"date", "channel", "amount"} {
		if _, ok := idx[want]; !ok {
			return nil, q, attribution.Errorf(attribution.KindData,
				"spend file %s: the header has no %q column (found %s): the header must be date,channel,amount",
				name, want, strings.Join(header, ","))
		}
	}
	from, to := p.From.Unix(), p.To.Unix()
	byChannel := map[string]*attribution.SpendRow{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return nil, q, attribution.Errorf(attribution.KindData, "spend file %s: %w", name, err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		if len(rec) != len(header) {
			return nil, q, attribution.Errorf(attribution.KindData,
				"spend file %s line %d: %d fields, the header has %d", name, line, len(rec), len(header))
		}
		q.SpendRows++
		d, err := attribution.ParseDate(strings.TrimSpace(rec[idx["date"]]))
		if err != nil {
			return nil, q, attribution.Errorf(attribution.KindData, "spend file %s line %d: %v", name, line, err)
		}
		amount, err := attribution.ParseMoney(rec[idx["amount"]])
		if err != nil {
			return nil, q, attribution.Errorf(attribution.KindData, "spend file %s line %d: %v", name, line, err)
		}
		if amount < 0 {
			return nil, q, attribution.Errorf(attribution.KindData,
				"spend file %s line %d: amount %s is negative: spend must be >= 0", name, line, rec[idx["amount"]])
		}
		if day := d.Unix(); day < from || day >= to {
			continue
		}
		q.SpendRowsInPeriod++
		raw := rec[idx["channel"]]
		row, ok := byChannel[raw]
		if !ok {
			row = &attribution.SpendRow{Channel: strings.Clone(raw), ChannelValid: true}
			byChannel[raw] = row
		}
		row.Amount += amount
		row.Rows++
	}
	out := make([]attribution.SpendRow, 0, len(byChannel))
	for _, r := range byChannel {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Channel < out[j].Channel })
	return out, q, nil
}
