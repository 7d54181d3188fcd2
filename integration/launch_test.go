package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-dap"
)

// collectOutput gathers the program's output events.
func collectOutput(env *Env) func() string {
	var mu sync.Mutex
	var out strings.Builder
	env.Client.OnEvent(func(e dap.EventMessage) {
		if o, ok := e.(*dap.OutputEvent); ok && (o.Body.Category == "stdout" && !strings.HasPrefix(o.Body.Output, "Building ") || o.Body.Category == "stderr") {
			mu.Lock()
			out.WriteString(o.Body.Output)
			mu.Unlock()
		}
	})
	return func() string {
		mu.Lock()
		defer mu.Unlock()
		return out.String()
	}
}

// runToEnd launches with args and runs the program to its end.
func (e *Env) runToEnd(args map[string]any) {
	e.T.Helper()
	e.Initialize()
	e.Launch(args)
	e.WaitEvent("initialized")
	e.Call(&dap.ConfigurationDoneRequest{Request: dap.Request{Command: "configurationDone"}})
	e.WaitEvent("terminated")
}

// TestLaunchEnvCwdArgs checks env, cwd and args reach the program, and that
// env and dlvCwd do not leak into the livepatch process.
func TestLaunchEnvCwdArgs(t *testing.T) {
	wdBefore, _ := os.Getwd()
	cwd := t.TempDir()
	RunProxy(t, func(t *testing.T, env *Env) {
		output := collectOutput(env)
		dir := fixture(t, "envcheck")
		env.runToEnd(map[string]any{"mode": "debug", "program": ".", "dlvCwd": dir, "outputMode": "remote",
			"env": map[string]any{"LP_TEST_VAR": "from-launch"}, "cwd": cwd, "args": []string{"a b", "c"}})
		want := "LP_TEST_VAR=\"from-launch\"\nwd=" + cwd + "\nargs=[\"a b\" \"c\"]\n"
		if got := output(); got != want {
			t.Errorf("program printed %q, want %q", got, want)
		}
		if v, ok := os.LookupEnv("LP_TEST_VAR"); ok {
			t.Errorf("LP_TEST_VAR=%q leaked into the livepatch process", v)
		}
		if wd, _ := os.Getwd(); wd != wdBefore {
			t.Errorf("dlvCwd changed the livepatch process's directory to %s", wd)
		}
		env.Disconnect()
	})
}

// TestLaunchModeTest debugs a package's tests.
func TestLaunchModeTest(t *testing.T) {
	RunProxy(t, func(t *testing.T, env *Env) {
		dir := fixture(t, "mathpkg")
		file := filepath.Join(dir, "add.go")
		env.Initialize()
		env.Launch(map[string]any{"mode": "test", "program": dir, "args": []string{"-test.run", "TestAdd"}})
		env.WaitEvent("initialized")
		env.SetBreakpoints(file, lineOf(t, file, "return sum"))
		env.Call(&dap.ConfigurationDoneRequest{Request: dap.Request{Command: "configurationDone"}})
		st := env.WaitStopped("breakpoint")
		f := env.TopFrame(st.Body.ThreadId)
		if !strings.HasSuffix(f.Name, "mathpkg.Add") {
			t.Errorf("stopped in %s, want mathpkg.Add", f.Name)
		}
		if got := env.Evaluate(f.Id, "sum", "repl"); got != "5" {
			t.Errorf("sum = %s, want 5", got)
		}
		env.Disconnect()
	})
}

