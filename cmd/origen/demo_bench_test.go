package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// BenchmarkDemo runs `origen demo` end to end (building the SQLite
// database, then reading, computing and writing the report), the figure
// docs/PERFORMANCE.md holds to < 1.5 s.
//
//	go test ./cmd/origen -run '^$' -bench BenchmarkDemo -benchtime 3x
func BenchmarkDemo(b *testing.B) {
	dir := b.TempDir()
	getenv := func(string) string { return "" }
	for i := 0; i < b.N; i++ {
		var out, errb bytes.Buffer
		if err := run(context.Background(), []string{"demo", "--out", dir}, getenv, strings.NewReader(""), &out, &errb); err != nil {
			b.Fatalf("origen demo: %v\n%s", err, errb.String())
		}
	}
}
