package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/queries"
	"github.com/origen-analytics/origen/reports"
)

// reportOptions are the flags of origen report.
type reportOptions struct {
	Config string
	From   string
	To     string
	Period string
	Mature bool
	AsOf   string
	Out    string
	Cohort string
	Detail bool
}

func (e env) cmdReport(ctx context.Context, args []string) error {
	var o reportOptions
	fs := e.newFlags("report")
	fs.StringVar(&o.Config, "config", "", "configuration `FILE` (TOML)")
	fs.StringVar(&o.From, "from", "", "first local date of the period, `YYYY-MM-DD`")
	fs.StringVar(&o.To, "to", "", "local date after the period (exclusive), `YYYY-MM-DD`")
	fs.StringVar(&o.Period, "period", "", "named period instead of --from/--to: "+periodNames)
	fs.BoolVar(&o.Mature, "mature", false, "move the period back until every registration in it is a full conversion window old at as-of")
	fs.StringVar(&o.AsOf, "as-of", "", "data cutoff, RFC 3339 (default now); printed in every output")
	fs.StringVar(&o.Out, "out", ".", "output `DIR`")
	fs.StringVar(&o.Cohort, "cohort", "month", "cohort grain of the Cohorts sheet: week (ISO) or month")
	fs.BoolVar(&o.Detail, "detail", false, "add the Registrations sheet: one row per registration (overrides [report] detail)")
	if err := parse(fs, args); err != nil {
		return err
	}
	grain, err := attribution.ParseCohortGrain(o.Cohort)
	if err != nil {
		return err
	}
	if err := requireFlags("report", map[string]string{"config": o.Config}); err != nil {
		return err
	}
	cfg, err := loadConfig(o.Config, e.getenv)
	if err != nil {
		return err
	}
	fs.Visit(func(f *flag.Flag) { // flag > config file
		if f.Name == "detail" {
			cfg.Detail = o.Detail
		}
	})
	period, asOf, err := resolvePeriod(periodFlags{From: o.From, To: o.To, Name: o.Period, Mature: o.Mature, AsOf: o.AsOf}, cfg, e.now)
	if err != nil {
		return err
	}
	paths, err := e.runReport(ctx, cfg, period, asOf, o.Out, e.logger(), maturityOptions{Cohort: grain})
	if err != nil {
		return err
	}
	for _, p := range paths {
		fmt.Fprintln(e.stdout, p)
	}
	return nil
}

// periodNames lists what --period accepts, for flag help and errors.
const periodNames = "last-month, last-week, last-7-days, last-30-days, month-to-date, last-quarter, YYYY-MM, YYYY-Www, YYYY-Qn"

// periodFlags are the ways a period can be given on the command line or in
// a job: --from/--to dates, or a --period name, optionally --mature.
type periodFlags struct {
	From, To string
	Name     string
	Mature   bool
	AsOf     string
}

// resolvePeriod turns period flags into local dates and the as-of instant.
// Named periods resolve in the report's time zone relative to as-of.
func resolvePeriod(f periodFlags, cfg *config, now func() time.Time) (attribution.Period, time.Time, error) {
	var p attribution.Period
	asOf, err := parseAsOf(f.AsOf, now)
	if err != nil {
		return p, asOf, err
	}
	switch {
	case f.Name != "" && (f.From != "" || f.To != ""):
		return p, asOf, usageErr("give either --period or --from/--to, not both")
	case f.Name != "":
		if f.Mature {
			p, err = attribution.MaturePeriod(f.Name, asOf, cfg.Location, cfg.WindowDays)
		} else {
			p, err = attribution.ResolvePeriod(f.Name, asOf, cfg.Location, 0)
		}
		if err != nil {
			return p, asOf, usageErr("--period: %v", err)
		}
		return p, asOf, nil
	case f.From == "" || f.To == "":
		return p, asOf, usageErr("missing the period: give --from and --to (YYYY-MM-DD, --to exclusive) or --period (%s)", periodNames)
	}
	if p.From, err = attribution.ParseDate(f.From); err != nil {
		return p, asOf, usageErr("--from: %v", err)
	}
	if p.To, err = attribution.ParseDate(f.To); err != nil {
		return p, asOf, usageErr("--to: %v", err)
	}
	if err := p.Validate(); err != nil {
		return p, asOf, usageErr("%v", err)
	}
	if f.Mature {
		_, end := p.Bounds(cfg.Location)
		if end.Add(time.Duration(cfg.WindowDays) * 24 * time.Hour).After(asOf) {
			return p, asOf, usageErr("--mature: %s is not %d days old at as-of %s; use --period NAME --mature to move back automatically",
				p, cfg.WindowDays, asOf.Format(time.RFC3339))
		}
	}
	return p, asOf, nil
}

