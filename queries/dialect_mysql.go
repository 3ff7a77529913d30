package queries

import (
	"context"
	"database/sql"
	_ "embed"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/origen-analytics/origen/attribution"
)

// MySQL is MySQL 8.0+ and MariaDB 10.5+ (driver = "mysql"). Its SQL
// differs from PostgreSQL's in spellings only, which mysqlSQL rewrites in
// Origen's own statements, and in the normalisations below.
const MySQL Dialect = "mysql"

// MySQLSessionSQLMode is the sql_mode of Origen's MySQL sessions: double
// quotes quote identifiers (quoteIdent) and || concatenates, as in
// PostgreSQL and SQLite, so that Origen's statements are the same text.
// A `sql =` source therefore quotes strings with single quotes.
const MySQLSessionSQLMode = "ANSI_QUOTES,PIPES_AS_CONCAT,NO_ENGINE_SUBSTITUTION,ERROR_FOR_DIVISION_BY_ZERO"

// MySQLSessionParams are the session variables every MySQL connection of
// Origen sets when it connects (go-sql-driver's DSN parameters, quoted as
// it sends them): UTC, so that TIMESTAMP columns and the time bounds
// Origen binds are read as UTC, and MySQLSessionSQLMode. BeginSnapshot
// sets them again on the snapshot's connection.
var MySQLSessionParams = map[string]string{
	"time_zone": "'+00:00'",
	"sql_mode":  "'" + MySQLSessionSQLMode + "'",
}

// mysqlRewrites turn the PostgreSQL spellings of Origen's embedded
// statements into MySQL's. They apply to the embedded files only, before
// any user text (a `sql =` source) is inserted: every '/' there is an
// integer division of integers (MySQL's '/' yields a decimal; DIV
// truncates toward zero, as PostgreSQL's integer '/' does), and the casts
// name PostgreSQL's types. TestMySQLRewrites checks that no other
// PostgreSQL-only spelling is left in any embedded file.
var mysqlRewrites = strings.NewReplacer(
	" AS bigint)", " AS SIGNED)",
	" AS TEXT)", " AS CHAR)",
	" AS text)", " AS CHAR)",
	" / ", " DIV ",
)

// mysqlSQL is an embedded statement in MySQL's spelling.
func mysqlSQL(text string) string {
	return mysqlBigResult(mysqlShareCTEs(stringAggToGroupConcat(mysqlRewrites.Replace(mysqlFirstRegistrations(text)))))
}

// stringAggToGroupConcat rewrites PostgreSQL's string_agg(value, sep
// ORDER BY keys) as GROUP_CONCAT(value ORDER BY keys SEPARATOR sep): sep
// must then be a string literal (X'1E' for TouchSep). The value may hold
// parentheses; the call's own closing one is found by depth.
func stringAggToGroupConcat(q string) string {
	const fn = "string_agg("
	var b strings.Builder
	for {
		i := strings.Index(q, fn)
		if i < 0 {
			b.WriteString(q)
			return b.String()
		}
		b.WriteString(q[:i])
		rest := q[i+len(fn):]
		depth, end, comma := 0, -1, -1
		for j := 0; j < len(rest) && end < 0; j++ {
			switch rest[j] {
			case '(':
				depth++
			case ')':
				if depth == 0 {
					end = j
				}
				depth--
			case ',':
				if depth == 0 && comma < 0 {
					comma = j
				}
			}
		}
		args := rest[:end]
		value, sepOrder := args[:comma], strings.TrimSpace(args[comma+1:])
		sep, order, _ := strings.Cut(sepOrder, " ORDER BY ")
		b.WriteString("GROUP_CONCAT(" + value + " ORDER BY " + order + " SEPARATOR " + sep + ")")
		q = rest[end+1:]
	}
}

// mysqlDiv is Origen-generated SQL (numbers and column names only, such as
// localDayExpr's) with its integer divisions spelled for MySQL.
func mysqlDiv(generated string) string { return strings.ReplaceAll(generated, " / ", " DIV ") }

