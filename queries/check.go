package queries

import (
	"context"
	"database/sql/driver"
	_ "embed"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/origen-analytics/origen/attribution"
)

// SourceCheck is what Check found for one input.
type SourceCheck struct {
	Section string
	From    string
	// Columns maps canonical names to "column (database type)".
	Columns map[string]string
	// Types maps canonical names to the database type as the driver names
	// it (upper case; empty when the driver does not say).
	Types map[string]string
}

// acceptedTypes lists PostgreSQL types (as database/sql reports them) that
// each kind of canonical column accepts; SQLite types are only advisory, so
// SQLite values are checked by the quality counts instead.
var acceptedTypes = map[colKind][]string{
	colTime:  {"TIMESTAMPTZ", "TIMESTAMP", "DATE"},
	colMoney: {"NUMERIC", "INT2", "INT4", "INT8", "FLOAT4", "FLOAT8", "MONEY"},
	colDate:  {"DATE", "TIMESTAMP", "TIMESTAMPTZ"},
}

var kindWords = map[colKind]string{
	colTime:  "a timestamp (timestamptz, timestamp or date)",
	colMoney: "a number (numeric, integer or double precision)",
	colDate:  "a date (or a timestamp)",
}

// Check validates the mapping against the database: every source can be
// read, every mapped column exists and has a usable type. It returns one
// SourceCheck per input, or a KindConfig error naming the key to fix.
func (r Reader) Check(ctx context.Context, db DBTX) ([]SourceCheck, error) {
	var out []SourceCheck
	for _, it := range r.sources() {
		if err := it.src.Validate(it.in); err != nil {
			return out, err
		}
		sc, err := r.checkSource(ctx, db, it.in, it.src)
		if err != nil {
			return out, err
		}
		out = append(out, sc)
	}
	return out, nil
}

func (r Reader) checkSource(ctx context.Context, db DBTX, in Input, src Source) (SourceCheck, error) {
	from := src.Table
	if src.SQL != "" {
		from = "sql"
	}
	sc := SourceCheck{Section: in.Section, From: from, Columns: map[string]string{}, Types: map[string]string{}}
	// The bound argument keeps the statement in PostgreSQL's extended
	// protocol whatever db is, so a `sql =` text can never carry a second
	// statement (see Snapshot).
	q := "SELECT * FROM " + src.from() + " AS origen_t WHERE " + r.placeholder(1) + " LIMIT 0"
	args := []any{true}
	if r.Dialect == ClickHouse {
		// One statement per query is all the native protocol carries.
		if src.Table != "" {
			if _, err := chTable(src.Table); err != nil {
				return sc, attribution.Errorf(attribution.KindConfig, "[%s] table = %q: %v", in.Section, src.Table, err)
			}
		}
		q, args = "SELECT * FROM "+chFrom(src)+" AS origen_t LIMIT 0", nil
	}
	if r.Record != nil {
		r.Record(Statement{Name: "mapping check", SQL: q, Args: args})
	}
	rows, err := db.QueryxContext(ctx, q, args...)
	if err != nil {
		if r.Dialect == MySQL && strings.Contains(err.Error(), "Error 1142") && ctx.Err() == nil {
			if roles := mysqlInactiveRoles(ctx, db); len(roles) > 0 {
				return sc, attribution.Errorf(attribution.KindConfig,
					"[%s] %s cannot be read: %w; the user also holds the roles %s, which its session does not have active (Origen sets no role): grant SELECT to the user or to its default role (SET DEFAULT ROLE role FOR user)",
					in.Section, sourceWhat(src), err, strings.Join(roles, ", "))
			}
		}
		return sc, r.checkErr(ctx, in, src, err)
	}
	types, err := rows.ColumnTypes()
	rows.Close()
	if err != nil {
		return sc, fmt.Errorf("read the columns of [%s]: %w", in.Section, err)
	}
	have := map[string]string{}
	spelled := map[string]string{} // ClickHouse's own spelling of the types
	var names []string
	for _, t := range types {
		name := t.Name()
		if r.foldsNames() { // SQLite and MySQL column names ignore case, even quoted
			name = strings.ToLower(name)
		}
		have[name] = strings.ToUpper(t.DatabaseTypeName())
		if r.Dialect == ClickHouse {
			spelled[name] = t.DatabaseTypeName()
		}
		names = append(names, t.Name())
	}
	for _, c := range in.columns {
		col, mapped := src.columnOf(c)
		if !mapped {
			continue
		}
		lookup := col
		if r.foldsNames() {
			lookup = strings.ToLower(col)
		}
		typ, ok := have[lookup]
		if !ok {
			key := c.name
			if src.SQL != "" {
				return sc, attribution.Errorf(attribution.KindConfig,
					"[%s] sql returns no column %q (it returns %s): add `... AS %s` to the SELECT",
					in.Section, c.name, strings.Join(names, ", "), c.name)
			}
			hint := ""
			for _, n := range names {
				if strings.EqualFold(n, col) {
					hint = fmt.Sprintf(" (did you mean %q? names are case-sensitive)", n)
				}
			}
			return sc, attribution.Errorf(attribution.KindConfig,
				"[%s] %s = %q: table %s has no such column%s; its columns are %s",
				in.Section, key, col, src.Table, hint, strings.Join(names, ", "))
		}
		accepted, words := acceptedTypes, kindWords
		if r.Dialect == MySQL {
			accepted, words = mysqlAccepted, mysqlKindWords
		}
		if typedRaw(r.Dialect) && typ != "" {
			if accepted, strict := accepted[c.kind]; strict && !slices.Contains(accepted, typ) {
				return sc, attribution.Errorf(attribution.KindConfig,
					"[%s] %s = %q has type %s, but %s must be %s: map another column or convert it with sql =",
					in.Section, c.name, col, strings.ToLower(typ), c.name, words[c.kind])
			}
		}
		if r.Dialect == ClickHouse && !chAccepted(c.kind, typ) {
			return sc, attribution.Errorf(attribution.KindConfig,
				"[%s] %s = %q has the ClickHouse type %s, but %s must be %s: map another column or convert it with sql =",
				in.Section, c.name, col, spelled[lookup], c.name, chKindWords[c.kind])
		}
		sc.Types[c.name] = typ
		if typ == "" {
			typ = "untyped"
		}
		sc.Columns[c.name] = fmt.Sprintf("%s (%s)", col, strings.ToLower(typ))
		if r.Dialect == ClickHouse {
			sc.Columns[c.name] = fmt.Sprintf("%s (%s)", col, spelled[lookup])
		}
	}
	if err := checkDimensions(in, src, have, names, r.foldsNames()); err != nil {
		return sc, err
	}
	if len(src.Dimensions) > 0 {
		sc.Columns["dimensions"] = dimensionsText(src, have, r.foldsNames())
	}
	if src.GroupChannel {
		sc.Columns["channel"] = "from source, medium, campaign (GA4 default channel group, docs/CHANNELS.md)"
	}
	return sc, nil
}

