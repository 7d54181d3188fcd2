package agent

import (
	"bytes"
	"io"
	"os"
	"strings"
	"sync"
)

// stderrTap is the interpreter's stderr. yaegi writes there one line per
// interpreted frame a panic passes through. While an evaluation runs, the
// tap keeps those lines for the evaluation's result; otherwise (panics in
// patched functions) it passes them to the process's stderr. Either way
// the lines name patched functions and their positions as the user wrote
// them (panicsite.go).
type stderrTap struct {
	mu  sync.Mutex
	buf *bytes.Buffer
}

// Write keeps or passes on p, with the lines of patched functions in the
// user's terms (userPanicText). It reports p as written whole.
func (t *stderrTap) Write(p []byte) (int, error) {
	text := userPanicText(string(p))
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.buf != nil {
		t.buf.WriteString(text)
		return len(p), nil
	}
	if _, err := io.WriteString(os.Stderr, text); err != nil {
		return 0, err
	}
	return len(p), nil
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
