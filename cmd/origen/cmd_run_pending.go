//go:build !origen_run

package main

import "context"

// Temporary until reports/delivery lands: origen run is built with -tags origen_run.
func (e env) cmdRun(ctx context.Context, args []string) error {
	return usageErr("origen run is not built in this binary")
}
