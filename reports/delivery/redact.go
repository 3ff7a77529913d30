package delivery

import (
	"cmp"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Redacted replaces a secret in text that Redact cleans.
const Redacted = "[REDACTED]"

// urlPattern finds URLs in free text (error messages of the HTTP client,
// a server's reply); quotes and angle brackets end one.
var urlPattern = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^\s"'<>]+`)

// Redact returns s with every occurrence of each non-empty secret replaced
// by Redacted, in its plain and its URL-escaped forms, and with the
// password of every URL's user information and the values of every URL's
// query replaced as well, since they are where tokens travel. Longer
// secrets are replaced first, so a secret that contains another is hidden
// whole.
func Redact(s string, secrets ...string) string {
	s = urlPattern.ReplaceAllStringFunc(s, redactURL)
	var forms []string
	for _, sec := range secrets {
		if sec == "" {
			continue
		}
		forms = append(forms, sec, url.QueryEscape(sec), url.PathEscape(sec))
	}
	slices.SortFunc(forms, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	for _, f := range slices.Compact(forms) {
		s = strings.ReplaceAll(s, f, Redacted)
	}
	return s
}

// redactURL hides the password and the query values of one URL found in
// text. It works on the text rather than on url.Parse, which refuses many
// URLs that still carry a token (a password with a bracket, a DSN with a
// bad port) and would reorder the query.
func redactURL(u string) string {
	// Punctuation that ends a sentence or a parenthesis is not the URL's.
	trimmed := strings.TrimRight(u, ".,;:)]}")
	u, after := trimmed, u[len(trimmed):]
	scheme, rest, _ := strings.Cut(u, "://")
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	// A password with an unescaped '/', '?' or '#' ends the authority
	// early ("u:pa#ss@host"): when what precedes that character is
	// "user:" and something that is not a port, the user information runs
	// to the last '@' before the next space instead, so no prefix of the
	// password is left.
	if head := rest[:end]; end < len(rest) && !strings.Contains(head, "@") {
		if _, after, ok := strings.Cut(head, ":"); ok && strings.Trim(after, "0123456789") != "" {
			if at := strings.LastIndexByte(rest, '@'); at > end {
				end = at + 1 + strings.IndexAny(rest[at+1:]+"/", "/?#")
			}
		}
	}
	authority, tail := rest[:end], rest[end:]
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		if user, _, hasPass := strings.Cut(authority[:at], ":"); hasPass {
			authority = user + ":" + Redacted + authority[at:]
		}
	}
	path, query, hasQuery := strings.Cut(tail, "?")
	if hasQuery {
		query, fragment, hasFragment := strings.Cut(query, "#")
		params := strings.Split(query, "&")
		for i, p := range params {
			if k, _, ok := strings.Cut(p, "="); ok {
				params[i] = k + "=" + Redacted
			}
		}
		tail = path + "?" + strings.Join(params, "&")
		if hasFragment {
			tail += "#" + fragment
		}
	}
	return scheme + "://" + authority + tail + after
}

// displayURL names a webhook in messages without anything that may be a
// credential: scheme and host only, since services such as Slack and
// Discord put the token in the path.
func displayURL(u *url.URL) string {
	s := u.Scheme + "://" + u.Host
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" {
		s += "/…"
	}
	return s
}

// minURLSecret is the length from which a URL's user name, path or query
// value is treated as a possible token. Shorter ones ("/hook", "json") are
// ordinary words that redacting would only garble; a URL's password is
// always a secret.
const minURLSecret = 8

// urlSecrets lists the parts of u that may be credentials, for Redact.
func urlSecrets(u *url.URL) []string {
	var s []string
	add := func(v string) {
		if len(v) >= minURLSecret {
			s = append(s, v)
		}
	}
	if u.User != nil {
		add(u.User.Username())
		if p, ok := u.User.Password(); ok {
			s = append(s, p)
		}
	}
	add(strings.TrimPrefix(u.Path, "/"))
	add(strings.TrimPrefix(u.RawPath, "/"))
	add(u.RawQuery)
	if q, err := url.ParseQuery(u.RawQuery); err == nil {
		for _, vs := range q {
			for _, v := range vs {
				add(v)
			}
		}
	}
	return s
}
