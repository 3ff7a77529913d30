package reports

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/origen-analytics/origen/attribution"
)

// WriteCSV writes the channel table and the Total row as CSV with the JSON
// contract's keys as header and its formatting (money as decimal strings,
// n/a as an empty field), for spreadsheets and scripts that want one flat
// file. The output depends only on r.
func WriteCSV(w io.Writer, r attribution.Report) error {
	if err := checkReport(r); err != nil {
		return fmt.Errorf("write CSV report: %w", err)
	}
	cw := csv.NewWriter(w)
	header := []string{"channel", "registrations", "customers", "conversion_rate", "conversion_rate_low",
		"conversion_rate_high", "spend", "cost_per_registration", "cost_per_customer", "revenue", "roas",
		"median_days_to_convert", "immature_registrations"}
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("write CSV report: %w", err)
	}
	f := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'g', -1, 64)
	}
	s := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	total := jsonRow(r.Total, r.Currency)
	total.Channel = totalLabel
	rows := make([]jsonChannel, 0, len(r.Channels)+1)
	for _, m := range r.Channels {
		rows = append(rows, jsonRow(m, r.Currency))
	}
	for _, j := range append(rows, total) {
		rec := []string{csvText(j.Channel), strconv.FormatInt(j.Registrations, 10), strconv.FormatInt(j.Customers, 10),
			f(j.ConversionRate), f(j.ConversionRateLow), f(j.ConversionRateHigh), j.Spend, s(j.CostPerRegistration),
			s(j.CostPerCustomer), j.Revenue, f(j.ROAS), f(j.MedianDaysToConvert), strconv.FormatInt(j.ImmatureRegistrations, 10)}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("write CSV report: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write CSV report: %w", err)
	}
	return nil
}

// csvText keeps a spreadsheet that opens the CSV from running a channel name
// as a formula (CSV injection): names starting with = + - @ or a tab or
// carriage return get a leading apostrophe, which spreadsheets hide.
func csvText(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') {
		return "'" + s
	}
	return s
}
