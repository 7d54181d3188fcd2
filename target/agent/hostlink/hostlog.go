package hostlink

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
)

// LogName names the fifo, in the directory of the agent's socket, that the
// host reads the agent's log from: one JSON object a line, as slog's JSON
// handler writes them. The host shows each record as a message of its own,
// so the agent's warnings never mix with the program's stderr.
const LogName = "agent.log"

// FaultMsg is the message of the agent's record of an interpreter fault:
// the interpreter failed while it ran a patched function, which now runs
// compiled. Its attributes are FaultFunc (the function, as Go's tracebacks
// name it), FaultAt (file:line of its saved source, or empty) and
// FaultPanic (the interpreter's message).
const FaultMsg = "interpreter fault: a limitation of livepatch's interpreter, not a bug in your code; the function runs compiled from its next call"

// The attributes of a FaultMsg record.
const (
	FaultFunc  = "func"
	FaultAt    = "at"
	FaultPanic = "panic"
)

// LogTo returns the agent's logger writing to the host's fifo beside the
// socket at socketPath, when the host keeps it open for reading; otherwise
// it returns logger, which keeps to the program's stderr. agent.Start
// calls it before the agent starts any goroutine that logs.
func LogTo(socketPath string, logger *slog.Logger) *slog.Logger {
	// Non-blocking, the open fails at once (ENXIO) when no host reads.
	f, err := os.OpenFile(filepath.Join(filepath.Dir(socketPath), LogName), os.O_WRONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			logger.Warn("agent log", "err", err)
		}
		return logger
	}
	if fi, err := f.Stat(); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		f.Close()
		return logger
	}
	return slog.New(slog.NewJSONHandler(f, &slog.HandlerOptions{Level: slog.LevelWarn})).With("component", "livepatch-agent")
}
