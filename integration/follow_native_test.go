package integration

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

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
// Saved back as built, the breakpoint stops in the compiled code again.
func TestFollowNativeBreakpoint(t *testing.T) {
	RunLiveNative(t, func(t *testing.T, env *Env) {
		lib, orig := env.startNative(nil, nil)
		const name, short = "example.com/native/lib.(*Counter).Inc", "lib.(*Counter).Inc"
		ret := lineOf(t, lib, "return c.n")
		var bp dap.Breakpoint
		env.whilePaused(func() { bp = env.SetBreakpoints(lib, ret)[0] })
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
		if got := env.Evaluate(fs[0].Id, "d", "repl"); got != "10" {
			t.Errorf("d in the native frame: %s, want 10", got)
		}

		// Saved back as built: the patch is reverted, and the breakpoint
		// goes back to the compiled code, where it stops.
		writeFile(t, lib, string(orig))
		env.waitConsole("reverted " + name)
		if b := env.waitBreakpointEvent(bp.Id, "back at its compiled line", func(b dap.Breakpoint) bool { return b.Line == ret }); !b.Verified {
			t.Errorf("breakpoint after the revert: %+v, want verified", b)
		}
		if top := env.continueToBreakpoint(st.Body.ThreadId); top.Name != short || top.Line != ret {
			t.Errorf("after the revert, stopped in %s at line %d, want %s at %d", top.Name, top.Line, short, ret)
		}
		env.Disconnect()
	})
}

// TestFollowNativeStep steps into a call of a method whose patch is
// native: the step lands on its saved declaration's line, in the plugin's
// code, with the compiled caller under it, next goes to the first line of
// its saved body, and a stepOut returns to the compiled caller.
func TestFollowNativeStep(t *testing.T) {
	RunLiveNative(t, func(t *testing.T, env *Env) {
		lib, orig := env.startNative(nil, nil)
		env.waitCount(1)
		saveEdit(t, lib, orig, "c.n += step()", "d := 10 * step()\n\tc.n += d")
		env.waitConsole("native: example.com/native/lib.(*Counter).Inc")
		main := filepath.Join(filepath.Dir(filepath.Dir(lib)), "main.go")
		call := lineOf(t, main, "n := c.Inc()")
		env.whilePaused(func() { env.SetBreakpoints(main, call) })
		thread := env.WaitStopped("breakpoint").Body.ThreadId

		// As on compiled code, stepIn stops on the function's line, then
		// next goes to the first line of its body.
		env.Call(&dap.StepInRequest{Request: dap.Request{Command: "stepIn"}, Arguments: dap.StepInArguments{ThreadId: thread}})
		thread = env.WaitStopped("step").Body.ThreadId
		r := env.Call(&dap.StackTraceRequest{Request: dap.Request{Command: "stackTrace"},
			Arguments: dap.StackTraceArguments{ThreadId: thread, Levels: 2}}).(*dap.StackTraceResponse)
		fs := r.Body.StackFrames
		decl := lineOf(t, lib, "func (c *Counter) Inc")
		if len(fs) < 2 || fs[0].Name != "lib.(*Counter).Inc" || fs[0].Line != decl || fs[0].Source == nil || fs[0].Source.Path != lib || fs[1].Name != "main.main" {
			t.Fatalf("stepIn stopped at %s, want lib.(*Counter).Inc at %s:%d called by main.main", mustJSON(fs), lib, decl)
		}
		env.Call(&dap.NextRequest{Request: dap.Request{Command: "next"}, Arguments: dap.NextArguments{ThreadId: thread}})
		top := env.TopFrame(env.WaitStopped("step").Body.ThreadId)
		if first := lineOf(t, lib, "d := 10 * step()"); top.Name != "lib.(*Counter).Inc" || top.Line != first {
			t.Errorf("next stopped in %s at line %d, want lib.(*Counter).Inc at %d", top.Name, top.Line, first)
		}

		env.stepOutTo(thread, "main.main", call)
		env.Disconnect()
	})
}

