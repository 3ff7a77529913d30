package main

import (
	"context"
	"log/slog"
)

// loggerFor is e.logger whose lines pass through cfg's redaction: the
// DSN's password (and PGPASSWORD) never reaches a log line, whatever a
// message or an attribute holds — errors are redacted where they are made,
// and this is the second guard for what a log call prints directly.
func (e env) loggerFor(cfg *config) *slog.Logger {
	l := e.logger()
	return slog.New(redactingHandler{inner: l.Handler(), redact: cfg.redact.Text})
}

// redactingHandler rewrites every message and string-valued attribute
// (errors included) with redact before the inner handler writes it.
type redactingHandler struct {
	inner  slog.Handler
	redact func(string) string
}

func (h redactingHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.inner.Enabled(ctx, l)
}

func (h redactingHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, h.redact(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.inner.Handle(ctx, out)
}

func (h redactingHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.redact(v.String()))
	case slog.KindGroup:
		var as []any
		for _, g := range v.Group() {
			as = append(as, h.attr(g))
		}
		return slog.Group(a.Key, as...)
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, h.redact(err.Error()))
		}
		return slog.String(a.Key, h.redact(v.String()))
	}
	return slog.Attr{Key: a.Key, Value: v}
}

func (h redactingHandler) WithAttrs(as []slog.Attr) slog.Handler {
	out := make([]slog.Attr, len(as))
	for i, a := range as {
		out[i] = h.attr(a)
	}
	return redactingHandler{inner: h.inner.WithAttrs(out), redact: h.redact}
}

func (h redactingHandler) WithGroup(name string) slog.Handler {
	return redactingHandler{inner: h.inner.WithGroup(name), redact: h.redact}
}
