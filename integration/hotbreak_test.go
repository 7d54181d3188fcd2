package integration

import (
	"slices"
	"testing"

	"github.com/google/go-dap"
)

// TestBreakpointOnHotLineWhileRunning sets a breakpoint, while the program
// runs, on a line that 8 goroutines run without pause, together with a
// function breakpoint elsewhere (as livepatch does for a breakpoint in a
// native patch, and an editor for two files): the stop is reported as the
// breakpoint's, on a goroutine at that line, never as a pause nobody asked
// for. Delve sets breakpoints in a running program in a halt of its own,
// and reports a breakpoint reached during the next such halt as a pause.
func TestBreakpointOnHotLineWhileRunning(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		lib, _ := env.startNative([]string{"load"}, nil)
		env.waitOutput("stdout", "calls ")
		line := lineOf(t, lib, "func Value() int")
		for i := range 10 {
			fn := make(chan error, 1)
			go func() {
				_, err := env.Client.Call(env.Ctx, &dap.SetFunctionBreakpointsRequest{Request: dap.Request{Command: "setFunctionBreakpoints"},
					Arguments: dap.SetFunctionBreakpointsArguments{Breakpoints: []dap.FunctionBreakpoint{{Name: "main.main"}}}})
				fn <- err
			}()
			bp := env.SetBreakpoints(lib, line)[0]
			if err := <-fn; err != nil {
				t.Fatal(err)
			}
			ev, err := env.Client.WaitEvent(env.Ctx, "stopped")
			if err != nil {
				t.Fatal(err)
			}
			st := ev.(*dap.StoppedEvent)
			if st.Body.Reason != "breakpoint" || !slices.Contains(st.Body.HitBreakpointIds, bp.Id) {
				t.Fatalf("set while running (%d): stopped with %+v, want reason breakpoint hitting %d", i, st.Body, bp.Id)
			}
			if top := env.TopFrame(st.Body.ThreadId); top.Line != line {
				t.Fatalf("stopped on goroutine %d at %s:%d, want line %d", st.Body.ThreadId, top.Name, top.Line, line)
			}
			env.SetBreakpoints(lib)
			env.Call(&dap.SetFunctionBreakpointsRequest{Request: dap.Request{Command: "setFunctionBreakpoints"}})
			env.Call(&dap.ContinueRequest{Request: dap.Request{Command: "continue"}, Arguments: dap.ContinueArguments{ThreadId: st.Body.ThreadId}})
		}
	})
}