// TestLaunchModeExec debugs a binary built elsewhere, stopping on entry.
func TestLaunchModeExec(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "hello")
	if out, err := exec.Command("go", "build", "-gcflags=all=-N -l", "-o", bin, fixture(t, "hello")).CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	RunProxy(t, func(t *testing.T, env *Env) {
		main := filepath.Join(fixture(t, "hello"), "main.go")
		env.Initialize()
		env.Launch(map[string]any{"mode": "exec", "program": bin, "stopOnEntry": true})
		env.WaitEvent("initialized")
		env.SetBreakpoints(main, lineOf(t, main, "c.n++"))
		env.Call(&dap.ConfigurationDoneRequest{Request: dap.Request{Command: "configurationDone"}})
		st := env.WaitStopped("entry")
		env.Call(&dap.ContinueRequest{Request: dap.Request{Command: "continue"}, Arguments: dap.ContinueArguments{ThreadId: st.Body.ThreadId}})
		st = env.WaitStopped("breakpoint")
		if f := env.TopFrame(st.Body.ThreadId); f.Name != "main.(*Counter).Inc" {
			t.Errorf("stopped in %s, want main.(*Counter).Inc", f.Name)
		}
		env.Disconnect()
	})
	if _, err := os.Stat(bin); err != nil {
		t.Errorf("exec mode removed the user's binary: %v", err)
	}
}

// TestLaunchOutputAndSubstitutePath checks a chosen output path (removed at
// the end, as Delve does) and path substitution both ways.
func TestLaunchOutputAndSubstitutePath(t *testing.T) {
	out := filepath.Join(t.TempDir(), "custom_bin")
	dir := fixture(t, "hello")
	const virtual = "/virtual/hello"
	RunProxy(t, func(t *testing.T, env *Env) {
		env.Initialize()
		env.Launch(map[string]any{"mode": "debug", "program": dir, "output": out,
			"substitutePath": []map[string]string{{"from": virtual, "to": dir}}})
		if _, err := os.Stat(out); err != nil {
			t.Errorf("no binary at the output path: %v", err)
		}
		env.WaitEvent("initialized")
		env.SetBreakpoints(virtual+"/main.go", lineOf(t, filepath.Join(dir, "main.go"), "c.n++"))
		env.Call(&dap.ConfigurationDoneRequest{Request: dap.Request{Command: "configurationDone"}})
		st := env.WaitStopped("breakpoint")
		if f := env.TopFrame(st.Body.ThreadId); f.Source == nil || f.Source.Path != virtual+"/main.go" {
			t.Errorf("frame source %+v, want the client's path %s/main.go", f.Source, virtual)
		}
		env.Disconnect()
		env.AfterStop(func() {
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("output binary left behind after the session (stat: %v)", err)
			}
		})
	})
}

// TestRestart rebuilds and restarts the program, keeping breakpoints and
// the program's output stream.
func TestRestart(t *testing.T) {
	RunProxy(t, func(t *testing.T, env *Env) {
		output := collectOutput(env)
		st := env.StartAtBreakpoint("hello", "c.n++", map[string]any{"outputMode": "remote"})
		env.CallRaw("restart", nil)
		env.WaitEvent("initialized")
		env.Call(&dap.ConfigurationDoneRequest{Request: dap.Request{Command: "configurationDone"}})
		st = env.WaitStopped("breakpoint")
		f := env.TopFrame(st.Body.ThreadId)
		if f.Name != "main.(*Counter).Inc" {
			t.Errorf("after restart stopped in %s, want main.(*Counter).Inc", f.Name)
		}
		if got := env.Evaluate(f.Id, "c.n", "repl"); got != "0" {
			t.Errorf("after restart c.n = %s, want 0 (a fresh process)", got)
		}
		main := filepath.Join(fixture(t, "hello"), "main.go")
		env.Call(&dap.SetBreakpointsRequest{Request: dap.Request{Command: "setBreakpoints"},
			Arguments: dap.SetBreakpointsArguments{Source: dap.Source{Path: main}, Breakpoints: []dap.SourceBreakpoint{}}})
		env.Call(&dap.ContinueRequest{Request: dap.Request{Command: "continue"}, Arguments: dap.ContinueArguments{ThreadId: st.Body.ThreadId}})
		env.WaitEvent("terminated")
		if got := output(); !strings.HasSuffix(got, "done\n") {
			t.Errorf("program output after restart = %q, want it to end with done", got)
		}
		env.Disconnect()
	})
}
