package reports

import (
	"bytes"
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/origen-analytics/origen/attribution"
)

func budgetKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// The budget key has exactly the keys of issue 11, money as decimal
// strings, and null where a channel has no curve.
func TestWriteJSONBudgetShape(t *testing.T) {
	r := budgetReport(t)
	var b bytes.Buffer
	if err := WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	bud, ok := doc["budget"].(map[string]any)
	if !ok {
		t.Fatalf("budget = %v", doc["budget"])
	}
	top := []string{"objective", "lookback_weeks", "baseline_weeks", "max_change", "total_current_weekly_spend",
		"total_suggested_weekly_spend", "expected_outcome_current", "expected_outcome_suggested",
		"expected_gain", "expected_gain_low", "expected_gain_high", "channels"}
	chKeys := []string{"channel", "weeks", "model", "parameters", "average_cost_per_customer", "marginal_cost_per_customer",
		"marginal_cost_per_customer_low", "marginal_cost_per_customer_high",
		"current_weekly_spend", "suggested_weekly_spend", "expected_outcome_current",
		"expected_outcome_suggested", "recommendation", "reason"}
	sort.Strings(top)
	sort.Strings(chKeys)
	if got := budgetKeys(bud); !slices.Equal(got, top) {
		t.Errorf("budget keys %v, want %v", got, top)
	}
	p := r.Budget.Plan
	if bud["objective"] != "customers" || bud["lookback_weeks"] != 26.0 || bud["baseline_weeks"] != 4.0 || bud["max_change"] != 0.3 {
		t.Errorf("settings %v", bud)
	}
	if bud["total_current_weekly_spend"] != p.TotalCurrent.Format(2) || bud["total_suggested_weekly_spend"] != p.TotalSuggested.Format(2) {
		t.Errorf("totals %v %v", bud["total_current_weekly_spend"], bud["total_suggested_weekly_spend"])
	}
	gain, _ := bud["expected_gain"].(float64)
	lo, _ := bud["expected_gain_low"].(float64)
	hi, _ := bud["expected_gain_high"].(float64)
	if !(lo < gain && gain < hi) || gain <= 0 {
		t.Errorf("gain %v [%v, %v]", bud["expected_gain"], lo, hi)
	}
	chs := bud["channels"].([]any)
	if len(chs) != len(p.Channels) {
		t.Fatalf("%d channels", len(chs))
	}
	for i, x := range chs {
		c := x.(map[string]any)
		want := p.Channels[i]
		if got := budgetKeys(c); !slices.Equal(got, chKeys) {
			t.Errorf("channel keys %v, want %v", got, chKeys)
		}
		if c["channel"] != want.Channel || c["recommendation"] != want.Recommendation || c["reason"] != want.Reason ||
			c["current_weekly_spend"] != want.Current.Format(2) || c["suggested_weekly_spend"] != want.Suggested.Format(2) ||
			c["weeks"] != float64(want.Weeks) {
			t.Errorf("channel %d = %v, want %+v", i, c, want)
		}
		if want.HasCurve {
			mc, ok := c["marginal_cost_per_customer"].(string)
			if !ok || mc != attribution.Money(want.MarginalCost.Value*attribution.MoneyScale+0.5).Format(2) {
				t.Errorf("%s marginal cost %v, want %.4f", want.Channel, c["marginal_cost_per_customer"], want.MarginalCost.Value)
			}
			params := c["parameters"].(map[string]any)
			if c["model"] != string(want.Choice.Fit.Model) || params["a"] == nil {
				t.Errorf("%s model %v parameters %v", want.Channel, c["model"], params)
			}
			continue
		}
		for _, k := range []string{"model", "parameters", "marginal_cost_per_customer", "marginal_cost_per_customer_low",
			"marginal_cost_per_customer_high", "expected_outcome_current", "expected_outcome_suggested"} {
			if c[k] != nil {
				t.Errorf("%s %s = %v, want null without a curve", want.Channel, k, c[k])
			}
		}
		if !strings.HasSuffix(want.Reason, "it keeps its spend") {
			t.Errorf("reason %q", want.Reason)
		}
	}
	// Without a plan the key is null.
	b.Reset()
	if err := WriteJSON(&b, sampleReport(t)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "\"budget\": null") {
		t.Errorf("no budget: want \"budget\": null")
	}
}
