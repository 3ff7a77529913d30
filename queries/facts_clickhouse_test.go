package queries

import (
	"reflect"
	"testing"
)

// The prospects' users of ClickHouse's pass come back as one text of
// length-prefixed items (clickhouse/facts.sql): any bytes in a user id
// survive, and a text that does not match is refused.
func TestNextLengthPrefixed(t *testing.T) {
	for _, c := range []struct {
		name string
		in   string
		want []string
		ok   bool
	}{
		{"empty", "", nil, true},
		{"plain", "3 abc5 12345", []string{"abc", "12345"}, true},
		{"spaces and digits inside", "4 a 1 5 7 3 x", []string{"a 1 ", "7 3 x"}, true},
		{"empty user", "0 2 ab", []string{"", "ab"}, true},
		{"multibyte", "2 é1 x", []string{"é", "x"}, true},
		{"too long", "9 abc", nil, false},
		{"no length", " abc", nil, false},
		{"negative", "-1 a", nil, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			s, ok := c.in, true
			for s != "" {
				var item string
				if item, s, ok = nextLengthPrefixed(s); !ok {
					break
				}
				got = append(got, item)
			}
			if ok != c.ok || !reflect.DeepEqual(got, c.want) {
				t.Errorf("%q: got %q (ok %v), want %q (ok %v)", c.in, got, ok, c.want, c.ok)
			}
		})
	}
}
