package livepatch

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/go-delve/delve/service/debugger"

	"github.com/livepatch/livepatch/internal/dapproxy"
)

// exceptionInfo answers exceptionInfo as Delve does, with the frames of
// its stack text as the stackTrace handler shows them: at the lines of
// the files as saved, a native patch's frame under the patched function's
// name with the compiled function it folds away, and none of the
// machinery that runs patched code.
func (m *Manager) exceptionInfo(ctx context.Context, s *dapproxy.Session, raw json.RawMessage) (any, error) {
	r, err := s.CallDelve(ctx, "exceptionInfo", raw)
	st, d := m.existing(s), s.Debugger()
	if err != nil || !r.Success() || st == nil || d == nil || d.IsRunning() {
		return r, err
	}
	var body map[string]any
	dec := json.NewDecoder(bytes.NewReader(r.Body()))
	dec.UseNumber()
	if err := dec.Decode(&body); err != nil {
		return r, nil
	}
	details, _ := body["details"].(map[string]any)
	text, _ := details["stackTrace"].(string)
	if text == "" {
		return r, nil
	}
	details["stackTrace"] = st.stackText(d, text)
	return body, nil
}

// Delve's stack text (api.PrintStack): per frame, its number, pc and
// function, then its position.
var (
	stackFrameLine = regexp.MustCompile(`^(\s*\d+\s+)(0x[0-9a-f]+) in (.+)$`)
	stackAtLine    = regexp.MustCompile(`^(\s*at )(.+):(\d+)$`)
)

// textFrame is one frame of a stack text: its two lines, parsed.
type textFrame struct {
	num, pc, name string // the number with its indentation
	at, file      string // the position's indentation
	line          int
}

// stackText returns Delve's stack text with its frames as the stackTrace
// handler shows them. Lines it does not know are kept as they are.
func (st *session) stackText(d *debugger.Debugger, text string) string {
	lines := strings.Split(text, "\n")
	var frames []textFrame
	var at []int // the index in lines of each frame's first line
	for i := 0; i+1 < len(lines); i++ {
		f, p := stackFrameLine.FindStringSubmatch(lines[i]), stackAtLine.FindStringSubmatch(lines[i+1])
		if f == nil || p == nil {
			continue
		}
		n, _ := strconv.Atoi(p[3])
		frames = append(frames, textFrame{num: f[1], pc: f[2], name: f[3], at: p[1], file: p[2], line: n})
		at = append(at, i)
		i++
	}
	if len(frames) == 0 {
		return text
	}
	refs := make([]map[string]any, len(frames))
	for i, f := range frames {
		refs[i] = map[string]any{"instructionPointerReference": f.pc}
	}
	hidden, names, plugin := hiddenFrames(d, refs)
	patches := st.foldPatches(names, plugin, hidden)
	st.mu.Lock()
	for i := range frames {
		switch f := &frames[i]; {
		case patches[i] != nil:
			f.name = patches[i].Name + literalSuffix(patches[i], names[i])
			f.line = st.pluginToCurrent(patches[i], f.line)
		case !plugin[i]:
			f.line = st.currentLine(f.file, f.line)
		}
	}
	st.mu.Unlock()
	var out []string
	k := 0
	for i := 0; i < len(lines); i++ {
		if k < len(at) && i == at[k] {
			if f := frames[k]; !hidden[k] {
				out = append(out, f.num+f.pc+" in "+f.name, fmt.Sprintf("%s%s:%d", f.at, f.file, f.line))
			}
			k++
			i++
			continue
		}
		out = append(out, lines[i])
	}
	return strings.Join(out, "\n")
}
