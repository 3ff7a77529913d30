package reportstest

import (
	"os"
	"os/exec"
	"testing"

	"github.com/origen-analytics/origen/internal/ci"
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
	if ci.Enabled(os.Getenv) {
		t.Fatalf("%s is required under CI=%s but not found: %v (.ci/run installs it)", name, os.Getenv("CI"), err)
	}
	t.Skipf("%s not found, skipping (under CI=true this fails): %v", name, err)
	return ""
}
