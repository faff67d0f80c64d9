// Package logging builds jiaoyi's JSON slog loggers and carries the request's
// logger in a context, so every line of a request has its request id.
package logging

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
)

// New returns a JSON logger writing to w at the level named by level
// ("debug", "info", "warn", "error"; anything else is info).
func New(w io.Writer, level string) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: ParseLevel(level)}))
}

// Default returns the process logger: JSON on stdout at LOG_LEVEL.
func Default() *slog.Logger {
	return New(os.Stdout, os.Getenv("LOG_LEVEL"))
}

// ParseLevel maps a level name to a slog.Level; unknown names are info.
func ParseLevel(s string) slog.Level {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "debug":
		return slog.LevelDebug
	case "warn", "warning":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	default:
		return slog.LevelInfo
	}
}

type ctxKey struct{}

// With returns ctx carrying l.
func With(ctx context.Context, l *slog.Logger) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// From returns the logger in ctx, or slog.Default if there is none.
func From(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(ctxKey{}).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}

// Secret is a string that never appears in logs: it logs as "[redacted]".
type Secret string

// LogValue implements slog.LogValuer.
func (Secret) LogValue() slog.Value { return slog.StringValue("[redacted]") }
