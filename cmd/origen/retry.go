package main

import (
	"context"
	"database/sql/driver"
	"errors"
	"log/slog"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/lib/pq"

	"github.com/origen-analytics/origen/attribution"
)

// transient reports whether err is worth retrying: the database could not
// be reached or asked us to try again. Configuration and data errors, and
// cancellation, are never retried.
func transient(err error) bool {
	if err == nil || attribution.KindOf(err) != attribution.KindRuntime ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		code := string(pqErr.Code)
		switch {
		case strings.HasPrefix(code, "08"), // connection exception
			code == "40001", // serialization failure
			code == "40P01", // deadlock detected
			code == "57P01", // admin shutdown
			code == "57P02", // crash shutdown
			code == "57P03", // cannot connect now (starting up)
			code == "53300": // too many connections
			return true
		}
		return false
	}
	var myErr *mysql.MySQLError
	if errors.As(err, &myErr) {
		switch myErr.Number {
		case 1205, // lock wait timeout exceeded
			1213, // deadlock found
			1040, // too many connections
			1053, // server shutdown in progress
			1927, // connection was killed (MariaDB)
			2006, // server has gone away
			2013: // lost connection during query
			return true
		}
		return false
	}
	// go-sql-driver's lost connection (server gone away, reset).
	if errors.Is(err, mysql.ErrInvalidConn) {
		return true
	}
	var netErr net.Error
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, driver.ErrBadConn) || (errors.As(err, &netErr) && netErr.Timeout()) {
		return true
	}
	// A PostgreSQL unix socket that is not there (yet): the server is
	// starting, or its directory is being mounted.
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" && strings.HasPrefix(opErr.Net, "unix") && errors.Is(err, syscall.ENOENT) {
		return true
	}
	// SQLite: another process holds a write lock for longer than busy_timeout.
	return strings.Contains(err.Error(), "database is locked") || strings.Contains(err.Error(), "SQLITE_BUSY")
}

// backoff is the bounded exponential delay before retry n (1-based).
func backoff(n int, base time.Duration) time.Duration {
	d := base << (n - 1)
	return min(d, 30*time.Second)
}

// withRetries runs fn, retrying transient failures up to retries times
// with bounded exponential backoff, and stops waiting when ctx ends.
func withRetries[T any](ctx context.Context, retries int, base time.Duration, log *slog.Logger, what string, fn func() (T, error)) (T, error) {
	for attempt := 0; ; attempt++ {
		v, err := fn()
		if err == nil || attempt >= retries || !transient(err) {
			return v, err
		}
		wait := backoff(attempt+1, base)
		log.Warn("transient failure, retrying", "step", what, "attempt", attempt+1, "of", retries+1, "wait", wait, "error", err)
		select {
		case <-ctx.Done():
			return v, err
		case <-time.After(wait):
		}
	}
}
