package integration

import (
	"fmt"
	"testing"

	"github.com/google/go-dap"
)

// TestFollowNativeFuncBreakpoint sets a function breakpoint by name on a
// method and stops there, saves an edit of it while paused, and
// continues: the patch goes live interpreted with its native build under
// way, and the calls wait for the native code, where the function
// breakpoint is then set: the next stop is the first call of the saved
// code, in the native frame under the method's name at its declaration's
// line, on top of its compiled caller, before any output of the saved
// code.
func TestFollowNativeFuncBreakpoint(t *testing.T) {
	RunLiveNative(t, func(t *testing.T, env *Env) {
		lib, orig := env.startNative(nil, nil)
		const name, short = "example.com/native/lib.(*Counter).Inc", "lib.(*Counter).Inc"
		env.waitCount(1)
		var bps []dap.Breakpoint
		env.whilePaused(func() {
			bps = env.Call(&dap.SetFunctionBreakpointsRequest{Request: dap.Request{Command: "setFunctionBreakpoints"},
				Arguments: dap.SetFunctionBreakpointsArguments{Breakpoints: []dap.FunctionBreakpoint{{Name: short}}}}).(*dap.SetFunctionBreakpointsResponse).Body.Breakpoints
		})
		if len(bps) != 1 || !bps[0].Verified {
			t.Fatalf("function breakpoints: %s, want one verified", mustJSON(bps))
		}
		thread := env.WaitStopped("function breakpoint").Body.ThreadId

		saveEdit(t, lib, orig, "c.n += step()", "c.n += 1000000 * step()")
		env.waitConsole("patched " + name)
		if _, told := env.Client.PollEvent(consoleHas(fmt.Sprintf("livepatch: calls of %s wait for the native code", name))); !told {
			t.Errorf("the console did not say that the calls wait for the native code")
		}
		env.Call(&dap.ContinueRequest{Request: dap.Request{Command: "continue"}, Arguments: dap.ContinueArguments{ThreadId: thread}})
		i, ev := env.firstOf("the stop or the saved code's output", isStopped, countStep(1000000))
		if i != 0 {
			t.Fatalf("the saved code ran before the stop: %s", mustJSON(ev))
		}
		st := ev.(*dap.StoppedEvent)
		if len(st.Body.HitBreakpointIds) != 1 || st.Body.HitBreakpointIds[0] != bps[0].Id {
			t.Errorf("stopped: %s, want at breakpoint %d", mustJSON(st.Body), bps[0].Id)
		}
		r := env.Call(&dap.StackTraceRequest{Request: dap.Request{Command: "stackTrace"},
			Arguments: dap.StackTraceArguments{ThreadId: st.Body.ThreadId, Levels: 3}}).(*dap.StackTraceResponse)
		fs := r.Body.StackFrames
		decl := lineOf(t, lib, "func (c *Counter) Inc")
		if len(fs) < 2 || fs[0].Name != short || fs[0].Line != decl || fs[1].Name != "main.main" {
			t.Fatalf("stack %s, want %s at line %d called by main.main", mustJSON(fs), short, decl)
		}
		env.Disconnect()
	})
}
