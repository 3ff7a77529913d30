package main

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/fixtures"
)

// addDemoEvents writes an events table (user_id, at, name) into the demo
// database: every user is active at a low background rate from registering
// on, and a user who is about to make a first purchase is much more active
// in the few days before it; some users who never buy have a burst too.
// Events run past the as-of time, which the model must ignore.
func addDemoEvents(t *testing.T, path string) int {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`
		SELECT r.user_id, MIN(r.registered_at),
		       (SELECT MIN(p.purchased_at) FROM purchases p WHERE p.user_id = r.user_id AND p.amount > 0)
		FROM registrations r WHERE r.user_id IS NOT NULL AND r.registered_at IS NOT NULL
		GROUP BY r.user_id ORDER BY r.user_id`)
	if err != nil {
		t.Fatal(err)
	}
	type user struct {
		id       int64
		reg, pur time.Time
	}
	var users []user
	for rows.Next() {
		var (
			u   user
			reg string
			pur sql.NullString
		)
		if err := rows.Scan(&u.id, &reg, &pur); err != nil {
			t.Fatal(err)
		}
		if u.reg, err = time.Parse(fixtures.TimestampLayout, reg); err != nil {
			t.Fatal(err)
		}
		if pur.Valid {
			if u.pur, err = time.Parse(fixtures.TimestampLayout, pur.String); err != nil {
				t.Fatal(err)
			}
		}
		users = append(users, u)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`CREATE TABLE events (user_id INTEGER, at TEXT, name TEXT)`); err != nil {
		t.Fatal(err)
	}
	ins, err := tx.Prepare(`INSERT INTO events VALUES (?, ?, ?)`)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(4, 4))
	end := fixtures.DemoAsOf.Add(10 * 24 * time.Hour)
	names := []string{"visit", "login", "cart_add"}
	n := 0
	emit := func(id int64, from, to time.Time, perDay float64) {
		for at := from; ; {
			at = at.Add(time.Duration(rng.ExpFloat64() / perDay * float64(24*time.Hour)))
			if !at.Before(to) || !at.Before(end) {
				return
			}
			if _, err := ins.Exec(id, at.UTC().Format(fixtures.TimestampLayout), names[rng.IntN(len(names))]); err != nil {
				t.Fatal(err)
			}
			n++
		}
	}
	for _, u := range users {
		if u.reg.Before(fixtures.DemoAsOf.Add(-120 * 24 * time.Hour)) {
			continue
		}
		emit(u.id, u.reg, end, 0.1)
		if !u.pur.IsZero() && u.pur.After(u.reg) {
			emit(u.id, maxTime(u.reg, u.pur.Add(-5*24*time.Hour)), u.pur, 1.2)
		} else if rng.IntN(10) == 0 {
			start := u.reg.Add(time.Duration(rng.Float64() * float64(30*24*time.Hour)))
			emit(u.id, start, start.Add(4*24*time.Hour), 1.2)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return n
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// With [events] mapped, the event model's out-of-time backtest beats the
// survival score alone on data where activity precedes a first purchase,
// the activity coefficient is positive, every prospect is still scored, and
// origen prospects states the model.
func TestProspectsEventModel(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the demo database")
	}
	demo := runDemo(t)
	n := addDemoEvents(t, filepath.Join(demo, "demo.sqlite"))
	path := filepath.Join(demo, "origen.toml")
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text = append(text, "\n[events]\ntable = \"events\"\noccurred_at = \"at\"\n"...)
	if err := os.WriteFile(path, text, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(path, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Mapping.Events == nil || !strings.Contains(cfg.Text, "[events]") {
		t.Fatalf("events mapping %+v not read", cfg.Mapping.Events)
	}
	ctx := context.Background()
	db, err := openDB(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	snap, err := openSnapshot(ctx, db, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	if checks := snap.Checks; len(checks) != 5 || checks[3].Section != "events" || checks[4].Section != "touchpoints" {
		t.Fatalf("check: %+v", checks)
	}
	asOf, h := fixtures.DemoAsOf, 7
	req := attribution.ProspectsRequest{AsOf: asOf, WindowDays: cfg.WindowDays, HorizonDays: h, BacktestTopN: 100}
	res, err := attribution.ScoreProspects(ctx, snap, req)
	if err != nil {
		t.Fatal(err)
	}
	ranked, scored, model, bt := res.Ranked, res.Scored, res.Model, res.Backtest
	// The survival scores alone: the same data without [events].
	survivalCfg := *cfg
	survivalCfg.Mapping.Events = nil
	survivalSnap, err := openSnapshot(ctx, db, &survivalCfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer survivalSnap.Close()
	survival, err := attribution.ScoreProspects(ctx, survivalSnap, req)
	if err != nil {
		t.Fatal(err)
	}
	if survival.Model != nil || scored != survival.Scored || int64(len(ranked)) != scored {
		t.Errorf("event model scored %d prospects (%d listed), survival %d", scored, len(ranked), survival.Scored)
	}
	if survival.Backtest.TopDecileLift != bt.TopDecileLift || survival.Backtest.Users != bt.Users {
		t.Errorf("the survival backtest differs with [events]: %+v, %+v", survival.Backtest, bt)
	}
	eb := model.Backtest
	for _, c := range model.Coefficients {
		t.Logf("coefficient %-42s %+.4f", c.Name, c.Value)
	}
	t.Logf("%d events; model fitted on %d prospects (%d converted) in %d steps", n, model.Users, model.Converted, model.Iterations)
	t.Logf("survival backtest: lift %.2f, precision@100 %.3f, calibration error %.4f", bt.TopDecileLift.Value, bt.PrecisionAtN.Value, bt.CalibrationError.Value)
	t.Logf("event backtest:    lift %.2f, precision@100 %.3f, calibration error %.4f", eb.TopDecileLift.Value, eb.PrecisionAtN.Value, eb.CalibrationError.Value)
	if len(model.Coefficients) != 5 || model.Coefficients[1].Value <= 0 {
		t.Errorf("coefficients %+v: want 5, recent activity positive", model.Coefficients)
	}
	if !model.TrainedOn[0].Equal(asOf.Add(-7*24*time.Hour)) || !model.TrainedOn[1].Equal(asOf) {
		t.Errorf("trained on %v", model.TrainedOn)
	}
	if eb.Users != bt.Users || eb.Converted != bt.Converted {
		t.Errorf("backtest populations differ: event %d/%d, survival %d/%d", eb.Converted, eb.Users, bt.Converted, bt.Users)
	}
	if !eb.TopDecileLift.Valid || eb.TopDecileLift.Value <= bt.TopDecileLift.Value*1.2 {
		t.Errorf("event-model lift %v is not above survival-only lift %v", eb.TopDecileLift, bt.TopDecileLift)
	}
	if eb.CalibrationError.Value > 0.03 {
		t.Errorf("event-model calibration error %v", eb.CalibrationError)
	}

	out := t.TempDir()
	stdout, stderr, code := runCLI(t, nil, "prospects", "--config", path, "--as-of", asOf.Format(time.RFC3339), "--out", out)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	got := map[string]string{}
	for _, r := range readCSV(t, filepath.Join(out, BacktestFile))[1:] {
		got[r[0]] = r[1]
	}
	if got["event_model_coefficient: intercept"] == "" || got["event_model_top_decile_lift"] == "" {
		t.Errorf("backtest file without the event model: %v", got)
	}

	// The report scores its Prospects sheet with the same model.
	rep, err := attribution.BuildReport(ctx, snap, attribution.ReportRequest{Period: fixtures.DemoPeriod(), AsOf: asOf,
		Location: cfg.Location, Timezone: cfg.Timezone, WindowDays: cfg.WindowDays, TopProspects: 20})
	if err != nil {
		t.Fatal(err)
	}
	if rep.EventModel == nil || rep.EventModel.Coefficients[1] != model.Coefficients[1] || len(rep.Prospects) != 20 ||
		rep.Prospects[0] != ranked[0] || rep.Backtest == nil {
		t.Errorf("report: event model %+v, prospects %d", rep.EventModel, len(rep.Prospects))
	}
}
