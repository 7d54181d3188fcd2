package livepatch

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"

	"github.com/livepatch/livepatch/internal/dapproxy"
)

// stepIn answers stepIn. Stepping into a patched function would leave the
// user in reflect and interpreter frames, so a stepIn on a line that calls
// a function with a live patch (found by name: F( or .M() steps over the
// line instead, as next does. Other stepIns go to Delve unchanged.
func (m *Manager) stepIn(ctx context.Context, s *dapproxy.Session, raw json.RawMessage) (any, error) {
	var args struct {
		ThreadID int64 `json:"threadId"`
	}
	_ = json.Unmarshal(raw, &args)
	if m.callsPatched(ctx, s, args.ThreadID) {
		return s.CallDelve(ctx, "next", raw)
	}
	return s.CallDelve(ctx, "stepIn", raw)
}

// callsPatched reports whether the current line of goroutine goid names a
// function that has a live patch.
func (m *Manager) callsPatched(ctx context.Context, s *dapproxy.Session, goid int64) bool {
	st := m.session(ctx, s)
	st.mu.Lock()
	var names []string
	for _, p := range st.live {
		n := p.Key[strings.LastIndex(p.Key, ".")+1:]
		names = append(names, n)
	}
	st.mu.Unlock()
	d := st.t.Debugger()
	if len(names) == 0 || d == nil || d != s.Debugger() || d.IsRunning() {
		return false
	}
	frames, err := d.Stacktrace(goid, 1, 0)
	if err != nil || len(frames) == 0 {
		return false
	}
	src, err := os.ReadFile(frames[0].Call.File)
	if err != nil {
		return false
	}
	lines := bytes.Split(src, []byte("\n"))
	line := frames[0].Call.Line
	if line < 1 || line > len(lines) {
		return false
	}
	text := string(lines[line-1])
	for _, n := range names {
		if callsName(text, n) {
			return true
		}
	}
	return false
}

// callsName reports whether line calls name: name( not preceded by a
// letter, digit or underscore.
func callsName(line, name string) bool {
	for i := 0; ; {
		j := strings.Index(line[i:], name+"(")
		if j < 0 {
			return false
		}
		at := i + j
		if at == 0 || !isIdentByte(line[at-1]) {
			return true
		}
		i = at + 1
	}
}

func isIdentByte(b byte) bool {
	return b == '_' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
}
