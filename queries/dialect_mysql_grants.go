package queries

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// mysqlGrant is one GRANT line of SHOW GRANTS on a database object: its
// write privileges (of mysqlWrites) and its scope - every database
// (db = ""), a database (a LIKE pattern, as the server reads a grant's
// database name) or one table of it.
type mysqlGrant struct {
	privileges []string
	db, table  string
	global     bool
}

// mysqlRoleGrants are the grants SHOW GRANTS lists for the connected user:
// MariaDB (and MySQL 8 for SHOW GRANTS without FOR) expands the roles
// active in the session - the user's default roles when Origen connects -
// and the roles granted to them, whose privileges information_schema
// does not list to the user (mysql_privileges.sql). Grants of routines,
// proxies and roles themselves are skipped.
func mysqlRoleGrants(ctx context.Context, db DBTX) ([]mysqlGrant, error) {
	rows, err := db.QueryxContext(ctx, "SHOW GRANTS")
	if err != nil {
		return nil, fmt.Errorf("show grants: %w", err)
	}
	defer rows.Close()
	var out []mysqlGrant
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return nil, fmt.Errorf("show grants: %w", err)
		}
		if g, ok := parseMySQLGrant(line); ok {
			out = append(out, g)
		}
	}
	return out, rows.Err()
}

// parseMySQLGrant reads `GRANT privileges ON object TO grantee ...`; ok is
// false for a line that grants no write privilege on a table, database or
// everything.
func parseMySQLGrant(line string) (mysqlGrant, bool) {
	var g mysqlGrant
	rest, ok := strings.CutPrefix(line, "GRANT ")
	if !ok {
		return g, false
	}
	on := topLevelIndex(rest, " ON ")
	if on < 0 {
		return g, false // GRANT role TO user
	}
	privs, object := rest[:on], rest[on+len(" ON "):]
	to := topLevelIndex(object, " TO ")
	if to < 0 {
		return g, false
	}
	object = object[:to]
	if strings.HasPrefix(object, "TABLE ") {
		object = object[len("TABLE "):]
	} else if strings.Contains(object, " ") {
		return g, false // PROCEDURE, FUNCTION, PACKAGE ...
	}
	for _, p := range splitTopLevel(privs) {
		p = strings.TrimSpace(p)
		if i := strings.IndexByte(p, '('); i >= 0 { // column privileges
			p = strings.TrimSpace(p[:i])
		}
		p = strings.ToUpper(p)
		switch {
		case p == "ALL PRIVILEGES" || p == "ALL":
			g.privileges = slices.Clone(mysqlWrites)
		case slices.Contains(mysqlWrites, p) && !slices.Contains(g.privileges, p):
			g.privileges = append(g.privileges, p)
		}
	}
	if len(g.privileges) == 0 {
		return g, false
	}
	db, table, ok := splitMySQLObject(object)
	if !ok {
		return g, false
	}
	switch {
	case db == "*" && table == "*":
		g.global = true
	case table == "*":
		g.db = db
	default:
		g.db, g.table = db, table
	}
	return g, true
}

// splitMySQLObject splits `db`.`table`, `db`.* or *.* into its unquoted
// parts (SHOW GRANTS quotes with " in Origen's ANSI_QUOTES session).
func splitMySQLObject(object string) (db, table string, ok bool) {
	var parts []string
	for i := 0; i < len(object); {
		switch {
		case object[i] == '`' || object[i] == '"': // "..." under ANSI_QUOTES
			end := quoteEnd(object, i)
			quote := object[i : i+1]
			parts = append(parts, strings.ReplaceAll(object[i+1:end-1], quote+quote, quote))
			i = end
		case object[i] == '*':
			parts = append(parts, "*")
			i++
		case object[i] == '.':
			i++
		default:
			j := i
			for j < len(object) && object[j] != '.' {
				j++
			}
			parts = append(parts, object[i:j])
			i = j
		}
	}
	if len(parts) != 2 {
		return "", "", false
	}
	return parts[0], parts[1], true
}

// topLevelIndex is the first offset of sep in s outside parentheses and
// quotes, -1 if none.
func topLevelIndex(s, sep string) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '`', '"', '\'':
			i = quoteEnd(s, i) - 1
		case '(':
			depth++
		case ')':
			depth--
		default:
			if depth == 0 && strings.HasPrefix(s[i:], sep) {
				return i
			}
		}
	}
	return -1
}

// splitTopLevel splits a privilege list at the commas outside
// parentheses (column lists).
func splitTopLevel(s string) []string {
	var out []string
	for {
		i := topLevelIndex(s, ",")
		if i < 0 {
			return append(out, s)
		}
		out, s = append(out, s[:i]), s[i+1:]
	}
}

// mysqlLike reports whether name matches the LIKE pattern of a grant's
// database (% any run, _ one character, \ escapes).
func mysqlLike(name, pattern string) bool {
	if pattern == "" {
		return name == ""
	}
	switch c := pattern[0]; {
	case c == '%':
		for i := 0; i <= len(name); i++ {
			if mysqlLike(name[i:], pattern[1:]) {
				return true
			}
		}
		return false
	case c == '\\' && len(pattern) > 1:
		return name != "" && name[0] == pattern[1] && mysqlLike(name[1:], pattern[2:])
	case c == '_':
		return name != "" && mysqlLike(name[1:], pattern[1:])
	default:
		return name != "" && name[0] == c && mysqlLike(name[1:], pattern[1:])
	}
}

// mysqlInactiveRoles are the roles granted to the connected user (or to
// its roles) that its session does not have active: Origen sets no role,
// so only the default role and the roles granted to it count. Errors
// leave the list empty: it only adds a hint to a refusal.
func mysqlInactiveRoles(ctx context.Context, db DBTX) []string {
	rows, err := db.QueryxContext(ctx, `SELECT DISTINCT a.ROLE_NAME FROM information_schema.APPLICABLE_ROLES AS a
WHERE NOT EXISTS (SELECT 1 FROM information_schema.ENABLED_ROLES AS e WHERE e.ROLE_NAME = a.ROLE_NAME) ORDER BY a.ROLE_NAME`)
	if err != nil {
		return nil
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if rows.Scan(&name) != nil {
			return nil
		}
		out = append(out, name)
	}
	if rows.Err() != nil {
		return nil
	}
	return out
}
