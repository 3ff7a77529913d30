package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/queries"
	"github.com/origen-analytics/origen/reports/delivery"
)

// runOptions are the flags of origen run.
type runOptions struct {
	Config string
	Job    string
	DryRun bool
	AsOf   string
}

// cmdRun runs the config's [[job]] tables (or one of them): resolve the
// period, take the job's lock, read with retries, write the outputs
// atomically and deliver them. It is what a scheduler calls.
func (e env) cmdRun(ctx context.Context, args []string) error {
	var o runOptions
	fs := e.newFlags("run")
	fs.StringVar(&o.Config, "config", "", "configuration `FILE` (TOML) with [[job]] tables")
	fs.StringVar(&o.Job, "job", "", "run only the job with this `NAME` (default: every job, in order)")
	fs.BoolVar(&o.DryRun, "dry-run", false, "print the resolved periods, queries and destinations; connect to nothing, write and send nothing")
	fs.StringVar(&o.AsOf, "as-of", "", "data cutoff, RFC 3339 (default now); periods resolve relative to it")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := requireFlags("run", map[string]string{"config": o.Config}); err != nil {
		return err
	}
	cfg, err := loadConfig(o.Config, e.getenv)
	if err != nil {
		return err
	}
	jobs := cfg.Jobs
	if o.Job != "" {
		jobs = nil
		var names []string
		for _, j := range cfg.Jobs {
			names = append(names, j.Name)
			if j.Name == o.Job {
				jobs = append(jobs, j)
			}
		}
		if len(jobs) == 0 {
			return usageErr("--job %q: the config defines no such job (jobs: %s)", o.Job, strings.Join(names, ", "))
		}
	}
	if len(jobs) == 0 {
		return usageErr("config %s has no [[job]] tables: add one (see examples/origen.toml)", cfg.Path)
	}
	asOf, err := parseAsOf(o.AsOf, e.now)
	if err != nil {
		return err
	}
	log := e.loggerFor(cfg)
	var failed []string
	for _, j := range jobs {
		jlog := log.With("job", j.Name)
		if o.DryRun {
			if err := e.dryRun(cfg, j, asOf); err != nil {
				return err
			}
			continue
		}
		if err := e.runJob(ctx, cfg, j, asOf, jlog); err != nil {
			if ctx.Err() != nil || len(jobs) == 1 {
				return err
			}
			if pe := (*panicError)(nil); errors.As(err, &pe) {
				jlog.Error("job failed", "error", err, "stack", string(pe.stack))
			} else {
				jlog.Error("job failed", "error", err)
			}
			failed = append(failed, j.Name)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d jobs failed: %s", len(failed), len(jobs), strings.Join(failed, ", "))
	}
	return nil
}

// dryRun prints what a job would do.
func (e env) dryRun(cfg *config, j job, asOf time.Time) error {
	period, _, err := resolvePeriod(periodFlags{Name: j.Period, Mature: j.Mature}, cfg, func() time.Time { return asOf })
	if err != nil {
		return fmt.Errorf("job %q: %w", j.Name, err)
	}
	w := e.stdout
	fmt.Fprintf(w, "job %s\n  period:   %s (%s%s), %s to %s exclusive, %s\n  as-of:    %s\n  database: %s %s\n",
		j.Name, period, j.Period, map[bool]string{true: ", mature", false: ""}[j.Mature], period.From, period.To, cfg.Timezone,
		asOf.Format(time.RFC3339), cfg.Dialect, redactDSN(cfg.DSN))
	base := j.fileBase(period.From.String(), period.To.String())
	for _, f := range j.Formats {
		fmt.Fprintf(w, "  output:   %s\n", filepath.Join(j.Out, base+"."+f))
	}
	if j.Email != nil {
		fmt.Fprintf(w, "  e-mail:   %s via %s:%d (%s)%s\n", strings.Join(j.Email.To, ", "), cfg.SMTP.Host, cfg.SMTP.Port,
			cfg.SMTP.Security, map[bool]string{true: ", failure notices too", false: ""}[j.Email.OnFailure])
	}
	if j.Webhook != nil {
		fmt.Fprintf(w, "  webhook:  %s (%s)%s\n", redactURL(j.Webhook.URL), j.Webhook.Format,
			map[bool]string{true: ", failure notices too", false: ""}[j.Webhook.OnFailure])
	}
	if cfg.SpendFile != "" {
		fmt.Fprintf(w, "  spend:    file %s\n", cfg.SpendFile)
	}
	planner := queries.PlanningReader(cfg.Dialect, cfg.Mapping, cfg.Location, cfg.StoredTimezone)
	b := budgetRequest(cfg)
	fr := attribution.ReportFacts(period, asOf, cfg.Location, cfg.WindowDays, attribution.DefaultHorizonDays, cfg.Mapping.Events != nil)
	fr.BudgetWeeks = attribution.BudgetLookback(period, asOf, cfg.Location, b.LookbackWeeks)
	pass := queries.Reader{Dialect: cfg.Dialect, Mapping: planner.Mapping, Stored: planner.Stored}
	ltv := queries.Reader{Dialect: cfg.Dialect, Mapping: cfg.Mapping, Location: cfg.Location}
	if cfg.Dialect == queries.ClickHouse {
		// ClickHouse's text depends on the stored types, unknown without a
		// connection: shown for the usual ones, and said so; its spend
		// days are local dates of the report's zone, as in a run.
		fmt.Fprintf(w, "  types:    %s\n", queries.ClickHousePlanningNote)
		pass.Types, pass.RawUserID, pass.Location = queries.ClickHousePlanningTypes(), true, cfg.Location
		ltv.Types, ltv.RawUserID = pass.Types, true
		planner = pass
	}
	stmts, err := pass.PlannedStatements(fr)
	if err != nil {
		return err
	}
	if cfg.Dialect == queries.ClickHouse {
		// ClickHouse's pass has no budget part: its budget reads on its own.
		bw, err := planner.BudgetWeeksStatement(attribution.BudgetWeeksRequest{
			Weeks: fr.BudgetWeeks, Location: cfg.Location, AsOf: asOf, WindowDays: cfg.WindowDays})
		if err != nil {
			return err
		}
		stmts = append(stmts, bw)
	}
	if cfg.LTVCohortMonths > 0 {
		// The lifetime-value section's reads (BuildReport runs them last).
		lt, err := ltv.LTVStatements(attribution.LTVRequestFor(asOf, cfg.Location, cfg.LTVCohortMonths))
		if err != nil {
			return err
		}
		stmts = append(stmts, lt...)
	}
	for _, s := range stmts {
		fmt.Fprintf(w, "  query %s:\n    %s\n", s.Name, strings.ReplaceAll(strings.TrimSpace(s.SQL), "\n", "\n    "))
	}
	return nil
}

// runJob runs one job to the end: outputs written and delivered, or an
// error after failure notices were sent (unless the run was interrupted:
// then nothing is sent).
func (e env) runJob(ctx context.Context, cfg *config, j job, asOf time.Time, log *slog.Logger) (err error) {
	// Failures once the job holds its lock send a notice; so does a panic
	// anywhere (a bug), recovered here so that the notice goes out, the
	// lock is released (its defer runs first) and the other jobs still run.
	notify := false
	defer func() {
		if v := recover(); v != nil {
			err, notify = recovered(v), true
		}
		if notify && err != nil && ctx.Err() == nil {
			e.notifyFailure(cfg, j, err, log)
		}
	}()
	started := time.Now()
	period, _, err := resolvePeriod(periodFlags{Name: j.Period, Mature: j.Mature}, cfg, func() time.Time { return asOf })
	if err != nil {
		return fmt.Errorf("job %q: %w", j.Name, err)
	}
	lock, err := lockJob(j.Out, j.Name, e.now(), log)
	if err != nil {
		return err
	}
	defer lock.release()
	log.Info("job started", "period", period.String(), "as_of", asOf.Format(time.RFC3339), "lock", lock.path)
	notify = true
	fault(ctx, "job started")
	if j.Targets != nil {
		jc := *cfg
		jc.Targets = *j.Targets
		cfg = &jc
	}
	runCtx, cancel := context.WithTimeout(ctx, j.Timeout)
	defer cancel()
	type produced struct {
		rep   attribution.Report
		paths []string
	}
	rr := reportRun{Period: period, AsOf: asOf, Cohort: attribution.CohortGrain(j.Cohort), AllowEmpty: j.AllowEmpty, OutDir: j.Out,
		Calendar: attribution.CalendarOf(j.Period), Comparison: j.Compare,
		Base: j.fileBase(period.From.String(), period.To.String()), Formats: j.Formats}
	out, err := withRetries(runCtx, j.Retries, e.retryBase, log, "report", func() (produced, error) {
		rep, paths, err := e.produceReport(runCtx, cfg, rr, log)
		return produced{rep, paths}, err
	})
	if err != nil {
		if errors.Is(runCtx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
			return fmt.Errorf("job %q timed out after %v (raise timeout in [[job]]): %w", j.Name, j.Timeout, err)
		}
		return err
	}
	rep, paths := out.rep, out.paths
	log.Info("outputs written", "files", len(paths), "registrations", rep.Total.Registrations, "customers", rep.Total.Customers)
	if err := e.deliver(runCtx, cfg, j, rep, paths, log); err != nil {
		return err
	}
	log.Info("job done", "duration", time.Since(started).Round(time.Millisecond))
	for _, p := range paths {
		fmt.Fprintln(e.stdout, p)
	}
	return nil
}

// contentTypes of the attachments and webhook bodies.
var contentTypes = map[string]string{
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"html": "text/html; charset=utf-8",
	"json": "application/json",
	"csv":  "text/csv; charset=utf-8",
}

// deliver sends the written outputs to the job's recipients.
func (e env) deliver(ctx context.Context, cfg *config, j job, rep attribution.Report, paths []string, log *slog.Logger) error {
	if j.Email == nil && j.Webhook == nil {
		return nil
	}
	summary := delivery.Summarize(rep)
	summary.Job = j.Name
	if j.Email != nil {
		var atts []delivery.Attachment
		for _, p := range paths {
			ext := strings.TrimPrefix(filepath.Ext(p), ".")
			if ext == "xlsx" || ext == "html" {
				atts = append(atts, delivery.Attachment{Name: filepath.Base(p), ContentType: contentTypes[ext], Path: p})
			}
		}
		t0 := time.Now()
		if err := delivery.SendEmail(ctx, e.smtpConfig(cfg, j), summary, atts); err != nil {
			return fmt.Errorf("job %q: %w", j.Name, err)
		}
		log.Info("e-mail sent", "to", len(j.Email.To), "attachments", len(atts), "duration", time.Since(t0).Round(time.Millisecond))
	}
	if j.Webhook != nil {
		var body []byte
		for _, p := range paths {
			if strings.HasSuffix(p, ".json") {
				b, err := os.ReadFile(p)
				if err != nil {
					return fmt.Errorf("job %q: read %s for the webhook: %w", j.Name, p, err)
				}
				body = b
			}
		}
		if body == nil && j.Webhook.Format == "json" {
			var buf strings.Builder
			if err := writers["json"](&buf, rep); err != nil {
				return err
			}
			body = []byte(buf.String())
		}
		t0 := time.Now()
		if err := delivery.PostWebhook(ctx, e.webhookConfig(j), summary, body); err != nil {
			return fmt.Errorf("job %q: %w", j.Name, err)
		}
		log.Info("webhook delivered", "url", redactURL(j.Webhook.URL), "duration", time.Since(t0).Round(time.Millisecond))
	}
	return nil
}

// notifyFailure sends failure notices where the job asks for them. It
// has its own short deadline: the run's context may be what failed.
func (e env) notifyFailure(cfg *config, j job, runErr error, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if j.Email != nil && j.Email.OnFailure {
		if err := delivery.SendFailureEmail(ctx, e.smtpConfig(cfg, j), j.Name, runErr); err != nil {
			log.Error("failure e-mail not sent", "error", err)
		}
	}
	if j.Webhook != nil && j.Webhook.OnFailure {
		if err := delivery.PostFailureWebhook(ctx, e.webhookConfig(j), j.Name, runErr); err != nil {
			log.Error("failure webhook not delivered", "error", err)
		}
	}
}

func (e env) smtpConfig(cfg *config, j job) delivery.SMTPConfig {
	s := cfg.SMTP
	return delivery.SMTPConfig{Host: s.Host, Port: s.Port, Security: s.Security, Username: s.Username,
		Password: s.Password, From: s.From, To: j.Email.To, SubjectTemplate: j.Email.Subject,
		Timeout: time.Minute, TLSConfig: e.tlsConfig}
}

func (e env) webhookConfig(j job) delivery.WebhookConfig {
	return delivery.WebhookConfig{URL: j.Webhook.URL, Format: j.Webhook.Format, Header: j.Webhook.Header,
		Secret: j.Webhook.Secret, Retries: 3, Backoff: e.retryBase, Timeout: 30 * time.Second, Client: e.httpClient}
}
