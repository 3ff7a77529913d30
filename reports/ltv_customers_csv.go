package reports

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/origen-analytics/origen/attribution"
)

// customersCSVHeader is the header of the file WriteCustomersCSV writes
// (docs/LTV.md, "Customers likely to churn").
var customersCSVHeader = []string{"user_id", "channel", "campaign", "first_purchase_at", "purchases", "revenue",
	"p_alive", "expected_purchases_90d", "expected_value_12m", "value_at_risk"}

// WriteCustomersCSV writes the customers ranked as given (by value at
// risk) for a CRM team's win-back: first_purchase_at in RFC 3339 in loc,
// revenue as a decimal string, the models' figures with 6 decimals (empty
// without a fit), and the user id, channel and campaign through CSVSafe.
func WriteCustomersCSV(w io.Writer, cs []attribution.ScoredCustomer, cur attribution.Currency, loc *time.Location) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(customersCSVHeader); err != nil {
		return fmt.Errorf("write customers CSV: %w", err)
	}
	f := func(v float64, ok bool) string {
		if !ok {
			return ""
		}
		return strconv.FormatFloat(v, 'f', 6, 64)
	}
	for _, c := range cs {
		if err := cw.Write([]string{CSVSafe(c.UserID), CSVSafe(c.Channel), CSVSafe(c.Campaign),
			c.FirstPurchase.In(loc).Format(time.RFC3339), strconv.FormatInt(c.Purchases, 10), c.Revenue.Format(cur.Digits),
			f(c.PAlive, c.Valid), f(c.ExpectedPurchases90, c.Valid), f(c.Value12, c.Valid), f(c.ValueAtRisk, c.Valid)}); err != nil {
			return fmt.Errorf("write customers CSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write customers CSV: %w", err)
	}
	return nil
}

// WriteCustomersBacktestCSV writes the backtest of the customer scores as
// decile,customers,expected_purchases,actual_purchases rows (means per
// customer of repeat purchase days in the 90 days after scored_at), after
// metric rows with the totals.
func WriteCustomersBacktestCSV(w io.Writer, b attribution.CustomersBacktest) error {
	cw := csv.NewWriter(w)
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', 6, 64) }
	rows := [][]string{
		{"decile", "customers", "expected_purchases", "actual_purchases"},
	}
	for _, d := range b.Deciles {
		rows = append(rows, []string{strconv.Itoa(d.Decile), strconv.FormatInt(d.Customers, 10), num(d.Expected), num(d.Actual)})
	}
	rows = append(rows, []string{"all", strconv.FormatInt(b.Customers, 10), num(b.Expected), num(b.Actual)},
		[]string{"scored_at", b.ScoredAt.Format(time.RFC3339), "", ""},
		[]string{"outcome_end", b.OutcomeEnd.Format(time.RFC3339), "", ""})
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("write customers backtest CSV: %w", err)
	}
	return nil
}
