package main

// Glassplane logs with log/slog: text (key=value) lines by default, JSON
// lines with --log-format json, for a log shipper. --log-level picks the
// least severe lines written; warnings and errors are always written.
// No line carries a header or a request body, so no bearer token, key or
// password reaches the log (logging_test.go checks a whole session).

import (
	"fmt"
	"io"
	"log/slog"
)

func newLogger(format, level string, w io.Writer) (*slog.Logger, error) {
	var l slog.Level
	switch level {
	case "debug":
		l = slog.LevelDebug
	case "info":
		l = slog.LevelInfo
	case "warn":
		l = slog.LevelWarn
	case "error":
		l = slog.LevelWarn // warnings and errors are always written
	default:
		return nil, fmt.Errorf("invalid value %q for --log-level: debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: l}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("invalid value %q for --log-format: text or json", format)
}
