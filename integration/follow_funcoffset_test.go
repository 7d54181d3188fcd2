package integration

import (
	"strings"
	"testing"

	"github.com/google/go-dap"
)

// setFuncBreakpoints sets the client's function breakpoints and returns
// the answer.
func (e *Env) setFuncBreakpoints(names ...string) []dap.Breakpoint {
	e.T.Helper()
	fbs := make([]dap.FunctionBreakpoint, len(names))
	for i, n := range names {
		fbs[i].Name = n
	}
	return e.Call(&dap.SetFunctionBreakpointsRequest{Request: dap.Request{Command: "setFunctionBreakpoints"},
		Arguments: dap.SetFunctionBreakpointsArguments{Breakpoints: fbs}}).(*dap.SetFunctionBreakpointsResponse).Body.Breakpoints
}

// continueToFuncBreakpoint continues and returns the top frame of the
// next stop, at a function breakpoint.
func (e *Env) continueToFuncBreakpoint(thread int) dap.StackFrame {
	e.T.Helper()
	e.Call(&dap.ContinueRequest{Request: dap.Request{Command: "continue"}, Arguments: dap.ContinueArguments{ThreadId: thread}})
	return e.TopFrame(e.WaitStopped("function breakpoint").Body.ThreadId)
}

// TestFollowFuncBreakpointOffset sets function breakpoints with a line
// offset ("lib.(*Counter).Inc:1"), which count from the function's line
// in the file as saved: on a compiled method that a save moved down, the
// answer and the stop are at the saved line; once the method is patched,
// the breakpoint is unverified with the reason while the patch is
// interpreted (its calls wait for the native code), then set in the
// plugin's code, where it stops at the saved line the offset names.
func TestFollowFuncBreakpointOffset(t *testing.T) {
	RunLiveNative(t, func(t *testing.T, env *Env) {
		lib, orig := env.startNative(nil, nil)
		const short = "lib.(*Counter).Inc"
		env.waitCount(1)

		// Four lines above Inc, and Value patched so the save shows.
		moved := strings.Replace(string(orig), "// Inc adds one step.", "// One,\n// two,\n// three.\n\n// Inc adds one step.", 1)
		moved = strings.Replace(moved, "func Value() int { return 1 }", "func Value() int { return 2 }", 1)
		writeFile(t, lib, moved)
		env.waitConsole("patched example.com/native/lib.Value")
		inc := lineOf(t, lib, "c.n += step()")
		var bps []dap.Breakpoint
		env.whilePaused(func() { bps = env.setFuncBreakpoints(short + ":1") })
		if len(bps) != 1 || !bps[0].Verified || bps[0].Line != inc {
			t.Fatalf("function breakpoint %s:1 in the moved method: %s, want verified at line %d", short, mustJSON(bps), inc)
		}
		st := env.WaitStopped("function breakpoint")
		if top := env.TopFrame(st.Body.ThreadId); top.Name != short || top.Line != inc {
			t.Fatalf("stopped in %s at line %d, want %s at %d", top.Name, top.Line, short, inc)
		}

		// Inc patched: its line 1 is now d's.
		saveEdit(t, lib, []byte(moved), "c.n += step()", "d := 10 * step()\n\tc.n += d")
		env.waitConsole("patched example.com/native/lib.(*Counter).Inc")
		dLine, sum := lineOf(t, lib, "d := 10"), lineOf(t, lib, "c.n += d")
		if b := env.waitBreakpointEvent(bps[0].Id, "unverified", func(b dap.Breakpoint) bool { return !b.Verified }); !strings.Contains(b.Message, "goes native") {
			t.Errorf("function breakpoint in the interpreted patch: %+v, want unverified until the patch goes native", b)
		}
		top := env.continueToFuncBreakpoint(st.Body.ThreadId)
		if top.Name != short || top.Line != dLine {
			t.Fatalf("in the native patch, stopped in %s at line %d, want %s at %d", top.Name, top.Line, short, dLine)
		}
		if b := env.waitBreakpointEvent(bps[0].Id, "set in the native code", func(b dap.Breakpoint) bool { return b.Verified }); b.Line != dLine {
			t.Errorf("function breakpoint in the native patch: %+v, want at line %d", b, dLine)
		}
		bps = env.setFuncBreakpoints(short + ":2")
		if len(bps) != 1 || !bps[0].Verified || bps[0].Line != sum {
			t.Fatalf("function breakpoint %s:2 in the native patch: %s, want verified at line %d", short, mustJSON(bps), sum)
		}
		if top := env.continueToFuncBreakpoint(st.Body.ThreadId); top.Name != short || top.Line != sum {
			t.Fatalf("stopped in %s at line %d, want %s at %d", top.Name, top.Line, short, sum)
		}
		env.Disconnect()
	})
}
