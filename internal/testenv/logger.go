package testenv

import (
	"log/slog"
	"testing"
)

// Logger returns a debug-level logger whose output is printed, headed
// "name log:", only if the test fails.
func Logger(t testing.TB, name string) *slog.Logger {
	out := NewOutput()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("%s log:\n%s", name, out.String())
		}
	})
	return slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
