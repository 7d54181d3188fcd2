package livepatch

import (
	"bytes"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/livepatch/livepatch/internal/dapproxy"
)

// The Go runtime's traceback of a goroutine, as a program prints it on
// stderr when a panic is not recovered: a header, then per frame a
// function line ("pkg.F(args)") and its position line ("\tfile:line
// +0xoff"), then, for a goroutine that another started, "created by ..."
// and its position.
var (
	goroutineHeader = regexp.MustCompile(`^goroutine \d+ \[[^\]]*\]:$`)
	// A line of the panic's report before it ("panic: V"), each panic
	// recovered and raised again marked, and the next indented.
	panicReport = regexp.MustCompile(`^(\t?)panic: (.*?)( \[recovered(?:, repanicked)?\])?(\n?)$`)
	tracebackAt = regexp.MustCompile(`^(\t)(.+):(\d+)((?: .*)?)$`)
)

const (
	goroutinePrefix = "goroutine "
	panicPrefix     = "panic: "
)

// outputFilter is the dapproxy.OutputFilterFunc of the manager: the
// program's stderr goes through a tracebackFilter.
func (m *Manager) outputFilter(s *dapproxy.Session, category string) dapproxy.OutputFilter {
	if category != "stderr" {
		return nil
	}
	f := &tracebackFilter{rewrite: func(lines []string, sites []panicSite) ([]string, bool) {
		st := m.existing(s)
		if st == nil {
			return rewriteFrames(lines, sites, nil, nil)
		}
		return rewriteFrames(lines, sites, st.foldPatches, st.tracebackFrame)
	}}
	return f.filter
}

// tracebackFilter rewrites the goroutine tracebacks in a program's stderr
// as the stackTrace handler shows stacks: without the frames of the
// machinery that runs patched code (and the reflect and runtime panic
// frames next to them), a native patch's frame under the patched
// function's name with the compiled function it folds away, and
// positions at the lines of the files as saved, an interpreted frame's
// marked as at its declaration's line (panicsites.go); the panic's report above
// it says a panic the machinery recovered and raised again as the program
// raised it. It works line by line; a line ended by no newline yet goes
// on at once, unless a traceback (or a panic's report) is in progress or
// the line may begin one. Everything else, the headers and "created by"
// lines included, goes on byte for byte.
type tracebackFilter struct {
	rewrite func(frames []string, sites []panicSite) ([]string, bool) // rewriteFrames with the session's
	sites   []panicSite                                               // the agent's lines of the panic under way (panicsites.go)
	header  []string                                                  // a panic's report marked recovered and what follows it, held
	rest    []byte                                                    // the start of a line, held
	midLine bool                                                      // the start of the current line went on: its rest goes as is
	sent    []byte                                                    // and what of it went, to read the whole line (at most maxSent bytes)
	in      bool                                                      // in a traceback's frames
	frames  []string                                                  // the traceback's frame lines so far, each with its newline
}

// filter is the tracebackFilter's dapproxy.OutputFilter.
func (f *tracebackFilter) filter(text []byte, flush bool) []byte {
	buf := append(f.rest, text...)
	f.rest = nil
	var out []byte
	for len(buf) > 0 {
		i := bytes.IndexByte(buf, '\n')
		if i < 0 {
			if f.midLine || !f.in && f.header == nil && !mayBeginTraceback(buf) {
				out = append(out, buf...)
				f.midLine = true
				f.sent = append(f.sent, buf[:min(len(buf), maxSent-len(f.sent))]...)
			} else {
				f.rest = bytes.Clone(buf)
			}
			break
		}
		line := buf[:i+1]
		buf = buf[i+1:]
		if f.midLine {
			out = append(out, line...)
			f.midLine = false
			f.noteSite(strings.TrimSuffix(string(f.sent)+string(line), "\n"), false)
			f.sent = f.sent[:0]
			continue
		}
		out = f.line(out, string(line))
	}
	if flush {
		out = f.end(out)
		if len(f.rest) > 0 {
			out = append(out, f.rest...)
			f.rest, f.midLine = nil, true
		}
	}
	return out
}

// mayBeginTraceback reports whether the start of a line may be that of a
// goroutine's header or a panic's report.
func mayBeginTraceback(start []byte) bool {
	for _, p := range []string{goroutinePrefix, panicPrefix} {
		if bytes.HasPrefix(start, []byte(p)) || bytes.HasPrefix([]byte(p), start) {
			return true
		}
	}
	return false
}

// line takes one whole line and appends to out what goes on now.
func (f *tracebackFilter) line(out []byte, line string) []byte {
	text := strings.TrimSuffix(line, "\n")
	if f.in {
		if text != "" && !strings.HasPrefix(text, "created by ") && !goroutineHeader.MatchString(text) {
			f.frames = append(f.frames, line)
			return out
		}
		out = f.end(out)
	}
	if f.header != nil {
		switch {
		case goroutineHeader.MatchString(text):
			f.header, f.in = append(f.header, line), true
			return out
		case inPanicReport(text):
			f.header = append(f.header, line)
			return out
		}
		out = f.end(out) // no traceback: as it was
	}
	if m := panicReport.FindStringSubmatch(text); m != nil && m[1] == "" && m[3] != "" {
		f.header = []string{line}
		return out
	}
	f.in = goroutineHeader.MatchString(text)
	f.noteSite(text, f.in)
	return append(out, line...)
}

// inPanicReport reports whether a line may be one of a panic's report,
// between its first line and the traceback.
func inPanicReport(text string) bool {
	return text == "" || strings.HasPrefix(text, panicPrefix) || strings.HasPrefix(text, "\t"+panicPrefix) || strings.HasPrefix(text, "[signal ")
}

