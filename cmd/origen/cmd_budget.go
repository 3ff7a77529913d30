package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/reports"
)

// budgetOptions are the flags of origen budget.
type budgetOptions struct {
	Config string
	AsOf   string
	Out    string
}

// BudgetFile is the name origen budget writes in its output directory.
const BudgetFile = "budget.csv"

func (e env) cmdBudget(ctx context.Context, args []string) error {
	var o budgetOptions
	fs := e.newFlags("budget")
	fs.StringVar(&o.Config, "config", "", "configuration `FILE` (TOML)")
	fs.StringVar(&o.AsOf, "as-of", "", "data cutoff, RFC 3339 (default now); the lookback ends with the last week it reaches")
	fs.StringVar(&o.Out, "out", ".", "output `DIR` for "+BudgetFile)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := requireFlags("budget", map[string]string{"config": o.Config}); err != nil {
		return err
	}
	cfg, err := loadConfig(o.Config, e.getenv)
	if err != nil {
		return err
	}
	asOf, err := parseAsOf(o.AsOf, e.now)
	if err != nil {
		return err
	}
	rep, path, err := e.runBudget(ctx, cfg, asOf, o.Out, e.loggerFor(cfg))
	if err != nil {
		return err
	}
	printBudget(e.stdout, rep)
	fmt.Fprintln(e.stdout, path)
	return nil
}

// budgetPeriod is the period origen budget reads at asOf: the lookback's
// whole ISO weeks up to the last one as-of reaches
// (attribution.BudgetLookback), with as-of's date.
func budgetPeriod(asOf time.Time, loc *time.Location, weeks int) attribution.Period {
	next := attribution.DateOf(asOf.In(loc)).AddDays(1)
	lb := attribution.BudgetLookback(attribution.Period{From: next, To: next}, asOf, loc, weeks)
	return attribution.Period{From: lb.From, To: next}
}

// runBudget builds the budget plan at asOf through the report's pipeline
// (the same snapshot, spend and curves as a report on the lookback) and
// writes budget.csv atomically.
func (e env) runBudget(ctx context.Context, cfg *config, asOf time.Time, out string, log *slog.Logger) (attribution.Report, string, error) {
	started := time.Now()
	if err := checkOutDir(out); err != nil {
		return attribution.Report{}, "", err
	}
	spendFile, err := loadSpendFile(cfg)
	if err != nil {
		return attribution.Report{}, "", err
	}
	snap, closeSnap, err := openDBSnapshot(ctx, cfg, log)
	if err != nil {
		return attribution.Report{}, "", err
	}
	defer closeSnap()
	budget := budgetRequest(cfg)
	period := budgetPeriod(asOf, cfg.Location, budget.LookbackWeeks)
	rep, err := attribution.BuildReport(ctx, snap, attribution.ReportRequest{
		Period: period, AsOf: asOf, Location: cfg.Location, Timezone: cfg.Timezone, Currency: cfg.Currency,
		WindowDays: cfg.WindowDays, SpendFile: spendFile, Comparison: attribution.CompareNone, TopProspects: -1,
		Channels: cfg.Channels, Budget: budget, Version: version(), GeneratedAt: e.now(), Log: log,
	})
	if err != nil {
		return attribution.Report{}, "", dbErr(ctx, cfg, err)
	}
	path := filepath.Join(out, BudgetFile)
	if err := writeAtomically(ctx, []output{{path, func(w io.Writer) error { return reports.WriteBudgetCSV(w, rep) }}}); err != nil {
		return attribution.Report{}, "", err
	}
	p := rep.Budget.Plan
	log.Info("budget written", "lookback", rep.Budget.Weeks.String(), "as_of", asOf.Format(time.RFC3339),
		"paid_channels", len(p.Channels), "moves", len(rep.Budget.Moves), "statements", len(snap.Statements()),
		"duration", time.Since(started).Round(time.Millisecond))
	return rep, path, nil
}

// printBudget writes the plan for a person: its summary, the moves and
// each channel's recommendation, and the caveat.
func printBudget(w io.Writer, rep attribution.Report) {
	b := rep.Budget
	fmt.Fprintln(w, reports.BudgetSummary(rep))
	moves := reports.BudgetMoveSentences(rep)
	if len(moves) == 0 {
		fmt.Fprintln(w, "No move suggested.")
	}
	for _, m := range moves {
		fmt.Fprintln(w, "  "+m)
	}
	for _, c := range b.Plan.Channels {
		fmt.Fprintf(w, "  %s: %s (%s)\n", c.Channel, c.Recommendation, c.Reason)
	}
	fmt.Fprintln(w, attribution.BudgetAssociationCaveat)
}
