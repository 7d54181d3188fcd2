package agent

import (
	"bytes"
	"os"
	"strings"
	"sync"
)

// stderrTap is the interpreter's stderr. yaegi writes there one line per
// interpreted frame a panic passes through. While an evaluation runs, the
// tap keeps those lines for the evaluation's result; otherwise (panics in
// patched functions) it passes them to the process's stderr.
type stderrTap struct {
	mu  sync.Mutex
	buf *bytes.Buffer
}

func (t *stderrTap) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.buf != nil {
		return t.buf.Write(p)
	}
	return os.Stderr.Write(p)
}

// capture starts keeping what is written.
func (t *stderrTap) capture() {
	t.mu.Lock()
	t.buf = &bytes.Buffer{}
	t.mu.Unlock()
}

// release stops keeping and returns what was kept, trimmed.
func (t *stderrTap) release() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var s string
	if t.buf != nil {
		s = strings.TrimSpace(t.buf.String())
	}
	t.buf = nil
	return s
}
