package livepatch

import (
	"path/filepath"
	"regexp"
	"strings"

	"github.com/livepatch/livepatch/target/agent/wire"
)

// The frame of a function whose patch runs interpreted is its compiled
// function's, stopped in the dispatch prologue that called the
// interpreter: the Go runtime's traceback puts it at the function's
// declaration, and the interpreter does not tell which line of it ran
// (target/agent/panicsite.go). The agent writes a line to stderr for
// each interpreted frame a panic passes through, before the traceback,
// "counter.go:51: panic: main.(*Counter).step(...) [interpreted: ...]",
// naming the function as the traceback does. The filter keeps those
// lines and marks each frame they name, under a frame of the machinery,
// as the agent marks its line (wire.InterpretedAtDecl), so that the
// declaration's line is not taken for the line that panicked.

// panicSiteLine is one of the agent's lines.
var panicSiteLine = regexp.MustCompile(`^(.+?):\d+(?::\d+)?: panic: (\S+)\(\.\.\.\)(?: .*)?$`)

// panicSite is an interpreted frame that a panic passed through.
type panicSite struct {
	file string // base name
	fn   string // as the traceback names it
}

// maxSent bounds what the filter keeps of a line that went on in parts,
// to read it whole: the agent's lines are short.
const maxSent = 1024

// noteSite notes a whole line that went on as is: the agent's line of an
// interpreted frame is kept for the traceback to come; another line,
// unless a header of one or a line of a panic's report, says the panic
// the lines were of was recovered.
func (f *tracebackFilter) noteSite(text string, header bool) {
	if site, ok := parsePanicSite(text); ok {
		f.sites = append(f.sites, site)
	} else if !header && !inPanicReport(text) {
		f.sites = nil
	}
}

// parsePanicSite returns the site a line of the agent's says, if it is
// one.
func parsePanicSite(text string) (panicSite, bool) {
	m := panicSiteLine.FindStringSubmatch(text)
	if m == nil {
		return panicSite{}, false
	}
	return panicSite{file: filepath.Base(m[1]), fn: m[2]}, true
}

// markInterpreted marks the frames that ran interpreted code (a frame of
// a function under a frame of the machinery, which a site names) as at
// the declaration's line, one site for each.
func markInterpreted(frames []tracebackFrame, hidden []bool, sites []panicSite) {
	used := make([]bool, len(sites))
	for i, fr := range frames {
		if i == 0 || !hidden[i-1] || hidden[i] || len(fr.lines) < 2 {
			continue
		}
		m := tracebackAt.FindStringSubmatch(strings.TrimSuffix(fr.lines[1], "\n"))
		if m == nil {
			continue
		}
		for k, s := range sites {
			if !used[k] && s.fn == fr.name && s.file == filepath.Base(m[2]) {
				text, nl := strings.CutSuffix(fr.lines[1], "\n")
				fr.lines[1] = text + " " + wire.InterpretedAtDecl
				if nl {
					fr.lines[1] += "\n"
				}
				used[k] = true
				break
			}
		}
	}
}
