package main

import (
	"context"
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
	// AllowEmpty writes a report that has no registrations to show.
	AllowEmpty bool
	Compare    string
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
	fs.StringVar(&o.Compare, "compare", "previous", "compare with the `previous` period (a named month, quarter or week: the previous calendar one; --from/--to: the same number of days before), the same period a `year` earlier, or `none`")
	fs.BoolVar(&o.AllowEmpty, "allow-empty", false, "write the report even when as-of is before the period or the registrations source is empty (else exit 3)")
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
	compare, err := attribution.ParseComparison(o.Compare)
	if err != nil {
		return usageErr("--%v", err)
	}
	rr := reportRun{Period: period, AsOf: asOf, Cohort: grain, AllowEmpty: o.AllowEmpty, OutDir: o.Out,
		Calendar: attribution.CalendarOf(o.Period), Comparison: compare,
		Base: fmt.Sprintf("origen_%s_%s", period.From, period.To)}
	_, paths, err := e.produceReport(ctx, cfg, rr, e.loggerFor(cfg))
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

// reportRun is one report to produce: its period and data cutoff, what
// rides along, and where its files go.
type reportRun struct {
	Period attribution.Period
	AsOf   time.Time
	Cohort attribution.CohortGrain
	// AllowEmpty writes a report with nothing to show instead of failing
	// (attribution.ReportRequest.AllowEmpty).
	AllowEmpty bool
	// Calendar and Comparison choose the comparison period
	// (attribution.ComparisonPeriod).
	Calendar   attribution.Calendar
	Comparison attribution.Comparison
	OutDir     string
	Base       string   // file name without extension
	Formats    []string // default xlsx, html, json
}

// runReport produces the report of period and writes the workbook, the
// page and the JSON atomically. It returns their paths.
func (e env) runReport(ctx context.Context, cfg *config, period attribution.Period, asOf time.Time, outDir string, log *slog.Logger) ([]string, error) {
	rr := reportRun{Period: period, AsOf: asOf, OutDir: outDir, Base: fmt.Sprintf("origen_%s_%s", period.From, period.To)}
	_, paths, err := e.produceReport(ctx, cfg, rr, log)
	return paths, err
}

// produceReport is the one path of origen report, origen run and origen
// demo: it reads one snapshot, computes the report (attribution.BuildReport)
// and writes its files while the snapshot is still open, so that the
// Registrations sheet of --detail streams from the same snapshot as the
// numbers, and the About sheet lists every statement that ran.
func (e env) produceReport(ctx context.Context, cfg *config, rr reportRun, log *slog.Logger) (attribution.Report, []string, error) {
	started := time.Now()
	if len(rr.Formats) == 0 {
		rr.Formats = []string{"xlsx", "html", "json"}
	}
	if err := checkOutDir(rr.OutDir); err != nil {
		return attribution.Report{}, nil, err
	}
	spendFile, err := loadSpendFile(cfg)
	if err != nil {
		return attribution.Report{}, nil, err
	}
	snap, closeSnap, err := openDBSnapshot(ctx, cfg, log)
	if err != nil {
		return attribution.Report{}, nil, err
	}
	defer closeSnap()
	rep, err := attribution.BuildReport(ctx, snap, attribution.ReportRequest{
		Period: rr.Period, AsOf: rr.AsOf, Location: cfg.Location, Timezone: cfg.Timezone, Currency: cfg.Currency,
		WindowDays: cfg.WindowDays, Targets: cfg.Targets, Cohort: rr.Cohort, SpendFile: spendFile, AllowEmpty: rr.AllowEmpty,
		Calendar: rr.Calendar, Comparison: rr.Comparison, Channels: cfg.Channels, Paid: cfg.Paid, Budget: budgetRequest(cfg),
		LTVCohortMonths: cfg.LTVCohortMonths, GrossMargin: cfg.GrossMargin,
		Touch:   cfg.Touch,
		Version: version(), GeneratedAt: e.now(), Log: log,
	})
	if err != nil {
		return attribution.Report{}, nil, dbErr(ctx, cfg, err)
	}
	wo, err := workbookOptions(ctx, cfg, snap, rep)
	if err != nil {
		return attribution.Report{}, nil, err
	}
	paths, err := writeReport(ctx, rep, rr.OutDir, rr.Base, rr.Formats, wo)
	if err != nil {
		return attribution.Report{}, nil, dbErr(ctx, cfg, err)
	}
	log.Info("report written", "period", rr.Period.String(), "as_of", rr.AsOf.Format(time.RFC3339),
		"registrations", rep.Total.Registrations, "customers", rep.Total.Customers,
		"statements", len(snap.Statements()), "files", len(paths), "duration", time.Since(started).Round(time.Millisecond))
	return rep, paths, nil
}

// openDBSnapshot opens the configured database and its read-only snapshot
// (openSnapshot); the returned function closes both.
func openDBSnapshot(ctx context.Context, cfg *config, log *slog.Logger) (*queries.Snapshot, func(), error) {
	db, err := openDB(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	snap, err := openSnapshot(ctx, db, cfg, log)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return snap, func() { snap.Close(); db.Close() }, nil
}

// openSnapshot begins the report's read-only snapshot and checks the
// mapping in it.
func openSnapshot(ctx context.Context, db *sqlx.DB, cfg *config, log *slog.Logger) (*queries.Snapshot, error) {
	snap, err := queries.Open(ctx, db, queries.SnapshotOptions{Dialect: cfg.Dialect, Mapping: cfg.Mapping,
		Timezone: cfg.Timezone, Location: cfg.Location, StatementTimeout: cfg.StatementTimeout, StoredTimezone: cfg.StoredTimezone,
		Parallel: cfg.Parallel, Unwritten: cfg.unwritten, Log: log})
	if err != nil {
		return nil, dbErr(ctx, cfg, err)
	}
	return snap, nil
}

// loadSpendFile reads [spend] file once, before the database is read, or
// returns nil when spend comes from the database.
func loadSpendFile(cfg *config) (*attribution.SpendTable, error) {
	if cfg.SpendFile == "" {
		return nil, nil
	}
	f, err := os.Open(cfg.SpendFile)
	if err != nil {
		return nil, attribution.Errorf(attribution.KindConfig, "[spend] file: %w", err)
	}
	defer f.Close()
	parsed, err := queries.ParseSpendCSV(f, cfg.SpendFile)
	if err != nil {
		return nil, err
	}
	return &attribution.SpendTable{Days: parsed.Days, Rows: parsed.Rows}, nil
}

// workbookOptions is what the workbook shows beyond the report: the
// configuration and database (secrets redacted), the statements that ran
// and, with detail, the per-registration rows streamed from the snapshot.
func workbookOptions(ctx context.Context, cfg *config, snap *queries.Snapshot, rep attribution.Report) (reports.WorkbookOptions, error) {
	o := reports.WorkbookOptions{
		MaxChannels: cfg.MaxChannels,
		Paper:       cfg.Paper,
		Config:      cfg.Text,
		Database:    string(cfg.Dialect) + " " + redactDSN(cfg.DSN),
	}
	for _, st := range snap.Statements() {
		o.Statements = append(o.Statements, reports.Statement{Name: st.Name, SQL: st.SQL, Args: st.Args})
	}
	if !cfg.Detail {
		return o, nil
	}
	req := attribution.DetailRequest{Period: rep.Period, Location: cfg.Location, AsOf: rep.AsOf, WindowDays: cfg.WindowDays,
		Labels: rep.Labels}
	st, err := snap.Reader().DetailStatement(req)
	if err != nil {
		return o, err
	}
	o.Statements = append(o.Statements, reports.Statement{Name: st.Name, SQL: st.SQL, Args: st.Args})
	o.Detail = func(yield func(attribution.DetailRow) error) error {
		return snap.ReadDetail(ctx, req, yield)
	}
	return o, nil
}

// writers maps an output format to its writer and file extension.
var writers = map[string]func(io.Writer, attribution.Report) error{
	"xlsx": reports.WriteWorkbook,
	"html": reports.WriteHTML,
	"json": reports.WriteJSON,
	"csv":  reports.WriteCSV,
}

// writeReport writes rep in the given formats to DIR/BASE.FORMAT, all or
// nothing (see writeAtomically), and returns the paths in format order. wo
// adds the About sheet's audit trail and the detail to the workbook.
func writeReport(ctx context.Context, rep attribution.Report, dir, base string, formats []string, wo reports.WorkbookOptions) ([]string, error) {
	var outputs []output
	var paths []string
	for _, f := range formats {
		write := writers[f]
		if f == "html" {
			write = func(w io.Writer, r attribution.Report) error {
				return reports.WriteHTMLWith(w, r, reports.HTMLOptions{MaxChannels: wo.MaxChannels})
			}
		}
		if f == "xlsx" {
			write = func(w io.Writer, r attribution.Report) error {
				o := wo
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

// checkOutDir makes sure the output directory exists (or can be made) and
// can be written, before any query runs: a report that takes minutes must
// not fail at its last step for a typo in --out.
func checkOutDir(dir string) error {
	fail := func(err error) error {
		return attribution.Errorf(attribution.KindConfig,
			"output directory %s cannot be written (%v): choose another --out (or out = in the job), or fix its permissions", dir, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fail(err)
	}
	f, err := os.CreateTemp(dir, ".origen-probe-*")
	if err != nil {
		return fail(err)
	}
	f.Close()
	return os.Remove(f.Name())
}