// TestFollowNativeConditions sets a log point, a conditional breakpoint
// and one with a hit count in a method whose patch is native: each behaves
// as on compiled code. The log point says its values at its saved line and
// does not stop; the conditional one stops only where its condition holds;
// the one with hit count "% 2" stops at every second call.
func TestFollowNativeConditions(t *testing.T) {
	RunLiveNative(t, func(t *testing.T, env *Env) {
		lib, orig := env.startNative(nil, nil)
		env.waitCount(1)
		saveEdit(t, lib, orig, "c.n += step()", "d := 10 * step()\n\tc.n += d")
		env.waitConsole("native: example.com/native/lib.(*Counter).Inc")
		add, ret := lineOf(t, lib, "c.n += d"), lineOf(t, lib, "return c.n")
		set := func(bps ...dap.SourceBreakpoint) []dap.Breakpoint {
			t.Helper()
			got := env.Call(&dap.SetBreakpointsRequest{Request: dap.Request{Command: "setBreakpoints"},
				Arguments: dap.SetBreakpointsArguments{Source: dap.Source{Path: lib}, Breakpoints: bps}}).(*dap.SetBreakpointsResponse).Body.Breakpoints
			for _, b := range got {
				if !b.Verified {
					t.Fatalf("breakpoint not verified: %+v", b)
				}
			}
			return got
		}
		// count evaluates c.n at the stop of thread.
		count := func(thread int) int {
			t.Helper()
			n, err := strconv.Atoi(env.Evaluate(env.TopFrame(thread).Id, "c.n", "repl"))
			if err != nil {
				t.Fatalf("c.n: %v", err)
			}
			return n
		}

		var bps []dap.Breakpoint
		env.whilePaused(func() {
			bps = set(dap.SourceBreakpoint{Line: add, LogMessage: "add {d} to {c.n}"}, dap.SourceBreakpoint{Line: ret, Condition: "c.n%3 == 0"})
		})
		logged, err := env.Client.WaitEventFunc(env.Ctx, func(m dap.EventMessage) bool {
			o, ok := m.(*dap.OutputEvent)
			return ok && strings.Contains(o.Body.Output, "add 10 to ")
		})
		if err != nil {
			t.Fatalf("waiting for the log point: %v", err)
		}
		if o := logged.(*dap.OutputEvent).Body; o.Line != add || o.Source == nil || o.Source.Path != lib {
			t.Errorf("log point output %q at %v:%d, want %s:%d", o.Output, o.Source, o.Line, lib, add)
		}
		st := env.WaitStopped("breakpoint")
		if len(st.Body.HitBreakpointIds) != 1 || st.Body.HitBreakpointIds[0] != bps[1].Id {
			t.Errorf("hit breakpoints %v, want the conditional one's [%d]", st.Body.HitBreakpointIds, bps[1].Id)
		}
		if n := count(st.Body.ThreadId); n%3 != 0 {
			t.Errorf("stopped with c.n = %d, want a multiple of 3", n)
		}

		set(dap.SourceBreakpoint{Line: ret, HitCondition: "% 2"})
		thread := st.Body.ThreadId
		var seen []int
		for range 2 {
			env.Call(&dap.ContinueRequest{Request: dap.Request{Command: "continue"}, Arguments: dap.ContinueArguments{ThreadId: thread}})
			thread = env.WaitStopped("breakpoint").Body.ThreadId
			seen = append(seen, count(thread))
		}
		if seen[1]-seen[0] != 20 {
			t.Errorf("stops with hit count %% 2 at c.n = %v, want two calls (20) apart", seen)
		}
		env.Disconnect()
	})
}

