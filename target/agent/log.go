package agent

import (
	"log/slog"
	"os"
)

// logger is the agent's logger. It writes to the target's stderr, and only
// warnings and errors, so that the program's own output stays clean.
var logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})).With("component", "livepatch-agent")
