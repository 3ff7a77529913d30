package reports

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/origen-analytics/origen/attribution"
)

// maturityJSONDoc writes r's JSON and decodes it.
func maturityJSONDoc(t *testing.T, r attribution.Report) map[string]any {
	t.Helper()
	return decodeJSON(t, render(t, writeJSON, r))
}

func TestJSONMaturityKeys(t *testing.T) {
	out := render(t, writeJSON, maturityReport(t))
	top := objectKeys(t, json.NewDecoder(bytes.NewReader(out)))
	want := []string{"curve_period", "curves", "curves_total", "cohort_grain", "cohorts", "cohort_totals", "trend", "trend_totals", "prospects", "backtest", "event_model"}
	// Together, in this order (other sections' keys may follow).
	if i := slices.Index(top, want[0]); i < 0 || len(top) < i+len(want) || !slices.Equal(top[i:i+len(want)], want) {
		t.Errorf("top-level keys %q, want %q together", top, want)
	}
	var doc struct {
		Channels []json.RawMessage `json:"channels"`
		Cohorts  []json.RawMessage `json:"cohorts"`
		Trend    []json.RawMessage `json:"trend"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	t.Run("projection keys follow the observed figures", func(t *testing.T) {
		keys := objectKeys(t, json.NewDecoder(bytes.NewReader(doc.Channels[0])))
		var want []string
		for _, c := range projectionColumns {
			want = append(want, c.Key)
		}
		i := slices.Index(keys, "immature_registrations")
		if i < 0 || len(keys) < i+1+len(want) || !slices.Equal(keys[i+1:i+1+len(want)], want) {
			t.Errorf("row keys = %q, want %q after immature_registrations", keys, want)
		}
	})
	t.Run("cohort keys are the columns'", func(t *testing.T) {
		want := []string{"channel", "cohort", "dates"}
		for _, c := range cohortColumns {
			want = append(want, c.Key)
		}
		if got := objectKeys(t, json.NewDecoder(bytes.NewReader(doc.Cohorts[0]))); !slices.Equal(got, want) {
			t.Errorf("cohort keys = %q, want %q", got, want)
		}
		want = []string{"channel", "week", "dates"}
		for _, c := range trendColumns() {
			want = append(want, c.Key)
		}
		if got := objectKeys(t, json.NewDecoder(bytes.NewReader(doc.Trend[0]))); !slices.Equal(got, want) {
			t.Errorf("trend keys = %q, want %q", got, want)
		}
	})
}

func TestJSONMaturityValues(t *testing.T) {
	r := maturityReport(t)
	doc := maturityJSONDoc(t, r)
	row := func(name string) map[string]any {
		t.Helper()
		for _, c := range doc["channels"].([]any) {
			if m := c.(map[string]any); m["channel"] == name {
				return m
			}
		}
		t.Fatalf("no channel %q", name)
		return nil
	}
	t.Run("projection", func(t *testing.T) {
		search := row(chSearch)
		m := channel(t, r, chSearch)
		if got := search["projected_cost_per_customer"]; got != m.ProjectedCostPerCustomer.Format(2) {
			t.Errorf("projected_cost_per_customer = %v, want the decimal string %q", got, m.ProjectedCostPerCustomer.Format(2))
		}
		for _, k := range []string{"projected_cost_per_customer_low", "projected_cost_per_customer_high"} {
			if s, ok := search[k].(string); !ok || !strings.Contains(s, ".") {
				t.Errorf("%s = %v, want a decimal string", k, search[k])
			}
		}
		if got := search["projected_conversion_rate"].(json.Number).String(); !closeEnough(got, jsonNumber(m.ProjectedConversionRate.Value)) {
			t.Errorf("projected_conversion_rate = %s, want %v", got, m.ProjectedConversionRate.Value)
		}
		if search["projection_basis"] != "channel" || row(chSocial)["projection_basis"] != "all channels" || row(chFormula)["projection_basis"] != "observed" {
			t.Errorf("bases = %v, %v, %v", search["projection_basis"], row(chSocial)["projection_basis"], row(chFormula)["projection_basis"])
		}
		kanji := row(chKanji)
		for _, c := range projectionColumns {
			if v, ok := kanji[c.Key]; !ok || v != nil {
				t.Errorf("spend-only channel: %s = %v, want null", c.Key, v)
			}
		}
		total := doc["total"].(map[string]any)
		if total["projected_customers"] == nil || total["projection_basis"] == nil {
			t.Errorf("total has no projection: %v", total)
		}
	})
	t.Run("curves", func(t *testing.T) {
		if got := doc["curve_period"]; !equalJSON(got, map[string]any{"from": r.CurvePeriod.From.String(), "to": r.CurvePeriod.To.String()}) {
			t.Errorf("curve_period = %v", got)
		}
		curves := doc["curves"].([]any)
		if len(curves) != len(r.Curves) {
			t.Fatalf("%d curves, want %d", len(curves), len(r.Curves))
		}
		first := curves[0].(map[string]any)
		days := first["days"].([]any)
		if first["channel"] != r.Curves[0].Channel || len(days) != r.WindowDays+1 {
			t.Errorf("first curve %v with %d days", first["channel"], len(days))
		}
		d7 := days[7].(map[string]any)
		c := r.Curves[0]
		if d7["day"] != json.Number("7") || d7["at_risk"].(json.Number).String() != jsonInt(c.AtRisk[7]) ||
			!closeEnough(d7["f"].(json.Number).String(), jsonNumber(c.F[7])) || !closeEnough(d7["high"].(json.Number).String(), jsonNumber(c.High[7])) {
			t.Errorf("day 7 = %v, want at risk %d, F %v", d7, c.AtRisk[7], c.F[7])
		}
		if total := doc["curves_total"].(map[string]any); total["channel"] != totalLabel || total["complete"] != true {
			t.Errorf("curves_total = %v", total["channel"])
		}
		social := curves[1].(map[string]any)
		if social["channel"] != chSocial || social["complete"] != false {
			t.Errorf("an incomplete curve: %v complete %v", social["channel"], social["complete"])
		}
	})
	t.Run("cohorts: n/a is null, never 0", func(t *testing.T) {
		if doc["cohort_grain"] != "week" {
			t.Errorf("cohort_grain = %v", doc["cohort_grain"])
		}
		var nulls int
		for i, raw := range doc["cohorts"].([]any) {
			c, m := raw.(map[string]any), r.Cohorts[i]
			for j, n := range attribution.CohortDays() {
				key := "conversion_day_" + jsonInt(int64(n))
				v := m.ConversionByDay()[j]
				if !v.Valid {
					nulls++
					if c[key] != nil {
						t.Errorf("cohort %d %s = %v, want null", i, key, c[key])
					}
				}
			}
			if c["spend"] != m.Spend.Format(2) {
				t.Errorf("cohort %d spend = %v", i, c["spend"])
			}
		}
		if nulls == 0 {
			t.Error("no null day-N conversion in the fixture")
		}
		if n := len(doc["cohort_totals"].([]any)); n != len(r.CohortTotals) {
			t.Errorf("%d cohort totals", n)
		}
		if n := len(doc["trend_totals"].([]any)); n != len(r.TrendTotals) {
			t.Errorf("%d trend totals", n)
		}
	})
	t.Run("prospects and backtest", func(t *testing.T) {
		p := doc["prospects"].(map[string]any)
		top := p["top"].([]any)
		if p["horizon_days"] != json.Number("7") || p["scored"] != json.Number("2070") || len(top) != len(r.Prospects) {
			t.Fatalf("prospects = %v", p)
		}
		first, second, third := top[0].(map[string]any), top[1].(map[string]any), top[2].(map[string]any)
		if first["user_id"] != idFormula || first["rank"] != json.Number("1") || first["campaign"] != campPlus || first["basis"] != "campaign" {
			t.Errorf("first prospect = %v", first)
		}
		if second["registered_at"] != "2026-03-29T03:30:00+02:00" {
			t.Errorf("registered_at = %v, want RFC 3339 in the report's time zone", second["registered_at"])
		}
		if third["campaign"] != nil {
			t.Errorf("no campaign is %v, want null", third["campaign"])
		}
		bt := doc["backtest"].(map[string]any)
		if bt["scored_at"] != "2026-04-02T22:00:00Z" || bt["horizon_days"] != json.Number("7") || len(bt["deciles"].([]any)) != 10 {
			t.Errorf("backtest = %v", bt)
		}
		if !closeEnough(bt["top_decile_lift"].(json.Number).String(), jsonNumber(r.Backtest.TopDecileLift.Value)) {
			t.Errorf("top_decile_lift = %v", bt["top_decile_lift"])
		}
	})
	t.Run("a report without them", func(t *testing.T) {
		doc := maturityJSONDoc(t, sampleReport(t))
		for key, want := range map[string]any{"curve_period": nil, "curves": []any{}, "curves_total": nil, "cohort_grain": nil,
			"cohorts": []any{}, "cohort_totals": []any{}, "trend": []any{}, "trend_totals": []any{}, "prospects": nil, "backtest": nil} {
			if got, ok := doc[key]; !ok || !equalJSON(got, want) {
				t.Errorf("%s = %v, want %v", key, got, want)
			}
		}
		for _, c := range projectionColumns {
			if v, ok := doc["total"].(map[string]any)[c.Key]; !ok || v != nil {
				t.Errorf("total %s = %v, want null", c.Key, v)
			}
		}
	})
}

func jsonNumber(f float64) string {
	b, _ := json.Marshal(f)
	return string(b)
}

func jsonInt(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// TestWriteJSONMaturityGolden pins the JSON of a report with curves,
// cohorts, trend, prospects and a backtest.
func TestWriteJSONMaturityGolden(t *testing.T) {
	golden(t, "report_maturity.golden.json", render(t, writeJSON, maturityReport(t)))
}
