package livepatch

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/google/go-dap"

	"github.com/livepatch/livepatch/internal/agentclient"
)

// A stepIn on a line that calls an interpreted patch whose native build
// is under way (right after a save while paused) lands in the patched
// function, as on compiled code, once it is native: the agent holds the
// function's calls at a gate (gates.go) from the stepIn on, the line is
// stepped over (Delve's next, which ends the step where the goroutine
// leaves the line without the call), and once the patch is native a
// function breakpoint of livepatch's own on the plugin's function, for
// the stepping goroutine only, is set before the gate opens. Its stop is
// the client's step stop, at the saved declaration's line; any other stop
// ends the step as it is, and the temporary breakpoint and gate go. A
// patch that cannot go native is stepped over, and the console says why,
// once.

// stepIntoState is the stepIn into an interpreted patch under way, if
// any, and its breakpoints at Delve. Guarded by session.mu.
type stepIntoState struct {
	to *stepInto
	// sent are the temporary function breakpoints as Delve last got them
	// (after the client's and those in native patches), ids Delve's ids
	// of those it was ever sent: their stops and events are livepatch's.
	sent []dap.FunctionBreakpoint
	ids  map[int]bool
	// note is set at the step's stop, which Delve reports as a breakpoint
	// that interrupted a next: its console note saying so is dropped.
	note bool
}

// stepInto is one stepIn into interpreted patches: the stepping goroutine
// and the live patches' keys and names.
type stepInto struct {
	goid  int64
	keys  []string
	names []string
}

// stepIntoName names the queue job of a stepIn into interpreted patches.
const stepIntoName = "step into a patched function"

// stepInInterpreted answers a stepIn of goroutine goid (request raw) on a
// line that calls the interpreted patches ps: into those whose native
// build is under way, over the others, saying why once. The caller does
// not wait for round trips (afterRoundTrips).
func (st *session) stepInInterpreted(ctx context.Context, goid int64, ps []Patch, raw json.RawMessage) (any, error) {
	var wait []Patch
	var over []string
	st.mu.Lock()
	for _, p := range ps {
		if st.buildingNow(p.Key) {
			wait = append(wait, p)
		} else {
			over = append(over, st.stepOverLine(p))
		}
	}
	st.mu.Unlock()
	st.reportOnce(over...)
	if len(wait) > 0 {
		if err := st.holdForStep(ctx, goid, wait); err != nil {
			st.m.log.Warn("step into a patched function", "err", err)
			st.reportOnce(fmt.Sprintf("livepatch: step over %s: its calls could not be held for its native code: %v", patchList(wait), err))
		}
	}
	defer st.m.afterRoundTrips(st.s)() // resume.go
	return st.s.CallDelve(ctx, "next", raw)
}

// buildingNow reports whether the live patch of key runs interpreted
// while its native build is under way. The caller holds mu.
func (st *session) buildingNow(key string) bool {
	lp := st.live[key]
	return lp != nil && lp.Tier == TierInterpreted && st.nat.building[key] == lp.agentSource && !st.m.opts.NoNative && st.nat.off == ""
}

// stepOverLine says why a stepIn steps over a call of p. The caller holds
// mu.
func (st *session) stepOverLine(p Patch) string {
	why := ""
	switch {
	case st.m.opts.NoNative:
		why = " (the native tier is off)"
	case st.nat.off != "":
		why = " (patches stay interpreted: " + st.nat.off + ")"
	case strings.HasPrefix(st.nat.stays[p.Key], buildFailed):
		why = " (it stays interpreted: " + buildFailed + ", as said above)"
	case st.nat.stays[p.Key] != "":
		why = " (it stays interpreted: " + st.nat.stays[p.Key] + ")"
	}
	return fmt.Sprintf("livepatch: step over %s: it runs interpreted, where the debugger cannot stop%s", p.Name, why)
}

// reportOnce shows each of lines in the console unless it was shown
// before.
func (st *session) reportOnce(lines ...string) {
	for _, line := range lines {
		st.mu.Lock()
		told := st.nat.told[line]
		st.nat.told[line] = true
		st.mu.Unlock()
		if !told {
			st.report(line)
		}
	}
}

// holdForStep holds the calls of ps at the agent's gate while the program
// is paused (by call injection: the program runs for the step anyway),
// and notes the step into them, in a turn of the queue. The caller does
// not wait for round trips.
func (st *session) holdForStep(ctx context.Context, goid int64, ps []Patch) error {
	leave, err := st.q.Enter(ctx, stepIntoName)
	if err != nil {
		return err
	}
	defer leave()
	to := &stepInto{goid: goid}
	st.mu.Lock()
	for _, p := range ps {
		if st.buildingNow(p.Key) { // still, in this turn
			to.keys, to.names = append(to.keys, p.Key), append(to.names, p.Name)
		}
	}
	if len(to.keys) > 0 {
		st.into.to = to // from now on, wantsGate holds them
	}
	st.mu.Unlock()
	if len(to.keys) == 0 {
		return nil
	}
	_, err = st.roundTrip(ctx, func(ctx context.Context, c agentclient.Client) error {
		return c.Gate(ctx, keyRefs(to.keys), false)
	})
	st.mu.Lock()
	if err != nil {
		st.into.to = nil
		st.mu.Unlock()
		return err
	}
	for _, k := range to.keys {
		st.gated(k, true)
	}
	st.mu.Unlock()
	st.report(fmt.Sprintf("livepatch: step into %s: its calls wait for its native code, where the debugger stops", strings.Join(to.names, ", ")))
	return nil
}

