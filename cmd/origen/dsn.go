package main

import (
	"cmp"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// dsnMask replaces a DSN's secrets in everything Origen prints.
const dsnMask = "xxxxx"

// secretKeys are the libpq connection parameters whose values are secret.
var secretKeys = []string{"password", "sslpassword"}

func isSecretKey(k string) bool {
	return slices.ContainsFunc(secretKeys, func(s string) bool { return strings.EqualFold(s, k) })
}

// dsnSecrets are the forms in which a DSN's secrets may appear in text:
// as written in the DSN, unquoted and unescaped, percent-decoded and
// -encoded, and the pieces a parser may split one into when it misreads
// the DSN (at a space, '#', '/', '?' ...), which error messages then quote.
type dsnSecrets struct {
	whole  []string // hidden wherever they occur
	pieces []string // hidden where they stand alone, not inside a longer word
}

// redactor hides the secrets of one DSN (and of the environment libpq
// reads) in any text: the one redaction behind redactDSN and every
// database error Origen reports.
type redactor struct{ s dsnSecrets }

// newRedactor returns the redactor of dsn. extra are further secrets
// (PGPASSWORD, which libpq reads when the DSN has no password).
func newRedactor(dsn string, extra ...string) redactor {
	s, _ := inspectDSN(dsn)
	for _, e := range extra {
		s.add(e, e)
	}
	s.whole = sortDedup(s.whole)
	s.pieces = sortDedup(s.pieces)
	return redactor{s}
}

// Text returns text with every secret replaced by dsnMask.
func (r redactor) Text(text string) string {
	for _, w := range r.s.whole {
		text = strings.ReplaceAll(text, w, dsnMask)
	}
	for _, p := range r.s.pieces {
		text = replaceToken(text, p, dsnMask)
	}
	return text
}

// redactDSN hides a DSN's secrets for logs, outputs and errors: a URL's
// password and password query parameters, libpq key=value passwords
// (quoted or not, with or without spaces around '='), also when the DSN
// does not parse.
func redactDSN(dsn string) string { return newRedactor(dsn).Text(dsn) }

// redactedError shows the text of err with a DSN's secrets hidden and
// keeps err itself for errors.Is and errors.As (error kinds, retry
// classification).
type redactedError struct {
	err error
	r   redactor
}

func (e *redactedError) Error() string { return e.r.Text(e.err.Error()) }
func (e *redactedError) Unwrap() error { return e.err }

// Err wraps err so that its text hides r's secrets.
func (r redactor) Err(err error) error {
	if err == nil {
		return nil
	}
	return &redactedError{err: err, r: r}
}

// add records a secret value as written (raw) and as meant (value).
func (s *dsnSecrets) add(raw, value string) {
	for _, v := range []string{raw, value} {
		if v == "" {
			continue
		}
		s.whole = append(s.whole, v, url.QueryEscape(v), url.PathEscape(v))
		if d, err := url.PathUnescape(v); err == nil {
			s.whole = append(s.whole, d)
		}
		if d, err := url.QueryUnescape(v); err == nil {
			s.whole = append(s.whole, d)
		}
		for _, p := range strings.FieldsFunc(v, isSplitter) {
			if utf8.RuneCountInString(p) >= 2 {
				s.pieces = append(s.pieces, p)
			}
		}
	}
}

// isSplitter reports the characters at which a URL or key=value parser
// may cut a misquoted secret.
func isSplitter(r rune) bool {
	return unicode.IsSpace(r) || strings.ContainsRune(`#/?@&=:%\'"`, r)
}

func sortDedup(s []string) []string {
	s = slices.DeleteFunc(s, func(v string) bool { return v == "" || v == dsnMask })
	// Longer first, so a secret that contains another is hidden whole.
	slices.SortFunc(s, func(a, b string) int { return cmp.Or(cmp.Compare(len(b), len(a)), strings.Compare(a, b)) })
	return slices.Compact(s)
}

// replaceToken replaces each occurrence of p in s that is not part of a
// longer word (no letter or digit right before or after it).
func replaceToken(s, p, with string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, p)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		before, _ := utf8.DecodeLastRuneInString(s[:i])
		after, _ := utf8.DecodeRuneInString(s[i+len(p):])
		if i > 0 && isWordRune(before) || i+len(p) < len(s) && isWordRune(after) {
			b.WriteString(s[:i+len(p)])
		} else {
			b.WriteString(s[:i])
			b.WriteString(with)
		}
		s = s[i+len(p):]
	}
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// isURLDSN reports whether libpq reads dsn as a URL.
func isURLDSN(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// inspectDSN finds the secrets of a PostgreSQL (or MySQL) DSN and the first problem
// that would make libpq refuse or misread it ("" when there is none). It
// reads the DSN both as a URL and as key=value pairs, since a secret is
// hidden either way, and judges it by the form libpq will use.
func inspectDSN(dsn string) (dsnSecrets, string) {
	var s dsnSecrets
	urlProblem := urlDSNSecrets(dsn, &s)
	kvProblem := kvDSNSecrets(dsn, &s)
	mysqlDSNSecrets(dsn, &s)
	if _, ok := mysqlDriverPassword(dsn); ok || isMySQLURL(dsn) {
		// Judged by mysqlConfig when the driver is mysql; a libpq
		// key=value reading of it means nothing.
		return s, urlProblem
	}
	if isURLDSN(dsn) {
		return s, urlProblem
	}
	return s, kvProblem
}

// urlDSNSecrets adds the password of a URL's user information and its
// password query parameters. It does its own cutting, because url.Parse
// refuses (and its error quotes) exactly the URLs whose passwords hold
// an unescaped '#', '/', '?' or '%'.
func urlDSNSecrets(dsn string, s *dsnSecrets) string {
	_, rest, ok := strings.Cut(dsn, "://")
	if !ok {
		return ""
	}
	problem := ""
	qs := queryStart(rest)
	authority := rest[:qs]
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		userinfo := authority[:at]
		if _, pw, has := strings.Cut(userinfo, ":"); has {
			s.add(pw, pw)
			if strings.ContainsAny(pw, "/?#@ ") {
				problem = "the password in the URL has a character that must be percent-encoded (' ' %20, # %23, / %2F, ? %3F, @ %40), or use the key=value form: password='...'"
			}
		}
	}
	if qs < len(rest) {
		for _, kv := range strings.Split(rest[qs+1:], "&") {
			k, v, _ := strings.Cut(kv, "=")
			if uk, err := url.QueryUnescape(k); err == nil {
				k = uk
			}
			if isSecretKey(k) {
				s.add(v, v)
			}
		}
	}
	if _, err := url.Parse(dsn); err != nil && problem == "" {
		// Not the parser's message: it quotes the URL, password and all.
		problem = "it is not a valid URL (percent-encode '%' as %25 and other special characters of the password)"
	}
	return problem
}

