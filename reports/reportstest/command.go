package reportstest

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// runTool runs a helper program to completion and returns what it printed on
// stdout and stderr together. When ctx ends first, the program and every
// process it started are killed: soffice is a shell script that starts
// oosplash and soffice.bin, and killing only the script would leave them
// running with the profile open.
func runTool(ctx context.Context, env []string, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	if env != nil {
		cmd.Env = env
	}
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	killGroup(cmd)
	// A grandchild that keeps the pipes open must not hang Wait after the kill.
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	err := cmd.Run()
	if ctxErr := ctx.Err(); ctxErr != nil {
		return out.Bytes(), fmt.Errorf("%s killed after %s: %w", name, time.Since(start).Round(time.Millisecond), ctxErr)
	}
	if err != nil {
		return out.Bytes(), fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
	}
	return out.Bytes(), nil
}