// patchList names ps.
func patchList(ps []Patch) string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
	}
	return strings.Join(names, ", ")
}

// stepFuncs returns the temporary function breakpoints of the step into
// interpreted patches under way: on the plugin's function of each that
// went native, for the stepping goroutine only. The caller holds mu.
func (st *session) stepFuncs() []dap.FunctionBreakpoint {
	to := st.into.to
	if to == nil {
		return nil
	}
	var out []dap.FunctionBreakpoint
	for _, k := range to.keys {
		if lp := st.live[k]; lp != nil && lp.nativeFunc != "" {
			out = append(out, dap.FunctionBreakpoint{Name: lp.nativeFunc, Condition: fmt.Sprintf("runtime.curg.goid == %d", to.goid)})
		}
	}
	return out
}

// holdStepInto reports whether the stop raw (a stopped event's body)
// ends a step into interpreted patches, and then holds it back: any stop
// does. The step's goroutine at one of its temporary breakpoints is the
// step's stop; other stops are the client's as they are. Either way the
// temporary breakpoints go first (endStepInto). It runs on the goroutine
// that reads Delve, and so does not wait for Delve.
func (st *session) holdStepInto(raw json.RawMessage) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	to := st.into.to
	st.into.note = false
	if to == nil && len(st.into.sent) == 0 {
		return false
	}
	var body map[string]any
	_ = json.Unmarshal(raw, &body)
	goid, _ := body["threadId"].(float64)
	ids, _ := body["hitBreakpointIds"].([]any)
	ours := false
	if len(ids) == 1 {
		id, _ := ids[0].(float64)
		ours = st.into.ids[int(id)]
	}
	if to == nil {
		if ours { // a step's breakpoint not removed yet, after its step
			go st.skipStale(body)
		}
		return ours
	}
	hit := ours && int64(goid) == to.goid
	st.into.to, st.into.note = nil, hit
	go st.endStepInto(to, raw, body, hit)
	return true
}

// skipStale removes the temporary breakpoints of a step that is over, one
// of which the program stopped at (body), and continues, unless another
// goroutine stopped at a breakpoint at the same time (or Delve refuses to
// continue): the client then gets that stop.
func (st *session) skipStale(body map[string]any) {
	st.followFuncs(st.ctx)
	goid, _ := body["threadId"].(float64)
	if d := st.s.Debugger(); d != nil && !st.otherStop(d, int64(goid), body) {
		r, err := st.s.CallDelve(st.ctx, "continue", map[string]any{"threadId": int64(goid)})
		if err == nil && r.Success() {
			return
		}
	}
	st.clientStop(body)
	st.s.SendEvent("stopped", body)
}

// endStepInto ends the step into interpreted patches to, at the stop raw
// (body decoded): the temporary breakpoints go, and the gates that only
// the step wanted open. At one of its breakpoints (hit) the next that
// stepped over the line is over and the client gets the stop as the
// step's; another stop goes on to the client as it would have.
func (st *session) endStepInto(to *stepInto, raw json.RawMessage, body map[string]any, hit bool) {
	d := st.s.Debugger()
	if hit && d != nil {
		if err := d.CancelNext(); err != nil {
			st.m.log.Warn("step into a patched function: ending the next", "err", err)
		}
	}
	st.followFuncs(st.ctx) // funcbps.go: the temporary breakpoints go
	st.syncGatesLater()    // gates.go
	if hit {
		body["reason"] = "step"
		delete(body, "hitBreakpointIds")
		st.s.SendEvent("stopped", body)
		return
	}
	if goid, _ := body["threadId"].(float64); body["reason"] == "step" && int64(goid) == to.goid {
		// Over the line without stopping in the patch: it ran interpreted.
		st.mu.Lock()
		var lines []string
		for _, k := range to.keys {
			if lp := st.live[k]; lp != nil && lp.Tier != TierNative {
				lines = append(lines, st.stepOverLine(*lp))
			}
		}
		st.mu.Unlock()
		st.reportOnce(lines...)
	}
	if out, ok := st.passStop(raw); ok {
		if out == nil {
			out = raw
		}
		st.s.SendEvent("stopped", out)
	}
}

// stepNote reports whether raw, an output event's body, is Delve's note
// that a breakpoint interrupted a step, said of the stop of a step into
// interpreted patches (a breakpoint to Delve, in the middle of the next
// that stepped over the line): the client is not told. The caller holds
// mu.
func (st *session) stepNote(raw json.RawMessage) bool {
	if !st.into.note {
		return false
	}
	var body dap.OutputEventBody
	if json.Unmarshal(raw, &body) != nil || body.Category != "console" || !strings.HasPrefix(body.Output, "Step interrupted by a breakpoint") {
		return false
	}
	st.into.note = false
	return true
}

// steppingInto reports whether a stepIn into the live patch of key is
// under way. The caller holds mu.
func (st *session) steppingInto(key string) bool {
	return st.into.to != nil && slices.Contains(st.into.to.keys, key)
}
