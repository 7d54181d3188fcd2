package dapproxy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
)

// buildProgress reports the progress of a build the proxy runs (launch,
// restart): as DAP progress events (progressStart, progressUpdate,
// progressEnd) when the client's initialize said it supports them, so an
// editor shows a long cold build as it goes; as console output otherwise.
// Either way it passes on whole lines, and no blank ones.
// It returns the writer the builder writes its progress lines to, and end,
// to call once the build is over.
func (s *Session) buildProgress(title string) (w io.Writer, end func()) {
	if !s.clientSupports("supportsProgressReporting") {
		p := &progressLines{update: func(line string) { s.output("console", line+"\n") }}
		return p, p.flush
	}
	id := fmt.Sprintf("livepatch-build-%d", progressIDs.Add(1))
	s.SendEvent("progressStart", map[string]any{"progressId": id, "title": title})
	p := &progressLines{update: func(line string) {
		s.SendEvent("progressUpdate", map[string]any{"progressId": id, "message": line})
	}}
	return p, func() {
		p.flush()
		s.SendEvent("progressEnd", map[string]any{"progressId": id})
	}
}

var progressIDs atomic.Int64

// clientSupports reports whether the client's initialize arguments set the
// boolean capability name.
func (s *Session) clientSupports(name string) bool {
	s.mu.Lock()
	raw := s.initialize
	s.mu.Unlock()
	var args map[string]any
	if json.Unmarshal(raw, &args) != nil {
		return false
	}
	v, _ := args[name].(bool)
	return v
}

// progressLines calls update with each non-blank line written to it.
type progressLines struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	update func(string)
}

func (p *progressLines) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.buf.Write(b)
	for {
		i := bytes.IndexByte(p.buf.Bytes(), '\n')
		if i < 0 {
			return len(b), nil
		}
		line := strings.TrimSpace(string(p.buf.Next(i + 1)))
		if line != "" {
			p.update(line)
		}
	}
}

// flush passes on a last line written without a newline.
func (p *progressLines) flush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if line := strings.TrimSpace(p.buf.String()); line != "" {
		p.update(line)
	}
	p.buf.Reset()
}