// queryStart is the index in rest (a URL after "://") of the '?' that
// starts the query: the first '?' followed by a parameter name and '='.
// A '?' inside a password is not followed by one, usually.
func queryStart(rest string) int {
	for i := 0; i < len(rest); i++ {
		if rest[i] != '?' {
			continue
		}
		j := i + 1
		for j < len(rest) && (rest[j] == '_' || rest[j] >= 'a' && rest[j] <= 'z' || rest[j] >= 'A' && rest[j] <= 'Z') {
			j++
		}
		if j > i+1 && j < len(rest) && rest[j] == '=' {
			return i
		}
	}
	return len(rest)
}

// kvDSNSecrets adds the secret values of a libpq key=value DSN, parsed as
// libpq does (spaces around '=' allowed, values in single quotes with
// backslash escapes, or unquoted with backslash escapes), and tolerating
// its mistakes: an unquoted secret followed by words without '=' (a
// password with spaces that was not quoted) takes those words as well.
func kvDSNSecrets(dsn string, s *dsnSecrets) string {
	problem := ""
	setProblem := func(p string) {
		if problem == "" {
			problem = p
		}
	}
	i, n := 0, len(dsn)
	skipSpace := func() {
		for i < n && isSpace(dsn[i]) {
			i++
		}
	}
	lastSecret := -1 // start of the raw value of the last secret, while words without '=' may still belong to it
	for {
		skipSpace()
		if i >= n {
			break
		}
		start := i
		for i < n && !isSpace(dsn[i]) && dsn[i] != '=' {
			i++
		}
		key := dsn[start:i]
		skipSpace()
		if i >= n || dsn[i] != '=' {
			if lastSecret >= 0 {
				// "password=my secret": libpq stops at the space and then
				// quotes "secret" as a key without '='.
				s.add(strings.TrimSpace(dsn[lastSecret:i]), strings.TrimSpace(dsn[lastSecret:i]))
				setProblem("the password has a space: put the value in single quotes, password='...'")
				continue
			}
			setProblem("a key without '=' (write key=value pairs separated by spaces, and quote values that contain spaces: key='a value')")
			if isSecretKey(key) {
				// "password s3cret": the next word is what was meant.
				lastSecret = i
			}
			continue
		}
		i++ // '='
		skipSpace()
		lastSecret = -1
		rawStart := i
		var val strings.Builder
		if i < n && dsn[i] == '\'' {
			i++
			closed := false
			for i < n {
				c := dsn[i]
				if c == '\\' && i+1 < n {
					val.WriteByte(dsn[i+1])
					i += 2
					continue
				}
				i++
				if c == '\'' {
					closed = true
					break
				}
				val.WriteByte(c)
			}
			if !closed {
				setProblem("a quoted value has no closing quote")
			}
			if isSecretKey(key) {
				// "password='it's'": what follows the early closing quote
				// is meant to be part of it.
				lastSecret = rawStart
			}
		} else {
			for i < n && !isSpace(dsn[i]) {
				if dsn[i] == '\\' && i+1 < n {
					i++
				}
				val.WriteByte(dsn[i])
				i++
			}
			if isSecretKey(key) {
				lastSecret = rawStart
			}
		}
		if isSecretKey(key) {
			s.add(dsn[rawStart:i], val.String())
		}
	}
	return problem
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}
