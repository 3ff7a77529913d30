package delivery

import (
	"net/url"
	"testing"
)

func TestRedact(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      string
		secrets []string
		want    string
	}{
		{"nothing to hide", "connection refused", []string{"pw"}, "connection refused"},
		{"empty secrets are ignored", "connection refused", []string{"", ""}, "connection refused"},
		{"plain secret", "535 bad password hunter2 for bob", []string{"hunter2"}, "535 bad password [REDACTED] for bob"},
		{"every occurrence", "a hunter2 b hunter2", []string{"hunter2"}, "a [REDACTED] b [REDACTED]"},
		{"escaped forms", "p=s%C3%A4cret+%26x and s%C3%A4cret%20&x", []string{"säcret &x"}, "p=[REDACTED] and [REDACTED]"},
		{"longest first", "token abc123456 and abc", []string{"abc", "abc123456"}, "token [REDACTED] and [REDACTED]"},
		{"URL password", "dial postgres://origen:pa55@db.internal:5432/shop failed", nil, "dial postgres://origen:[REDACTED]@db.internal:5432/shop failed"},
		{"URL password with brackets", `Post "https://u:p[w@x/": refused`, nil, `Post "https://u:[REDACTED]@x/": refused`},
		{"URL query values", "GET https://hooks.example.com/x?token=abc&sig=def#frag.", nil, "GET https://hooks.example.com/x?token=[REDACTED]&sig=[REDACTED]#frag."},
		{"URL in parentheses", "(dsn postgres://u:pw@db/shop?sslmode=require&password=x)", nil, "(dsn postgres://u:[REDACTED]@db/shop?sslmode=[REDACTED]&password=[REDACTED])"},
		{"user without password kept", "ssh://git@github.com/x", nil, "ssh://git@github.com/x"},
		{"URL password with #", "parse postgres://u:pa#ss@db:5432/shop failed", nil, "parse postgres://u:[REDACTED]@db:5432/shop failed"},
		{"URL password with / and ?", "dial postgres://u:pa/s?s@db/shop?sslmode=disable", nil, "dial postgres://u:[REDACTED]@db/shop?sslmode=[REDACTED]"},
		{"port, then @ in the path", "GET https://host:8080/a@b", nil, "GET https://host:8080/a@b"},
		{"secret inside a URL", "https://hooks.example.com/services/T0/B0/SECRETPATH", []string{"services/T0/B0/SECRETPATH"}, "https://hooks.example.com/[REDACTED]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Redact(tc.in, tc.secrets...); got != tc.want {
				t.Errorf("Redact(%q, %q) = %q, want %q", tc.in, tc.secrets, got, tc.want)
			}
		})
	}
}

func TestDisplayURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://hooks.slack.com/services/T0/B0/XYZ": "https://hooks.slack.com/…",
		"https://u:p@example.com":                    "https://example.com",
		"https://example.com/":                       "https://example.com",
		"http://127.0.0.1:8080?token=x":              "http://127.0.0.1:8080/…",
	} {
		u, err := url.Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := displayURL(u); got != want {
			t.Errorf("displayURL(%q) = %q, want %q", in, got, want)
		}
	}
}
