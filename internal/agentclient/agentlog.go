package agentclient

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/livepatch/livepatch/target/agent/hostlink"
)

// LogRecord is one record of an agent's log: its level, its message and
// its attributes in the order the agent gave them.
type LogRecord struct {
	Level string
	Msg   string
	Attrs []LogAttr
}

// LogAttr is an attribute of a LogRecord, its value as text.
type LogAttr struct{ Key, Value string }

// String returns the record as a person reads it: the message, then the
// attributes in parentheses ("msg (key: value, key: value)").
func (r LogRecord) String() string {
	if len(r.Attrs) == 0 {
		return r.Msg
	}
	parts := make([]string, len(r.Attrs))
	for i, a := range r.Attrs {
		parts[i] = a.Key + ": " + a.Value
	}
	return r.Msg + " (" + strings.Join(parts, ", ") + ")"
}

// openLog makes the fifo in dir that the agents of the endpoint's programs
// log to (hostlink.LogName) and opens it for reading. It is opened for writing
// too, so that it has a reader for the agent's open and reads never see an
// end of file between programs.
func openLog(dir string) (*os.File, error) {
	path := filepath.Join(dir, hostlink.LogName)
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		return nil, fmt.Errorf("agent log: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("agent log: %w", err)
	}
	return f, nil
}

// FollowLog makes the records the agents of e's programs log go to f,
// called from the endpoint's reader goroutine, until e is removed. Before
// FollowLog, they go to this process's standard error.
func (e *Endpoint) FollowLog(f func(LogRecord)) {
	e.logMu.Lock()
	e.onLog = f
	e.logMu.Unlock()
}

// readLog reads the agents' records until the fifo is closed, so that an
// agent never waits on a full fifo, and passes each on (FollowLog).
func (e *Endpoint) readLog() {
	sc := bufio.NewScanner(e.log)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		r, ok := parseLogRecord(sc.Bytes())
		if !ok {
			continue
		}
		e.logMu.Lock()
		f := e.onLog
		e.logMu.Unlock()
		if f == nil {
			fmt.Fprintf(os.Stderr, "livepatch: %s\n", r)
			continue
		}
		f(r)
	}
}

// parseLogRecord reads a line of slog's JSON handler, keeping the order
// of the attributes; time and component are left out.
func parseLogRecord(line []byte) (LogRecord, bool) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return LogRecord{}, false
	}
	var r LogRecord
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return LogRecord{}, false
		}
		key, _ := t.(string)
		var v any
		if err := dec.Decode(&v); err != nil {
			return LogRecord{}, false
		}
		text := fmt.Sprint(v)
		switch key {
		case "time", "component":
		case "level":
			r.Level = text
		case "msg":
			r.Msg = text
		default:
			r.Attrs = append(r.Attrs, LogAttr{key, text})
		}
	}
	return r, r.Msg != ""
}