// end appends the traceback in progress to out, its frames rewritten, and
// the panic's report held before it, rewritten when the machinery was in
// the traceback.
func (f *tracebackFilter) end(out []byte) []byte {
	lines := f.header
	if f.in {
		frames, hid := f.rewrite(f.frames, f.sites)
		f.sites = nil
		if hid {
			lines = userPanics(lines)
		}
		lines = append(lines, frames...)
	}
	for _, l := range lines {
		out = append(out, l...)
	}
	f.in, f.frames, f.header = false, nil, nil
	return out
}

// userPanics returns a panic's report as the program would have printed
// it without the machinery, which recovers a panic of patched code and
// raises its value again: "panic: V [recovered, repanicked]" is "panic:
// V", and a panic of the same value as the one before it, which it
// recovered, is one.
func userPanics(lines []string) []string {
	var out []string
	last, lastValue := -1, "" // the panic line in out before, and its value
	for _, l := range lines {
		m := panicReport.FindStringSubmatch(l)
		if m == nil {
			out, last = append(out, l), -1
			continue
		}
		indent, value, mark, nl := m[1], m[2], m[3], m[4]
		if mark == " [recovered, repanicked]" {
			mark = ""
		}
		if last >= 0 && value == lastValue {
			indent = panicReport.FindStringSubmatch(out[last])[1]
			out[last] = indent + panicPrefix + value + mark + nl
			continue
		}
		out = append(out, indent+panicPrefix+value+mark+nl)
		last, lastValue = len(out)-1, value
	}
	return out
}

// tracebackFrame is one frame of a traceback: its function line and the
// lines under it (its position), or a line that is no frame ("...N frames
// elided...") with no name.
type tracebackFrame struct {
	name  string
	lines []string
}

// rewriteFrames returns a traceback's frame lines as the user should see
// them, and whether it hid the machinery's. sites are the agent's lines
// of the panic (panicsites.go); fold is the session's foldPatches,
// current its tracebackFrame; both are nil when there is no session.
func rewriteFrames(lines []string, sites []panicSite, fold func(names []string, plugin, hidden []bool) []*Patch, current frameMapper) ([]string, bool) {
	var frames []tracebackFrame
	for _, l := range lines {
		if strings.HasPrefix(l, "\t") && len(frames) > 0 {
			frames[len(frames)-1].lines = append(frames[len(frames)-1].lines, l)
			continue
		}
		frames = append(frames, tracebackFrame{name: tracebackFunc(l), lines: []string{l}})
	}
	names := make([]string, len(frames))
	plugin := make([]bool, len(frames))
	for i, fr := range frames {
		names[i] = fr.name
		plugin[i] = fr.name != "" // a live patch's plugin function names only plugin code
	}
	hidden := hideMachinery(names, tracebackGlue)
	machinery := slices.Contains(hidden, true)
	patches := make([]*Patch, len(frames))
	if fold != nil {
		patches = fold(names, plugin, hidden)
	}
	markInterpreted(frames, hidden, sites) // panicsites.go
	var out []string
	for i, fr := range frames {
		if hidden[i] {
			continue
		}
		name := ""
		if current != nil && len(fr.lines) > 1 {
			name, fr.lines[1] = currentAt(current, fr.name, fr.lines[1])
		}
		if patches[i] != nil {
			name = patches[i].Name
		}
		if name != "" {
			fr.lines[0] = name + fr.lines[0][len(fr.name):]
		}
		out = append(out, fr.lines...)
	}
	return out, machinery
}

// tracebackFunc returns the function of a traceback's function line, ""
// for another line.
func tracebackFunc(line string) string {
	line = strings.TrimSuffix(line, "\n")
	i := strings.LastIndexByte(line, '(')
	if i <= 0 || !strings.HasSuffix(line, ")") {
		return ""
	}
	return line[:i]
}

// tracebackGlue reports whether a traceback's function lies between the
// machinery and the code it runs or that raised a panic: reflect's, and
// the runtime's panic ("panic" in a traceback), which the machinery
// recovers and raises again.
func tracebackGlue(name string) bool {
	return glueFunc(name) || name == "panic" || name == "runtime.gopanic"
}

// frameMapper returns the name in the program ("": as it is) and the
// line of the file as saved of a traceback's frame in fn at line n of
// file.
type frameMapper func(fn, file string, n int) (string, int)

// tracebackFrame is the session's frameMapper: a frame of plugin code is
// mapped from the plugin's lines, and one its save declared anew named in
// the patched package (pluginlines.go); others from the compiled lines.
func (st *session) tracebackFrame(fn, file string, n int) (string, int) {
	st.mu.Lock()
	defer st.mu.Unlock()
	p := st.pluginPatch(fn, file)
	if p == nil {
		return "", st.currentLine(file, n)
	}
	name := ""
	if p.nativeFunc != fn && p.nativeFunc != outerFunc(fn) {
		name = pluginFuncName(p, fn)
	}
	return name, st.pluginToCurrent(p, n)
}

// currentAt returns the name that current gives the frame of fn whose
// position line is line, and the line at the line of the file as saved.
func currentAt(current frameMapper, fn, line string) (string, string) {
	text, nl := strings.CutSuffix(line, "\n")
	m := tracebackAt.FindStringSubmatch(text)
	if m == nil {
		return "", line
	}
	n, err := strconv.Atoi(m[3])
	if err != nil {
		return "", line
	}
	name, cur := current(fn, m[2], n)
	if cur == n {
		return name, line
	}
	if nl {
		m[4] += "\n"
	}
	return name, m[1] + m[2] + ":" + strconv.Itoa(cur) + m[4]
}
