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
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
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
	var je *jsonLogError
	if errors.As(err, &je) {
		// With --log-format json the final error is a log line too, for the
		// log shipper that reads every other line.
		slog.New(slog.NewJSONHandler(stderr, nil)).Error(err.Error(), "exit_code", codeOf(err))
	} else {
		fmt.Fprintf(stderr, "origen: %v\n", err)
	}
	// A panic's stack comes after the one line, for the bug report.
	var pe *panicError
	if errors.As(err, &pe) {
		fmt.Fprintf(stderr, "stack trace of the panic:\n%s", pe.stack)
	}
	return codeOf(err)
}

// codeOf maps an error to the exit code of its kind.
func codeOf(err error) int {
	switch attribution.KindOf(err) {
	case attribution.KindConfig:
		return exitUsage
	case attribution.KindData:
		return exitData
	}
	return exitRuntime
}

// jsonLogError marks the error of a run with --log-format json: exitCode
// writes it as a JSON log line. It keeps the error's text and kind.
type jsonLogError struct{ err error }

func (e *jsonLogError) Error() string { return e.err.Error() }
func (e *jsonLogError) Unwrap() error { return e.err }

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
	// inject a panic or to kill the process at a step. nil in production.
	fault func(step string)
}

// panicError is a panic in a command, recovered so that the process
// still exits with code 1 and one clear first line (and origen run still
// sends its failure notice). It is always a bug in Origen; exitCode
// prints the stack after the line.
type panicError struct {
	msg   string // the panic value, on one line
	stack []byte
}

// recovered turns the value of recover() into a panicError with the
// stack of the panicking goroutine (recovered runs in the deferred call,
// so debug.Stack still shows where the panic happened). A *panicError
// that a goroutine recovered and panicked again with in the command's
// goroutine (writeAtomically's writers) is kept as it is, with the stack
// of the goroutine that panicked first.
func recovered(v any) *panicError {
	if pe, ok := v.(*panicError); ok {
		return pe
	}
	return &panicError{msg: strings.Join(strings.Fields(fmt.Sprint(v)), " "), stack: debug.Stack()}
}

func (p *panicError) Error() string {
	return "internal error (a bug in Origen; please report it with the stack trace from stderr): " + p.msg
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
