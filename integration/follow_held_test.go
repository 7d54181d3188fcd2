package integration

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-dap"
)

// firstOf waits for the oldest event that one of the matches accepts and
// returns the index of the first match that accepts it.
func (e *Env) firstOf(what string, matches ...func(dap.EventMessage) bool) (int, dap.EventMessage) {
	e.T.Helper()
	ev, err := e.Client.WaitEventFunc(e.Ctx, func(m dap.EventMessage) bool {
		for _, match := range matches {
			if match(m) {
				return true
			}
		}
		return false
	})
	if err != nil {
		e.T.Fatalf("waiting for %s: %v", what, err)
	}
	for i, match := range matches {
		if match(ev) {
			return i, ev
		}
	}
	return -1, ev
}

// countStep returns a match of the counter fixture's line with the given
// step.
func countStep(step int) func(dap.EventMessage) bool {
	return func(m dap.EventMessage) bool {
		o, ok := m.(*dap.OutputEvent)
		return ok && o.Body.Category == "stdout" && strings.Contains(o.Body.Output, fmt.Sprintf(" step %d\n", step))
	}
}

// consoleHas returns a match of a console output event containing want.
func consoleHas(want string) func(dap.EventMessage) bool {
	return func(m dap.EventMessage) bool {
		o, ok := m.(*dap.OutputEvent)
		return ok && o.Body.Category == "console" && strings.Contains(o.Body.Output, want)
	}
}

// isStopped matches a stopped event.
func isStopped(m dap.EventMessage) bool {
	_, ok := m.(*dap.StoppedEvent)
	return ok
}

// TestFollowNativeHeld saves an edit of a method while the program runs
// and calls it every 20 ms. With no breakpoint in it (one elsewhere in its
// file), its calls run interpreted until the patch goes native: no call
// is held. With a breakpoint in it, set in its native patch, the next save
// holds its calls until the new patch is native and the breakpoint is in
// the plugin's code: the next stop is at that breakpoint, in the native
// frame under the method's name on top of its compiled caller, at the
// first call of the saved code (its condition holds from the first call
// of the saved code on, which adds 1000000; an interpreted call would have
// printed its step first and added 1000000 more).
func TestFollowNativeHeld(t *testing.T) {
	RunLiveNative(t, func(t *testing.T, env *Env) {
		lib, orig := env.startNative(nil, nil)
		const name, short = "example.com/native/lib.(*Counter).Inc", "lib.(*Counter).Inc"
		env.waitCount(1)
		value, ret := lineOf(t, lib, "func Value() int"), lineOf(t, lib, "return c.n")
		env.SetBreakpoints(lib, value) // never called by the counter

		saveEdit(t, lib, orig, "c.n += step()", "c.n += 7 * step()")
		if i, _ := env.firstOf("the saved code's output or its native switch", countStep(7), consoleHas("native: "+name)); i != 0 {
			t.Errorf("the patch went native before any interpreted call: its calls were held with no breakpoint in it")
		}
		env.waitConsole("native: " + name)
		if _, held := env.Client.PollEvent(consoleHas("wait for the native code")); held {
			t.Errorf("calls held with no breakpoint in patched code")
		}

		var bps []dap.Breakpoint
		env.whilePaused(func() {
			bps = env.Call(&dap.SetBreakpointsRequest{Request: dap.Request{Command: "setBreakpoints"},
				Arguments: dap.SetBreakpointsArguments{Source: dap.Source{Path: lib}, Breakpoints: []dap.SourceBreakpoint{
					{Line: value}, {Line: ret, Condition: "c.n >= 1000000"}}}}).(*dap.SetBreakpointsResponse).Body.Breakpoints
		})
		if len(bps) != 2 || !bps[1].Verified {
			t.Fatalf("breakpoints: %+v, want the one in the native patch verified", bps)
		}
		saveEdit(t, lib, orig, "c.n += step()", "c.n += 1000000 * step()")
		i, ev := env.firstOf("the stop or the saved code's output", isStopped, countStep(1000000))
		if i != 0 {
			t.Fatalf("the saved code ran before the stop: %s", mustJSON(ev))
		}
		if _, told := env.Client.PollEvent(consoleHas(fmt.Sprintf("livepatch: calls of %s wait for the native code", name))); !told {
			t.Errorf("the console did not say that the calls wait for the native code")
		}
		st := ev.(*dap.StoppedEvent)
		if st.Body.Reason != "breakpoint" || len(st.Body.HitBreakpointIds) != 1 || st.Body.HitBreakpointIds[0] != bps[1].Id {
			t.Errorf("stopped: %s, want at breakpoint %d", mustJSON(st.Body), bps[1].Id)
		}
		r := env.Call(&dap.StackTraceRequest{Request: dap.Request{Command: "stackTrace"},
			Arguments: dap.StackTraceArguments{ThreadId: st.Body.ThreadId, Levels: 3}}).(*dap.StackTraceResponse)
		fs := r.Body.StackFrames
		if len(fs) < 2 || fs[0].Name != short || fs[0].Line != ret || fs[0].Source == nil || fs[0].Source.Path != lib || fs[1].Name != "main.main" {
			t.Fatalf("stack %s, want %s at %s:%d called by main.main", mustJSON(fs), short, lib, ret)
		}
		n, err := strconv.Atoi(env.Evaluate(fs[0].Id, "c.n", "repl"))
		if err != nil || n < 1000000 || n >= 2000000 {
			t.Errorf("c.n at the stop: %d (%v), want the first call of the saved code's, in [1000000, 2000000)", n, err)
		}
		env.Disconnect()
	})
}

