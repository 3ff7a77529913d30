package queries

import (
	"cmp"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strings"

	"github.com/origen-analytics/origen/attribution"
)

// SpendCSV is a spend file read by ParseSpendCSV.
type SpendCSV struct {
	// Days holds one row per raw channel label and date of the whole file,
	// sorted by date and then label (byte order), each with the summed
	// Amount and the number of file rows summed (Rows). Labels are kept as
	// written; ChannelValid is always true (a CSV field is never NULL).
	Days []attribution.DailySpendRow
	// Rows is the number of data rows in the file (blank lines excluded).
	Rows int64
}

// spendColumns are the header columns a spend file must have.
var spendColumns = []string{"date", "channel", "amount"}

// ParseSpendCSV reads spend from an ad platform export: a header with the
// columns date, channel and amount (any order, any case, optionally
// campaign - then the rows are summed per date, channel and campaign, for
// the drill-down's spend per campaign - and other columns, which are
// ignored; a UTF-8 byte order mark is allowed), then one row per date,
// channel and amount (a YYYY-MM-DD
// date and a plain decimal amount ≥ 0 with at most 4 decimal places,
// METRICS.md "Inputs"). Lines that are blank or only white space are
// skipped.
//
// Every problem in the file is an attribution.KindData error naming name
// and the line to fix: an empty file, a header without one of the columns
// or with a column twice, a row with a different number of fields than the
// header, a malformed CSV quote, an impossible date, an amount that is not
// a number or is negative, and a file whose total spend does not fit in an
// attribution.Money. The last check is on the whole file, not only on a
// report's sums: spend is never negative, so when the total fits every sum
// Origen makes of the file's rows (a channel, a period, a report's Total)
// fits too. A failure to read r is a KindRuntime error.
//
// It reads the whole file, every date: a report picks its period with
// attribution.SpendOver or attribution.DaysIn.
func ParseSpendCSV(r io.Reader, name string) (SpendCSV, error) {
	var out SpendCSV
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // the field count is checked here, with a clearer message
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return out, attribution.Errorf(attribution.KindData, "spend file %s is empty: it needs the header date,channel,amount", name)
	}
	if err != nil {
		return out, readError(name, err)
	}
	idx := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := idx[h]; dup {
			return out, attribution.Errorf(attribution.KindData, "spend file %s line 1: column %q appears twice in the header", name, h)
		}
		idx[h] = i
	}
	for _, want := range spendColumns {
		if _, ok := idx[want]; !ok {
			return out, attribution.Errorf(attribution.KindData,
				"spend file %s line 1: the header has no %q column (found %s): the header must be date,channel,amount",
				name, want, strings.Join(header, ","))
		}
	}
	dateCol, channelCol, amountCol := idx["date"], idx["channel"], idx["amount"]

	campaignCol, perCampaign := idx["campaign"]
	type key struct {
		day               int64
		channel, campaign string
	}
	sums := map[key]*attribution.DailySpendRow{}
	var total attribution.Money
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// Checked before FieldPos, which panics after a failed Read.
			return out, readError(name, err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line (encoding/csv skips only empty ones)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			return out, attribution.Errorf(attribution.KindData,
				"spend file %s line %d: %d fields, the header has %d", name, line, len(rec), len(header))
		}
		out.Rows++
		d, err := attribution.ParseDate(strings.TrimSpace(rec[dateCol]))
		if err != nil {
			return out, attribution.Errorf(attribution.KindData, "spend file %s line %d: %v", name, line, err)
		}
		amount, err := attribution.ParseMoney(rec[amountCol])
		if err != nil {
			return out, attribution.Errorf(attribution.KindData, "spend file %s line %d: %v", name, line, err)
		}
		if amount < 0 {
			return out, attribution.Errorf(attribution.KindData,
				"spend file %s line %d: amount %s is negative: spend must be >= 0", name, line, rec[amountCol])
		}
		var ok bool
		if total, ok = total.Add(amount); !ok {
			return out, attribution.Errorf(attribution.KindData,
				"spend file %s line %d: amount %s brings the file's total spend above %s, the largest amount Origen can sum exactly",
				name, line, strings.TrimSpace(rec[amountCol]), attribution.Money(1<<63-1))
		}
		k := key{day: d.Unix(), channel: rec[channelCol]}
		if perCampaign {
			k.campaign = rec[campaignCol]
		}
		row, seen := sums[k]
		if !seen {
			k.channel, k.campaign = strings.Clone(k.channel), strings.Clone(k.campaign) // do not keep the whole line alive
			row = &attribution.DailySpendRow{Channel: k.channel, ChannelValid: true, Date: d,
				Campaign: k.campaign, CampaignValid: strings.TrimSpace(k.campaign) != "", PerCampaign: perCampaign}
			sums[k] = row
		}
		// Cannot overflow: row.Amount + amount ≤ total, which fits.
		row.Amount += amount
		row.Rows++
	}
	out.Days = make([]attribution.DailySpendRow, 0, len(sums))
	for _, row := range sums {
		out.Days = append(out.Days, *row)
	}
	slices.SortFunc(out.Days, func(a, b attribution.DailySpendRow) int {
		return cmp.Or(cmp.Compare(a.Date.Unix(), b.Date.Unix()), cmp.Compare(a.Channel, b.Channel), cmp.Compare(a.Campaign, b.Campaign))
	})
	return out, nil
}

// readError turns an error of csv.Reader.Read into Origen's error: a
// malformed CSV is a data error at its line, anything else a failure to
// read the file.
func readError(name string, err error) error {
	if pe, ok := errors.AsType[*csv.ParseError](err); ok {
		return attribution.Errorf(attribution.KindData, "spend file %s line %d, column %d: %w", name, pe.Line, pe.Column, pe.Err)
	}
	return attribution.Errorf(attribution.KindRuntime, "read spend file %s: %w", name, err)
}
