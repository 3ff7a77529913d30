//go:build unix

package reportstest

import (
	"os/exec"
	"syscall"
)

// killGroup makes cmd lead a process group of its own and makes the
// cancellation of its context kill the whole group.
func killGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
