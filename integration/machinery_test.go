package integration

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-dap"
)

// TestNoMachineryInVariables stops examples/counter, built patchably, in
// Counter.Tick called from tickLoop, and walks every frame's scopes: no
// variable carries a name of livepatch's generated code (the dispatch
// prologue's lpT showed in every frame's Locals), and tickLoop's
// time.Duration argument of one second is named by the time package, not
// by a constant of the agent (it showed as agent.stopGrace). Issue 18.
func TestNoMachineryInVariables(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir, err := filepath.Abs(filepath.Join("..", "examples", "counter"))
		if err != nil {
			t.Fatal(err)
		}
		env.Initialize()
		env.Launch(map[string]any{"mode": "debug", "program": dir, "args": []string{"-addr", "127.0.0.1:0"}})
		env.WaitEvent("initialized")
		file := filepath.Join(dir, "counter.go")
		env.SetBreakpoints(file, lineOf(t, file, "c.ticks++"))
		env.Call(&dap.ConfigurationDoneRequest{Request: dap.Request{Command: "configurationDone"}})
		thread := env.WaitStopped("breakpoint").Body.ThreadId

		st := env.Call(&dap.StackTraceRequest{Request: dap.Request{Command: "stackTrace"},
			Arguments: dap.StackTraceArguments{ThreadId: thread, Levels: 50}}).(*dap.StackTraceResponse)
		sawEvery := false
		for _, f := range st.Body.StackFrames {
			scopes := env.Call(&dap.ScopesRequest{Request: dap.Request{Command: "scopes"},
				Arguments: dap.ScopesArguments{FrameId: f.Id}}).(*dap.ScopesResponse)
			for _, sc := range scopes.Body.Scopes {
				if sc.VariablesReference == 0 || sc.Name == "Globals" {
					continue
				}
				vars := env.Call(&dap.VariablesRequest{Request: dap.Request{Command: "variables"},
					Arguments: dap.VariablesArguments{VariablesReference: sc.VariablesReference}}).(*dap.VariablesResponse)
				for _, v := range vars.Body.Variables {
					if strings.HasPrefix(v.Name, "lp") {
						t.Errorf("frame %s, scope %s: variable %s = %s is livepatch's own", f.Name, sc.Name, v.Name, v.Value)
					}
					if strings.Contains(v.Value, "target/agent") || strings.Contains(v.Type, "target/agent") {
						t.Errorf("frame %s, scope %s: variable %s = %s (%s) names the agent", f.Name, sc.Name, v.Name, v.Value, v.Type)
					}
					if f.Name == "main.tickLoop" && v.Name == "every" {
						sawEvery = true
						if !strings.Contains(v.Value, "Second") {
							t.Errorf("tickLoop's every = %q, want time's Second", v.Value)
						}
					}
				}
			}
		}
		if !sawEvery {
			t.Errorf("no frame main.tickLoop with the argument every in the stack: %+v", st.Body.StackFrames)
		}
		env.Disconnect()
	})
}