// TestFollowInterpretedNoNative saves an edit of a method with a
// breakpoint in it while the native tier is off: the patch stays
// interpreted, the breakpoint is unverified and says that breakpoints do
// not stop there, and the calls are not held: they run the saved code
// and pass the breakpoint.
func TestFollowInterpretedNoNative(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		lib, orig := env.startNative(nil, nil)
		const name = "example.com/native/lib.(*Counter).Inc"
		env.waitCount(1)
		ret := lineOf(t, lib, "return c.n")
		var bps []dap.Breakpoint
		env.whilePaused(func() {
			bps = env.Call(&dap.SetBreakpointsRequest{Request: dap.Request{Command: "setBreakpoints"},
				Arguments: dap.SetBreakpointsArguments{Source: dap.Source{Path: lib}, Breakpoints: []dap.SourceBreakpoint{
					{Line: ret, Condition: "c.n >= 1000000"}}}}).(*dap.SetBreakpointsResponse).Body.Breakpoints
		})
		saveEdit(t, lib, orig, "c.n += step()", "c.n += 1000000 * step()")
		b := env.waitBreakpointEvent(bps[0].Id, "unverified in the patch", func(b dap.Breakpoint) bool { return !b.Verified })
		if want := name + " runs patched, interpreted, where breakpoints do not stop yet"; !strings.Contains(b.Message, want) {
			t.Errorf("breakpoint after the save: %q, want it to say %q", b.Message, want)
		}
		env.waitCount(1000000)
		env.waitCount(1000000)
		if ev, ok := env.Client.PollEvent(isStopped); ok {
			t.Errorf("stopped with the native tier off: %s", mustJSON(ev))
		}
		if _, held := env.Client.PollEvent(consoleHas("wait for the native code")); held {
			t.Errorf("calls held with the native tier off")
		}
		env.Disconnect()
	})
}

// TestFollowNativeHeldPaused saves an edit of a method while the program
// is paused at a breakpoint in it: the patch goes live by call injection,
// held, and after the continue the calls wait for the native code, so the
// next stop is at the breakpoint in the plugin's code, at the first call
// of the saved code.
func TestFollowNativeHeldPaused(t *testing.T) {
	RunLiveNative(t, func(t *testing.T, env *Env) {
		env.saveWhilePausedThenStop(func(lib string, bp dap.Breakpoint) {
			env.waitBreakpointEvent(bp.Id, "unverified in the patch", func(b dap.Breakpoint) bool { return !b.Verified })
		})
	})
}

// TestFollowNativeHeldContinueAtOnce is TestFollowNativeHeldPaused with
// the continue sent as soon as the save said that the calls wait, before
// the save was done (an editor's F5 right after Ctrl-S): the save used
// to read the goroutines from the debugger after the program ran on,
// which waited for a stop that the held calls never let come.
func TestFollowNativeHeldContinueAtOnce(t *testing.T) {
	RunLiveNative(t, func(t *testing.T, env *Env) {
		env.saveWhilePausedThenStop(func(string, dap.Breakpoint) { env.waitConsole("wait for the native code") })
	})
}

// saveWhilePausedThenStop stops the native fixture at a breakpoint in
// lib.(*Counter).Inc, saves an edit of it, runs beforeContinue, continues,
// and checks that the next stop is at the breakpoint in the plugin's
// code, at the first call of the saved code.
func (env *Env) saveWhilePausedThenStop(beforeContinue func(lib string, bp dap.Breakpoint)) {
	t := env.T
	lib, orig := env.startNative(nil, nil)
	env.waitCount(1)
	ret := lineOf(t, lib, "return c.n")
	var bp dap.Breakpoint
	env.whilePaused(func() { bp = env.SetBreakpoints(lib, ret)[0] })
	thread := env.WaitStopped("breakpoint").Body.ThreadId
	saveEdit(t, lib, orig, "c.n += step()", "c.n += 1000000 * step()")
	beforeContinue(lib, bp)
	env.Call(&dap.ContinueRequest{Request: dap.Request{Command: "continue"}, Arguments: dap.ContinueArguments{ThreadId: thread}})
	i, ev := env.firstOf("the stop or the saved code's output", isStopped, countStep(1000000))
	if i != 0 {
		t.Fatalf("the saved code ran before the stop: %s", mustJSON(ev))
	}
	st := ev.(*dap.StoppedEvent)
	top := env.TopFrame(st.Body.ThreadId)
	if st.Body.Reason != "breakpoint" || top.Name != "lib.(*Counter).Inc" || top.Line != ret {
		t.Fatalf("stopped (%s) in %s at line %d, want at the breakpoint in lib.(*Counter).Inc at %d", st.Body.Reason, top.Name, top.Line, ret)
	}
	n, err := strconv.Atoi(env.Evaluate(top.Id, "c.n", "repl"))
	if err != nil || n < 1000000 || n >= 2000000 {
		t.Errorf("c.n at the stop: %d (%v), want the first call of the saved code's, in [1000000, 2000000)", n, err)
	}
	env.Disconnect()
}
