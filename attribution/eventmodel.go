package attribution

import (
	"fmt"
	"math"
	"time"
)

// EventRecentDays is the recency window of the events feature "events in
// the last days before as_of" (docs/METRICS-COHORTS.md, "Event model").
const EventRecentDays = 7

// EventModelRidge is the L2 penalty of the event model's logistic
// regression (not applied to the intercept): small next to the thousands
// of prospects it is fitted on, it keeps the fit finite when a feature
// separates converters perfectly.
const EventModelRidge = 1.0

// EventFeatureNames are the names of the event model's coefficients, in
// the order of EventFeatures (the intercept first).
var EventFeatureNames = []string{
	"intercept",
	"log(1 + events in the last 7 days)",
	"days since the last event (capped at W)",
	"log(1 + events since registering)",
	"logit(survival score)",
}

// Coefficient is one fitted coefficient of the event model.
type Coefficient struct {
	Name  string
	Value float64
}

// EventModel is the logistic model that scores prospects from their
// activity and their survival score when an [events] mapping is present
// (docs/METRICS-COHORTS.md, "Event model").
type EventModel struct {
	// Coefficients in the order of EventFeatureNames.
	Coefficients []Coefficient
	// TrainedOn is the instant the training prospects were scored at and
	// the end of their outcome: a first purchase in (TrainedOn[0],
	// TrainedOn[1]] is a conversion.
	TrainedOn [2]time.Time
	// Users is how many prospects the model was fitted on, Converted how
	// many of them converted; Iterations the Newton steps to convergence.
	Users      int64
	Converted  int64
	Iterations int
	WindowDays int
	// Backtest is the model's out-of-time backtest: fitted one horizon
	// earlier still, applied to the prospects of the survival backtest.
	// Nil when not computed.
	Backtest *Backtest
}

// EventActivity is what the events query returns for one prospect at an
// instant: events in the recency window, events since registering and the
// last event (zero when none).
type EventActivity struct {
	Recent int64
	Total  int64
	Last   time.Time
}

// EventFeatures returns the model inputs of a prospect at asOf with the
// given activity and survival score: 1, log(1+recent), days since the last
// event capped at windowDays (windowDays without events), log(1+total),
// logit(score) with the score clamped to [1e-6, 1−1e-6].
func EventFeatures(a EventActivity, score float64, asOf time.Time, windowDays int) []float64 {
	days := float64(windowDays)
	if !a.Last.IsZero() {
		days = math.Max(0, math.Min(days, asOf.Sub(a.Last).Hours()/24))
	}
	p := math.Min(math.Max(score, 1e-6), 1-1e-6)
	return []float64{1, math.Log1p(float64(a.Recent)), days, math.Log1p(float64(a.Total)), math.Log(p / (1 - p))}
}

// Predict returns the model's probability for features x (EventFeatures).
func (m *EventModel) Predict(x []float64) float64 {
	var z float64
	for i, c := range m.Coefficients {
		z += c.Value * x[i]
	}
	return sigmoid(z)
}

func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// FitLogistic fits P(y=1|x) = σ(β·x) by Newton–Raphson (IRLS) with an L2
// penalty ridge·|β|² / 2 on every coefficient but the first (the
// intercept, x[0] = 1). It starts from β = 0, so it is deterministic, and
// stops when no coefficient moves by more than 1e-9 (relative to its
// size). y holds 0 or 1. It returns the coefficients and the number of
// steps.
func FitLogistic(x [][]float64, y []float64, ridge float64) ([]float64, int, error) {
	if len(x) == 0 || len(x) != len(y) {
		return nil, 0, fmt.Errorf("logistic fit: %d rows and %d outcomes", len(x), len(y))
	}
	k := len(x[0])
	beta := make([]float64, k)
	const maxIter = 100
	for it := 1; it <= maxIter; it++ {
		grad := make([]float64, k)
		hess := make([][]float64, k)
		for i := range hess {
			hess[i] = make([]float64, k)
		}
		for r, row := range x {
			if len(row) != k {
				return nil, 0, fmt.Errorf("logistic fit: row %d has %d features, want %d", r, len(row), k)
			}
			var z float64
			for i, v := range row {
				z += beta[i] * v
			}
			p := sigmoid(z)
			w := p * (1 - p)
			for i, vi := range row {
				grad[i] += (y[r] - p) * vi
				for j := 0; j <= i; j++ {
					hess[i][j] += w * vi * row[j]
				}
			}
		}
		for i := 0; i < k; i++ {
			for j := 0; j < i; j++ {
				hess[j][i] = hess[i][j]
			}
			if i > 0 {
				grad[i] -= ridge * beta[i]
				hess[i][i] += ridge
			}
		}
		step, err := solve(hess, grad)
		if err != nil {
			return nil, it, fmt.Errorf("logistic fit: %w", err)
		}
		moved := 0.0
		for i := range beta {
			beta[i] += step[i]
			moved = math.Max(moved, math.Abs(step[i])/math.Max(1, math.Abs(beta[i])))
		}
		if moved < 1e-9 {
			return beta, it, nil
		}
	}
	return nil, maxIter, fmt.Errorf("logistic fit: no convergence in %d steps", maxIter)
}

// solve solves a·x = b by Gaussian elimination with partial pivoting (a
// and b are overwritten).
func solve(a [][]float64, b []float64) ([]float64, error) {
	n := len(b)
	for c := 0; c < n; c++ {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		if math.Abs(a[p][c]) < 1e-300 {
			return nil, fmt.Errorf("singular system (feature %d is constant or collinear)", c)
		}
		a[c], a[p] = a[p], a[c]
		b[c], b[p] = b[p], b[c]
		for r := c + 1; r < n; r++ {
			f := a[r][c] / a[c][c]
			for j := c; j < n; j++ {
				a[r][j] -= f * a[c][j]
			}
			b[r] -= f * b[c]
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		s := b[r]
		for j := r + 1; j < n; j++ {
			s -= a[r][j] * x[j]
		}
		x[r] = s / a[r][r]
	}
	return x, nil
}

// NewEventModel fits the event model on training rows (EventFeatures) and
// their outcomes (1 = converted).
func NewEventModel(x [][]float64, y []float64, windowDays int) (*EventModel, error) {
	beta, it, err := FitLogistic(x, y, EventModelRidge)
	if err != nil {
		return nil, err
	}
	m := &EventModel{Users: int64(len(y)), Iterations: it, WindowDays: windowDays}
	for _, v := range y {
		if v > 0 {
			m.Converted++
		}
	}
	for i, b := range beta {
		m.Coefficients = append(m.Coefficients, Coefficient{Name: EventFeatureNames[i], Value: b})
	}
	return m, nil
}
