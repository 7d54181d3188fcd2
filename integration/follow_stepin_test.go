package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-dap"
)

// TestFollowInterpretedStepIn pauses the native fixture on the line that
// calls a method, saves an edit of the method (its patch goes live
// interpreted, its native build under way) and steps in: the step lands
// in the method at its declaration's line in the saved file, under its
// own name on top of its compiled caller, as a stepIn into compiled or
// native code does, once the patch is native; next walks on through its
// saved body, and stepOut returns to the caller at the line of the call.
func TestFollowInterpretedStepIn(t *testing.T) {
	RunLiveNative(t, func(t *testing.T, env *Env) {
		lib, orig := env.startNative(nil, nil)
		const name, short = "example.com/native/lib.(*Counter).Inc", "lib.(*Counter).Inc"
		env.waitCount(1)
		main := filepath.Join(filepath.Dir(filepath.Dir(lib)), "main.go")
		call := lineOf(t, main, "n := c.Inc()")
		env.whilePaused(func() { env.SetBreakpoints(main, call) })
		thread := env.WaitStopped("breakpoint").Body.ThreadId

		saveEdit(t, lib, orig, "c.n += step()", "d := 10 * step()\n\tc.n += d")
		env.waitConsole("patched " + name)
		env.Call(&dap.StepInRequest{Request: dap.Request{Command: "stepIn"}, Arguments: dap.StepInArguments{ThreadId: thread}})
		thread = env.WaitStopped("step").Body.ThreadId
		r := env.Call(&dap.StackTraceRequest{Request: dap.Request{Command: "stackTrace"},
			Arguments: dap.StackTraceArguments{ThreadId: thread, Levels: 2}}).(*dap.StackTraceResponse)
		fs := r.Body.StackFrames
		decl := lineOf(t, lib, "func (c *Counter) Inc")
		if len(fs) < 2 || fs[0].Name != short || fs[0].Line != decl || fs[0].Source == nil || fs[0].Source.Path != lib || fs[1].Name != "main.main" {
			t.Fatalf("stepIn stopped at %s, want %s at %s:%d called by main.main", mustJSON(fs), short, lib, decl)
		}

		for _, text := range []string{"d := 10 * step()", "c.n += d"} {
			env.Call(&dap.NextRequest{Request: dap.Request{Command: "next"}, Arguments: dap.NextArguments{ThreadId: thread}})
			top := env.TopFrame(env.WaitStopped("step").Body.ThreadId)
			if want := lineOf(t, lib, text); top.Name != short || top.Line != want {
				t.Fatalf("next stopped in %s at line %d, want %s at %d", top.Name, top.Line, short, want)
			}
		}
		if got := env.Evaluate(env.TopFrame(thread).Id, "d", "repl"); got != "10" {
			t.Errorf("d in the stepped-in frame: %s, want 10", got)
		}

		env.stepOutTo(thread, "main.main", call)
		env.Disconnect()
	})
}

// TestFollowInterpretedStepInFailed is TestFollowInterpretedStepIn with a
// native build that fails (no C linker for the plugin): the patch stays
// interpreted, so the step goes over the call to the caller's next line,
// and the console says why.
func TestFollowInterpretedStepInFailed(t *testing.T) {
	RunLiveNative(t, func(t *testing.T, env *Env) {
		lib, orig := env.startNative(nil, nil)
		const name = "example.com/native/lib.(*Counter).Inc"
		env.waitCount(1)
		t.Setenv("CC", filepath.Join(t.TempDir(), "no-cc")) // the plugin links externally
		main := filepath.Join(filepath.Dir(filepath.Dir(lib)), "main.go")
		call := lineOf(t, main, "n := c.Inc()")
		env.whilePaused(func() { env.SetBreakpoints(main, call) })
		thread := env.WaitStopped("breakpoint").Body.ThreadId

		saveEdit(t, lib, orig, "c.n += step()", "c.n += 10 * step()")
		env.waitConsole("patched " + name)
		env.Call(&dap.StepInRequest{Request: dap.Request{Command: "stepIn"}, Arguments: dap.StepInArguments{ThreadId: thread}})
		top := env.TopFrame(env.WaitStopped("step").Body.ThreadId)
		if want := lineOf(t, main, "fmt.Printf"); top.Name != "main.main" || top.Line != want {
			t.Errorf("stepIn stopped in %s at line %d, want main.main at %d", top.Name, top.Line, want)
		}
		env.waitConsole("livepatch: step over " + name + ": it runs interpreted, where the debugger cannot stop (it stays interpreted: its native build failed, as said above)")
		env.Disconnect()
	})
}

