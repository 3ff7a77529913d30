package main

// Database drivers are registered here and nowhere else, and what Origen
// asks of them beyond database/sql lives here too: SQLite connections that
// can only read.
import (
	"context"
	"database/sql/driver"
	"strings"

	_ "github.com/lib/pq" // "postgres"
	"modernc.org/sqlite"  // "sqlite", pure Go: the embedded default
)

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