// foldsNames reports whether the dialect's column names ignore case
// (SQLite's always, MySQL's always for columns), so that Check looks
// them up in lower case.
func (r Reader) foldsNames() bool { return r.Dialect == SQLite || r.Dialect == MySQL }

// statementTimedOut reports the server's own statement time limit:
// PostgreSQL's statement_timeout, MariaDB's max_statement_time (error
// 1969), MySQL's max_execution_time (error 3024).
func statementTimedOut(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "statement timeout") || strings.Contains(msg, "max_statement_time exceeded") ||
		strings.Contains(msg, "maximum statement execution time exceeded")
}

// placeholder is the dialect's n-th bind parameter.
func (r Reader) placeholder(n int) string {
	if r.Dialect == Postgres {
		return fmt.Sprintf("$%d", n)
	}
	return "?"
}

// checkErr explains why a source could not be read. A mapping the database
// refuses is a configuration error naming the key; a timeout, a
// cancellation or a lost connection is a runtime failure (exit 1, and
// retried by origen run where transient) even though it happened while
// checking the mapping.
func (r Reader) checkErr(ctx context.Context, in Input, src Source, err error) error {
	what := sourceWhat(src)
	msg := err.Error()
	var netErr net.Error
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("checking [%s] %s cancelled: %w", in.Section, what, ctx.Err())
	case statementTimedOut(err):
		return fmt.Errorf("checking [%s] %s timed out (raise [database] statement_timeout): %w", in.Section, what, err)
	case errors.Is(err, driver.ErrBadConn) || errors.As(err, &netErr):
		return fmt.Errorf("checking [%s] %s: lost the database connection: %w", in.Section, what, err)
	case src.SQL != "" && (strings.Contains(msg, "cannot insert multiple commands") || r.Dialect == MySQL && strings.Contains(msg, "Error 1064") && strings.Contains(src.SQL, ";")):
		return attribution.Errorf(attribution.KindConfig,
			"[%s] sql must be a single SELECT: remove the ';' and what follows it (%w)", in.Section, err)
	case src.SQL != "" && (strings.Contains(msg, "not authorized") || strings.Contains(msg, "READ ONLY transaction")):
		return attribution.Errorf(attribution.KindConfig,
			"[%s] sql may only read: Origen refuses statements that write, attach databases or change settings (%w)", in.Section, err)
	}
	return attribution.Errorf(attribution.KindConfig, "[%s] %s cannot be read: %w", in.Section, what, err)
}