// parseAsOf reads --as-of, defaulting to now.
func parseAsOf(s string, now func() time.Time) (time.Time, error) {
	if s == "" {
		return now().UTC(), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return t, usageErr("--as-of %q is not an RFC 3339 time such as 2026-11-01T06:00:00Z", s)
	}
	return t.UTC(), nil
}

// runReport reads the data in one snapshot, computes the report and writes
// the workbook, the page and the JSON atomically. It returns their paths.
func (e env) runReport(ctx context.Context, cfg *config, period attribution.Period, asOf time.Time, outDir string, log *slog.Logger, opts ...maturityOptions) ([]string, error) {
	started := time.Now()
	base := fmt.Sprintf("origen_%s_%s", period.From, period.To)
	// The outputs are written in the snapshot, which the detail streams
	// from; the hook also records the SQL for the workbook's About sheet.
	var paths []string
	hook := &snapshotHook{}
	hook.inSnapshot = func(ctx context.Context, tx queries.DBTX, reader queries.Reader, rep attribution.Report) error {
		wo, err := workbookOptions(ctx, cfg, hook, tx, reader, rep)
		if err != nil {
			return err
		}
		paths, err = writeReport(ctx, rep, outDir, base, []string{"xlsx", "html", "json"}, wo)
		return err
	}
	rep, err := e.buildReport(withSnapshotHook(ctx, hook), cfg, period, asOf, log, opts...)
	if err != nil {
		return nil, err
	}
	log.Info("report written", "period", period.String(), "as_of", asOf.Format(time.RFC3339),
		"registrations", rep.Total.Registrations, "customers", rep.Total.Customers,
		"files", len(paths), "duration", time.Since(started).Round(time.Millisecond))
	return paths, nil
}

// writers maps an output format to its writer and file extension.
var writers = map[string]func(io.Writer, attribution.Report) error{
	"xlsx": reports.WriteWorkbook,
	"html": reports.WriteHTML,
	"json": reports.WriteJSON,
	"csv":  reports.WriteCSV,
}

// writeReport writes rep in the given formats to DIR/BASE.FORMAT, all or
// nothing (see writeAtomically), and returns the paths in format order.
// wo (at most one) adds the About sheet's audit trail and the detail to
// the workbook.
func writeReport(ctx context.Context, rep attribution.Report, dir, base string, formats []string, wo ...reports.WorkbookOptions) ([]string, error) {
	var outputs []output
	var paths []string
	for _, f := range formats {
		write := writers[f]
		if f == "xlsx" {
			var o reports.WorkbookOptions
			if len(wo) > 0 {
				o = wo[0]
			}
			write = func(w io.Writer, r attribution.Report) error {
				o.TmpDir = scratchDir(w) // excelize's temporary files go where the sweep finds them
				return reports.WriteWorkbookWith(w, r, o)
			}
		}
		path := filepath.Join(dir, base+"."+f)
		outputs = append(outputs, output{path, func(w io.Writer) error { return write(w, rep) }})
		paths = append(paths, path)
	}
	if err := writeAtomically(ctx, outputs); err != nil {
		return nil, err
	}
	return paths, nil
}

