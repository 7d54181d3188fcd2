package integration

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-dap"
	"github.com/livepatch/livepatch/dapclient"
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

// TestEvaluateWithoutContext sends console input as Helix does, with no
// context: it reaches the Go prompt (a call, and a redefinition of a
// program function), as input with context "repl" does, while hover keeps
// to Delve and runs nothing. Issue 18.
func TestEvaluateWithoutContext(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		thread := env.startLive(copyFixture(t, "livepatch"))
		frame := env.TopFrame(thread).Id
		noContext := func(expr string) *dapclient.RawResponse {
			return env.CallRaw("evaluate", map[string]any{"expression": expr, "frameId": frame})
		}
		if r := noContext(`greet("x") + "!"`); !r.Success || !strings.Contains(string(r.Body), `hello x!`) {
			t.Errorf("a call without context: %s", r.Raw)
		}
		if r := noContext(`func greet(name string) string { return "hi " + name }`); !r.Success || !strings.Contains(string(r.Body), "patched main.greet") {
			t.Errorf("a redefinition without context: %s", r.Raw)
		}
		if r := noContext(`greet("y")`); !r.Success || !strings.Contains(string(r.Body), `hi y`) {
			t.Errorf("the redefined function without context: %s", r.Raw)
		}
		hover := env.CallRaw("evaluate", map[string]any{"expression": `greet("z")`, "frameId": frame, "context": "hover"})
		if hover.Success {
			t.Errorf("hover ran a call: %s", hover.Raw)
		}
		env.Disconnect()
	})
}
