package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/internal/clickhouse"
	"github.com/origen-analytics/origen/queries"
)

// openDB opens the configured database and checks that it answers within
// [database] connect_timeout. A PostgreSQL connection never waits longer
// than its bounds, and is cut when ctx (the run) ends (see pgConnector);
// a SQLite database is opened read-only, with an authorizer that lets
// statements only read (see newSQLiteConnector). Its errors never show
// the DSN's secrets.
func openDB(ctx context.Context, cfg *config) (*sqlx.DB, error) {
	var db *sqlx.DB
	if cfg.Dialect == queries.SQLite {
		uri, err := sqliteURI(cfg.DSN)
		if err != nil {
			return nil, err
		}
		db = sqlx.NewDb(sql.OpenDB(newSQLiteConnector(uri)), "sqlite")
	} else if cfg.Dialect == queries.ClickHouse {
		// Read-only native connections, discarded after a server error
		// (internal/clickhouse; docs/SCALE.md).
		c, err := clickhouse.Open(cfg.DSN, clickhouse.Options{StatementTimeout: cfg.StatementTimeout, DialTimeout: cfg.ConnectTimeout})
		if err != nil {
			return nil, cfg.redact.Err(attribution.Errorf(attribution.KindConfig, "[database] dsn %s: %w", redactDSN(cfg.DSN), err))
		}
		db = sqlx.NewDb(c, "clickhouse")
	} else if cfg.Dialect == queries.MySQL {
		mc, err := mysqlConnectorConfig(cfg.DSN, cfg.ConnectTimeout, cfg.StatementTimeout+cfg.ConnectTimeout)
		if err != nil {
			return nil, cfg.redact.Err(attribution.Errorf(attribution.KindConfig, "[database] dsn %s: %w", redactDSN(cfg.DSN), err))
		}
		c, err := mysql.NewConnector(mc)
		if err != nil {
			return nil, cfg.redact.Err(attribution.Errorf(attribution.KindConfig, "[database] dsn %s: %w", redactDSN(cfg.DSN), err))
		}
		db = sqlx.NewDb(sql.OpenDB(c), "mysql")
	} else {
		c, err := pgConnector(ctx, cfg.DSN, cfg.ConnectTimeout, cfg.StatementTimeout+cfg.ConnectTimeout)
		if err != nil {
			return nil, cfg.redact.Err(attribution.Errorf(attribution.KindConfig, "[database] dsn %s: %w", redactDSN(cfg.DSN), err))
		}
		db = sqlx.NewDb(sql.OpenDB(c), "postgres")
	}
	pingCtx, cancel := context.WithTimeout(ctx, cfg.ConnectTimeout)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		if ctx.Err() == nil && (errors.Is(pingCtx.Err(), context.DeadlineExceeded) || isTimeout(err)) {
			return nil, cfg.redact.Err(fmt.Errorf("database %s (%s): no answer within [database] connect_timeout = %v: %w",
				cfg.Dialect, redactDSN(cfg.DSN), cfg.ConnectTimeout, err))
		}
		return nil, dbErr(ctx, cfg, err)
	}
	return db, nil
}

// dbErr adds the redacted DSN to a database failure, and hides the DSN's
// secrets in the text of any error, the driver's included: lib/pq's
// messages can quote the DSN.
func dbErr(ctx context.Context, cfg *config, err error) error {
	var ae *attribution.Error
	if errors.As(err, &ae) {
		return cfg.redact.Err(err)
	}
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted: %w", ctx.Err())
	}
	if isTimeout(err) {
		// The connection's own bound (see pgConnector), not a context.
		return cfg.redact.Err(fmt.Errorf("database %s (%s) stopped answering: no reply within [database] statement_timeout + connect_timeout = %v: %w",
			cfg.Dialect, redactDSN(cfg.DSN), cfg.StatementTimeout+cfg.ConnectTimeout, err))
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) && me.Number == 1044 {
		// MySQL and MariaDB refuse the DSN's database to a user whose
		// privileges on it come from a role that is not active.
		return cfg.redact.Err(fmt.Errorf("database %s (%s): %w (if the user's privileges on it come from a role, make that role its default: SET DEFAULT ROLE role FOR user on MariaDB, TO user on MySQL; Origen sets no role)",
			cfg.Dialect, redactDSN(cfg.DSN), err))
	}
	return cfg.redact.Err(fmt.Errorf("database %s (%s): %w", cfg.Dialect, redactDSN(cfg.DSN), err))
}

// isTimeout reports a network timeout.
func isTimeout(err error) bool {
	var netErr net.Error
	return errors.As(err, &netErr) && netErr.Timeout()
}

// sqliteURI is the read-only file: URI of the SQLite database at path. The
// path is percent-encoded, so that a '#', '?' or '%' in it stays part of
// the path (unescaped, '#' would end the path and drop mode=ro, and
// SQLite would create an empty database in its place).
func sqliteURI(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", attribution.Errorf(attribution.KindConfig, "[database] dsn: sqlite database %q: %w", path, err)
	}
	// SQLite would silently create a missing file.
	if _, err := os.Stat(abs); err != nil {
		return "", attribution.Errorf(attribution.KindConfig, "[database] dsn: sqlite database %w", err)
	}
	return "file:" + escapeURIPath(abs) + "?mode=ro&_pragma=busy_timeout(10000)", nil
}

// escapeURIPath percent-encodes every byte of p but unreserved characters
// and '/' (RFC 3986), which SQLite decodes back.
func escapeURIPath(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', strings.IndexByte("-._~/", c) >= 0:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
