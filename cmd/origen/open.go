package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/jmoiron/sqlx"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/queries"
)

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
