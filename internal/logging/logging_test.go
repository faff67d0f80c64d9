package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
)

func TestLoggerInContextCarriesAttributes(t *testing.T) {
	var buf bytes.Buffer
	l := New(&buf, "debug").With("request_id", "req-1")
	ctx := With(context.Background(), l)
	From(ctx).Info("hello", "token", Secret("s3cr3t"))

	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("log line is not JSON: %v: %q", err, buf.String())
	}
	if got, want := line["request_id"], "req-1"; got != want {
		t.Errorf("request_id = %v, want %v", got, want)
	}
	if strings.Contains(buf.String(), "s3cr3t") {
		t.Errorf("secret leaked into log: %s", buf.String())
	}
}

func TestParseLevel(t *testing.T) {
	tests := []struct {
		in   string
		want slog.Level
	}{
		{"debug", slog.LevelDebug}, {"WARN", slog.LevelWarn}, {"error", slog.LevelError},
		{"", slog.LevelInfo}, {"nonsense", slog.LevelInfo},
	}
	for _, tt := range tests {
		if got := ParseLevel(tt.in); got != tt.want {
			t.Errorf("ParseLevel(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
