package livepatch

import (
	"context"
	"slices"
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

// namesPatch reports whether name, a client's function breakpoint's,
// names the function of p: its full name, its key, or the name with
// Delve's short package (lib.(*Counter).Inc).
func namesPatch(name string, p *Patch) bool {
	return name == p.Name || name == p.Key || strings.HasSuffix(p.Name, "/"+name)
}

// patchNamed returns the live patch whose function name names, or nil.
// The caller holds mu.
func (st *session) patchNamed(name string) *Patch {
	for _, p := range st.live {
		if namesPatch(name, p) {
			return p
		}
	}
	return nil
}

// funcBreakpointOn reports whether the client has a function breakpoint
// on the function of p. The caller holds mu.
func (st *session) funcBreakpointOn(p *Patch) bool {
	for _, b := range st.bps.native.client {
		if namesPatch(b.Name, p) {
			return true
		}
	}
	return false
}

// clientFuncs returns the client's function breakpoints as Delve gets
// them: one on a function whose patch is native names the plugin's
// function. The caller holds mu.
func (st *session) clientFuncs() []dap.FunctionBreakpoint {
	out := make([]dap.FunctionBreakpoint, len(st.bps.native.client))
	for i, b := range st.bps.native.client {
		if p := st.patchNamed(b.Name); p != nil && p.Tier == TierNative && p.nativeFunc != "" {
			b.Name = p.nativeFunc
		}
		out[i] = b
	}
	return out
}

// clientAnswer makes Delve's answer for the client's function breakpoints
// the client's: the line of one in a plugin in the file as last seen, the
// id the one the client was told (Delve's new id, of a breakpoint moved
// into or out of a plugin, aliased to it). The caller holds mu.
func (st *session) clientAnswer(bps []dap.Breakpoint) {
	nb := &st.bps.native
	for i := range bps {
		b := &bps[i]
		if i >= len(nb.client) {
			break
		}
		if p := st.patchNamed(nb.client[i].Name); p != nil && b.Line > 0 {
			b.Line = st.pluginToCurrent(p, b.Line)
		}
		if i < len(nb.told) && nb.told[i] != 0 && b.Id != 0 {
			b.Id = st.bps.clientID(b.Id, nb.told, i)
		}
	}
	nb.told = make([]int, len(bps))
	for i, b := range bps {
		nb.told[i] = b.Id
	}
}

// followFuncs sends Delve the client's function breakpoints again when a
// patch went native or away since they were last sent.
func (st *session) followFuncs(ctx context.Context) {
	st.mu.Lock()
	// slices.Equal: none sent and none to send are the same (nil and empty).
	same := slices.Equal(st.clientFuncs(), st.bps.native.sent)
	st.mu.Unlock()
	if same {
		return
	}
	if _, r, err := st.syncFunctionBreakpoints(ctx); r != nil || err != nil {
		st.m.log.Warn("re-setting function breakpoints", "err", err)
	}
}
