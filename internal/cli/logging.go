package cli

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/go-delve/delve/pkg/logflags"
)

// Log components of livepatch's own; the rest of --log-output goes to Delve.
var ownComponents = []string{"dapproxy", "patcher", "agent", "terminal", "prompt", "livepatch"}

var delveComponents = []string{"debugger", "gdbwire", "lldbout", "debuglineerr", "rpc", "dap", "fncall", "minidump", "stack"}

// logFlags are the logging flags every command takes, named as Delve's.
type logFlags struct {
	enabled bool
	output  string
	dest    string
}

func (l *logFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&l.enabled, "log", false, "enable logging")
	fs.StringVar(&l.output, "log-output", "", "comma-separated components to log: "+
		strings.Join(ownComponents, ",")+" (livepatch) and "+strings.Join(delveComponents, ",")+" (Delve); default dapproxy,debugger")
	fs.StringVar(&l.dest, "log-dest", "", "write logs (and the listening line) to this file `path` or file descriptor number instead of stderr")
}

// loggers holds the configured loggers; Close releases the destination.
type loggers struct {
	byComponent map[string]*slog.Logger
	out         io.Writer
	close       func()
}

func (l *loggers) get(component string) *slog.Logger {
	if lg := l.byComponent[component]; lg != nil {
		return lg
	}
	return slog.New(slog.DiscardHandler)
}

// setup configures Delve's logging and ours from the flags.
func (l *logFlags) setup() (*loggers, error) {
	var own, delve []string
	output := l.output
	if output == "" && l.enabled {
		output = "dapproxy,debugger"
	}
	for _, c := range strings.Split(output, ",") {
		c = strings.TrimSpace(c)
		switch {
		case c == "":
		case contains(ownComponents, c):
			own = append(own, c)
		case contains(delveComponents, c):
			delve = append(delve, c)
		default:
			return nil, fmt.Errorf("unknown log component %q (known: %s)", c, strings.Join(append(ownComponents, delveComponents...), ", "))
		}
	}
	if !l.enabled && l.output != "" {
		return nil, fmt.Errorf("--log-output requires --log")
	}
	if err := logflags.Setup(l.enabled && len(delve) > 0, strings.Join(delve, ","), l.dest); err != nil {
		return nil, err
	}
	res := &loggers{byComponent: map[string]*slog.Logger{}, out: os.Stderr, close: logflags.Close}
	if l.dest != "" {
		if n, err := strconv.Atoi(l.dest); err == nil {
			res.out = os.NewFile(uintptr(n), "log-dest")
		} else {
			f, err := os.OpenFile(l.dest, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
			if err != nil {
				return nil, fmt.Errorf("could not open log file: %w", err)
			}
			res.out = f
			res.close = func() { f.Close(); logflags.Close() }
		}
	}
	if l.enabled {
		h := slog.NewTextHandler(res.out, &slog.HandlerOptions{Level: slog.LevelDebug})
		for _, c := range own {
			res.byComponent[c] = slog.New(h).With("component", c)
		}
	}
	return res, nil
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

func absFromDir(base, path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(base, path)
}
