package delivery

import (
	"context"
	"errors"
	"net/textproto"
	"os"

	"github.com/origen-analytics/origen/attribution"
)

// safeError returns the user-facing error of a failed delivery: msg with
// every secret redacted, of the given kind. Its cause unwraps only to
// errors whose text cannot hold a secret (the context and deadline
// sentinels, this package's sentinels, and a copy of the server's SMTP
// reply with its text redacted), so errors.Is(err, context.Canceled) and
// errors.As(err, **textproto.Error) work while printing any link of the
// chain stays safe.
func safeError(kind attribution.Kind, msg string, cause error, secrets []string) error {
	msg = Redact(msg, secrets...)
	var causes []error
	for _, sentinel := range []error{context.Canceled, context.DeadlineExceeded, os.ErrDeadlineExceeded, ErrNoSTARTTLS, ErrNoAuthPlain} {
		if errors.Is(cause, sentinel) {
			causes = append(causes, sentinel)
		}
	}
	var reply *textproto.Error
	if errors.As(cause, &reply) {
		causes = append(causes, &textproto.Error{Code: reply.Code, Msg: Redact(reply.Msg, secrets...)})
	}
	return &attribution.Error{Kind: kind, Msg: msg, Err: &redactedCause{msg: msg, causes: causes}}
}

// redactedCause is the cause of a safeError.
type redactedCause struct {
	msg    string
	causes []error
}

func (e *redactedCause) Error() string   { return e.msg }
func (e *redactedCause) Unwrap() []error { return e.causes }

func configErr(format string, args ...any) error {
	return attribution.Errorf(attribution.KindConfig, format, args...)
}
