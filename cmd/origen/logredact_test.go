package main

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// A log line never shows the DSN's password, whether a message, a string
// attribute, an error attribute, a group or a logger's own attributes hold
// it, in text and in JSON.
func TestLogLinesAreRedacted(t *testing.T) {
	const secret = "hunter2-log"
	cfg := &config{redact: newRedactor("postgres://origen:" + secret + "@db.internal/shop")}
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			e := env{stderr: &buf, logFormat: format}
			log := e.loggerFor(cfg).With("dsn", "password="+secret)
			log.Info("connecting with "+secret, "pw", secret, "err", errors.New("auth failed for "+secret),
				slog.Group("db", "password", secret), "n", 3)
			log.WithGroup("g").Warn("x", "v", fmt.Sprintf("%s!", secret))
			out := buf.String()
			if strings.Contains(out, secret) || !strings.Contains(out, "connecting with") || !strings.Contains(out, "3") {
				t.Errorf("log output:\n%s", out)
			}
		})
	}
}
