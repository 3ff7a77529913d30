package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/internal/clickhouse"
	"github.com/origen-analytics/origen/queries"
	"github.com/origen-analytics/origen/reports"
)

// config is a validated configuration file.
type config struct {
	Path    string
	Dialect queries.Dialect
	DSN     string // after ${VAR} expansion; may hold a password
	// StoredTimezone is [database] stored_timezone (driver = "mysql"):
	// the zone of DATETIME values, "UTC" by default.
	StoredTimezone   string
	StatementTimeout time.Duration
	ConnectTimeout   time.Duration
	// Parallel is [database] parallel: how many statements a report runs
	// at once, each on its own connection reading the same snapshot
	// (1: one after another; docs/PERFORMANCE.md).
	Parallel int
	// unwritten marks origen demo's own SQLite database, which nobody
	// writes while the report reads it (queries.SnapshotOptions.Unwritten).
	unwritten  bool
	Mapping    queries.Mapping
	SpendFile  string // set when [spend] file = is used
	Currency   attribution.Currency
	Timezone   string
	Location   *time.Location
	WindowDays int
	SMTP       *smtpServer               // [smtp], for jobs that send e-mail
	Jobs       []job                     // [[job]] tables, for origen run
	Targets    attribution.Targets       // [targets]
	Budget     attribution.BudgetRequest // [budget]
	Detail     bool                      // [report] detail: the Registrations sheet
	// MaxChannels is [report] max_channels: how many channels, those with
	// the most registrations, the page and the workbook's charts show by
	// name (reports.HTMLOptions, reports.WorkbookOptions).
	MaxChannels int
	// Paper is [report] paper, the workbook's print paper
	// (reports.PaperA4, the default, or reports.PaperLetter).
	Paper string
	// Channels is [channels]: how raw labels become channels (GA4
	// grouping, rules, aliases, merge_case); nil when they are only
	// normalised.
	Channels *attribution.ChannelMapping
	// Paid is [channels] paid and unpaid (attribution.PaidRule).
	Paid      attribution.PaidRule
	ltvConfig // [ltv] and [report] gross_margin (config_ltv.go)
	// Touch is [attribution]: the multi-touch settings, used when
	// [touchpoints] is mapped.
	Touch attribution.TouchSettings
	// Text is the report's part of the configuration as Origen read it,
	// secrets redacted, for the workbook's About sheet (auditText).
	Text string
	// redact hides the DSN's secrets in text: every database error goes
	// through it.
	redact redactor
}

// rawConfig mirrors the TOML file. Input sections are maps so that any
// column names can be given; their keys are checked by hand.
type rawConfig struct {
	Database struct {
		Driver           string   `toml:"driver"`
		DSN              string   `toml:"dsn"`
		StatementTimeout duration `toml:"statement_timeout"`
		ConnectTimeout   duration `toml:"connect_timeout"`
		StoredTimezone   *string  `toml:"stored_timezone"`
		Parallel         *int64   `toml:"parallel"`
	} `toml:"database"`
	Registrations rawRegistrations  `toml:"registrations"`
	Purchases     map[string]string `toml:"purchases"`
	Spend         map[string]string `toml:"spend"`
	Events        map[string]string `toml:"events"`      // optional: nil without [events]
	Touchpoints   map[string]string `toml:"touchpoints"` // optional: nil without [touchpoints]
	Attribution   *rawAttribution   `toml:"attribution"`
	Report        struct {
		Currency             string   `toml:"currency"`
		Timezone             string   `toml:"timezone"`
		ConversionWindowDays *int     `toml:"conversion_window_days"`
		Detail               bool     `toml:"detail"`
		MaxChannels          *int     `toml:"max_channels"`
		Paper                string   `toml:"paper"`
		GrossMargin          *float64 `toml:"gross_margin"`
	} `toml:"report"`
	LTV      rawLTV      `toml:"ltv"`
	Targets  *rawTargets `toml:"targets"`
	Budget   *rawBudget  `toml:"budget"`
	Channels rawChannels `toml:"channels"`
	SMTP     *rawSMTP    `toml:"smtp"`
	Jobs     []rawJob    `toml:"job"`
}

type duration struct{ time.Duration }

func (d *duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration like \"30s\" or \"5m\"", b)
	}
	if v <= 0 {
		return fmt.Errorf("%q must be positive", b)
	}
	d.Duration = v
	return nil
}

// Defaults of [database]: each query, and connecting (including the
// first answer), are bounded even when the config says nothing.
const (
	DefaultStatementTimeout = 5 * time.Minute
	DefaultConnectTimeout   = 30 * time.Second
	// DefaultParallel is [database] parallel when the config sets none:
	// a report's longest reads (the pass, the lifetime value, the paths)
	// side by side.
	DefaultParallel = 3
	// MaxParallel bounds [database] parallel: a report has fewer
	// independent reads than this.
	MaxParallel = 16
)

