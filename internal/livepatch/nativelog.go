package livepatch

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/go-delve/delve/pkg/proc"
	"github.com/go-delve/delve/service/api"
	"github.com/go-delve/delve/service/debugger"
	"github.com/google/go-dap"
)

// Log points in native patches. Delve's DAP layer keeps a log point's
// message in a type of its own, which only its setBreakpoints sets, and a
// file:line breakpoint would also match the compiled code (nativebps.go).
// So a log point in a native patch is a function breakpoint that stops,
// like the others; its stop is held back (the stopped event's hook), the
// message is said as Delve says a log point's, with the values of its
// expressions in the stopped frame, and the program goes on. Conditions
// and hit counts are Delve's, as for any breakpoint.

// logPoint is a log point's message, and where the client set it.
type logPoint struct {
	path  string
	line  int
	parts []logPart // nil for no log point
}

// logPart is a piece of a log message: text, or an expression whose value
// replaces it.
type logPart struct {
	text string
	expr bool
}

// logLoad is how much of a value a log message shows.
var logLoad = proc.LoadConfig{FollowPointers: true, MaxVariableRecurse: 1, MaxStringLen: 64, MaxArrayValues: 64, MaxStructFields: -1}

// parseLogPoint parses msg, a log point's message at line of path: text
// with expressions in braces (braces nest, as in a composite literal).
// An empty msg is no log point.
func parseLogPoint(path string, line int, msg string) (logPoint, error) {
	lp := logPoint{path: path, line: line}
	if msg == "" {
		return lp, nil
	}
	lp.parts = []logPart{}
	depth, start := 0, 0
	for i, c := range msg {
		switch {
		case c == '{' && depth == 0:
			if i > start {
				lp.parts = append(lp.parts, logPart{text: msg[start:i]})
			}
			depth, start = 1, i+1
		case c == '{':
			depth++
		case c == '}' && depth == 0:
			return lp, errors.New("log message: a } without its {")
		case c == '}':
			if depth--; depth == 0 {
				lp.parts = append(lp.parts, logPart{text: strings.TrimSpace(msg[start:i]), expr: true})
				start = i + 1
			}
		}
	}
	if depth > 0 {
		return lp, errors.New("log message: a { without its }")
	}
	if start < len(msg) {
		lp.parts = append(lp.parts, logPart{text: msg[start:]})
	}
	return lp, nil
}

// say returns the message of lp with the values of its expressions in
// the top frame of goroutine goid.
func (lp logPoint) say(d *debugger.Debugger, goid int64) string {
	var b strings.Builder
	for _, p := range lp.parts {
		if !p.expr {
			b.WriteString(p.text)
			continue
		}
		v, err := d.EvalVariableInScope(goid, 0, 0, p.text, logLoad)
		if err != nil {
			fmt.Fprintf(&b, "{eval err: %v}", err)
			continue
		}
		b.WriteString(api.ConvertVar(v).SinglelineString())
	}
	return b.String()
}

// holdLog reports whether the stop raw (a stopped event's body) is at a
// log point in a native patch: sayLog then says its message and lets the
// program go on. It runs on the goroutine that reads Delve, and so does
// not wait for Delve.
func (st *session) holdLog(raw json.RawMessage) bool {
	var body map[string]any
	if json.Unmarshal(raw, &body) != nil || body["reason"] != "function breakpoint" {
		return false
	}
	ids, _ := body["hitBreakpointIds"].([]any)
	if len(ids) != 1 {
		return false
	}
	id, _ := ids[0].(float64)
	st.mu.Lock()
	lp, ok := st.bps.native.logs[int(id)]
	st.mu.Unlock()
	if ok {
		go st.sayLog(body, lp)
	}
	return ok
}

// sayLog says the message of the log point lp that goroutine
// body.threadId stopped at, and continues, unless another goroutine
// stopped at a breakpoint of its own at the same time (or Delve refuses
// to continue): the client then gets that stop.
func (st *session) sayLog(body map[string]any, lp logPoint) {
	f, _ := body["threadId"].(float64)
	goid := int64(f)
	d := st.s.Debugger()
	if d == nil {
		return
	}
	if d.IsRunning() { // not stopped after all: the client gets the stop as it was
		st.clientStop(body)
		st.s.SendEvent("stopped", body)
		return
	}
	st.s.SendEvent("output", dap.OutputEventBody{
		Category: "stdout",
		Output:   fmt.Sprintf("> [Go %d]: %s\n", goid, lp.say(d, goid)),
		Source:   &dap.Source{Name: filepath.Base(lp.path), Path: lp.path},
		Line:     lp.line,
	})
	if !st.otherStop(d, goid, body) {
		r, err := st.s.CallDelve(st.ctx, "continue", map[string]any{"threadId": goid})
		if err == nil && r.Success() {
			return
		}
	}
	st.clientStop(body)
	st.s.SendEvent("stopped", body)
}

// otherStop reports whether a goroutine other than goid stopped at a
// breakpoint that is not a native log point, and makes body that stop.
func (st *session) otherStop(d *debugger.Debugger, goid int64, body map[string]any) bool {
	state, err := d.State(true)
	if err != nil {
		return false
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, th := range state.Threads {
		bp := th.Breakpoint
		if bp == nil || th.GoroutineID == goid || bp.Tracepoint {
			continue
		}
		if _, log := st.bps.native.logs[bp.ID]; log {
			continue
		}
		body["threadId"], body["reason"], body["hitBreakpointIds"] = float64(th.GoroutineID), "breakpoint", []any{}
		if bp.Name == proc.UnrecoveredPanic || bp.Name == proc.FatalThrow {
			body["reason"] = "exception"
		} else if bp.ID > 0 {
			body["hitBreakpointIds"] = []any{float64(bp.ID)}
		}
		return true
	}
	return false
}
