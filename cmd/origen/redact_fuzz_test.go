package main

import (
	"net/url"
	"strings"
	"testing"
)

// fuzzDSN builds a DSN of one of the forms libpq, go-sql-driver/mysql and
// the sqlite driver read, with password in it, the way a person would
// write it.
func fuzzDSN(form uint8, user, password, host, db string) string {
	switch form % fuzzForms {
	case 5: // go-sql-driver's form: the password as written, up to the last '@'
		return user + ":" + password + "@tcp(" + host + ")/" + db + "?parseTime=true"
	case 6: // mysql:// URL
		return "mysql://" + url.UserPassword(user, password).String() + "@" + url.PathEscape(host) + "/" + url.PathEscape(db) + "?tls=preferred"
	case 0: // URL user info
		return "postgres://" + url.UserPassword(user, password).String() + "@" + url.PathEscape(host) + "/" + url.PathEscape(db) + "?sslmode=require"
	case 1: // URL query parameter
		return "postgresql://" + url.User(user).String() + "@" + url.PathEscape(host) + "/" + url.PathEscape(db) +
			"?" + url.Values{"password": {password}, "sslmode": {"disable"}}.Encode()
	case 2: // key=value, quoted the way libpq reads it
		return "host=" + kvQuote(host) + " user=" + kvQuote(user) + " password=" + kvQuote(password) + " dbname=" + kvQuote(db)
	case 3: // key = value, spaces around the '=' (libpq allows them)
		return "dbname = " + kvQuote(db) + " password = " + kvQuote(password) + " host = " + kvQuote(host)
	default: // URL with both
		return "postgres://" + url.UserPassword(user, password).String() + "@" + url.PathEscape(host) + "/" + url.PathEscape(db) +
			"?" + url.Values{"password": {password}}.Encode()
	}
}

// fuzzForms is how many forms fuzzDSN writes.
const fuzzForms = 7

// kvQuote quotes a libpq key=value value: in single quotes, with \ and '
// escaped, when it is empty or has white space, quotes or backslashes.
func kvQuote(v string) string {
	if v != "" && !strings.ContainsAny(v, " \t\n\r\v\f'\\") {
		return v
	}
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}

// The password planted in a DSN never appears in the redacted DSN, in any
// of the forms it took in the DSN; more strongly, the redacted DSN is the
// same whatever the password is.
func FuzzRedactDSN(f *testing.F) {
	for form := range uint8(fuzzForms) {
		f.Add(form, "origen", "Pw-db-31337", "db.internal", "shop")
		f.Add(form, "origen", "pass word with spaces", "db.internal", "shop")
		f.Add(form, "u", `quote'and\backslash`, "127.0.0.1:5432", "db")
		f.Add(form, "u", "p@ss:w/rd?#&=%", "[::1]:5432", "d b")
		f.Add(form, "", "secretsecret", "", "")
	}
	const other = "Zq9-other-password"
	f.Fuzz(func(t *testing.T, form uint8, user, password, host, db string) {
		if len(password) < 6 || strings.Contains(password, other) || strings.Contains(other, password) {
			return // too short to tell from the rest of the DSN
		}
		if form%fuzzForms == 5 && strings.ContainsAny(user, ":= \t\n\r\v\f'\"") {
			return // not a user name of the driver's form (which ends at the first ':')
		}
		dsn := fuzzDSN(form, user, password, host, db)
		without := fuzzDSN(form, user, "", host, db)
		got := redactDSN(dsn)
		for _, form := range []string{password, url.QueryEscape(password), url.PathEscape(password),
			strings.TrimPrefix(url.UserPassword("", password).String(), ":"), kvQuote(password)} {
			if strings.Contains(without, form) {
				continue // the user, host or database name holds it too
			}
			if strings.Contains(got, form) {
				t.Fatalf("redactDSN(%q) = %q shows the password %q", dsn, got, password)
			}
		}
		// A password with punctuation is also hidden in the pieces a
		// misreading parser would split it into (dsnSecrets.pieces), which
		// may mask a host or name that equals a piece: more is hidden, never
		// less, so the output may depend on such a password.
		if strings.IndexFunc(password, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' || r == '~')
		}) >= 0 {
			return
		}
		// Likewise a user, host or database name that holds the password is
		// hidden with it.
		for _, field := range []string{user, host, db} {
			if field != "" && (strings.Contains(field, password) || strings.Contains(password, field)) {
				return
			}
		}
		if again := redactDSN(fuzzDSN(form, user, other, host, db)); got != again {
			t.Errorf("the redacted DSN depends on the password:\n%q → %q\n%q → %q", dsn, got, fuzzDSN(form, user, other, host, db), again)
		}
	})
}
