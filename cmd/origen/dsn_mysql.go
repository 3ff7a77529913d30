package main

import (
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql" // "mysql": MySQL and MariaDB

	"github.com/origen-analytics/origen/queries"
)

// isMySQLURL reports a mysql:// URL DSN.
func isMySQLURL(dsn string) bool { return strings.HasPrefix(dsn, "mysql://") }

// mysqlDriverPassword returns the password of a DSN in go-sql-driver's
// form, [user[:password]@][net[(addr)]]/dbname[?params], found as the
// driver finds it (the text between the first ':' and the last '@' before
// the last '/'), and whether dsn has that form: the part before the
// password is a user name (no '=' or white space, which a libpq
// key=value DSN would have).
func mysqlDriverPassword(dsn string) (string, bool) {
	if strings.Contains(dsn, "://") {
		return "", false
	}
	// Without a '/' the driver refuses the DSN, but its password must
	// still be hidden in the error that says so.
	slash := strings.LastIndexByte(dsn, '/')
	if slash < 0 {
		slash = len(dsn)
	}
	at := strings.LastIndexByte(dsn[:slash], '@')
	if at < 0 {
		return "", false
	}
	user, pw, has := strings.Cut(dsn[:at], ":")
	if strings.ContainsAny(user, "= \t\n\r\v\f'\"") || !has {
		return "", false
	}
	return pw, true
}

// mysqlDSNSecrets adds the password of a go-sql-driver DSN.
func mysqlDSNSecrets(dsn string, s *dsnSecrets) {
	if pw, ok := mysqlDriverPassword(dsn); ok {
		s.add(pw, pw)
	}
}

// mysqlConfig reads a [database] dsn for driver = "mysql": the driver's
// own form ("user:pass@tcp(host:3306)/db?param=value") or a URL
// ("mysql://user:pass@host:3306/db?param=value", the password
// percent-encoded, the port 3306 when left out), whose parameters are the
// driver's. It never quotes the password in an error.
func mysqlConfig(dsn string) (*mysql.Config, error) {
	if !isMySQLURL(dsn) {
		c, err := mysql.ParseDSN(dsn)
		if err != nil {
			return nil, constError("not a MySQL DSN (" + err.Error() + "): write user:password@tcp(host:3306)/database or mysql://user:password@host:3306/database")
		}
		return c, nil
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, constError("it is not a valid URL (percent-encode '%' as %25 and other special characters of the password)")
	}
	c := mysql.NewConfig()
	if u.User != nil {
		c.User = u.User.Username()
		c.Passwd, _ = u.User.Password()
	}
	c.Net = "tcp"
	host, port := u.Hostname(), u.Port()
	if host == "" {
		host = "127.0.0.1"
	}
	if port == "" {
		port = "3306"
	}
	c.Addr = net.JoinHostPort(host, port)
	c.DBName = strings.TrimPrefix(u.Path, "/")
	if u.RawQuery != "" {
		// The query is the driver's parameters: let the driver read them.
		p, err := mysql.ParseDSN("/?" + u.RawQuery)
		if err != nil {
			return nil, constError("its parameters: " + err.Error())
		}
		p.User, p.Passwd, p.Net, p.Addr, p.DBName = c.User, c.Passwd, c.Net, c.Addr, c.DBName
		c = p
	}
	return c, nil
}

// mysqlConnectorConfig is the configuration Origen connects with: the
// DSN's, with what Origen needs of a session forced (UTC, the sql_mode of
// queries.MySQLSessionSQLMode; no multi-statement texts, so a `sql =`
// source is one statement; no LOAD DATA LOCAL of arbitrary files) and
// every wait bounded: connecting by connectTimeout (or the DSN's shorter
// timeout), each read and write by idle (statement_timeout +
// connect_timeout), after which the server has ended the statement
// itself. Cancelling a statement's context closes its connection
// (go-sql-driver), and the snapshot kills the statement on the server.
func mysqlConnectorConfig(dsn string, connectTimeout, idle time.Duration) (*mysql.Config, error) {
	c, err := mysqlConfig(dsn)
	if err != nil {
		return nil, err
	}
	if c.Timeout <= 0 || c.Timeout > connectTimeout {
		c.Timeout = connectTimeout
	}
	if c.ReadTimeout <= 0 || c.ReadTimeout > idle {
		c.ReadTimeout = idle
	}
	if c.WriteTimeout <= 0 || c.WriteTimeout > idle {
		c.WriteTimeout = idle
	}
	c.MultiStatements = false
	c.AllowAllFiles = false
	c.InterpolateParams = false
	c.Loc = time.UTC
	if c.Params == nil {
		c.Params = map[string]string{}
	}
	for k, v := range queries.MySQLSessionParams {
		c.Params[k] = v
	}
	return c, nil
}
