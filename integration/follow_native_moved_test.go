package integration

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-dap"
)

// TestFollowNativeMoved stops at a breakpoint in a method whose patch is
// native, then saves an edit that adds lines above the method without
// changing it: the patch and its plugin stay, with the first save's
// lines, and the breakpoint, the stack and next follow the file as saved
// now (the breakpoint moves with its line and stops there, in the
// plugin's code at its old line; next goes to the current next line; the
// Go prompt sees the saved function's locals).
func TestFollowNativeMoved(t *testing.T) {
	RunLiveNative(t, func(t *testing.T, env *Env) {
		lib, orig := env.startNative(nil, nil)
		const name, short = "example.com/native/lib.(*Counter).Inc", "lib.(*Counter).Inc"
		env.waitCount(1)
		saveEdit(t, lib, orig, "c.n += step()", "d := 10 * step()\n\tc.n += d")
		env.waitConsole("native: " + name)
		at := lineOf(t, lib, "c.n += d")
		var bp dap.Breakpoint
		env.whilePaused(func() { bp = env.SetBreakpoints(lib, at)[0] })
		thread := env.WaitStopped("breakpoint").Body.ThreadId
		if top := env.TopFrame(thread); top.Name != short || top.Line != at {
			t.Fatalf("stopped in %s at line %d, want %s at %d", top.Name, top.Line, short, at)
		}

		// The moving save: three lines above Inc, Inc as it was.
		saved, err := os.ReadFile(lib)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, lib, strings.Replace(string(saved), "// Inc adds one step.", "// One,\n// two,\n// three.\n\n// Inc adds one step.", 1))
		if b := env.waitBreakpointEvent(bp.Id, "at the moved line", func(b dap.Breakpoint) bool { return b.Line == at+4 }); !b.Verified {
			t.Errorf("breakpoint after the moving save: %+v, want verified at line %d", b, at+4)
		}
		top := env.continueToBreakpoint(thread)
		if top.Name != short || top.Line != at+4 {
			t.Fatalf("after the moving save, stopped in %s at line %d, want %s at %d", top.Name, top.Line, short, at+4)
		}
		if got := env.Evaluate(top.Id, "$d", "repl"); got != "10" {
			t.Errorf("$d in the moved native frame: %q, want 10", got)
		}
		env.Call(&dap.NextRequest{Request: dap.Request{Command: "next"}, Arguments: dap.NextArguments{ThreadId: thread}})
		top = env.TopFrame(env.WaitStopped("step").Body.ThreadId)
		if ret := lineOf(t, lib, "return c.n"); top.Name != short || top.Line != ret {
			t.Errorf("next stopped in %s at line %d, want %s at %d", top.Name, top.Line, short, ret)
		}
		env.Disconnect()
	})
}
