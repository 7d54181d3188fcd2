package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-dap"
	"github.com/livepatch/livepatch/dapclient"
)

// machinery reports whether name, of a function, variable or goroutine as
// the debugger shows it, belongs to livepatch's machinery: the agent's
// and the interpreter's functions (the fixtures have no packages named
// agent or interp, and Delve shortens package paths in frame and goroutine
// names), and the names the builder generates (lpT, lpFn_..., all
// beginning with lp).
func machinery(name string) bool {
	if _, fn, ok := strings.Cut(name, "] "); ok { // a goroutine: "* [Go 5] agent.watchHost.func1 (Thread 7)"
		name, _, _ = strings.Cut(fn, " ")
	}
	for _, p := range []string{"agent.", "interp.", "github.com/livepatch/livepatch/target/", "github.com/traefik/yaegi/"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	if i := strings.LastIndexAny(name, ".)"); i >= 0 {
		name = name[i+1:]
	}
	return strings.HasPrefix(name, "lp")
}

// checkNoMachinery walks what a user sees of the program stopped in
// thread: the goroutines' names, the stopped goroutine's frames, and the
// variables of every frame's scopes (Globals aside), two levels deep. It
// returns the frames.
func checkNoMachinery(t *testing.T, env *Env, thread int) []dap.StackFrame {
	t.Helper()
	threads := env.Call(&dap.ThreadsRequest{Request: dap.Request{Command: "threads"}}).(*dap.ThreadsResponse)
	for _, th := range threads.Body.Threads {
		if machinery(th.Name) {
			t.Errorf("goroutine %q is livepatch's", th.Name)
		}
	}
	st := env.Call(&dap.StackTraceRequest{Request: dap.Request{Command: "stackTrace"},
		Arguments: dap.StackTraceArguments{ThreadId: thread, Levels: 50}}).(*dap.StackTraceResponse)
	for _, f := range st.Body.StackFrames {
		if machinery(f.Name) || f.Source != nil && (strings.Contains(f.Source.Path, "/traefik/yaegi") || strings.Contains(f.Source.Path, "/target/agent/")) {
			t.Errorf("frame %q is livepatch's", f.Name)
			continue
		}
		scopes := env.Call(&dap.ScopesRequest{Request: dap.Request{Command: "scopes"},
			Arguments: dap.ScopesArguments{FrameId: f.Id}}).(*dap.ScopesResponse)
		for _, sc := range scopes.Body.Scopes {
			if sc.VariablesReference != 0 && sc.Name != "Globals" {
				checkVariables(t, env, f.Name+", "+sc.Name, sc.VariablesReference, 2)
			}
		}
	}
	return st.Body.StackFrames
}

// checkVariables checks the variables of ref and, depth levels down, of
// their children.
func checkVariables(t *testing.T, env *Env, where string, ref, depth int) {
	t.Helper()
	vars := env.Call(&dap.VariablesRequest{Request: dap.Request{Command: "variables"},
		Arguments: dap.VariablesArguments{VariablesReference: ref}}).(*dap.VariablesResponse)
	for _, v := range vars.Body.Variables {
		if machinery(v.Name) || strings.Contains(v.Value, "target/agent") || strings.Contains(v.Type, "target/agent") {
			t.Errorf("%s: variable %s = %s (%s) is livepatch's", where, v.Name, v.Value, v.Type)
		}
		if v.VariablesReference != 0 && depth > 1 {
			checkVariables(t, env, where+", "+v.Name, v.VariablesReference, depth-1)
		}
	}
}

// TestNoMachineryInVariables stops examples/counter, built patchably, in
// Counter.Tick called from tickLoop, and walks what the user sees: no
// goroutine, frame or variable of livepatch's machinery (the dispatch
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

		sawEvery := false
		for _, f := range checkNoMachinery(t, env, thread) {
			if f.Name != "main.tickLoop" {
				continue
			}
			scopes := env.Call(&dap.ScopesRequest{Request: dap.Request{Command: "scopes"},
				Arguments: dap.ScopesArguments{FrameId: f.Id}}).(*dap.ScopesResponse)
			vars := env.Call(&dap.VariablesRequest{Request: dap.Request{Command: "variables"},
				Arguments: dap.VariablesArguments{VariablesReference: scopes.Body.Scopes[0].VariablesReference}}).(*dap.VariablesResponse)
			for _, v := range vars.Body.Variables {
				if v.Name == "every" {
					sawEvery = true
					if !strings.Contains(v.Value, "Second") {
						t.Errorf("tickLoop's every = %q, want time's Second", v.Value)
					}
				}
			}
		}
		if !sawEvery {
			t.Errorf("no frame main.tickLoop with the argument every in the stack")
		}
		env.Disconnect()
	})
}

// TestNoMachineryInPatchedProgram saves a change to the live-patching
// fixture's line, which then runs interpreted, and stops in Counter.Inc,
// compiled, called from it: the goroutines, the frames between Inc and
// main (the interpreter's, reflect's and the agent's ran there) and their
// variables show nothing of livepatch's machinery, and the frames of the
// program are all there. Issue 18.
func TestNoMachineryInPatchedProgram(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir, main, orig := liveFixture(t)
		thread := env.startLive(dir)
		checkNoMachinery(t, env, thread)

		edited := strings.Replace(string(orig), `return fmt.Sprintf("%s %d %d %d", title(), a, b, d)`,
			`return fmt.Sprintf("%s %d %d %d", title(), a, b, d+0)`, 1)
		if err := os.WriteFile(main, []byte(edited), 0o644); err != nil {
			t.Fatal(err)
		}
		env.waitConsole("patched main.line")
		env.SetBreakpoints(main, lineOf(t, main, "c.n++"))
		env.Call(&dap.ContinueRequest{Request: dap.Request{Command: "continue"}, Arguments: dap.ContinueArguments{ThreadId: thread}})
		thread = env.WaitStopped("breakpoint").Body.ThreadId

		var names []string
		for _, f := range checkNoMachinery(t, env, thread) {
			names = append(names, f.Name)
		}
		want := []string{"main.(*Counter).Inc", "main.line", "main.main"}
		if len(names) < len(want) || strings.Join(names[:len(want)], " ") != strings.Join(want, " ") {
			t.Errorf("frames %q, want them to begin with %q", names, want)
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
