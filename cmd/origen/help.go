package main

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// commandHelp is what `origen help COMMAND` and `origen COMMAND -h` print
// before the flags: what the command does and examples to copy.
var commandHelp = map[string]string{
	"demo": `origen demo builds a deterministic demo business in a pure-Go SQLite file
and writes its reports (October 2026, as of 2026-11-20).

Examples:
  origen demo
  origen demo --out /tmp/origen-demo
`,
	"report": `origen report reads the configured database in one read-only snapshot and
writes the workbook, the page and the JSON of one period (--to is exclusive).

Examples:
  origen report --config origen.toml --from 2026-10-01 --to 2026-11-01
  origen report --config origen.toml --period last-month --out reports/
  origen report --config origen.toml --period 2026-Q3 --mature --as-of 2026-11-20T00:00:00Z
  origen report --config origen.toml --period 2026-10 --detail --cohort week
`,
	"prospects": `origen prospects ranks every registered user who has not bought yet by the
probability of a first purchase within --horizon days, and backtests the scores.

Examples:
  origen prospects --config origen.toml
  origen prospects --config origen.toml --top 500 --horizon 14 --out crm/
`,
	"budget": `origen budget fits a response curve of weekly customers (or revenue) against
weekly spend per paid channel over [budget] lookback_weeks, suggests how to
move the same total between channels, writes budget.csv and prints the
moves. The suggestion is an association in past weeks, not a tested effect.

Examples:
  origen budget --config origen.toml
  origen budget --config origen.toml --as-of 2026-11-20T00:00:00Z --out plans/
`,
	"customers": `origen customers lists the customers of the cohort months ([ltv] cohort_months)
ranked by value at risk (revenue so far × (1 − P(alive))) with P(alive), the
expected purchases of the next 90 days and the expected 12-month value
(BG/NBD and Gamma–Gamma, docs/LTV.md), and backtests the scores 90 days back.

Examples:
  origen customers --config origen.toml
  origen customers --config origen.toml --top 1000 --out crm/
`,
	"run": `origen run runs the config's [[job]] tables, for cron, systemd timers and
Kubernetes CronJobs: one lock per job, retries of transient database
errors, atomic outputs, e-mail and webhook delivery.

Examples:
  origen run --config /etc/origen/origen.toml
  origen run --config origen.toml --job monthly --dry-run
`,
	"check": `origen check validates the config and the mapping against the database
without writing anything: columns, types, row counts and findings.

Examples:
  origen check --config origen.toml
`,
	"fixtures load": `origen fixtures load generates the demo's kind of data into PostgreSQL with
COPY (or, with --driver mysql, into MySQL or MariaDB with multi-row INSERTs, the schema
being a database) and writes a ready config for it.

Examples:
  origen fixtures load --dsn postgres:///shop --schema gen --registrations 1000000 --config-out gen.toml
  origen fixtures load --dsn postgres:///shop --schema gen10y --registrations 10000000 --months 120 --indexes --config-out gen10y.toml
  origen fixtures load --driver mysql --dsn 'root@tcp(127.0.0.1:3306)/' --schema gen --registrations 100000 --config-out gen-mysql.toml
`,
}

// commands are the names dispatch knows, for "did you mean".
var commands = []string{"demo", "report", "prospects", "budget", "customers", "run", "check", "fixtures", "version", "help"}

// printFlags writes a flag set's help as the README writes flags:
// --name VALUE, then its usage and default.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if name != "" {
			line += " " + name
		}
		fmt.Fprintf(w, "%s\n      %s", line, usage)
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			fmt.Fprintf(w, " (default %s)", f.DefValue)
		}
		fmt.Fprintln(w)
	})
}

// didYouMean suggests the known command nearest to name, or "".
func didYouMean(name string) string {
	best, bestD := "", 3 // suggest within two edits
	for _, c := range commands {
		if d := editDistance(strings.ToLower(name), c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = slices.Min([]int{prev[j] + 1, cur[j-1] + 1, prev[j-1] + cost})
		}
		prev = cur
	}
	return prev[len(b)]
}
