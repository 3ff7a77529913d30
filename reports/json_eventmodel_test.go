package reports

import (
	"strings"
	"testing"
	"time"

	"github.com/origen-analytics/origen/attribution"
)

// With an event model, JSON event_model lists its coefficients in order and
// its backtest, and the About sheet's text states them.
func TestEventModelOutputs(t *testing.T) {
	r := maturityReport(t)
	at := r.AsOf.Add(-7 * 24 * time.Hour)
	bt := attribution.EvaluateBacktest([]attribution.ScoredGroup{{Score: 0.5, Users: 10, Converted: 6}, {Score: 0.1, Users: 90, Converted: 4}}, 10)
	bt.AsOf, bt.OutcomeEnd, bt.HorizonDays = at, r.AsOf, 7
	m := &attribution.EventModel{TrainedOn: [2]time.Time{at.Add(-7 * 24 * time.Hour), at}, Users: 100, Converted: 10, Backtest: &bt}
	for i, n := range attribution.EventFeatureNames {
		m.Coefficients = append(m.Coefficients, attribution.Coefficient{Name: n, Value: float64(i) - 0.5})
	}
	r.EventModel = m
	doc := maturityJSONDoc(t, r)
	em, ok := doc["event_model"].(map[string]any)
	if !ok {
		t.Fatalf("event_model = %v", doc["event_model"])
	}
	cs := em["coefficients"].([]any)
	if len(cs) != 5 || cs[0].(map[string]any)["name"] != "intercept" || em["backtest"] == nil || em["users"] == nil {
		t.Errorf("event_model = %v", em)
	}
	text := eventModelText(*m)
	for _, want := range []string{"intercept = -0.5", "logit(survival score) = 3.5", "100 prospects (10 converted)", "top-decile lift"} {
		if !strings.Contains(text, want) {
			t.Errorf("About text %q lacks %q", text, want)
		}
	}
}
