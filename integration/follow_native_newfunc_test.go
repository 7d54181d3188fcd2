package integration

import (
	"strings"
	"testing"

	"github.com/google/go-dap"
)

// TestFollowNativeNewFuncMoved saves an edit of a method that calls a
// function the save declares, stops in a compiled function the new one
// calls once the patch is native, then saves lines above the method
// without changing it: the new function's frame, in the plugin's code,
// is named as the program's (lib.triple, not the plugin's package) at its
// line in the file as saved now, as the method's is.
func TestFollowNativeNewFuncMoved(t *testing.T) {
	RunLiveNative(t, func(t *testing.T, env *Env) {
		lib, orig := env.startNative(nil, nil)
		const name = "example.com/native/lib.(*Counter).Inc"
		env.waitCount(1)
		edited := strings.Replace(string(orig), "c.n += step()", "c.n += triple()", 1) + "\nfunc triple() int {\n\treturn 3 * step()\n}\n"
		writeFile(t, lib, edited)
		env.waitConsole("native: " + name)
		stepLine := lineOf(t, lib, "func step() int")
		var bp dap.Breakpoint
		env.whilePaused(func() { bp = env.SetBreakpoints(lib, stepLine)[0] })
		thread := env.WaitStopped("breakpoint").Body.ThreadId
		frames := env.stackOf(thread, 3)
		if at := lineOf(t, lib, "return 3 * step()"); len(frames) < 3 || frames[1].Name != "lib.triple" || frames[1].Line != at || frames[2].Line != lineOf(t, lib, "c.n += triple()") {
			t.Fatalf("stack %s, want step under lib.triple at line %d under Inc", mustJSON(frames), at)
		}

		// Four lines above Inc, which moves triple down too.
		writeFile(t, lib, strings.Replace(edited, "// Inc adds one step.", "// One,\n// two,\n// three.\n\n// Inc adds one step.", 1))
		env.waitBreakpointEvent(bp.Id, "moved", func(b dap.Breakpoint) bool { return b.Line == stepLine+4 })
		env.Call(&dap.ContinueRequest{Request: dap.Request{Command: "continue"}, Arguments: dap.ContinueArguments{ThreadId: thread}})
		thread = env.WaitStopped("breakpoint").Body.ThreadId
		frames = env.stackOf(thread, 3)
		if at := lineOf(t, lib, "return 3 * step()"); len(frames) < 3 || frames[1].Name != "lib.triple" || frames[1].Line != at || frames[2].Line != lineOf(t, lib, "c.n += triple()") {
			t.Fatalf("after the moving save, stack %s, want step under lib.triple at line %d under Inc", mustJSON(frames), at)
		}
		env.Disconnect()
	})
}

// stackOf returns the top levels frames of thread.
func (e *Env) stackOf(thread, levels int) []dap.StackFrame {
	e.T.Helper()
	return e.Call(&dap.StackTraceRequest{Request: dap.Request{Command: "stackTrace"},
		Arguments: dap.StackTraceArguments{ThreadId: thread, Levels: levels}}).(*dap.StackTraceResponse).Body.StackFrames
}