// sourceWhat names src's key in an error: table = "..." or sql.
func sourceWhat(src Source) string {
	if src.SQL != "" {
		return "sql"
	}
	return fmt.Sprintf("table = %q", src.Table)
}

var (
	//go:embed sql/table_privileges.sql
	tablePrivilegesSQL string
	//go:embed sql/role_privileges.sql
	rolePrivilegesSQL string
)

// Privileges lists what the connected role could change besides reading,
// one finding per mapped source, for `origen check` to warn about: Origen
// only reads, but a role that may write is one mistake (or one injected
// statement) away from a changed database; README, "A read-only role",
// shows how to create one. On PostgreSQL a table source is checked for
// INSERT, UPDATE, DELETE and TRUNCATE; what a `sql =` source reads cannot
// be checked table by table, so for it Privileges says so and whether the
// role is a superuser or owns schemas. On MySQL, see mysqlPrivileges.
// SQLite databases are opened
// read-only, and Privileges returns nothing for them.
func (r Reader) Privileges(ctx context.Context, db DBTX) ([]string, error) {
	if r.Dialect == MySQL {
		return r.mysqlPrivileges(ctx, db)
	}
	if r.Dialect != Postgres {
		return nil, nil
	}
	var role, owns string
	var super bool
	if err := db.QueryRowxContext(ctx, rolePrivilegesSQL).Scan(&role, &super, &owns); err != nil {
		return nil, fmt.Errorf("read the connected role's privileges: %w", err)
	}
	const advice = `connect as a read-only role (README, "A read-only role")`
	var out []string
	for _, it := range r.sources() {
		if it.src.SQL != "" {
			f := fmt.Sprintf("[%s] sql: what it reads cannot be checked table by table; ", it.in.Section)
			switch {
			case super:
				f += fmt.Sprintf("the role %q is a superuser and may change everything: %s", role, advice)
			case owns != "":
				f += fmt.Sprintf("the role %q owns the schemas %s and may change their tables: %s", role, owns, advice)
			default:
				f += fmt.Sprintf("the role %q is not a superuser and owns no schema", role)
			}
			out = append(out, f)
			continue
		}
		name, _ := quoteTable(it.src.Table) // validated by Check
		var ins, upd, del, trunc bool
		if err := db.QueryRowxContext(ctx, tablePrivilegesSQL, name).Scan(&ins, &upd, &del, &trunc); err != nil {
			return out, fmt.Errorf("read the privileges on [%s] table %s: %w", it.in.Section, it.src.Table, err)
		}
		var may []string
		for _, p := range []struct {
			ok   bool
			name string
		}{{ins, "INSERT"}, {upd, "UPDATE"}, {del, "DELETE"}, {trunc, "TRUNCATE"}} {
			if p.ok {
				may = append(may, p.name)
			}
		}
		if len(may) > 0 {
			out = append(out, fmt.Sprintf("[%s] table %s: the role %q may %s it; Origen only reads: %s",
				it.in.Section, it.src.Table, role, strings.Join(may, ", "), advice))
		}
	}
	return out, nil
}

// sourcedInput is one mapped input and its source.
type sourcedInput struct {
	in  Input
	src Source
}

// sources lists the mapped inputs in the order Check reads them.
func (r Reader) sources() []sourcedInput {
	items := []sourcedInput{{RegistrationsInput, r.Mapping.Registrations}, {PurchasesInput, r.Mapping.Purchases}}
	if r.Mapping.Spend != nil {
		items = append(items, sourcedInput{SpendInput, *r.Mapping.Spend})
	}
	if r.Mapping.Events != nil {
		items = append(items, sourcedInput{EventsInput, *r.Mapping.Events})
	}
	if r.Mapping.Touchpoints != nil {
		items = append(items, sourcedInput{TouchpointsInput, *r.Mapping.Touchpoints})
	}
	return items
}
