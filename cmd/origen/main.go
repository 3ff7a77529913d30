// Command origen reports which acquisition channels bring registrations
// that turn into paying customers, and what each customer costs.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	_ "time/tzdata" // IANA zones on machines without /usr/share/zoneinfo

	"github.com/origen-analytics/origen/attribution"
)

// Exit codes, documented in the README.
const (
	exitOK      = 0
	exitRuntime = 1
	exitUsage   = 2
	exitData    = 3
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// exitCode prints err (one clear line first) and maps it to the exit code.
func exitCode(err error, stderr io.Writer) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	fmt.Fprintf(stderr, "origen: %v\n", err)
	switch attribution.KindOf(err) {
	case attribution.KindConfig:
		return exitUsage
	case attribution.KindData:
		return exitData
	}
	return exitRuntime
}

// env is what a command needs from the process, injectable for tests.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	now    func() time.Time
	// logFormat is "text" (default) or "json".
	logFormat string
	// retryBase is the first retry delay (doubling, capped at 30 s).
	retryBase time.Duration
	// tlsConfig and httpClient let tests trust their own servers; nil in
	// production means the system's roots and http.DefaultClient.
	tlsConfig  *tls.Config
	httpClient *http.Client
	// fault, when set, is called at the named steps of a command (the
	// steps of writeAtomically, README "Atomic outputs"); tests use it to
	// kill the process at a step. nil in production.
	fault func(step string)
}

// faultKey carries env.fault in the context, down to writeAtomically,
// whose callers do not take an env.
type faultKey struct{}

// fault calls the context's fault hook, if any, at a named step.
func fault(ctx context.Context, step string) {
	if f, ok := ctx.Value(faultKey{}).(func(string)); ok {
		f(step)
	}
}
