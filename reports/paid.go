package reports

import "github.com/origen-analytics/origen/attribution"

// paidRows are the Total rows of the paid and of the unpaid channels
// (attribution.ApplyPaid), with the previous period's and the default
// targets, like the Total row (tableRows).
func paidRows(r attribution.Report) (paid, unpaid rowData) {
	paid = rowData{M: r.TotalPaid, Th: r.Targets.Default}
	unpaid = rowData{M: r.TotalUnpaid, Th: r.Targets.Default}
	paid.M.Channel, unpaid.M.Channel = attribution.PaidLabel, attribution.UnpaidLabel
	paid.M.Paid = true
	if r.Previous != nil {
		p, u := r.Previous.TotalPaid, r.Previous.TotalUnpaid
		paid.Prev, unpaid.Prev = &p, &u
	}
	return paid, unpaid
}
