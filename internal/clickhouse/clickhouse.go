// Package clickhouse opens Origen's read-only ClickHouse connections
// through the official driver, github.com/ClickHouse/clickhouse-go/v2, over
// its native protocol (docs/SCALE.md records why not HTTP), and discards a
// connection after any error from the server: with clickhouse-server 18.16
// the driver's connection is out of step after a server-side error (the
// next statement on it fails with "Unexpected packet Data received from
// client"), so such a connection must never go back to the pool.
package clickhouse

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
)

// Options are what Origen sets on every connection besides the DSN.
type Options struct {
	// StatementTimeout becomes the session's max_execution_time (whole
	// seconds, rounded up); zero leaves the server's.
	StatementTimeout time.Duration
	// DialTimeout bounds connecting; zero keeps the driver's.
	DialTimeout time.Duration
	// Writable leaves out readonly = 1: only for loading fixtures.
	Writable bool
}

// ParseDSN reads a clickhouse://user:password@host:9000/database?setting=value
// DSN into the driver's options: always the native protocol, and, unless
// o.Writable, the setting readonly = 1, so the server refuses every write
// and every change of settings. A DSN that asks for HTTP, or for a
// readonly other than 1, is refused.
func ParseDSN(dsn string, o Options) (*ch.Options, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, errors.New("the DSN is not a URL: want clickhouse://user:password@host:9000/database")
	}
	switch u.Scheme {
	case "clickhouse", "tcp":
	case "http", "https":
		return nil, fmt.Errorf("the DSN asks for ClickHouse's HTTP protocol (%s://): Origen speaks the native protocol (port 9000 by default): use clickhouse://host:9000/database (docs/SCALE.md)", u.Scheme)
	default:
		return nil, fmt.Errorf("the DSN's scheme is %q: want clickhouse://user:password@host:9000/database", u.Scheme)
	}
	opt, err := ch.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("the DSN cannot be read (want clickhouse://user:password@host:9000/database): %v", redactErr(err, u))
	}
	opt.Protocol = ch.Native
	if opt.Settings == nil {
		opt.Settings = ch.Settings{}
	}
	if !o.Writable {
		if v, ok := opt.Settings["readonly"]; ok && fmt.Sprint(v) != "1" {
			return nil, fmt.Errorf("the DSN sets readonly=%v: Origen only reads, with readonly = 1; remove the setting", v)
		}
		opt.Settings["readonly"] = 1
	}
	if o.StatementTimeout > 0 {
		opt.Settings["max_execution_time"] = int((o.StatementTimeout + time.Second - 1) / time.Second)
	}
	if o.DialTimeout > 0 {
		opt.DialTimeout = o.DialTimeout
	}
	opt.MaxOpenConns, opt.MaxIdleConns = 4, 2
	return opt, nil
}

// redactErr keeps the password of u out of err's text.
func redactErr(err error, u *url.URL) error {
	msg := err.Error()
	if u.User != nil {
		if p, ok := u.User.Password(); ok && p != "" {
			msg = strings.ReplaceAll(msg, p, "xxxxx")
			msg = strings.ReplaceAll(msg, url.QueryEscape(p), "xxxxx")
		}
	}
	return errors.New(msg)
}

// Open returns a database handle over the connections of dsn (ParseDSN),
// each discarded after an error from the server.
func Open(dsn string, o Options) (*sql.DB, error) {
	opt, err := ParseDSN(dsn, o)
	if err != nil {
		return nil, err
	}
	db := sql.OpenDB(connector{ch.Connector(opt)})
	db.SetMaxOpenConns(opt.MaxOpenConns)
	db.SetMaxIdleConns(opt.MaxIdleConns)
	return db, nil
}

// connector wraps the driver's connector so that every connection is a
// guarded conn.
type connector struct{ inner driver.Connector }

func (c connector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &conn{inner: dc}, nil
}

func (c connector) Driver() driver.Driver { return c.inner.Driver() }

// conn is one driver connection that database/sql discards (driver.Validator)
// once a statement on it failed: the failure itself reaches the caller
// unchanged, and the next statement gets a fresh connection.
type conn struct {
	inner  driver.Conn
	broken atomic.Bool
}

var (
	_ driver.Validator          = (*conn)(nil)
	_ driver.SessionResetter    = (*conn)(nil)
	_ driver.QueryerContext     = (*conn)(nil)
	_ driver.ExecerContext      = (*conn)(nil)
	_ driver.ConnBeginTx        = (*conn)(nil)
	_ driver.Pinger             = (*conn)(nil)
	_ driver.NamedValueChecker  = (*conn)(nil)
	_ driver.ConnPrepareContext = (*conn)(nil)
)

// IsValid tells database/sql whether the connection may go back to the pool.
func (c *conn) IsValid() bool { return !c.broken.Load() }

func (c *conn) fail(err error) error {
	if err != nil && !errors.Is(err, io.EOF) {
		c.broken.Store(true)
	}
	return err
}

func (c *conn) ResetSession(ctx context.Context) error {
	if c.broken.Load() {
		return driver.ErrBadConn
	}
	if r, ok := c.inner.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *conn) Prepare(q string) (driver.Stmt, error) {
	return nil, errors.New("clickhouse: Origen sends no prepared statements")
}

func (c *conn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	return c.Prepare(q)
}

func (c *conn) Close() error { return c.inner.Close() }

func (c *conn) Begin() (driver.Tx, error) { //nolint:staticcheck // database/sql's interface
	return nil, errors.New("clickhouse: no transactions; Origen reads one statement at a time")
}

func (c *conn) BeginTx(ctx context.Context, _ driver.TxOptions) (driver.Tx, error) {
	return c.Begin()
}

func (c *conn) Ping(ctx context.Context) error {
	if p, ok := c.inner.(driver.Pinger); ok {
		return c.fail(p.Ping(ctx))
	}
	return nil
}

func (c *conn) CheckNamedValue(nv *driver.NamedValue) error { return nil }

func (c *conn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	if c.broken.Load() {
		return nil, driver.ErrBadConn
	}
	r, err := c.inner.(driver.QueryerContext).QueryContext(ctx, q, args)
	if err != nil {
		return nil, c.fail(err)
	}
	return &rows{Rows: r, c: c}, nil
}

func (c *conn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	if c.broken.Load() {
		return nil, driver.ErrBadConn
	}
	r, err := c.inner.(driver.ExecerContext).ExecContext(ctx, q, args)
	return r, c.fail(err)
}

// rows marks its connection broken when the result fails midway (an
// exception from the server while it streams, a cancelled context).
type rows struct {
	driver.Rows
	c    *conn
	done bool
}

func (r *rows) Next(dest []driver.Value) error {
	err := r.Rows.Next(dest)
	if errors.Is(err, io.EOF) {
		r.done = true
	}
	return r.c.fail(err)
}

// Close closes the result; one left before its end leaves the rest of it
// on the connection, which is then discarded too.
func (r *rows) Close() error {
	err := r.Rows.Close()
	if !r.done {
		r.c.broken.Store(true)
	}
	return r.c.fail(err)
}

func (r *rows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *rows) ColumnTypeNullable(i int) (bool, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return t.ColumnTypeNullable(i)
	}
	return false, false
}
