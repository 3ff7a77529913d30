package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/origen-analytics/origen/attribution"
)

const usage = `origen reports which acquisition channels bring registrations that turn
into paying customers, and what each customer costs.

Usage:
  origen [--log-format text|json] COMMAND ...
  origen demo [--out DIR]                  build the demo database and its reports
  origen report --config FILE --from YYYY-MM-DD --to YYYY-MM-DD [--as-of RFC3339] [--out DIR]
  origen report --config FILE --period NAME [--mature] [--as-of RFC3339] [--out DIR]
                                           (both: [--cohort week|month] [--compare previous|year|none]
                                            [--detail] [--allow-empty])
  origen prospects --config FILE [--as-of RFC3339] [--horizon 7] [--top N] [--out DIR]
                                           rank who is likely to buy next; backtest the scores
  origen budget --config FILE [--as-of RFC3339] [--out DIR]
                                           where the next euro should go: budget.csv and the moves
  origen customers --config FILE [--as-of RFC3339] [--top N] [--out DIR]
                                           customers by value at risk (P(alive), 12-month value); backtest
  origen run --config FILE [--job NAME] [--dry-run] [--as-of RFC3339]
                                           run the config's [[job]] tables (for schedulers)
  origen check --config FILE               validate the config and the database mapping
  origen fixtures load --dsn DSN --schema NAME --registrations N [--months 12] [--indexes] --seed S --config-out FILE
  origen version

Run 'origen COMMAND -h' for a command's flags. Exit codes: 0 ok, 1 runtime
failure, 2 usage or configuration error, 3 data problem.
`

// run is the whole program behind main, callable from tests.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	return newEnv(getenv, stdin, stdout, stderr).dispatch(ctx, args)
}

// newEnv is the production env on the given streams.
func newEnv(getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) env {
	return env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr,
		now: func() time.Time { return time.Now().UTC().Truncate(time.Second) }, retryBase: time.Second}
}

// dispatch runs the command args name. A panic in it becomes a
// *panicError (exit code 1, one line, then the stack): never a Go stack
// trace as the first thing a person or a scheduler's log shows. Panics in
// goroutines a command starts are not recovered here, so such goroutines
// must recover their own (writeAtomically's writers raise theirs again in
// the command's goroutine).
func (e env) dispatch(ctx context.Context, args []string) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = recovered(v)
		}
		if err != nil && e.logFormat == "json" {
			err = &jsonLogError{err}
		}
	}()
	if e.fault != nil {
		ctx = context.WithValue(ctx, faultKey{}, e.fault)
	}
	// Global flags come before the command: --log-format text|json (also
	// ORIGEN_LOG_FORMAT; the flag wins).
	e.logFormat = e.getenv("ORIGEN_LOG_FORMAT")
	for len(args) > 0 && strings.HasPrefix(args[0], "--log-format") {
		if v, ok := strings.CutPrefix(args[0], "--log-format="); ok {
			e.logFormat, args = v, args[1:]
		} else if len(args) > 1 {
			e.logFormat, args = args[1], args[2:]
		} else {
			return usageErr("--log-format needs a value: text or json")
		}
	}
	switch e.logFormat {
	case "", "text", "json":
	default:
		return usageErr("--log-format %q: use text or json", e.logFormat)
	}
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return usageErr("no command given")
	}
	fault(ctx, "command "+args[0])
	switch args[0] {
	case "demo":
		return e.cmdDemo(ctx, args[1:])
	case "report":
		return e.cmdReport(ctx, args[1:])
	case "run":
		return e.cmdRun(ctx, args[1:])
	case "check":
		return e.cmdCheck(ctx, args[1:])
	case "prospects":
		return e.cmdProspects(ctx, args[1:])
	case "budget":
		return e.cmdBudget(ctx, args[1:])
	case "customers":
		return e.cmdCustomers(ctx, args[1:])
	case "fixtures":
		return e.cmdFixtures(ctx, args[1:])
	case "version", "--version":
		fmt.Fprintf(e.stdout, "origen %s\n", version())
		return nil
	case "help", "-h", "--help":
		if len(args) > 1 && args[1] != "-h" && args[1] != "--help" {
			// origen help COMMAND is origen COMMAND -h.
			sub := append([]string{}, args[1:]...)
			if sub[0] == "fixtures" && len(sub) == 1 {
				sub = append(sub, "load")
			}
			return e.dispatch(ctx, append(sub, "-h"))
		}
		fmt.Fprint(e.stdout, usage)
		return nil
	}
	fmt.Fprint(e.stderr, usage)
	if s := didYouMean(args[0]); s != "" {
		return usageErr("unknown command %q: did you mean %q?", args[0], s)
	}
	return usageErr("unknown command %q", args[0])
}

func usageErr(format string, args ...any) error {
	return attribution.Errorf(attribution.KindConfig, format, args...)
}

// newFlags returns a flag set that reports errors instead of exiting.
// Its help (-h, --help) goes to stdout: what the command does, examples,
// and the flags written as --flag, as in the README.
func (e env) newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("origen "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprint(e.stdout, commandHelp[name])
		fmt.Fprintf(e.stdout, "\nFlags of origen %s:\n", name)
		printFlags(e.stdout, fs)
	}
	return fs
}

// parse parses flags and turns mistakes into usage errors; extra
// positional arguments are refused.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return usageErr("%s: %v", fs.Name(), err)
	}
	if fs.NArg() > 0 {
		return usageErr("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}

// logger returns the run's logger on stderr: text lines by default, JSON
// objects with --log-format json (for log shippers).
func (e env) logger() *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	if e.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(e.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(e.stderr, opts))
}

// requireFlags reports the first empty required flag.
func requireFlags(cmd string, flags map[string]string) error {
	var missing []string
	for name, v := range flags {
		if strings.TrimSpace(v) == "" {
			missing = append(missing, "--"+name)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return usageErr("origen %s: missing %s (see origen %s -h)", cmd, strings.Join(missing, ", "), cmd)
	}
	return nil
}