// TestFollowTerminalStepIn is TestFollowInterpretedStepIn through the
// terminal client: `step` on the line of the call, right after the save,
// shows the method's declaration in the saved file, and `stack` the
// method on top of its caller.
func TestFollowTerminalStepIn(t *testing.T) {
	dir := copyFixture(t, "native")
	lib, main := filepath.Join(dir, "lib", "lib.go"), filepath.Join(dir, "main.go")
	orig, err := os.ReadFile(lib)
	if err != nil {
		t.Fatal(err)
	}
	ctx, w, out, _ := runTerminal(t, liveProxy(t, 10*time.Second, false),
		map[string]any{"mode": "debug", "program": ".", "dlvCwd": dir})
	tl := &termLog{t: t, ctx: ctx, w: w, out: out}
	wait, do := tl.waitFor, tl.do
	wait(true, "Type 'help' for list of commands.")
	call := lineOf(t, main, "n := c.Inc()")
	do(fmt.Sprintf("break %s:%d", main, call), "Breakpoint 1 set")
	do("continue", fmt.Sprintf("=>%4d:\t\t\tn := c.Inc()", call))

	saveEdit(t, lib, orig, "c.n += step()", "d := 10 * step()\n\tc.n += d")
	wait(false, "patched example.com/native/lib.(*Counter).Inc")
	decl := lineOf(t, lib, "func (c *Counter) Inc")
	do("step", "step into example.com/native/lib.(*Counter).Inc", fmt.Sprintf("=>%4d:\tfunc (c *Counter) Inc() int {", decl))
	do("stack", "in lib.(*Counter).Inc", fmt.Sprintf("lib.go:%d", decl), "in main.main", fmt.Sprintf("main.go:%d", call))
}

// TestFollowInterpretedStepInMain is TestFollowInterpretedStepIn in
// package main, whose functions the binary names main.F while their keys
// name main by its import path: the stepOut from the patch passes the
// compiled function's prologue on its way to the caller, as in any other
// package (it stopped there, in main.(*Counter).Inc at its declaration).
func TestFollowInterpretedStepInMain(t *testing.T) {
	RunLiveNative(t, func(t *testing.T, env *Env) {
		dir, main, orig := liveFixture(t)
		env.runLive(dir)
		call := lineOf(t, main, "a := c.Inc()")
		env.whilePaused(func() { env.SetBreakpoints(main, call) })
		thread := env.WaitStopped("breakpoint").Body.ThreadId

		saveEdit(t, main, orig, "c.n++", "c.n += 10")
		env.waitConsole("patched main.(*Counter).Inc")
		env.Call(&dap.StepInRequest{Request: dap.Request{Command: "stepIn"}, Arguments: dap.StepInArguments{ThreadId: thread}})
		top := env.TopFrame(env.WaitStopped("step").Body.ThreadId)
		if want := lineOf(t, main, "func (c *Counter) Inc"); top.Name != "main.(*Counter).Inc" || top.Line != want {
			t.Fatalf("stepIn stopped in %s at line %d, want main.(*Counter).Inc at %d", top.Name, top.Line, want)
		}
		env.stepOutTo(thread, "main.line", call)
		env.Disconnect()
	})
}
