package reports

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
)

// budget.csv: the header, a row per paid channel in the plan's order with
// its figures, a Total row; a name that looks like a formula is guarded.
func TestWriteBudgetCSV(t *testing.T) {
	r := budgetReport(t)
	var b bytes.Buffer
	if err := WriteBudgetCSV(&b, r); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	p := r.Budget.Plan
	if strings.Join(rows[0], ",") != strings.Join(budgetCSVHeader, ",") || len(rows) != len(p.Channels)+2 {
		t.Fatalf("header %v, %d rows", rows[0], len(rows))
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for i, c := range p.Channels {
		row := rows[i+1]
		if row[0] != CSVSafe(c.Channel) || row[col["recommendation"]] != c.Recommendation ||
			row[col["current_weekly_spend"]] != c.Current.Format(2) || row[col["suggested_weekly_spend"]] != c.Suggested.Format(2) {
			t.Errorf("row %v for %+v", row, c.Channel)
		}
		if c.HasCurve != (row[col["model"]] != "") || c.HasCurve != (row[col["marginal_cost_per_customer"]] != "") {
			t.Errorf("%s: model %q, marginal cost %q", c.Channel, row[col["model"]], row[col["marginal_cost_per_customer"]])
		}
	}
	if p.Channels[3].Channel != chFormula || rows[4][0] != "'"+chFormula {
		t.Errorf("formula-looking name %q written as %q, want it guarded", p.Channels[3].Channel, rows[4][0])
	}
	total := rows[len(rows)-1]
	if total[0] != totalLabel || total[col["current_weekly_spend"]] != p.TotalCurrent.Format(2) || total[col["suggested_weekly_spend"]] != p.TotalSuggested.Format(2) {
		t.Errorf("total %v", total)
	}
	r.Budget = nil
	if err := WriteBudgetCSV(&b, r); err == nil {
		t.Error("no error without a plan")
	}
}
