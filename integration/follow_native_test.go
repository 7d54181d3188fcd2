package integration

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-dap"
)

// waitBreakpointEvent waits for a breakpoint event about breakpoint id
// that match accepts.
func (e *Env) waitBreakpointEvent(id int, what string, match func(dap.Breakpoint) bool) dap.Breakpoint {
	e.T.Helper()
	ev, err := e.Client.WaitEventFunc(e.Ctx, func(m dap.EventMessage) bool {
		b, ok := m.(*dap.BreakpointEvent)
		return ok && b.Body.Breakpoint.Id == id && match(b.Body.Breakpoint)
	})
	if err != nil {
		e.T.Fatalf("waiting for breakpoint %d %s: %v", id, what, err)
	}
	return ev.(*dap.BreakpointEvent).Body.Breakpoint
}

// TestFollowNativeBreakpoint stops at a breakpoint in a method, then
// saves an edit of it that adds a line above the breakpoint: the
// breakpoint moves with its line into the patch, unverified while the
// patch is interpreted, with the reason, and is set in the plugin's code
// when the patch goes native, where it stops: the stack shows the method
// under its own name at its saved line, on top of its compiled caller.
func TestFollowNativeBreakpoint(t *testing.T) {
	RunLiveNative(t, func(t *testing.T, env *Env) {
		lib, orig := env.startNative(nil, nil)
		const name, short = "example.com/native/lib.(*Counter).Inc", "lib.(*Counter).Inc"
		ret := lineOf(t, lib, "return c.n")
		bp := env.SetBreakpoints(lib, ret)[0]
		thread := env.WaitStopped("breakpoint").Body.ThreadId
		if top := env.TopFrame(thread); top.Name != short || top.Line != ret {
			t.Fatalf("stopped in %s at line %d, want %s at %d", top.Name, top.Line, short, ret)
		}

		saveEdit(t, lib, orig, "c.n += step()", "d := 10 * step()\n\tc.n += d")
		line := lineOf(t, lib, "func (c *Counter) Inc")
		env.waitConsole(fmt.Sprintf("patched %s (lib.go:%d)", name, line))
		moved := env.waitBreakpointEvent(bp.Id, "unverified at the moved line", func(b dap.Breakpoint) bool { return !b.Verified })
		if moved.Line != ret+1 || !strings.Contains(moved.Message, name+" runs patched, interpreted: the breakpoint becomes active when the patch goes native") {
			t.Errorf("breakpoint after the save: %+v, want unverified at line %d until native", moved, ret+1)
		}
		if bps := env.setSourceBreakpoints(lib, ret+1); bps[0].Verified || bps[0].Id != bp.Id {
			t.Errorf("breakpoint set again while interpreted: %+v, want unverified, id %d", bps[0], bp.Id)
		}

		env.Call(&dap.ContinueRequest{Request: dap.Request{Command: "continue"}, Arguments: dap.ContinueArguments{ThreadId: thread}})
		if b := env.waitBreakpointEvent(bp.Id, "verified", func(b dap.Breakpoint) bool { return b.Verified }); b.Line != ret+1 {
			t.Errorf("verified at line %d, want %d", b.Line, ret+1)
		}
		env.waitConsole("native: " + name)
		st := env.WaitStopped("breakpoint")
		r := env.Call(&dap.StackTraceRequest{Request: dap.Request{Command: "stackTrace"},
			Arguments: dap.StackTraceArguments{ThreadId: st.Body.ThreadId, Levels: 3}}).(*dap.StackTraceResponse)
		fs := r.Body.StackFrames
		if len(fs) < 2 {
			t.Fatalf("stack: %+v", fs)
		}
		if fs[0].Name != short || fs[0].Line != ret+1 || fs[0].Source == nil || fs[0].Source.Path != lib {
			t.Errorf("top frame %s at %v:%d, want %s at %s:%d", fs[0].Name, fs[0].Source, fs[0].Line, short, lib, ret+1)
		}
		if fs[1].Name != "main.main" {
			t.Errorf("caller frame %s, want main.main (the dispatch prologue's frame folded)", fs[1].Name)
		}
		if len(st.Body.HitBreakpointIds) != 1 || st.Body.HitBreakpointIds[0] != bp.Id {
			t.Errorf("hit breakpoints %v, want [%d]", st.Body.HitBreakpointIds, bp.Id)
		}
		env.Disconnect()
	})
}
