package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/origen-analytics/origen/queries"
)

// checkOptions are the flags of origen check.
type checkOptions struct {
	Config string
	AsOf   string
}

// cmdCheck validates the config and the database mapping without writing
// a report: it connects, checks every mapped column and its type, counts
// the rows and findings of every source, and warns when the connected role
// could write (queries.Reader.Privileges). It prints only once everything
// has passed.
func (e env) cmdCheck(ctx context.Context, args []string) error {
	var o checkOptions
	fs := e.newFlags("check")
	fs.StringVar(&o.Config, "config", "", "configuration `FILE` (TOML)")
	fs.StringVar(&o.AsOf, "as-of", "", "data cutoff for the counts, RFC 3339 (default now)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := requireFlags("check", map[string]string{"config": o.Config}); err != nil {
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
	// The spend file is read first: its problems are found before the
	// database is.
	spendFile, err := loadSpendFile(cfg)
	if err != nil {
		return err
	}
	snap, closeSnap, err := openDBSnapshot(ctx, cfg, e.loggerFor(cfg))
	if err != nil {
		return err
	}
	defer closeSnap()
	// Nothing is printed until every check has passed: a report that
	// says "ok" and then fails reads as a success to whoever skims it.
	var out bytes.Buffer
	fmt.Fprintf(&out, "config %s: ok\ndatabase: %s %s\n", cfg.Path, cfg.Dialect, redactDSN(cfg.DSN))
	tw := tabwriter.NewWriter(&out, 0, 4, 2, ' ', 0)
	for _, c := range snap.Checks {
		fmt.Fprintf(tw, "[%s]\t%s\t\n", c.Section, c.From)
		for _, name := range []queries.Input{queries.RegistrationsInput, queries.PurchasesInput, queries.SpendInput, queries.EventsInput} {
			if name.Section != c.Section {
				continue
			}
			for _, col := range append(name.ColumnNames(), "dimensions") {
				if v, ok := c.Columns[col]; ok {
					fmt.Fprintf(tw, "  %s\t%s\t\n", col, v)
				}
			}
		}
	}
	tw.Flush()
	if cfg.Dialect == queries.ClickHouse {
		fmt.Fprintf(&out, "clickhouse: %s\n", queries.ClickHouseCoverage)
	}
	// The source-wide counts only: check reads no cohort.
	q, warnings, err := snap.ReadQuality(ctx, asOf)
	if err != nil {
		return dbErr(ctx, cfg, err)
	}
	fmt.Fprintf(&out, "registrations: %d rows (%d without user_id, %d without readable registered_at, %d after as-of %s)\n",
		q.RegistrationRows, q.RegistrationsNoUser, q.RegistrationsNoTime, q.RegistrationsAfterAsOf, asOf.Format("2006-01-02T15:04:05Z07:00"))
	fmt.Fprintf(&out, "purchases: %d rows (%d refunds, %d zero amounts, %d ignored, %d after as-of)\n",
		q.PurchaseRows, q.Refunds, q.ZeroAmountPurchases, q.PurchasesIgnored, q.PurchasesAfterAsOf)
	if spendFile != nil {
		fmt.Fprintf(&out, "spend: file %s, %d rows\n", cfg.SpendFile, spendFile.Rows)
	} else {
		fmt.Fprintf(&out, "spend: %d rows (%d ignored)\n", q.SpendRows, q.SpendIgnored)
	}
	// Last: a failed statement ends a PostgreSQL transaction.
	privileges, err := snap.Privileges(ctx)
	if err != nil {
		return dbErr(ctx, cfg, err)
	}
	warnings = append(warnings, privileges...)
	if len(warnings) > 0 {
		fmt.Fprintf(&out, "warnings:\n  %s\n", strings.Join(warnings, "\n  "))
	}
	_, err = e.stdout.Write(out.Bytes())
	return err
}
