package livepatch

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/google/go-dap"
)

// The client's function breakpoints (setFunctionBreakpoints, the
// terminal's `break pkg.F`) on a patched function: Delve sets one at the
// compiled function's entry, past its dispatch prologue, which a patched
// call never reaches. So a function breakpoint naming a function whose
// patch is native goes to Delve as the plugin's function (the answer and
// the stops at the saved declaration's line), and one on a function whose
// patch is interpreted, with its native build under way, holds the calls
// at the agent's gate as a source breakpoint in it does (gates.go) until
// the patch is native and the breakpoint in its plugin.

// namesPatch reports whether name, a client's function breakpoint's
// function, names the function of p (namesFunc).
func namesPatch(name string, p *Patch) bool {
	return namesFunc(name, p.Key, p.Name)
}

// namesFunc reports whether name, a client's function breakpoint's
// function, names the function key, whose name as the debugger shows it
// is display: either in full, or the name with Delve's short package
// (lib.(*Counter).Inc).
func namesFunc(name, key, display string) bool {
	return name == display || name == key || strings.HasSuffix(display, "/"+name)
}

// splitOffset splits a function breakpoint's name into its function and
// the line offset Delve reads after it ("pkg.F:2": the function's first
// line plus 2), 0 when there is none.
func splitOffset(name string) (fn string, off int) {
	i := strings.LastIndex(name, ":")
	if i < 0 {
		return name, 0
	}
	n, err := strconv.Atoi(name[i+1:])
	if err != nil || n < 0 {
		return name, 0
	}
	return name[:i], n
}

// patchNamed returns the live patch whose function name (a function
// breakpoint's, with or without a line offset) names, or nil. The caller
// holds mu.
func (st *session) patchNamed(name string) *Patch {
	fn, _ := splitOffset(name)
	for _, p := range st.live {
		if namesPatch(fn, p) {
			return p
		}
	}
	return nil
}

// funcBreakpointOn reports whether the client has a function breakpoint
// on the function of p. The caller holds mu.
func (st *session) funcBreakpointOn(p *Patch) bool {
	for _, b := range st.bps.native.client {
		if fn, _ := splitOffset(b.Name); namesPatch(fn, p) {
			return true
		}
	}
	return false
}

// clientFuncs returns the client's function breakpoints as Delve gets
// them (placeFunc), without those it does not get. The caller holds mu.
func (st *session) clientFuncs() []dap.FunctionBreakpoint {
	return delveFuncs(st.placeFuncs())
}

// placeFuncs places the client's function breakpoints. The caller holds
// mu.
func (st *session) placeFuncs() []funcPlace {
	out := make([]funcPlace, len(st.bps.native.client))
	for i, b := range st.bps.native.client {
		out[i] = st.placeFunc(b)
	}
	return out
}

// delveFuncs returns the function breakpoints of places that Delve gets.
func delveFuncs(places []funcPlace) []dap.FunctionBreakpoint {
	out := make([]dap.FunctionBreakpoint, 0, len(places))
	for _, pl := range places {
		if pl.reason == "" {
			out = append(out, pl.fb)
		}
	}
	return out
}

// clientAnswer returns what the client is told of its function
// breakpoints, placed as places, given Delve's answer for those it got:
// the line of one in a plugin or in a file changed since the build in
// the file as last seen, the id the one the client was told (Delve's new
// id, of a breakpoint moved into or out of a plugin, aliased to it), and
// those Delve did not get unverified with the reason. The caller holds
// mu.
func (st *session) clientAnswer(places []funcPlace, delve []dap.Breakpoint) []dap.Breakpoint {
	nb := &st.bps.native
	out := make([]dap.Breakpoint, len(places))
	k := 0
	for i, pl := range places {
		var b dap.Breakpoint
		switch {
		case pl.reason != "":
			b = dap.Breakpoint{Message: pl.reason}
		case k < len(delve):
			b = delve[k]
			k++
			if pl.patch != nil && b.Line > 0 {
				b.Line = st.pluginToCurrent(pl.patch, b.Line)
			} else if b.Source != nil && b.Line > 0 {
				b.Line = st.currentLine(b.Source.Path, b.Line)
			}
		}
		b.Id = st.bps.clientID(b.Id, nb.told, i)
		out[i] = b
	}
	nb.told = make([]int, len(out))
	for i, b := range out {
		nb.told[i] = b.Id
	}
	nb.shown = out
	return out
}

// followFuncs sends Delve the client's function breakpoints again when a
// patch went native or away since they were last sent, or a step's own
// changed (stepinto.go).
func (st *session) followFuncs(ctx context.Context) {
	st.mu.Lock()
	// slices.Equal: none sent and none to send are the same (nil and empty).
	same := slices.Equal(st.clientFuncs(), st.bps.native.sent) && slices.Equal(st.stepFuncs(), st.into.sent)
	st.mu.Unlock()
	if same {
		return
	}
	st.mu.Lock()
	was := st.bps.native.shown
	st.mu.Unlock()
	bps, r, err := st.syncFunctionBreakpoints(ctx)
	if r != nil || err != nil {
		st.m.log.Warn("re-setting function breakpoints", "err", err)
		return
	}
	for i, b := range bps {
		if i >= len(was) || was[i].Line != b.Line || was[i].Verified != b.Verified || was[i].Message != b.Message {
			st.s.SendEvent("breakpoint", dap.BreakpointEventBody{Reason: "changed", Breakpoint: b})
		}
	}
}
