package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-dap"
)

// setField sets field of the struct that the variable named ptr, a
// pointer, in the frame points to, as an editor's variables view does.
func (e *Env) setField(frameID int, ptr, field, value string) {
	e.T.Helper()
	sc := e.Call(&dap.ScopesRequest{Request: dap.Request{Command: "scopes"}, Arguments: dap.ScopesArguments{FrameId: frameID}}).(*dap.ScopesResponse)
	ref := sc.Body.Scopes[0].VariablesReference
	for _, name := range []string{ptr, ""} { // the pointer, then what it points to
		vs := e.Call(&dap.VariablesRequest{Request: dap.Request{Command: "variables"}, Arguments: dap.VariablesArguments{VariablesReference: ref}}).(*dap.VariablesResponse)
		next := 0
		for _, v := range vs.Body.Variables {
			if v.Name == name {
				next = v.VariablesReference
			}
		}
		if next == 0 {
			e.T.Fatalf("no variable %q in %s", name, mustJSON(vs.Body))
		}
		ref = next
	}
	if r := e.CallRaw("setVariable", map[string]any{"variablesReference": ref, "name": field, "value": value}); !r.Success {
		e.T.Fatalf("setVariable %s.%s: %s", ptr, field, r.Raw)
	}
}

// TestFollowNativePanic makes a method whose patch is native panic, below
// a comment line added to main.go: the program stops at the unrecovered
// panic (a plugin's code panics in the plugin's copy of the runtime; the
// exception filter, turned off and on again, keeps it), and
// both the stack and exceptionInfo's stack text show the method under its
// own name at the saved file's line of the panic, its compiled caller at
// main.go's saved line, and nothing of the plugin's names or of the
// compiled method under it.
func TestFollowNativePanic(t *testing.T) {
	RunLiveNative(t, func(t *testing.T, env *Env) {
		lib, orig := env.startNative(nil, nil)
		env.waitCount(1)
		main := filepath.Join(filepath.Dir(filepath.Dir(lib)), "main.go")
		mainOrig, err := os.ReadFile(main)
		if err != nil {
			t.Fatal(err)
		}
		// A breakpoint that never stops tells when main.go's save is seen.
		below := lineOf(t, main, "prev = n")
		bp := env.Call(&dap.SetBreakpointsRequest{Request: dap.Request{Command: "setBreakpoints"},
			Arguments: dap.SetBreakpointsArguments{Source: dap.Source{Path: main}, Breakpoints: []dap.SourceBreakpoint{{Line: below, Condition: "false"}}}}).(*dap.SetBreakpointsResponse).Body.Breakpoints[0]
		saveEdit(t, main, mainOrig, "func main() {", "// main counts.\nfunc main() {")
		env.waitBreakpointEvent(bp.Id, "below the comment", func(b dap.Breakpoint) bool { return b.Line == below+1 })

		saveEdit(t, lib, orig, "c.n += step()", "d := 10 * step()\n\tc.n += d\n\tif c.n > 1000000 {\n\t\tpanic(\"too many\")\n\t}")
		env.waitConsole("native: example.com/native/lib.(*Counter).Inc")
		env.whilePaused(func() { env.SetBreakpoints(lib, lineOf(t, lib, "return c.n")) })
		thread := env.WaitStopped("breakpoint").Body.ThreadId
		env.setField(env.TopFrame(thread).Id, "c", "n", "2000000")
		// The exception filter off and on again, as an editor's checkbox:
		// the plugin's breakpoint goes and comes back with Delve's.
		for _, filters := range [][]string{{}, {"unrecovered-panic", "runtime-fatal-throw"}} {
			env.Call(&dap.SetExceptionBreakpointsRequest{Request: dap.Request{Command: "setExceptionBreakpoints"},
				Arguments: dap.SetExceptionBreakpointsArguments{Filters: filters}})
		}
		env.setSourceBreakpoints(lib)
		env.Call(&dap.ContinueRequest{Request: dap.Request{Command: "continue"}, Arguments: dap.ContinueArguments{ThreadId: thread}})
		st := env.WaitStopped("exception")

		panicAt, callAt := lineOf(t, lib, `panic("too many")`), lineOf(t, main, "n := c.Inc()")
		r := env.Call(&dap.StackTraceRequest{Request: dap.Request{Command: "stackTrace"},
			Arguments: dap.StackTraceArguments{ThreadId: st.Body.ThreadId, Levels: 20}}).(*dap.StackTraceResponse)
		var got []string
		for _, f := range r.Body.StackFrames {
			if !strings.HasPrefix(f.Name, "runtime.") {
				got = append(got, fmt.Sprintf("%s:%d", f.Name, f.Line))
			}
		}
		if want := []string{fmt.Sprintf("lib.(*Counter).Inc:%d", panicAt), fmt.Sprintf("main.main:%d", callAt)}; strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("stack at the panic: %v, want %v", got, want)
		}

		info := env.Call(&dap.ExceptionInfoRequest{Request: dap.Request{Command: "exceptionInfo"},
			Arguments: dap.ExceptionInfoArguments{ThreadId: st.Body.ThreadId}}).(*dap.ExceptionInfoResponse).Body
		text := ""
		if info.Details != nil {
			text = info.Details.StackTrace
		}
		for _, want := range []string{
			fmt.Sprintf("in example.com/native/lib.(*Counter).Inc\n\t    at %s:%d\n", lib, panicAt),
			fmt.Sprintf("in main.main\n\t    at %s:%d\n", main, callAt),
		} {
			if !strings.Contains(text, want) {
				t.Errorf("exceptionInfo's stack:\n%s\nwant it to hold %q", text, want)
			}
		}
		if strings.Contains(text, "lp_native") || strings.Count(text, "lib.(*Counter).Inc") != 1 {
			t.Errorf("exceptionInfo's stack shows the plugin's function or the compiled method:\n%s", text)
		}
		if info.ExceptionId != "panic" || info.Description != `"too many"` {
			t.Errorf("exceptionInfo: %s %s, want panic \"too many\"", info.ExceptionId, info.Description)
		}
		env.Disconnect()
	})
}
