package attribution

import (
	"errors"
	"fmt"
)

// Kind classifies an Error by who has to act on it; cmd/origen maps it to
// the process exit code.
type Kind int

const (
	// KindRuntime is a failure of the environment: database, network, disk.
	KindRuntime Kind = iota
	// KindConfig is a usage or configuration mistake the user can fix.
	KindConfig
	// KindData is a problem in the data that would make the report wrong.
	KindData
)

// Error is the one user-facing error type: Msg is the sentence a person
// should read (what is wrong, where, and the fix), Err the cause if any.
type Error struct {
	Kind Kind
	Msg  string
	Err  error
}

// Error returns Msg, which already names the cause where one matters.
func (e *Error) Error() string { return e.Msg }

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error of the given kind with a formatted message. A
// %w verb wraps the cause as with fmt.Errorf.
func Errorf(kind Kind, format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	return &Error{Kind: kind, Msg: err.Error(), Err: errors.Unwrap(err)}
}

// KindOf returns the Kind of the first *Error in err's chain, and
// KindRuntime when there is none.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindRuntime
}
