package reportstest

import (
	"os"
	"os/exec"
	"strconv"
	"testing"
)

// RequireTool returns the path of the program name, looked up in PATH. When
// the program is missing it skips the test, or fails it when the environment
// variable CI is true, so that a check that needs a real client never skips
// silently in CI.
func RequireTool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if inCI() {
		t.Fatalf("%s is required under CI=true but not found: %v (.ci/run installs it)", name, err)
	}
	t.Skipf("%s not found, skipping (under CI=true this fails): %v", name, err)
	return ""
}

// inCI reports whether the environment variable CI holds a true value
// ("true", "1", ...), as CI runners and .ci/run set it.
func inCI() bool {
	ci, _ := strconv.ParseBool(os.Getenv("CI"))
	return ci
}
