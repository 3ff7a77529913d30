package reports

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/origen-analytics/origen/attribution"
)

// prospectsCSVHeader is the header of the file WriteProspectsCSV writes
// (docs/METRICS-COHORTS.md, "Prospects").
var prospectsCSVHeader = []string{"user_id", "channel", "campaign", "registered_at", "age_days", "probability"}

// WriteProspectsCSV writes ranked prospects, best first as given, under the
// header user_id,channel,campaign,registered_at,age_days,probability, for a
// CRM or e-mail tool: registered_at in RFC 3339
// in loc (the report's time zone), the probability with 6 decimals, and
// the user id, channel and campaign through CSVSafe.
func WriteProspectsCSV(w io.Writer, ps []attribution.Prospect, loc *time.Location) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(prospectsCSVHeader); err != nil {
		return fmt.Errorf("write prospects CSV: %w", err)
	}
	for _, p := range ps {
		if err := cw.Write([]string{CSVSafe(p.UserID), CSVSafe(p.Channel), CSVSafe(p.Campaign),
			p.RegisteredAt.In(loc).Format(time.RFC3339), strconv.Itoa(p.AgeDays),
			strconv.FormatFloat(p.Probability, 'f', 6, 64)}); err != nil {
			return fmt.Errorf("write prospects CSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write prospects CSV: %w", err)
	}
	return nil
}

// WriteBacktestCSV writes a prospects backtest as metric,value rows (ratios
// with 6 decimals, empty when undefined); with an event model m, its
// coefficients and out-of-time backtest follow as event_model_* rows.
func WriteBacktestCSV(w io.Writer, b attribution.Backtest, m *attribution.EventModel) error {
	ratio := func(r attribution.Ratio) string {
		if !r.Valid {
			return ""
		}
		return strconv.FormatFloat(r.Value, 'f', 6, 64)
	}
	rows := [][]string{
		{"metric", "value"},
		{"scored_at", b.AsOf.Format(time.RFC3339)},
		{"outcome_end", b.OutcomeEnd.Format(time.RFC3339)},
		{"horizon_days", strconv.Itoa(b.HorizonDays)},
		{"prospects", strconv.FormatInt(b.Users, 10)},
		{"converted", strconv.FormatInt(b.Converted, 10)},
		{"base_rate", ratio(b.BaseRate)},
		{"top_n", strconv.FormatInt(b.TopN, 10)},
		{"precision_at_top_n", ratio(b.PrecisionAtN)},
		{"top_decile_rate", ratio(b.TopDecileRate)},
		{"top_decile_lift", ratio(b.TopDecileLift)},
		{"calibration_error", ratio(b.CalibrationError)},
		{"max_calibration_gap", ratio(b.MaxCalibrationGap)},
	}
	for _, d := range b.Deciles {
		p := fmt.Sprintf("decile_%d_", d.Decile)
		rows = append(rows,
			[]string{p + "users", strconv.FormatFloat(d.Users, 'f', 1, 64)},
			[]string{p + "mean_score", strconv.FormatFloat(d.MeanScore, 'f', 6, 64)},
			[]string{p + "observed_rate", strconv.FormatFloat(d.ObservedRate, 'f', 6, 64)})
	}
	if m != nil {
		rows = append(rows,
			[]string{"event_model_trained_at", m.TrainedOn[0].Format(time.RFC3339)},
			[]string{"event_model_users", strconv.FormatInt(m.Users, 10)})
		for _, c := range m.Coefficients {
			rows = append(rows, []string{"event_model_coefficient: " + c.Name, strconv.FormatFloat(c.Value, 'g', 8, 64)})
		}
		if eb := m.Backtest; eb != nil {
			rows = append(rows,
				[]string{"event_model_base_rate", ratio(eb.BaseRate)},
				[]string{"event_model_precision_at_top_n", ratio(eb.PrecisionAtN)},
				[]string{"event_model_top_decile_lift", ratio(eb.TopDecileLift)},
				[]string{"event_model_calibration_error", ratio(eb.CalibrationError)})
		}
	}
	cw := csv.NewWriter(w)
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("write backtest CSV: %w", err)
	}
	return nil
}