// localDay is localDayExpr in the reader's dialect.
func (r Reader) localDay(col string, loc *time.Location, from, to time.Time) string {
	e := localDayExpr(col, loc, from, to)
	if r.Dialect == MySQL {
		return mysqlDiv(e)
	}
	return e
}

// mysqlTimeExpr is the instant of a MySQL time column as microseconds
// since the epoch. A TIMESTAMP is read in the session zone, UTC; a
// DATETIME (or DATE) has no zone and holds local time of the
// [database] stored_timezone (METRICS.md, "Time"), converted to UTC
// unless that is UTC; a DATE stands for its midnight UTC, as everywhere.
func mysqlTimeExpr(ref, typ, storedZone string) string {
	if storedZone != "" && storedZone != "UTC" && typ != "TIMESTAMP" && typ != "DATE" {
		ref = fmt.Sprintf("CONVERT_TZ(%s, %s, '+00:00')", ref, sqlString(storedZone))
	}
	return fmt.Sprintf("TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', %s)", ref)
}

// mysqlMoneyExpr keeps the amount a DECIMAL of whole 1/10000 units rather
// than casting it to SIGNED, which MySQL clamps silently on overflow:
// sums stay exact, and a value beyond an int64 fails when it is scanned.
func mysqlMoneyExpr(ref string) string {
	return fmt.Sprintf("ROUND(CAST(%s AS DECIMAL(65,10)) * 10000)", ref)
}

// mysqlDayExpr is the date a DATE or DATETIME names as days since
// 1970-01-01, as PostgreSQL casts a date or a timestamp without zone.
func mysqlDayExpr(ref string) string {
	return fmt.Sprintf("DATEDIFF(%s, '1970-01-01')", ref)
}

// mysqlBlank is true when label (SQL text) is empty after removing white
// space (and more, SQL text of further characters): REPLACE chains, since
// MySQL's TRIM removes one string only.
func mysqlBlank(label string, more ...string) string {
	e := "COALESCE(" + label + ", '')"
	for _, c := range append([]string{"' '", "CHAR(9 USING utf8mb4)", "CHAR(10 USING utf8mb4)", "CHAR(11 USING utf8mb4)",
		"CHAR(12 USING utf8mb4)", "CHAR(13 USING utf8mb4)"}, more...) {
		e = "REPLACE(" + e + ", " + c + ", '')"
	}
	return e + " = ''"
}

// sqlString quotes s as an SQL string literal.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// mysqlServer is what BeginSnapshot learnt of the server.
type mysqlServer struct {
	mariaDB bool
	version string
}

