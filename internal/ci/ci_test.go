package ci

import "testing"

func TestEnabled(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want bool
	}{
		{"unset", map[string]string{}, false},
		{"empty", map[string]string{"CI": ""}, false},
		{"0", map[string]string{"CI": "0"}, false},
		{"false", map[string]string{"CI": "false"}, false},
		{"FALSE", map[string]string{"CI": "FALSE"}, false},
		{"not a boolean", map[string]string{"CI": "yes"}, false},
		{"1", map[string]string{"CI": "1"}, true},
		{"true", map[string]string{"CI": "true"}, true},
		{"TRUE", map[string]string{"CI": "TRUE"}, true},
		{"True", map[string]string{"CI": "True"}, true},
		{"t", map[string]string{"CI": "t"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Enabled(func(k string) string { return tc.env[k] }); got != tc.want {
				t.Errorf("Enabled with %v = %v, want %v", tc.env, got, tc.want)
			}
		})
	}
}
