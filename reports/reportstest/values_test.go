package reportstest

import "testing"

func TestUnpercent(t *testing.T) {
	tests := []struct{ in, want string }{
		{"9.23076923076923%", "0.0923076923076923"},
		{"-35%", "-0.35"},
		{"0%", "0"},
		{"1.5E-05%", "1.5e-07"},
		{"12345.67", "12345.67"},
		{"on target", "on target"},
		{"100% sure", "100% sure"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := unpercent(tt.in); got != tt.want {
			t.Errorf("unpercent(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
