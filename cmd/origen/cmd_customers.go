package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/reports"
)

// customersOptions are the flags of origen customers.
type customersOptions struct {
	Config string
	AsOf   string
	Top    int
	Out    string
}

// CustomersFile and CustomersBacktestFile are the names origen customers
// writes in its output directory.
const (
	CustomersFile         = "customers.csv"
	CustomersBacktestFile = "customers_backtest.csv"
)

func (e env) cmdCustomers(ctx context.Context, args []string) error {
	var o customersOptions
	fs := e.newFlags("customers")
	fs.StringVar(&o.Config, "config", "", "configuration `FILE` (TOML)")
	fs.StringVar(&o.AsOf, "as-of", "", "data cutoff, RFC 3339 (default now)")
	fs.IntVar(&o.Top, "top", 0, "write only the first `N` customers by value at risk (default: all)")
	fs.StringVar(&o.Out, "out", ".", "output `DIR` for "+CustomersFile+" and "+CustomersBacktestFile)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := requireFlags("customers", map[string]string{"config": o.Config}); err != nil {
		return err
	}
	if o.Top < 0 {
		return usageErr("--top %d: use a positive number, or leave it out for every customer", o.Top)
	}
	cfg, err := loadConfig(o.Config, e.getenv)
	if err != nil {
		return err
	}
	asOf, err := parseAsOf(o.AsOf, e.now)
	if err != nil {
		return err
	}
	paths, err := e.runCustomers(ctx, cfg, asOf, o)
	if err != nil {
		return err
	}
	for _, p := range paths {
		fmt.Fprintln(e.stdout, p)
	}
	return nil
}

// runCustomers scores the customers of the cohort months at asOf and
// backtests the scores at asOf − 90 days in one snapshot
// (attribution.ScoreCustomers), and writes both files atomically.
func (e env) runCustomers(ctx context.Context, cfg *config, asOf time.Time, o customersOptions) ([]string, error) {
	log := e.loggerFor(cfg)
	started := time.Now()
	if err := checkOutDir(o.Out); err != nil {
		return nil, err
	}
	snap, closeSnap, err := openDBSnapshot(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	defer closeSnap()
	res, err := attribution.ScoreCustomers(ctx, snap, attribution.CustomersRequest{AsOf: asOf, Location: cfg.Location,
		CohortMonths: cfg.LTVCohortMonths, Top: o.Top, Channels: cfg.Channels})
	if err != nil {
		return nil, dbErr(ctx, cfg, err)
	}
	paths := []string{filepath.Join(o.Out, CustomersFile), filepath.Join(o.Out, CustomersBacktestFile)}
	err = writeAtomically(ctx, []output{
		{paths[0], func(w io.Writer) error { return reports.WriteCustomersCSV(w, res.Ranked, cfg.Currency, cfg.Location) }},
		{paths[1], func(w io.Writer) error { return reports.WriteCustomersBacktestCSV(w, res.Backtest) }},
	})
	if err != nil {
		return nil, err
	}
	for _, n := range res.Notes {
		log.Warn(n)
	}
	bt := res.Backtest
	log.Info("customers written", "as_of", asOf.Format(time.RFC3339), "customers", res.Scored, "written", len(res.Ranked),
		"statements", len(snap.Statements()), "duration", time.Since(started).Round(time.Millisecond))
	log.Info("customers backtest", "scored_at", bt.ScoredAt.Format(time.RFC3339), "customers", bt.Customers,
		"expected_purchases", fmt.Sprintf("%.1f", bt.Expected), "actual_purchases", fmt.Sprintf("%.1f", bt.Actual))
	return paths, nil
}