// loadConfig reads and validates a configuration file. getenv expands
// ${VAR} in the DSN. Every error is a KindConfig error naming the key.
func loadConfig(path string, getenv func(string) string) (*config, error) {
	cfgErr := func(format string, args ...any) error {
		return attribution.Errorf(attribution.KindConfig, "config %s: "+format, append([]any{path}, args...)...)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, attribution.Errorf(attribution.KindConfig, "read config: %w", err)
	}
	var raw rawConfig
	md, err := toml.Decode(string(data), &raw)
	if err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			return nil, cfgErr("line %d: %s", perr.Position.Line, perr.Message)
		}
		return nil, cfgErr("%v", err)
	}
	if undecoded := md.Undecoded(); len(undecoded) > 0 {
		var keys []string
		for _, k := range undecoded {
			keys = append(keys, k.String())
		}
		return nil, cfgErr("unknown key %s: check the spelling (see README, Configuration)", strings.Join(keys, ", "))
	}
	for _, section := range []string{"database", "registrations", "purchases", "spend", "report"} {
		if !md.IsDefined(section) {
			return nil, cfgErr("missing section [%s] (see README, Configuration)", section)
		}
	}
	c := &config{Path: path, StatementTimeout: DefaultStatementTimeout, ConnectTimeout: DefaultConnectTimeout, Parallel: DefaultParallel}
	dir := filepath.Dir(path)

	if c.Dialect, err = queries.ParseDialect(raw.Database.Driver); err != nil {
		return nil, cfgErr("%v", err)
	}
	var missing []string
	c.DSN = os.Expand(raw.Database.DSN, func(name string) string {
		v := getenv(name)
		if v == "" {
			missing = append(missing, name)
		}
		return v
	})
	if len(missing) > 0 {
		return nil, cfgErr("[database] dsn uses ${%s}, which is not set in the environment", strings.Join(missing, "}, ${"))
	}
	c.redact = newRedactor(c.DSN, getenv("PGPASSWORD"))
	switch c.Dialect {
	case queries.SQLite:
		if c.DSN == "" {
			return nil, cfgErr("[database] dsn is empty: for sqlite it is the database file's path")
		}
		if strings.HasPrefix(c.DSN, "file:") {
			// Origen builds the URI itself, read-only (see sqliteURI).
			return nil, cfgErr("[database] dsn = %q: for sqlite give the database file's path, not a file: URI", c.DSN)
		}
		if !filepath.IsAbs(c.DSN) {
			c.DSN = filepath.Join(dir, c.DSN)
		}
	case queries.ClickHouse:
		if _, err := clickhouse.ParseDSN(c.DSN, clickhouse.Options{}); err != nil {
			return nil, cfgErr("[database] dsn %s: %s", redactDSN(c.DSN), c.redact.Text(err.Error()))
		}
	case queries.MySQL:
		if c.DSN == "" {
			return nil, cfgErr("[database] dsn is empty: for mysql write user:password@tcp(host:3306)/database or mysql://user:password@host:3306/database")
		}
		if _, problem := inspectDSN(c.DSN); isMySQLURL(c.DSN) && problem != "" {
			return nil, cfgErr("[database] dsn %s: the password in the URL has a character that must be percent-encoded (' ' %%20, # %%23, / %%2F, ? %%3F, @ %%40, %% %%25), or use the driver's form user:password@tcp(host:3306)/database", redactDSN(c.DSN))
		}
		if _, err := mysqlConfig(c.DSN); err != nil {
			return nil, cfgErr("[database] dsn %s: %s", redactDSN(c.DSN), c.redact.Text(err.Error()))
		}
	case queries.Postgres:
		// Refused here with Origen's words: libpq's own messages for a
		// malformed DSN quote it, password included.
		if _, problem := inspectDSN(c.DSN); problem != "" {
			return nil, cfgErr("[database] dsn %s: %s", redactDSN(c.DSN), problem)
		}
	}
	c.StoredTimezone = "UTC"
	if z := raw.Database.StoredTimezone; z != nil {
		if c.Dialect != queries.MySQL {
			return nil, cfgErr("[database] stored_timezone is read with driver = \"mysql\" only (its DATETIME columns have no zone); %s columns say their zone or hold UTC: remove the key", c.Dialect)
		}
		if _, err := queries.ParseStoredZone(*z); err != nil {
			return nil, cfgErr("%v", err)
		}
		c.StoredTimezone = *z
	}
	if raw.Database.ConnectTimeout.Duration > 0 {
		c.ConnectTimeout = raw.Database.ConnectTimeout.Duration
	}
	if raw.Database.StatementTimeout.Duration > 0 {
		c.StatementTimeout = raw.Database.StatementTimeout.Duration
	}
	if p := raw.Database.Parallel; p != nil {
		if *p < 1 || *p > MaxParallel {
			return nil, cfgErr("[database] parallel = %d: it must be a whole number from 1 (one statement at a time) to %d", *p, MaxParallel)
		}
		c.Parallel = int(*p)
	}

	if c.Mapping.Registrations, err = source(queries.RegistrationsInput, raw.Registrations.Keys, false); err != nil {
		return nil, cfgErr("%v", err)
	}
	c.Mapping.Registrations.Dimensions = raw.Registrations.Dimensions
	if err := c.Mapping.Registrations.Validate(queries.RegistrationsInput); err != nil {
		return nil, cfgErr("%v", err)
	}
	if c.Mapping.Purchases, err = source(queries.PurchasesInput, raw.Purchases, false); err != nil {
		return nil, cfgErr("%v", err)
	}
	if f, ok := raw.Spend["file"]; ok {
		if len(raw.Spend) > 1 {
			return nil, cfgErr("[spend] file = %q reads date,channel,amount from a CSV file: remove the other keys of [spend]", f)
		}
		if !filepath.IsAbs(f) {
			f = filepath.Join(dir, f)
		}
		c.SpendFile = f
	} else {
		s, err := source(queries.SpendInput, raw.Spend, true)
		if err != nil {
			return nil, cfgErr("%v", err)
		}
		c.Mapping.Spend = &s
	}
	if md.IsDefined("events") {
		s, err := source(queries.EventsInput, raw.Events, false)
		if err != nil {
			return nil, cfgErr("%v", err)
		}
		c.Mapping.Events = &s
	}

	if c.Channels, err = loadChannels(raw.Channels, &c.Mapping); err != nil {
		return nil, cfgErr("%v", err)
	}
	if c.Paid, err = loadPaid(raw.Channels); err != nil {
		return nil, cfgErr("%v", err)
	}
	if c.Touch, err = loadTouchpoints(raw.Touchpoints, raw.Attribution, &c.Mapping); err != nil {
		return nil, cfgErr("%v", err)
	}

	code := strings.TrimSpace(raw.Report.Currency)
	if code == "" {
		return nil, cfgErr("[report] currency is missing: set the ISO 4217 code of the amounts, e.g. currency = \"EUR\"")
	}
	cur, ok := attribution.LookupCurrency(strings.ToUpper(code))
	if !ok {
		return nil, cfgErr("[report] currency = %q is not an ISO 4217 currency code (e.g. \"EUR\", \"USD\", \"JPY\")", code)
	}
	c.Currency = cur
	c.Timezone = raw.Report.Timezone
	if c.Timezone == "" {
		c.Timezone = "UTC"
	}
	if c.Location, err = time.LoadLocation(c.Timezone); err != nil || c.Timezone == "Local" {
		return nil, cfgErr("[report] timezone = %q is not an IANA time zone name (e.g. \"Europe/Berlin\", \"UTC\")", c.Timezone)
	}
	c.WindowDays = attribution.DefaultWindowDays
	if w := raw.Report.ConversionWindowDays; w != nil {
		if *w < 1 || *w > 3650 {
			return nil, cfgErr("[report] conversion_window_days = %d: use a number of days from 1 to 3650", *w)
		}
		c.WindowDays = *w
	}
	if err := c.loadJobs(raw.SMTP, raw.Jobs, getenv); err != nil {
		return nil, cfgErr("%v", err)
	}
	if c.Targets, err = loadTargets(raw.Targets); err != nil {
		return nil, cfgErr("%v", err)
	}
	if c.Budget, err = loadBudget(raw.Budget); err != nil {
		return nil, cfgErr("%v", err)
	}
	c.Detail = raw.Report.Detail
	c.MaxChannels = reports.DefaultMaxChannels
	if n := raw.Report.MaxChannels; n != nil {
		if *n < 1 {
			return nil, cfgErr("[report] max_channels = %d: use at least 1, the number of channels the page and the workbook's charts show by name (default %d)", *n, reports.DefaultMaxChannels)
		}
		c.MaxChannels = *n
	}
	c.Paper = reports.PaperA4
	if p := raw.Report.Paper; p != "" {
		if reports.CheckPaper(p) != nil {
			return nil, cfgErr("[report] paper = %q: use %q (the default) or %q, the paper the workbook's sheets print on", p, reports.PaperA4, reports.PaperLetter)
		}
		c.Paper = p
	}
	if c.ltvConfig, err = loadLTV(&raw); err != nil {
		return nil, cfgErr("%v", err)
	}
	c.Text = auditText(&raw)
	return c, nil
}

// source turns one input section into a queries.Source.
func source(in queries.Input, kv map[string]string, spend bool) (queries.Source, error) {
	s := queries.Source{Table: kv["table"], SQL: kv["sql"], Columns: map[string]string{}}
	keys := make([]string, 0, len(kv))
	for k := range kv {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "table" || k == "sql" {
			continue
		}
		if k == "file" && !spend {
			return s, fmt.Errorf("[%s] file = is only for [spend]", in.Section)
		}
		s.Columns[k] = kv[k]
	}
	if len(s.Columns) == 0 {
		s.Columns = nil
	}
	if err := s.Validate(in); err != nil {
		return s, err
	}
	return s, nil
}
