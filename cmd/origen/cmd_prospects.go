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
	"github.com/origen-analytics/origen/queries"
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
	fs.IntVar(&o.Horizon, "horizon", DefaultHorizonDays, "score a first purchase in the next `DAYS` days")
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
	paths, err := e.runProspects(ctx, cfg, asOf, o, e.logger())
	if err != nil {
		return err
	}
	for _, p := range paths {
		fmt.Fprintln(e.stdout, p)
	}
	return nil
}

// runProspects scores every prospect at asOf and backtests the scores at
// asOf − horizon, in one snapshot, and writes both files atomically.
func (e env) runProspects(ctx context.Context, cfg *config, asOf time.Time, o prospectsOptions, log *slog.Logger) ([]string, error) {
	started := time.Now()
	db, err := openDB(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	tx, err := queries.BeginSnapshot(ctx, db, cfg.Dialect, cfg.Timezone, cfg.StatementTimeout)
	if err != nil {
		return nil, dbErr(ctx, cfg, err)
	}
	defer tx.Rollback()
	reader := queries.Reader{Dialect: cfg.Dialect, Mapping: cfg.Mapping}
	if _, err := reader.Check(ctx, tx); err != nil {
		return nil, dbErr(ctx, cfg, err)
	}
	topN := int64(o.Top)
	if topN == 0 {
		topN = DefaultBacktestTopN
	}
	var (
		ranked []attribution.Prospect
		scored int64
		model  *attribution.EventModel
	)
	if cfg.Mapping.Events != nil {
		ranked, scored, model, err = scoreProspectsWithEvents(ctx, tx, reader, cfg, asOf, o.Horizon, o.Top, topN)
	} else {
		ranked, scored, err = scoreProspects(ctx, tx, reader, cfg, asOf, o.Horizon, o.Top)
	}
	if err != nil {
		return nil, dbErr(ctx, cfg, err)
	}
	bt, err := backtestProspects(ctx, tx, reader, cfg, asOf, o.Horizon, topN)
	if err != nil {
		return nil, dbErr(ctx, cfg, err)
	}
	paths := []string{filepath.Join(o.Out, ProspectsFile), filepath.Join(o.Out, BacktestFile)}
	err = writeAtomically(ctx, []output{
		{paths[0], func(w io.Writer) error { return reports.WriteProspectsCSV(w, ranked, cfg.Location) }},
		{paths[1], func(w io.Writer) error { return reports.WriteBacktestCSV(w, bt, model) }},
	})
	if err != nil {
		return nil, err
	}
	log.Info("prospects written", "as_of", asOf.Format(time.RFC3339), "horizon_days", o.Horizon,
		"prospects", scored, "written", len(ranked), "duration", time.Since(started).Round(time.Millisecond))
	log.Info("backtest", "scored_at", bt.AsOf.Format(time.RFC3339), "prospects", bt.Users, "converted", bt.Converted,
		"base_rate", ratioText(bt.BaseRate), fmt.Sprintf("precision_top_%d", bt.TopN), ratioText(bt.PrecisionAtN),
		"top_decile_lift", ratioText(bt.TopDecileLift), "calibration_error", ratioText(bt.CalibrationError))
	if model != nil && model.Backtest != nil {
		log.Info("event model backtest", "trained_at", model.TrainedOn[0].Format(time.RFC3339), "users", model.Users,
			"top_decile_lift", ratioText(model.Backtest.TopDecileLift), "calibration_error", ratioText(model.Backtest.CalibrationError))
	}
	return paths, nil
}

// scoreProspects reads the prospect curves at asOf and streams every open
// registration through the scorer into a ranking of the best top (all when
// top <= 0). It returns the ranking and how many prospects were scored.
func scoreProspects(ctx context.Context, tx queries.DBTX, reader queries.Reader, cfg *config, asOf time.Time, horizon, top int) ([]attribution.Prospect, int64, error) {
	w := cfg.WindowDays
	rows, _, err := reader.ReadCurves(ctx, tx, queries.ProspectCurveParams(asOf, time.Time{}, w, cfg.StatementTimeout))
	if err != nil {
		return nil, 0, err
	}
	set, err := attribution.BuildCurves(rows, w)
	if err != nil {
		return nil, 0, err
	}
	scorer := attribution.NewScorer(set, horizon)
	ranking := attribution.NewRanking(top)
	_, err = reader.ReadProspects(ctx, tx, asOf, w, cfg.StatementTimeout, func(r queries.OpenRegistration) error {
		ch := attribution.NormalizeChannel(r.Channel, r.ChannelValid)
		camp := attribution.NormalizeCampaign(r.Campaign, r.CampaignValid)
		// Whole days in microseconds, exactly as the curves query ages them.
		age := int((asOf.UnixMicro() - r.RegisteredAt.UnixMicro()) / (24 * 3600 * 1000000))
		p, basis := scorer.Score(ch, camp, age)
		ranking.Add(attribution.Prospect{UserID: r.UserID, Channel: ch, Campaign: camp, RegisteredAt: r.RegisteredAt,
			AgeDays: age, Probability: p, Basis: basis})
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return ranking.Result(), ranking.Seen(), nil
}

// backtestProspects scores the prospects of asOf − horizon with the curves
// of that instant and measures what they did up to asOf (all of it inside
// the snapshot; nothing after asOf is read).
func backtestProspects(ctx context.Context, tx queries.DBTX, reader queries.Reader, cfg *config, asOf time.Time, horizon int, topN int64) (attribution.Backtest, error) {
	w := cfg.WindowDays
	scoredAt := asOf.Add(-time.Duration(horizon) * 24 * time.Hour)
	cp := queries.ProspectCurveParams(scoredAt, asOf, w, cfg.StatementTimeout)
	rows, _, err := reader.ReadCurves(ctx, tx, cp)
	if err != nil {
		return attribution.Backtest{}, err
	}
	set, err := attribution.BuildCurves(rows, w)
	if err != nil {
		return attribution.Backtest{}, err
	}
	bt := attribution.EvaluateBacktest(attribution.BacktestGroups(set, attribution.NewScorer(set, horizon)), topN)
	bt.AsOf, bt.OutcomeEnd, bt.HorizonDays = scoredAt, asOf, horizon
	bt.CurvePopulation = [2]time.Time{cp.PopulationStart, cp.PopulationEnd}
	return bt, nil
}

// ratioText formats a ratio with 6 decimals, "" when undefined.
func ratioText(r attribution.Ratio) string {
	if !r.Valid {
		return ""
	}
	return strconv.FormatFloat(r.Value, 'f', 6, 64)
}