// TestFollowNativeFailed sets a breakpoint in a method, then saves an
// edit of it whose native build fails (no C linker for the plugin): the
// breakpoint, unverified while the build is under way ("becomes active
// when the patch goes native"), is told why it stays unverified once the
// build failed, instead of keeping a promise that will not be kept; the
// calls held meanwhile for the breakpoint run interpreted.
func TestFollowNativeFailed(t *testing.T) {
	RunLiveNative(t, func(t *testing.T, env *Env) {
		lib, orig := env.startNative(nil, nil)
		env.waitCount(1)
		t.Setenv("CC", filepath.Join(t.TempDir(), "no-cc")) // the plugin links externally
		ret := lineOf(t, lib, "return c.n")
		bp := env.SetBreakpoints(lib, ret)[0]
		thread := env.WaitStopped("breakpoint").Body.ThreadId
		env.setSourceBreakpoints(lib, ret) // keeps its id
		saveEdit(t, lib, orig, "c.n += step()", "c.n += 10 * step()")
		env.waitBreakpointEvent(bp.Id, "unverified in the patch", func(b dap.Breakpoint) bool {
			return !b.Verified && strings.Contains(b.Message, "becomes active when the patch goes native")
		})
		env.waitConsole("stays interpreted: its native build failed")
		ctx, cancel := context.WithTimeout(env.Ctx, 20*time.Second)
		defer cancel()
		_, err := env.Client.WaitEventFunc(ctx, func(m dap.EventMessage) bool {
			b, ok := m.(*dap.BreakpointEvent)
			return ok && b.Body.Breakpoint.Id == bp.Id && strings.Contains(b.Body.Breakpoint.Message, "stays interpreted: its native build failed")
		})
		if err != nil {
			t.Errorf("no breakpoint event saying why the breakpoint stays unverified: %v", err)
		}
		// The calls held for the breakpoint while the build was under
		// way run interpreted once it failed.
		env.Call(&dap.ContinueRequest{Request: dap.Request{Command: "continue"}, Arguments: dap.ContinueArguments{ThreadId: thread}})
		env.waitCount(10)
		env.Disconnect()
	})
}

// whilePaused pauses the running program, runs f (which sets
// breakpoints) and continues it. Delve sets a breakpoint in a running
// program in a halt of its own, and reports that halt as a pause when a
// goroutine is on the breakpoint's line at that instant (a hot loop):
// set while paused, the breakpoint's stop comes as a breakpoint.
func (e *Env) whilePaused(f func()) {
	e.T.Helper()
	e.Call(&dap.PauseRequest{Request: dap.Request{Command: "pause"}, Arguments: dap.PauseArguments{ThreadId: 1}})
	paused := e.WaitStopped("pause")
	f()
	e.Call(&dap.ContinueRequest{Request: dap.Request{Command: "continue"}, Arguments: dap.ContinueArguments{ThreadId: paused.Body.ThreadId}})
}

// TestFollowNativeStepThroughAccessor steps in on a line of a native
// patch whose plugin reaches an unexported field through an accessor of
// the package's native exports before it calls a function: the step goes
// through the accessor, which is livepatch's, and stops in the function.
func TestFollowNativeStepThroughAccessor(t *testing.T) {
	RunLiveNative(t, func(t *testing.T, env *Env) {
		lib, orig := env.startNative(nil, nil)
		env.waitCount(1)
		saveEdit(t, lib, orig, "c.n += step()", "c.n += 10 * step()")
		env.waitConsole("native: example.com/native/lib.(*Counter).Inc")
		env.whilePaused(func() { env.SetBreakpoints(lib, lineOf(t, lib, "c.n += 10 * step()")) })
		thread := env.WaitStopped("breakpoint").Body.ThreadId
		env.SetBreakpoints(lib)
		env.Call(&dap.StepInRequest{Request: dap.Request{Command: "stepIn"}, Arguments: dap.StepInArguments{ThreadId: thread}})
		top := env.TopFrame(env.WaitStopped("step").Body.ThreadId)
		if want := lineOf(t, lib, "func step() int"); top.Name != "lib.step" || top.Line != want || top.Source == nil || top.Source.Path != lib {
			t.Errorf("stepIn stopped in %s at %v:%d, want lib.step at %s:%d", top.Name, top.Source, top.Line, lib, want)
		}
		env.Disconnect()
	})
}
