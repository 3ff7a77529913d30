package reportstest

import (
	"fmt"
	"os"
	"runtime"
	"testing"
)

// fakeTB records how a helper ended the test instead of ending the real one.
type fakeTB struct {
	testing.TB
	skipped, failed string
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Skipf(format string, args ...any) {
	f.skipped = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestRequireTool(t *testing.T) {
	// The test binary itself is a program that is surely there; LookPath
	// takes a path with a slash as it is.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, tool, ci      string
		unset               bool // CI not in the environment at all
		wantPath, wantFatal bool
	}{
		{name: "missing with CI unset skips", tool: "no-such-client-xyz", unset: true},
		{name: "present", tool: self, ci: "true", wantPath: true},
		{name: "missing locally skips", tool: "no-such-client-xyz", ci: ""},
		{name: "missing with CI=false skips", tool: "no-such-client-xyz", ci: "false"},
		{name: "missing with CI=0 skips", tool: "no-such-client-xyz", ci: "0"},
		{name: "missing under CI fails", tool: "no-such-client-xyz", ci: "true", wantFatal: true},
		{name: "missing under CI=1 fails", tool: "no-such-client-xyz", ci: "1", wantFatal: true},
		{name: "missing under CI=TRUE fails", tool: "no-such-client-xyz", ci: "TRUE", wantFatal: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("CI", tt.ci) // restores CI after the test, also when unset below
			if tt.unset {
				os.Unsetenv("CI")
			}
			f := &fakeTB{TB: t}
			var path string
			done := make(chan struct{})
			go func() {
				defer close(done)
				path = RequireTool(f, tt.tool)
			}()
			<-done
			if got := path != ""; got != tt.wantPath {
				t.Errorf("path %q, want a path: %v", path, tt.wantPath)
			}
			if got := f.failed != ""; got != tt.wantFatal {
				t.Errorf("failed %q, want a failure: %v", f.failed, tt.wantFatal)
			}
			wantSkip := !tt.wantPath && !tt.wantFatal
			if got := f.skipped != ""; got != wantSkip {
				t.Errorf("skipped %q, want a skip: %v", f.skipped, wantSkip)
			}
		})
	}
}
