package agent

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

// logToHost makes the agent's logger write to the host's fifo beside the
// socket at socketPath, when the host keeps it open for reading; otherwise
// the logger keeps to the program's stderr. Start calls it before the
// agent starts any goroutine that logs.
func logToHost(socketPath string) {
	// Non-blocking, the open fails at once (ENXIO) when no host reads.
	f, err := os.OpenFile(filepath.Join(filepath.Dir(socketPath), LogName), os.O_WRONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			logger.Warn("agent log", "err", err)
		}
		return
	}
	if fi, err := f.Stat(); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		f.Close()
		return
	}
	logger = slog.New(slog.NewJSONHandler(f, &slog.HandlerOptions{Level: slog.LevelWarn})).With("component", "livepatch-agent")
}