// beginMySQL starts the snapshot on MySQL or MariaDB: one connection
// pinned for the whole run, its session set as Origen's statements need
// it (UTC, MySQLSessionSQLMode, text compared byte by byte without
// padding, as PostgreSQL's "C" collation does, every statement bounded by
// statementTimeout), then REPEATABLE READ, READ ONLY for the session and
// START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY, so that every
// statement reads the same snapshot and none can write. When ctx ends
// while a statement runs, the driver closes the connection, which a
// server busy computing does not notice: a KILL QUERY from another
// connection stops the statement there. Servers older than MySQL 8.0 or
// MariaDB 10.5 (no window functions over these queries, no CTEs on
// MySQL 5.7) are refused with a message that names them.
func beginMySQL(ctx context.Context, db *sqlx.DB, storedZone string, statementTimeout time.Duration) (*ReadTx, error) {
	conn, err := db.Connx(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin snapshot transaction: %w", err)
	}
	fail := func(what string, err error) (*ReadTx, error) {
		conn.Close()
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	var srv mysqlServer
	var id int64
	if err := conn.QueryRowxContext(ctx, "SELECT VERSION(), CONNECTION_ID()").Scan(&srv.version, &id); err != nil {
		return fail("read the server's version", err)
	}
	srv.mariaDB = strings.Contains(strings.ToLower(srv.version), "mariadb")
	if !mysqlSupported(srv.version, srv.mariaDB) {
		conn.Close()
		return nil, attribution.Errorf(attribution.KindConfig,
			"[database] driver = \"mysql\": the server is %s; Origen needs MySQL 8.0+ or MariaDB 10.5+ (CTEs and window functions)", srv.version)
	}
	collation := "utf8mb4_0900_bin"
	if srv.mariaDB {
		collation = "utf8mb4_nopad_bin"
	}
	setup := []string{
		"SET time_zone = '+00:00'",
		"SET sql_mode = '" + MySQLSessionSQLMode + "'",
		"SET NAMES utf8mb4 COLLATE " + collation,
		// GROUP_CONCAT results are cut at this length without an error.
		"SET group_concat_max_len = 1073741824",
	}
	if srv.mariaDB {
		// No hash joins (BNLH, join_cache_level 3 and up) whatever the
		// server's default: with the CTEs read twice computed once
		// (mysqlShareCTEs) every join Origen sends has an index or a key
		// MariaDB builds on a materialized CTE, and hash joins made the
		// report's statements 1.3-13 times slower at 100,000 and 1,000,000
		// registrations. Measured in docs/PERFORMANCE.md ("MySQL and
		// MariaDB").
		setup = append(setup, "SET join_cache_level = 2")
		setup = append(setup, fmt.Sprintf("SET max_statement_time = %.3f", statementTimeout.Seconds()))
	} else {
		setup = append(setup, fmt.Sprintf("SET max_execution_time = %d", statementTimeout.Milliseconds()))
	}
	// READ ONLY for the session too: a DDL statement would commit the
	// transaction implicitly and run outside it; a read-only session
	// refuses it.
	setup = append(setup, "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY",
		"START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
	for _, q := range setup {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fail("set up the snapshot ("+q+")", err)
		}
	}
	if storedZone != "" && storedZone != "UTC" {
		var probe sql.NullString
		if err := conn.QueryRowxContext(ctx, "SELECT CONVERT_TZ('2000-01-01 00:00:00', ?, '+00:00')", storedZone).Scan(&probe); err != nil {
			return fail("check [database] stored_timezone", err)
		}
		if !probe.Valid {
			conn.ExecContext(context.Background(), "ROLLBACK")
			conn.Close()
			return nil, attribution.Errorf(attribution.KindConfig,
				"[database] stored_timezone = %q: the mysql server (%s) does not know this zone: load its time zone tables (mysql_tzinfo_to_sql /usr/share/zoneinfo | mysql -u root mysql) or give a fixed offset such as \"+01:00\"",
				storedZone, srv.version)
		}
	}
	s := &ReadTx{conn: conn, dialect: MySQL}
	s.stopKill = context.AfterFunc(ctx, func() {
		kctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		db.ExecContext(kctx, fmt.Sprintf("KILL QUERY %d", id))
	})
	return s, nil
}

// mysqlAccepted lists the MySQL types (as go-sql-driver names them) that
// each kind of canonical column accepts.
var mysqlAccepted = map[colKind][]string{
	colTime: {"DATETIME", "TIMESTAMP", "DATE"},
	colMoney: {"DECIMAL", "TINYINT", "SMALLINT", "MEDIUMINT", "INT", "BIGINT", "FLOAT", "DOUBLE",
		"UNSIGNED TINYINT", "UNSIGNED SMALLINT", "UNSIGNED MEDIUMINT", "UNSIGNED INT", "UNSIGNED BIGINT", "UNSIGNED DECIMAL"},
	colDate: {"DATE", "DATETIME", "TIMESTAMP"},
}

var mysqlKindWords = map[colKind]string{
	colTime:  "a DATETIME, TIMESTAMP or DATE",
	colMoney: "a number (DECIMAL, an integer type or DOUBLE)",
	colDate:  "a DATE (or a DATETIME or TIMESTAMP)",
}

// mysqlBound is rawBound on MySQL: the instant as the column's own text,
// which the server compares as the column's type — a TIMESTAMP in the
// session zone (UTC), a DATETIME in the stored zone, a DATE as the first
// date at or after it (lower) or the date it falls on (upper).
func (r Reader) mysqlBound(section, canon string, t time.Time, lower bool) any {
	switch r.Types[section][canon] {
	case "DATE":
		t = t.UTC()
		d := t.Truncate(24 * time.Hour)
		if lower && d.Before(t) {
			d = d.Add(24 * time.Hour)
		}
		return d.Format("2006-01-02")
	case "DATETIME":
		if r.Stored != nil {
			t = t.In(r.Stored)
		}
		return t.Format("2006-01-02 15:04:05.000000")
	}
	return t.UTC().Format("2006-01-02 15:04:05.000000")
}

// withMySQLTypes returns m with each source knowing its columns' MySQL
// types and the stored zone (Source.timeOf).
func withMySQLTypes(m Mapping, types map[string]map[string]string, storedZone string) Mapping {
	set := func(s *Source, section string) *Source {
		if s == nil {
			return nil
		}
		c := *s
		c.dbTypes, c.storedZone = types[section], storedZone
		return &c
	}
	m.Registrations = *set(&m.Registrations, RegistrationsInput.Section)
	m.Purchases = *set(&m.Purchases, PurchasesInput.Section)
	m.Spend = set(m.Spend, SpendInput.Section)
	m.Events = set(m.Events, EventsInput.Section)
	m.Touchpoints = set(m.Touchpoints, TouchpointsInput.Section)
	return m
}

// ParseStoredZone reads [database] stored_timezone: an IANA zone name
// ("Europe/Berlin"), "UTC", or a fixed offset "+01:00" / "-05:30", as the
// MySQL server reads it.
func ParseStoredZone(s string) (*time.Location, error) {
	if s == "" || s == "UTC" {
		return time.UTC, nil
	}
	if len(s) == 6 && (s[0] == '+' || s[0] == '-') && s[3] == ':' {
		h, herr := strconv.Atoi(s[1:3])
		m, merr := strconv.Atoi(s[4:6])
		if herr == nil && merr == nil && h <= 14 && m < 60 {
			off := (h*60 + m) * 60
			if s[0] == '-' {
				off = -off
			}
			return time.FixedZone(s, off), nil
		}
	}
	loc, err := time.LoadLocation(s)
	if err != nil {
		return nil, attribution.Errorf(attribution.KindConfig,
			"[database] stored_timezone = %q: not a time zone (give an IANA name such as \"Europe/Berlin\", \"UTC\" or an offset such as \"+01:00\")", s)
	}
	return loc, nil
}

// mysqlIntegerType reports an integer MySQL type. Registrations and
// purchases are joined on a stored user_id (so that an index on it
// serves the join, MariaDB having no hash join) only when both are
// integers of the same type: stored text compares in the column's
// collation, which may ignore case or trailing spaces, where the text of
// PostgreSQL and SQLite compares byte by byte.
func mysqlIntegerType(t string) bool {
	switch strings.TrimPrefix(t, "UNSIGNED ") {
	case "TINYINT", "SMALLINT", "MEDIUMINT", "INT", "BIGINT":
		return true
	}
	return false
}

//go:embed sql/mysql_privileges.sql
var mysqlPrivilegesSQL string

// mysqlWrites are the write privileges mysqlPrivileges names, in order.
var mysqlWrites = []string{"INSERT", "UPDATE", "DELETE", "DROP", "ALTER"}

// mysqlPrivileges is Privileges on MySQL: for each table source the
// write privileges that reach it, for a `sql =` source the user's global
// and database-wide ones (what it reads cannot be checked table by table),
// the user's own and those of its active (default) roles.
func (r Reader) mysqlPrivileges(ctx context.Context, db DBTX) ([]string, error) {
	const advice = `connect as a read-only user (README, "A read-only MySQL user")`
	var current string
	if err := db.QueryRowxContext(ctx, "SELECT CURRENT_USER()").Scan(&current); err != nil {
		return nil, fmt.Errorf("read the connected user: %w", err)
	}
	roles, err := mysqlRoleGrants(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("read the privileges of %s: %w", current, err)
	}
	// grants are the write privileges on table of database (nil: those
	// global and on any database) by scope ("global", "table" or the
	// database's name): information_schema's of the user, and those
	// SHOW GRANTS lists, which hold those of the user's roles.
	grants := func(database, table any) (map[string][]string, error) {
		rows, err := db.QueryxContext(ctx, mysqlPrivilegesSQL, database, table)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		out := map[string][]string{}
		for rows.Next() {
			var who, scope, priv string
			if err := rows.Scan(&who, &scope, &priv); err != nil {
				return nil, err
			}
			out[scope] = append(out[scope], priv)
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		name, _ := database.(string)
		for _, g := range roles {
			switch {
			case g.global:
				out["global"] = append(out["global"], g.privileges...)
			case g.table == "" && (database == nil || mysqlLike(name, g.db)):
				out[g.db] = append(out[g.db], g.privileges...)
			case g.table != "" && database != nil && g.db == name && g.table == table:
				out["table"] = append(out["table"], g.privileges...)
			}
		}
		return out, nil
	}
	ordered := func(privs ...[]string) []string {
		var out []string
		for _, w := range mysqlWrites {
			for _, p := range privs {
				if slices.Contains(p, w) && !slices.Contains(out, w) {
					out = append(out, w)
				}
			}
		}
		return out
	}
	var out []string
	for _, it := range r.sources() {
		if it.src.SQL != "" {
			g, err := grants(nil, nil)
			if err != nil {
				return out, fmt.Errorf("read the privileges of %s: %w", current, err)
			}
			f := fmt.Sprintf("[%s] sql: what it reads cannot be checked table by table; ", it.in.Section)
			var dbs []string
			for scope := range g {
				if scope != "global" && scope != "table" {
					dbs = append(dbs, scope)
				}
			}
			slices.Sort(dbs)
			switch {
			case len(g["global"]) > 0:
				f += fmt.Sprintf("the user %q may %s in every database: %s", current, strings.Join(ordered(g["global"]), ", "), advice)
			case len(dbs) > 0:
				f += fmt.Sprintf("the user %q may write in the databases %s: %s", current, strings.Join(dbs, ", "), advice)
			default:
				f += fmt.Sprintf("the user %q holds no global or database-wide write privilege", current)
			}
			out = append(out, f)
			continue
		}
		parts, _ := tableParts(it.src.Table) // validated by Check
		var database any = nil
		if len(parts) > 1 {
			database = parts[len(parts)-2]
		} else {
			var cur sql.NullString
			if err := db.QueryRowxContext(ctx, "SELECT DATABASE()").Scan(&cur); err != nil {
				return out, fmt.Errorf("read the current database: %w", err)
			}
			database = cur.String
		}
		g, err := grants(database, parts[len(parts)-1])
		if err != nil {
			return out, fmt.Errorf("read the privileges on [%s] table %s: %w", it.in.Section, it.src.Table, err)
		}
		var all [][]string
		for _, p := range g {
			all = append(all, p)
		}
		if may := ordered(all...); len(may) > 0 {
			out = append(out, fmt.Sprintf("[%s] table %s: the user %q may %s it; Origen only reads: %s",
				it.in.Section, it.src.Table, current, strings.Join(may, ", "), advice))
		}
	}
	return out, nil
}

// mysqlSupported reports whether VERSION() names MySQL 8.0+ or MariaDB
// 10.5+ ("8.0.36", "10.11.19-MariaDB-0+deb12u1"; an unreadable version
// is let through, and the statements say what they lack).
func mysqlSupported(version string, mariaDB bool) bool {
	parts := strings.SplitN(version, ".", 3)
	if len(parts) < 2 {
		return true
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(strings.TrimLeftFunc(parts[1], func(r rune) bool { return r < '0' || r > '9' }))
	if err1 != nil || err2 != nil {
		return true
	}
	if mariaDB {
		return major > 10 || major == 10 && minor >= 5
	}
	return major >= 8
}

// PlanningReader is the Reader of dialect d and mapping m for statements
// rendered without a database (origen run --dry-run): on MySQL it reads
// DATETIMEs in storedZone, as Open's reader would once it knows the
// column types (without them every time column is taken for a DATETIME).
func PlanningReader(d Dialect, m Mapping, loc *time.Location, storedZone string) Reader {
	r := Reader{Dialect: d, Mapping: m, Location: loc}
	if d == MySQL {
		r.Stored, _ = ParseStoredZone(storedZone) // validated with the config
		r.Mapping = withMySQLTypes(m, nil, storedZone)
	}
	return r
}
