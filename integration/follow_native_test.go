package integration

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-dap"
)

// TestFollowNativeBreakpoint sets a breakpoint at a saved line of a
// patched method: unverified while the patch is interpreted, with the
// reason, then re-set at the plugin's code when the patch goes native,
// where it stops: the stack shows the method under its own name at its
// saved line, on top of its compiled caller.
func TestFollowNativeBreakpoint(t *testing.T) {
	RunLiveNative(t, func(t *testing.T, env *Env) {
		lib, orig := env.startNative(nil, nil)
		env.waitCount(1)
		saveEdit(t, lib, orig, "c.n += step()", "d := 10 * step()\n\tc.n += d")
		line := lineOf(t, lib, "func (c *Counter) Inc")
		env.waitConsole(fmt.Sprintf("patched example.com/native/lib.(*Counter).Inc (lib.go:%d)", line))
		ret := lineOf(t, lib, "return c.n")
		bps := env.setSourceBreakpoints(lib, ret)
		const name = "example.com/native/lib.(*Counter).Inc"
		if bps[0].Verified || !strings.Contains(bps[0].Message, name+" runs patched, interpreted: the breakpoint becomes active when the patch goes native") {
			t.Errorf("breakpoint in the interpreted patch: %+v, want unverified until native", bps[0])
		}
		ev, err := env.Client.WaitEventFunc(env.Ctx, func(m dap.EventMessage) bool {
			b, ok := m.(*dap.BreakpointEvent)
			return ok && b.Body.Breakpoint.Verified && b.Body.Breakpoint.Id == bps[0].Id
		})
		if err != nil {
			t.Fatalf("waiting for the breakpoint to be verified: %v", err)
		}
		if b := ev.(*dap.BreakpointEvent).Body.Breakpoint; b.Line != ret {
			t.Errorf("verified at line %d, want %d", b.Line, ret)
		}
		env.waitConsole("native: " + name)
		st := env.WaitStopped("breakpoint")
		r := env.Call(&dap.StackTraceRequest{Request: dap.Request{Command: "stackTrace"},
			Arguments: dap.StackTraceArguments{ThreadId: st.Body.ThreadId, Levels: 3}}).(*dap.StackTraceResponse)
		fs := r.Body.StackFrames
		if len(fs) < 2 {
			t.Fatalf("stack: %+v", fs)
		}
		if fs[0].Name != name || fs[0].Line != ret || fs[0].Source == nil || fs[0].Source.Path != lib {
			t.Errorf("top frame %s at %v:%d, want %s at %s:%d", fs[0].Name, fs[0].Source, fs[0].Line, name, lib, ret)
		}
		if fs[1].Name != "main.main" {
			t.Errorf("caller frame %s, want main.main (the dispatch prologue's frame folded)", fs[1].Name)
		}
		if len(st.Body.HitBreakpointIds) != 1 || st.Body.HitBreakpointIds[0] != bps[0].Id {
			t.Errorf("hit breakpoints %v, want [%d]", st.Body.HitBreakpointIds, bps[0].Id)
		}
		env.Disconnect()
	})
}
