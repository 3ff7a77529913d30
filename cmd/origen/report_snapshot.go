package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/jmoiron/sqlx"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/queries"
	"github.com/origen-analytics/origen/reports"
)

// snapshotHook lets runReport take part in buildReport's snapshot: the
// hook records every statement the run sends (for the workbook's About
// sheet), and buildReport calls inSnapshot with the finished report while
// the snapshot is still open, so the outputs, and the per-registration
// detail streamed into the workbook, come from the same snapshot as the
// numbers. It travels in the context so that buildReport's signature,
// which other commands call, stays as it is.
type snapshotHook struct {
	inSnapshot func(ctx context.Context, tx queries.DBTX, reader queries.Reader, rep attribution.Report) error

	mu         sync.Mutex
	statements []reports.Statement
}

type snapshotHookKey struct{}

func withSnapshotHook(ctx context.Context, h *snapshotHook) context.Context {
	return context.WithValue(ctx, snapshotHookKey{}, h)
}

// snapshotHookFrom returns the hook of ctx, or nil.
func snapshotHookFrom(ctx context.Context) *snapshotHook {
	h, _ := ctx.Value(snapshotHookKey{}).(*snapshotHook)
	return h
}

// record wraps db so that every statement sent through it is recorded.
// A nil hook records nothing and returns db.
func (h *snapshotHook) record(db queries.DBTX) queries.DBTX {
	if h == nil {
		return db
	}
	return recorder{db: db, h: h}
}

func (h *snapshotHook) add(query string, args []any) {
	name := "query"
	if m := statementName.FindStringSubmatch(query); m != nil {
		name = m[1]
	} else if strings.HasSuffix(strings.TrimSpace(query), "LIMIT 0") {
		name = "mapping check" // queries.Reader.Check
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.statements = append(h.statements, reports.Statement{Name: name, SQL: query, Args: slices.Clone(args)})
}

// Statements returns what was recorded so far, in order.
func (h *snapshotHook) Statements() []reports.Statement {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.statements)
}

// statementName reads the name of an embedded query from its first
// comment line ("-- cohort - ...").
var statementName = regexp.MustCompile(`^\s*--\s*([a-z_]+)\b`)

// recorder is a queries.DBTX that records each statement before running
// it.
type recorder struct {
	db queries.DBTX
	h  *snapshotHook
}

func (r recorder) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	r.h.add(q, args)
	return r.db.QueryContext(ctx, q, args...)
}

func (r recorder) QueryxContext(ctx context.Context, q string, args ...any) (*sqlx.Rows, error) {
	r.h.add(q, args)
	return r.db.QueryxContext(ctx, q, args...)
}

func (r recorder) QueryRowxContext(ctx context.Context, q string, args ...any) *sqlx.Row {
	r.h.add(q, args)
	return r.db.QueryRowxContext(ctx, q, args...)
}

func (r recorder) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	r.h.add(q, args)
	return r.db.ExecContext(ctx, q, args...)
}

// previousPeriod is the period of the same length just before p.
func previousPeriod(p attribution.Period) attribution.Period {
	return attribution.Period{From: p.From.AddDays(-p.Days()), To: p.From}
}

// addPrevious reads and computes the previous period (previousPeriod) in
// the same snapshot with the same as-of, and sets the report's targets:
// what the Δ columns, the Status column and the page's KPI cards compare
// with.
func addPrevious(ctx context.Context, db queries.DBTX, reader queries.Reader, cfg *config, rep *attribution.Report) error {
	rep.Targets = cfg.Targets
	period := previousPeriod(rep.Period)
	res, err := reader.Read(ctx, db, queries.Params{Period: period, Location: cfg.Location, AsOf: rep.AsOf,
		WindowDays: cfg.WindowDays, QueryTimeout: cfg.StatementTimeout})
	if err != nil {
		return fmt.Errorf("previous period %s: %w", period, err)
	}
	if cfg.SpendFile != "" {
		f, err := os.Open(cfg.SpendFile)
		if err != nil {
			return attribution.Errorf(attribution.KindConfig, "[spend] file: %w", err)
		}
		spend, q, err := queries.ReadSpendCSV(f, cfg.SpendFile, period)
		f.Close()
		if err != nil {
			return err
		}
		res.Spend = spend
		res.Quality.SpendRows, res.Quality.SpendRowsInPeriod = q.SpendRows, q.SpendRowsInPeriod
	}
	prev := attribution.Compute(attribution.Inputs{Period: period, AsOf: rep.AsOf, Timezone: cfg.Timezone,
		Currency: cfg.Currency, WindowDays: cfg.WindowDays, Cohort: res.Cohort, Spend: res.Spend, Quality: res.Quality})
	prev.Version, prev.GeneratedAt = rep.Version, rep.GeneratedAt
	rep.Previous = &prev
	rep.Notes = append(rep.Notes, comparisonNotes(*rep)...)
	return nil
}

// comparisonNotes warn where the comparison with the previous period or
// the targets could mislead.
func comparisonNotes(r attribution.Report) []string {
	var notes []string
	if p := r.Previous; p != nil && r.Total.Immature > p.Total.Immature && r.Total.Registrations > 0 {
		notes = append(notes, fmt.Sprintf("%d of %d registrations of this period are younger than the %d-day window, against %d in the previous period (%s): part of a fall in conversion rate is immaturity",
			r.Total.Immature, r.Total.Registrations, r.WindowDays, p.Total.Immature, p.Period))
	}
	seen := map[string]bool{}
	for _, m := range r.Channels {
		seen[m.Channel] = true
	}
	if r.Previous != nil {
		for _, m := range r.Previous.Channels {
			seen[m.Channel] = true
		}
	}
	names := make([]string, 0, len(r.Targets.Channels))
	for name := range r.Targets.Channels {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if !seen[name] {
			notes = append(notes, fmt.Sprintf("[targets.channel.%q] names a channel with no rows in this period or the previous one: check the spelling (names are matched exactly, after trimming)", name))
		}
	}
	return notes
}

// workbookOptions is what the workbook shows beyond the report: the
// configuration and database (secrets redacted), the statements that ran
// and, with detail, the per-registration rows streamed from tx.
func workbookOptions(ctx context.Context, cfg *config, h *snapshotHook, tx queries.DBTX, reader queries.Reader, rep attribution.Report) (reports.WorkbookOptions, error) {
	o := reports.WorkbookOptions{
		Config:     cfg.Text,
		Database:   string(cfg.Dialect) + " " + redactDSN(cfg.DSN),
		Statements: h.Statements(),
	}
	if !cfg.Detail {
		return o, nil
	}
	p := queries.Params{Period: rep.Period, Location: cfg.Location, AsOf: rep.AsOf, WindowDays: cfg.WindowDays, QueryTimeout: cfg.StatementTimeout}
	st, err := reader.DetailStatement(p)
	if err != nil {
		return o, err
	}
	o.Statements = append(o.Statements, reports.Statement{Name: st.Name, SQL: st.SQL, Args: st.Args})
	o.Detail = func(yield func(attribution.DetailRow) error) error {
		return reader.Detail(ctx, tx, p, yield)
	}
	return o, nil
}
