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
		rec := []string{CSVSafe(j.Channel), strconv.FormatInt(j.Registrations, 10), strconv.FormatInt(j.Customers, 10),
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

// CSVSafe returns s as a CSV field that a spreadsheet opening the file shows
// as text instead of running it as a formula (CSV injection, OWASP): text
// starting with = + - @, a tab or a carriage return gets a leading
// apostrophe, which spreadsheets hide. A plain decimal number such as "-12"
// or "-1.5" (an optional sign, digits, at most one decimal point; no
// exponent, no spaces) is left as it is: a spreadsheet reads it as that
// number, nothing runs, and an id like "-12" stays what it was. Every text
// field Origen writes to a CSV file — labels, campaigns, user ids — goes
// through CSVSafe; fields Origen formats itself as numbers do not need to.
func CSVSafe(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if !plainDecimal(s) {
			return "'" + s
		}
	}
	return s
}

// plainDecimal reports whether s is [+-]digits[.digits] with at least one
// digit (".5" and "5." included).
func plainDecimal(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	digits, dot := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return digits > 0
}