// buildReport runs the queries and the computation. opts (at most one)
// tune the curves, cohorts and prospects that addMaturity adds.
func (e env) buildReport(ctx context.Context, cfg *config, period attribution.Period, asOf time.Time, log *slog.Logger, opts ...maturityOptions) (attribution.Report, error) {
	db, err := openDB(ctx, cfg)
	if err != nil {
		return attribution.Report{}, err
	}
	defer db.Close()

	t0 := time.Now()
	tx, err := queries.BeginSnapshot(ctx, db, cfg.Dialect, cfg.Timezone, cfg.StatementTimeout)
	if err != nil {
		return attribution.Report{}, dbErr(ctx, cfg, err)
	}
	defer tx.Rollback()
	hook := snapshotHookFrom(ctx)
	snap := hook.record(tx) // tx itself when there is no hook
	reader := queries.Reader{Dialect: cfg.Dialect, Mapping: cfg.Mapping}
	// Checking the mapping first costs a LIMIT 0 query per source and turns
	// a wrong column into an error that names the config key to fix.
	if _, err := reader.Check(ctx, snap); err != nil {
		return attribution.Report{}, dbErr(ctx, cfg, err)
	}
	res, err := reader.Read(ctx, snap, queries.Params{Period: period, Location: cfg.Location, AsOf: asOf,
		WindowDays: cfg.WindowDays, QueryTimeout: cfg.StatementTimeout})
	if err != nil {
		return attribution.Report{}, dbErr(ctx, cfg, err)
	}
	log.Info("data read", "statements", len(res.Statements), "registration_rows", res.Quality.RegistrationRows,
		"purchase_rows", res.Quality.PurchaseRows, "duration", time.Since(t0).Round(time.Millisecond))
	if cfg.SpendFile != "" {
		f, err := os.Open(cfg.SpendFile)
		if err != nil {
			return attribution.Report{}, attribution.Errorf(attribution.KindConfig, "[spend] file: %w", err)
		}
		spend, q, err := queries.ReadSpendCSV(f, cfg.SpendFile, period)
		f.Close()
		if err != nil {
			return attribution.Report{}, err
		}
		res.Spend = spend
		res.Quality.SpendRows, res.Quality.SpendRowsInPeriod = q.SpendRows, q.SpendRowsInPeriod
	}
	rep := attribution.Compute(attribution.Inputs{Period: period, AsOf: asOf, Timezone: cfg.Timezone,
		Currency: cfg.Currency, WindowDays: cfg.WindowDays, Cohort: res.Cohort, Spend: res.Spend, Quality: res.Quality})
	rep.Version = version()
	rep.GeneratedAt = e.now()
	rep.Notes = append(rep.Notes, res.Warnings...)
	rep.Notes = append(rep.Notes, cohortNotes(rep)...)
	var mo maturityOptions
	if len(opts) > 0 {
		mo = opts[0]
	}
	if err := addMaturity(ctx, snap, reader, cfg, &rep, mo, log); err != nil {
		return attribution.Report{}, dbErr(ctx, cfg, err)
	}
	if err := addPrevious(ctx, snap, reader, cfg, &rep); err != nil {
		return attribution.Report{}, dbErr(ctx, cfg, err)
	}
	for _, n := range rep.Notes {
		log.Warn(n)
	}
	if hook != nil && hook.inSnapshot != nil {
		if err := hook.inSnapshot(ctx, tx, reader, rep); err != nil {
			return attribution.Report{}, err
		}
	}
	return rep, nil
}

// cohortNotes are the findings of Compute that a reader should see.
func cohortNotes(r attribution.Report) []string {
	var notes []string
	q := r.Quality
	if q.DuplicateRegistrations > 0 {
		notes = append(notes, fmt.Sprintf("%d later duplicate registrations of the period's users were ignored (the earliest registration counts)", q.DuplicateRegistrations))
	}
	if q.ExistingCustomers > 0 {
		notes = append(notes, fmt.Sprintf("%d registrations of users who had bought before registering were left out of the cohort", q.ExistingCustomers))
	}
	if q.NoChannel > 0 {
		notes = append(notes, fmt.Sprintf("%d registrations have no channel and are reported as %s", q.NoChannel, attribution.NoChannel))
	}
	for _, ch := range q.SpendWithoutRegistrations {
		notes = append(notes, fmt.Sprintf("channel %q has spend but no registrations in the period", ch))
	}
	if r.Total.Immature > 0 {
		notes = append(notes, fmt.Sprintf("%d of %d registrations are younger than the %d-day window at as-of: their channels' conversion rates are still understated",
			r.Total.Immature, r.Total.Registrations, r.WindowDays))
	}
	return notes
}

// openDB opens the configured database and checks that it answers.
func openDB(ctx context.Context, cfg *config) (*sqlx.DB, error) {
	driver, dsn := "postgres", cfg.DSN
	if cfg.Dialect == queries.SQLite {
		// SQLite would silently create a missing file.
		if _, err := os.Stat(cfg.DSN); err != nil {
			return nil, attribution.Errorf(attribution.KindConfig, "[database] dsn: sqlite database %w", err)
		}
		driver, dsn = "sqlite", "file:"+cfg.DSN+"?mode=ro&_pragma=busy_timeout(10000)"
	}
	db, err := sqlx.Open(driver, dsn)
	if err != nil {
		return nil, attribution.Errorf(attribution.KindConfig, "[database] dsn %s: %w", redactDSN(cfg.DSN), err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, cfg.ConnectTimeout)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, dbErr(ctx, cfg, err)
	}
	return db, nil
}

// dbErr adds the redacted DSN to a database failure.
func dbErr(ctx context.Context, cfg *config, err error) error {
	var ae *attribution.Error
	if errors.As(err, &ae) {
		return err
	}
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted: %w", ctx.Err())
	}
	return fmt.Errorf("database %s (%s): %w", cfg.Dialect, redactDSN(cfg.DSN), err)
}
