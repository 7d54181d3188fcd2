package agent

import (
	"log/slog"
	"os"
)

// logger is the agent's logger. It writes only warnings and errors, to the
// host once Start has found the host's fifo (hostlink.LogTo), so that the
// program's own output stays clean, and to the target's stderr otherwise.
var logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})).With("component", "livepatch-agent")
