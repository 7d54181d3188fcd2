package dapproxy

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/go-delve/delve/pkg/proc"
	"github.com/go-delve/delve/service/api"
)

// Delve sets breakpoints in a running program in a halt of its own. When a
// goroutine reaches a breakpoint while such a halt is under way (a second
// setBreakpoints right after a first, on a line that runs all the time),
// Delve stops there but reports the stop as a pause, on whatever goroutine
// it selected, with no breakpoint hit: the editor shows "paused" nobody
// asked for, and the terminal the wrong goroutine. The proxy knows whether
// a pause was asked for (every request to Delve passes it), and Delve's
// state tells which goroutine stands at which breakpoint, so such a stop is
// given back to the breakpoint it is.

// notePause records, as a request goes to Delve, whether a pause was asked
// for since the program last resumed. The caller holds s.mu.
func (s *Session) notePause(m *message) {
	switch m.Command {
	case "pause":
		s.pauseAsked = true
	case "continue", "next", "stepIn", "stepOut", "stepBack", "reverseContinue":
		s.pauseAsked = false
	}
}

// stopStateWait bounds the wait for Delve's state when a stop is checked:
// the target is stopped then, and the state comes once Delve is done with
// the halt that set breakpoints.
const stopStateWait = 2 * time.Second

// unaskedPause returns m, a stopped event, as the breakpoint stop it is
// when it reports a pause nobody asked for (asked false) while a goroutine
// stands at a user's breakpoint; otherwise m unchanged.
func (s *Session) unaskedPause(m *message, asked bool) *message {
	if asked || !strings.Contains(string(m.raw), `"pause"`) {
		return m
	}
	var fields map[string]json.RawMessage
	var body map[string]any
	if json.Unmarshal(m.raw, &fields) != nil || json.Unmarshal(fields["body"], &body) != nil || body["reason"] != "pause" {
		return m
	}
	d := s.Debugger()
	if d == nil {
		return m
	}
	got := make(chan *api.DebuggerState, 1)
	go func() {
		// Not State(true): Delve may still count as running while it
		// finishes the halt that set the breakpoints, which holds the
		// target's lock for milliseconds.
		st, err := d.State(false)
		if err != nil {
			st = nil
		}
		got <- st
	}()
	var state *api.DebuggerState
	select {
	case state = <-got:
	case <-time.After(stopStateWait):
		s.log.Debug("no state for an unasked pause", "waited", stopStateWait)
	}
	th := threadAtBreakpoint(state, body["threadId"])
	if th == nil {
		return m
	}
	s.log.Debug("an unasked pause is a breakpoint's stop", "goroutine", th.GoroutineID, "breakpoint", th.Breakpoint.ID)
	body["threadId"] = th.GoroutineID
	switch bp := th.Breakpoint; {
	case bp.Name == proc.UnrecoveredPanic:
		body["reason"], body["description"] = "exception", "panic" // its text: exceptionInfo
	case bp.Name == proc.FatalThrow:
		body["reason"], body["description"] = "exception", "fatal error"
	case strings.HasPrefix(bp.Name, "functionBreakpoint"): // Delve's name for them
		body["reason"], body["hitBreakpointIds"] = "function breakpoint", []int{bp.ID}
	default:
		body["reason"], body["hitBreakpointIds"] = "breakpoint", []int{bp.ID}
	}
	fields["body"] = mustMarshal(body)
	r, err := parseMessage(mustMarshal(fields))
	if err != nil {
		return m
	}
	return r
}

// threadAtBreakpoint returns the thread of state that stands at a user's
// breakpoint (not a log point) or Delve's for an unrecovered panic or a
// fatal error (livepatch's interpreter faults stop there too), the
// selected goroutine's first.
func threadAtBreakpoint(state *api.DebuggerState, selected any) *api.Thread {
	if state == nil || state.Running {
		return nil
	}
	g, _ := selected.(float64)
	var found *api.Thread
	for _, th := range state.Threads {
		bp := th.Breakpoint
		if bp == nil || bp.Tracepoint || th.GoroutineID == 0 ||
			bp.ID <= 0 && bp.Name != proc.UnrecoveredPanic && bp.Name != proc.FatalThrow {
			continue
		}
		if found == nil || th.GoroutineID == int64(g) {
			found = th
		}
	}
	return found
}
