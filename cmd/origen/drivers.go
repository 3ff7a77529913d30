package main

// Database drivers are registered here (and go-sql-driver/mysql, the
// "mysql" driver, in dsn_mysql.go with its DSN forms), and what Origen
// asks of them beyond database/sql lives here too: PostgreSQL connections
// whose every wait is bounded, and SQLite connections that can only read.
import (
	"context"
	"database/sql/driver"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/lib/pq"  // "postgres"
	"modernc.org/sqlite" // "sqlite", pure Go: the embedded default
)

// pgConnector returns a lib/pq connector for dsn whose connections cannot
// hang, even on a server that accepts the connection and never answers:
//
//   - connecting (TCP, TLS, startup and authentication) takes at most
//     connectTimeout (or the DSN's own connect_timeout when shorter): lib/pq
//     bounds it with a socket deadline, which it only sets when a timeout
//     is configured, and ignores its context;
//   - once connected, no single read or write waits longer than idle
//     (statement_timeout + connect_timeout): the server ends every
//     statement within statement_timeout, so a longer silence means it
//     stopped answering, and lib/pq would otherwise wait for ever;
//   - when run ends (SIGTERM, the job's timeout), every connection opened
//     before is cut at once. lib/pq also sends the server a cancel request
//     on a new connection, which this leaves alone so the query stops
//     there too.
func pgConnector(run context.Context, dsn string, connectTimeout, idle time.Duration) (driver.Connector, error) {
	cfg, err := pq.NewConfig(dsn)
	if err != nil {
		return nil, err
	}
	if cfg.ConnectTimeout <= 0 || cfg.ConnectTimeout > connectTimeout {
		cfg.ConnectTimeout = connectTimeout
	}
	c, err := pq.NewConnectorConfig(cfg)
	if err != nil {
		return nil, err
	}
	c.Dialer(boundedDialer{run: run, idle: idle})
	return c, nil
}

// boundedDialer dials boundedConns. It implements pq.DialerContext, which
// lib/pq prefers to the context-free methods.
type boundedDialer struct {
	run  context.Context
	idle time.Duration
}

var _ pq.DialerContext = boundedDialer{}

func (d boundedDialer) Dial(network, address string) (net.Conn, error) {
	return d.DialContext(context.Background(), network, address)
}

func (d boundedDialer) DialTimeout(network, address string, timeout time.Duration) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return d.DialContext(ctx, network, address)
}

func (d boundedDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	// The run's end also ends a dial in progress (but not the dial of a
	// cancel request, which lib/pq makes once the run has ended).
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if d.run.Err() == nil {
		defer context.AfterFunc(d.run, cancel)()
	}
	var nd net.Dialer
	nc, err := nd.DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	c := &boundedConn{Conn: nc, idle: d.idle}
	// A connection dialed after the run ended is lib/pq's cancel request:
	// let it reach the server (its connect timeout bounds it).
	if d.run.Err() == nil {
		c.stop = context.AfterFunc(d.run, c.abort)
	}
	return c, nil
}

// boundedConn is a net.Conn whose reads and writes each wait at most idle
// (or until the deadline lib/pq set, when earlier), and which abort cuts.
type boundedConn struct {
	net.Conn
	idle time.Duration
	stop func() bool

	mu            sync.Mutex
	aborted       bool
	read, written time.Time // the deadlines lib/pq (or crypto/tls) asked for
}

func (c *boundedConn) deadline(set time.Time) time.Time {
	if c.idle <= 0 {
		return set
	}
	d := time.Now().Add(c.idle)
	if !set.IsZero() && set.Before(d) {
		d = set
	}
	return d
}

func (c *boundedConn) Read(b []byte) (int, error) {
	c.mu.Lock()
	if !c.aborted {
		c.Conn.SetReadDeadline(c.deadline(c.read))
	}
	c.mu.Unlock()
	return c.Conn.Read(b)
}

func (c *boundedConn) Write(b []byte) (int, error) {
	c.mu.Lock()
	if !c.aborted {
		c.Conn.SetWriteDeadline(c.deadline(c.written))
	}
	c.mu.Unlock()
	return c.Conn.Write(b)
}

func (c *boundedConn) SetDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.read, c.written = t, t
	return nil
}

func (c *boundedConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.read = t
	return nil
}

func (c *boundedConn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.written = t
	return nil
}

// abort makes every pending and later read and write fail at once with a
// timeout, which lib/pq takes for a broken connection.
func (c *boundedConn) abort() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.aborted = true
	c.Conn.SetDeadline(time.Now())
}

func (c *boundedConn) Close() error {
	if c.stop != nil {
		c.stop()
	}
	return c.Conn.Close()
}

// sqliteConnector opens read-only SQLite connections through a driver of
// its own (no process-wide registration), whose connection hook installs
// readOnlyAuthorizer on every connection before it runs a statement.
type sqliteConnector struct {
	driver *sqlite.Driver
	dsn    string
}

func newSQLiteConnector(dsn string) sqliteConnector {
	d := &sqlite.Driver{}
	d.RegisterConnectionHook(func(c sqlite.ExecQuerierContext, _ string) error {
		a, ok := c.(sqlite.AuthorizerRegisterer)
		if !ok {
			return errNoAuthorizer
		}
		return a.RegisterAuthorizer(readOnlyAuthorizer)
	})
	return sqliteConnector{driver: d, dsn: dsn}
}

func (c sqliteConnector) Connect(ctx context.Context) (driver.Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return c.driver.Open(c.dsn)
}

func (c sqliteConnector) Driver() driver.Driver { return c.driver }

type constError string

func (e constError) Error() string { return string(e) }

// errNoAuthorizer is returned by newSQLiteConnector's connections when the
// SQLite driver cannot install an authorizer: Origen does not read without.
const errNoAuthorizer = constError("the sqlite driver offers no authorizer, which Origen needs to keep `sql =` sources read-only")

// readOnlyAuthorizer is the SQLite authorizer of Origen's connections: it
// lets statements read and nothing else. SQLite runs every statement of a
// text it is given, so a `sql =` source could otherwise stack
// "...); ATTACH 'file:/tmp/x?mode=rwc' AS x; ..." — attaching (and
// creating) another file that the read-only open does not cover — or turn
// query_only off. Transactions may begin and roll back (the snapshot);
// nothing may commit, since Origen never does.
func readOnlyAuthorizer(action sqlite.AuthorizerActionCode, arg1, arg2, _, _ string) sqlite.AuthorizerReturnCode {
	switch action {
	case sqlite.AuthSelect, sqlite.AuthRead, sqlite.AuthRecursive:
		return sqlite.AuthorizerOK
	case sqlite.AuthFunction:
		// arg2 is the function's name. load_extension runs native code;
		// fts3_tokenizer can be made to call arbitrary addresses.
		switch strings.ToLower(arg2) {
		case "load_extension", "fts3_tokenizer", "readfile", "writefile", "edit":
			return sqlite.AuthorizerDeny
		}
		return sqlite.AuthorizerOK
	case sqlite.AuthTransaction:
		switch strings.ToUpper(arg1) {
		case "BEGIN", "ROLLBACK":
			return sqlite.AuthorizerOK
		}
		return sqlite.AuthorizerDeny
	case sqlite.AuthPragma:
		// The snapshot's own PRAGMA query_only = ON, and nothing that
		// could turn it off or change anything else.
		if strings.EqualFold(arg1, "query_only") {
			switch strings.ToLower(arg2) {
			case "on", "1", "true", "yes":
				return sqlite.AuthorizerOK
			}
		}
		return sqlite.AuthorizerDeny
	}
	return sqlite.AuthorizerDeny
}
