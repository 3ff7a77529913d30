package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"time"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/reports"
)

// prospectsOptions are the flags of origen prospects.
type prospectsOptions struct {
	Config  string
	AsOf    string
	Horizon int
	Top     int
	Out     string
}

// ProspectsFile and BacktestFile are the names origen prospects writes in
// its output directory.
const (
	ProspectsFile = "prospects.csv"
	BacktestFile  = "prospects_backtest.csv"
)

// DefaultBacktestTopN is the cut of the backtest's precision when --top is
// not given.
const DefaultBacktestTopN = 100

func (e env) cmdProspects(ctx context.Context, args []string) error {
	var o prospectsOptions
	fs := e.newFlags("prospects")
	fs.StringVar(&o.Config, "config", "", "configuration `FILE` (TOML)")
	fs.StringVar(&o.AsOf, "as-of", "", "data cutoff, RFC 3339 (default now)")
	fs.IntVar(&o.Horizon, "horizon", attribution.DefaultHorizonDays, "score a first purchase in the next `DAYS` days")
	fs.IntVar(&o.Top, "top", 0, "write only the best `N` prospects (default: all)")
	fs.StringVar(&o.Out, "out", ".", "output `DIR` for "+ProspectsFile+" and "+BacktestFile)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := requireFlags("prospects", map[string]string{"config": o.Config}); err != nil {
		return err
	}
	if o.Top < 0 {
		return usageErr("--top %d: use a positive number, or leave it out for every prospect", o.Top)
	}
	if o.Horizon < 1 {
		return usageErr("--horizon %d: use at least 1 day", o.Horizon)
	}
	cfg, err := loadConfig(o.Config, e.getenv)
	if err != nil {
		return err
	}
	if o.Horizon > cfg.WindowDays {
		return usageErr("--horizon %d: use 1 to %d days (the conversion window)", o.Horizon, cfg.WindowDays)
	}
	asOf, err := parseAsOf(o.AsOf, e.now)
	if err != nil {
		return err
	}
	paths, err := e.runProspects(ctx, cfg, asOf, o, e.loggerFor(cfg))
	if err != nil {
		return err
	}
	for _, p := range paths {
		fmt.Fprintln(e.stdout, p)
	}
	return nil
}

// runProspects scores every prospect at asOf and backtests the scores at
// asOf − horizon, in one snapshot (attribution.ScoreProspects, the path a
// report's prospect list takes too), and writes both files atomically.
func (e env) runProspects(ctx context.Context, cfg *config, asOf time.Time, o prospectsOptions, log *slog.Logger) ([]string, error) {
	started := time.Now()
	if err := checkOutDir(o.Out); err != nil {
		return nil, err
	}
	snap, closeSnap, err := openDBSnapshot(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	defer closeSnap()
	topN := int64(o.Top)
	if topN == 0 {
		topN = DefaultBacktestTopN
	}
	res, err := attribution.ScoreProspects(ctx, snap, attribution.ProspectsRequest{AsOf: asOf, WindowDays: cfg.WindowDays,
		HorizonDays: o.Horizon, Top: o.Top, BacktestTopN: topN, Channels: cfg.Channels})
	if err != nil {
		return nil, dbErr(ctx, cfg, err)
	}
	ranked, scored, model, bt := res.Ranked, res.Scored, res.Model, res.Backtest
	paths := []string{filepath.Join(o.Out, ProspectsFile), filepath.Join(o.Out, BacktestFile)}
	err = writeAtomically(ctx, []output{
		{paths[0], func(w io.Writer) error { return reports.WriteProspectsCSV(w, ranked, cfg.Location) }},
		{paths[1], func(w io.Writer) error { return reports.WriteBacktestCSV(w, bt, model) }},
	})
	if err != nil {
		return nil, err
	}
	log.Info("prospects written", "as_of", asOf.Format(time.RFC3339), "horizon_days", o.Horizon,
		"prospects", scored, "written", len(ranked), "statements", len(snap.Statements()), "duration", time.Since(started).Round(time.Millisecond))
	log.Info("backtest", "scored_at", bt.AsOf.Format(time.RFC3339), "prospects", bt.Users, "converted", bt.Converted,
		"base_rate", ratioText(bt.BaseRate), fmt.Sprintf("precision_top_%d", bt.TopN), ratioText(bt.PrecisionAtN),
		"top_decile_lift", ratioText(bt.TopDecileLift), "calibration_error", ratioText(bt.CalibrationError))
	if model != nil && model.Backtest != nil {
		log.Info("event model backtest", "trained_at", model.TrainedOn[0].Format(time.RFC3339), "users", model.Users,
			"top_decile_lift", ratioText(model.Backtest.TopDecileLift), "calibration_error", ratioText(model.Backtest.CalibrationError))
	}
	return paths, nil
}

// ratioText formats a ratio with 6 decimals, "" when undefined.
func ratioText(r attribution.Ratio) string {
	if !r.Valid {
		return ""
	}
	return strconv.FormatFloat(r.Value, 'f', 6, 64)
}
