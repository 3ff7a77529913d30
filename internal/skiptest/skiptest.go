// Package skiptest checks the helpers that give tests a database server:
// without a server a test skips, and under CI it fails. It runs such a
// helper with a testing.TB that records Skip and Fatal instead of acting
// on the real test (fixtures/pgtest and fixtures/mysqltest share it).
package skiptest

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// recorder is a testing.TB that notes Skip and Fatal; like the real
// methods, they end the calling goroutine.
type recorder struct {
	testing.TB
	mu             sync.Mutex
	skipped, fatal string
}

func (r *recorder) Helper() {}

func (r *recorder) Skip(args ...any) {
	r.mu.Lock()
	r.skipped = fmt.Sprint(args...)
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *recorder) Skipf(format string, args ...any) { r.Skip(fmt.Sprintf(format, args...)) }

func (r *recorder) Fatal(args ...any) {
	r.mu.Lock()
	r.fatal = fmt.Sprint(args...)
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *recorder) Fatalf(format string, args ...any) { r.Fatal(fmt.Sprintf(format, args...)) }

// Unreachable checks newDatabase, given the value of the CI variable, for
// each CI value: unset, 0 and false skip the test, 1, true and TRUE fail
// it, both with a message that holds want. newDatabase must not return
// (it has no server to reach).
func Unreachable(t *testing.T, want string, newDatabase func(tb testing.TB, ci string)) {
	t.Helper()
	for _, tc := range []struct {
		name, ci string
		skip     bool
	}{
		{"local run skips", "", true}, {"CI=0 skips", "0", true}, {"CI=false skips", "false", true},
		{"CI=1 fails", "1", false}, {"CI=true fails", "true", false}, {"CI=TRUE fails", "TRUE", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &recorder{TB: t}
			done := make(chan struct{})
			go func() {
				defer close(done)
				newDatabase(r, tc.ci)
				t.Error("NewDatabase returned without a server")
			}()
			<-done
			if (r.skipped != "") != tc.skip || (r.fatal != "") == tc.skip {
				t.Errorf("skipped %q, failed %q; want skip %v", r.skipped, r.fatal, tc.skip)
			}
			if msg := r.skipped + r.fatal; !strings.Contains(msg, want) {
				t.Errorf("message %q does not say %q", msg, want)
			}
		})
	}
}
