//go:build !unix

package reportstest

import "os/exec"

// killGroup leaves the default cancellation, which kills cmd's process only:
// process groups are a Unix notion.
func killGroup(cmd *exec.Cmd) {}
