package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-dap"
)

// startNative copies the native tier's fixture, launches it with args and
// extra launch settings, lets it run, and returns lib/lib.go's path and
// text.
func (e *Env) startNative(args []string, extra map[string]any) (libFile string, orig []byte) {
	e.T.Helper()
	dir := copyFixture(e.T, "native")
	libFile = filepath.Join(dir, "lib", "lib.go")
	orig, err := os.ReadFile(libFile)
	if err != nil {
		e.T.Fatal(err)
	}
	e.Initialize()
	launch := map[string]any{"mode": "debug", "program": ".", "dlvCwd": dir, "outputMode": "remote", "args": args}
	for k, v := range extra {
		launch[k] = v
	}
	e.Launch(launch)
	e.WaitEvent("initialized")
	e.Call(&dap.ConfigurationDoneRequest{Request: dap.Request{Command: "configurationDone"}})
	return libFile, orig
}

// saveEdit writes orig with old replaced by new to file.
func saveEdit(t *testing.T, file string, orig []byte, old, new string) {
	t.Helper()
	if !strings.Contains(string(orig), old) {
		t.Fatalf("%s does not contain %q", file, old)
	}
	if err := os.WriteFile(file, []byte(strings.Replace(string(orig), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// waitCount waits for a line of the counter fixture with the given step
// and returns its count.
func (e *Env) waitCount(step int) int {
	e.T.Helper()
	var n int
	e.waitOutputMatch(fmt.Sprintf("a count with step %d", step), func(cat, text string) bool {
		var got int
		if k, err := fmt.Sscanf(text, "count %d step %d", &n, &got); err != nil || k != 2 {
			return false
		}
		return cat == "stdout" && got == step
	})
	return n
}

// TestNativeSave saves a change of a method that reaches an unexported
// field and an unexported function of a non-main package: it goes live
// interpreted, then native, with the same results and the counter's state
// kept across both switches; :patches shows the tier, and the prompt
// takes the package by the last element of its path.
func TestNativeSave(t *testing.T) {
	RunLiveNative(t, func(t *testing.T, env *Env) {
		lib, orig := env.startNative(nil, nil)
		env.waitCount(1)
		saveEdit(t, lib, orig, "c.n += step()", "c.n += 10 * step()")
		line := lineOf(t, lib, "func (c *Counter) Inc")
		env.waitConsole(fmt.Sprintf("patched example.com/native/lib.(*Counter).Inc (lib.go:%d)", line))
		interpreted := env.waitCount(10)
		env.waitConsole(fmt.Sprintf("native: example.com/native/lib.(*Counter).Inc (lib.go:%d)", line))
		env.mustEval(0, ":patches", fmt.Sprintf("example.com/native/lib.(*Counter).Inc (lib.go:%d) from save, native", line))
		env.mustEval(0, ":pkg lib", "package scope: example.com/native/lib") // the path's last element names it
		env.mustEval(0, "step() + 1", "2")
		if got := env.eval(0, ":help"); !got.ok || !strings.Contains(got.result, ":pkg [PATH]") {
			t.Errorf(":help: got %+v", got)
		}
		if r := env.CallRaw("livepatch/patches", nil); !r.Success || !strings.Contains(string(r.Body), `"tier":"native"`) {
			t.Errorf("livepatch/patches: %s", r.Raw)
		}
		// Every line after the switch steps by 10 from where the
		// interpreted patch left the counter.
		prev := interpreted
		for range 3 {
			n := env.waitCount(10)
			if n <= prev {
				t.Errorf("count went from %d to %d: the state was not kept", prev, n)
			}
			prev = n
		}
		env.Disconnect()
	})
}

// TestNativeUnderLoad moves a function that 8 goroutines call without
// pause from interpreted to native to reverted, twice: every call returns
// the old or the new result, and the calls go on.
func TestNativeUnderLoad(t *testing.T) {
	RunLiveNative(t, func(t *testing.T, env *Env) {
		bad := make(chan string, 1)
		env.Client.OnEvent(func(m dap.EventMessage) {
			if o, ok := m.(*dap.OutputEvent); ok && strings.HasPrefix(o.Body.Output, "BAD") {
				select {
				case bad <- o.Body.Output:
				default:
				}
			}
		})
		lib, orig := env.startNative([]string{"load"}, nil)
		line := strconv.Itoa(lineOf(t, lib, "func Value()"))
		env.waitConsole("calls ")
		for range 2 {
			saveEdit(t, lib, orig, "func Value() int { return 1 }", "func Value() int { return 2 }")
			env.waitConsole("patched example.com/native/lib.Value (lib.go:" + line + ")")
			env.waitConsole("native: example.com/native/lib.Value (lib.go:" + line + ")")
			if err := os.WriteFile(lib, orig, 0o644); err != nil {
				t.Fatal(err)
			}
			env.waitConsole("reverted example.com/native/lib.Value")
		}
		select {
		case b := <-bad:
			t.Errorf("a call saw neither result: %q", b)
		default:
		}
		before := env.waitConsole("calls ")
		after := env.waitConsole("calls ")
		if before == after {
			t.Errorf("the program stopped calling: %q then %q", before, after)
		}
		env.Disconnect()
	})
}

// TestNativeFallbackNoCgo launches a program built without cgo: a save
// goes live interpreted, livepatch says once why it stays so, and the
// patch keeps working interpreted.
func TestNativeFallbackNoCgo(t *testing.T) {
	RunLiveNative(t, func(t *testing.T, env *Env) {
		lib, orig := env.startNative(nil, map[string]any{"env": map[string]string{"CGO_ENABLED": "0"}})
		env.waitCount(1)
		saveEdit(t, lib, orig, "c.n += step()", "c.n += 10 * step()")
		env.waitConsole("patched example.com/native/lib.(*Counter).Inc")
		got := env.waitConsole("patches stay interpreted: native tier unavailable")
		if !strings.Contains(got, "cgo") {
			t.Errorf("the reason does not name cgo: %q", got)
		}
		env.waitCount(10)
		line := lineOf(t, lib, "func (c *Counter) Inc")
		env.mustEval(0, ":patches", fmt.Sprintf("example.com/native/lib.(*Counter).Inc (lib.go:%d) from save, interpreted", line))
		env.Disconnect()
	})
}

// TestNativeMain saves a change of a method of package main that reaches
// an unexported field: it goes live interpreted, then native (a plugin
// cannot import main; the tier links main's own compiled package), with
// the counter's state kept; a breakpoint at a saved line inside it stops
// there, under the method's own name, on top of its compiled caller.
func TestNativeMain(t *testing.T) {
	RunLiveNative(t, func(t *testing.T, env *Env) {
		dir, main, orig := liveFixture(t)
		env.runLive(dir)
		saveEdit(t, main, orig, "c.n++", "c.n += 10")
		decl := lineOf(t, main, "func (c *Counter) Inc")
		env.waitConsole(fmt.Sprintf("patched main.(*Counter).Inc (main.go:%d)", decl))
		env.waitConsole(fmt.Sprintf("native: main.(*Counter).Inc (main.go:%d)", decl))
		env.mustEval(0, ":patches", fmt.Sprintf("main.(*Counter).Inc (main.go:%d) from save, native", decl))
		// Each line's three calls step by 10 from where the program was.
		var a, b, d int
		env.waitOutputMatch("a line stepping by 10", func(cat, text string) bool {
			k, err := fmt.Sscanf(text, "hello x %d %d %d", &a, &b, &d)
			return cat == "stdout" && err == nil && k == 3 && b == a+10 && d == b+10
		})
		if a < 10 || a%10 == 0 {
			t.Errorf("the native patch did not keep the counter's state: a line reads %d %d %d", a, b, d)
		}

		at := lineOf(t, main, "c.n += 10")
		var bp dap.Breakpoint
		env.whilePaused(func() { bp = env.SetBreakpoints(main, at)[0] })
		if !bp.Verified || bp.Line != at {
			t.Fatalf("breakpoint in the native main.(*Counter).Inc: %+v, want verified at line %d", bp, at)
		}
		st := env.WaitStopped("breakpoint")
		r := env.Call(&dap.StackTraceRequest{Request: dap.Request{Command: "stackTrace"},
			Arguments: dap.StackTraceArguments{ThreadId: st.Body.ThreadId, Levels: 2}}).(*dap.StackTraceResponse)
		fs := r.Body.StackFrames
		if len(fs) < 2 || fs[0].Name != "main.(*Counter).Inc" || fs[0].Line != at || fs[0].Source == nil || fs[0].Source.Path != main || fs[1].Name != "main.line" {
			t.Fatalf("stopped at %s, want main.(*Counter).Inc at %s:%d called by main.line", mustJSON(fs), main, at)
		}
		if got := env.Evaluate(fs[0].Id, "c.n", "repl"); got == "" || got == "0" {
			t.Errorf("c.n in the native frame: %q", got)
		}
		env.Disconnect()
	})
}

// TestNativeMainMethodValueFrame stops in a compiled unexported method
// that a native patch calls through the package's native exports (which
// hand the plugin the method value): the stack shows the method right
// above the patched caller, without the generated method value wrapper.
func TestNativeMainMethodValueFrame(t *testing.T) {
	RunLiveNative(t, func(t *testing.T, env *Env) {
		dir, main, orig := liveFixture(t)
		env.runLive(dir)
		saveEdit(t, main, orig, "c.n++", "c.n += 1 + 0*c.peek()")
		env.waitConsole(fmt.Sprintf("native: main.(*Counter).Inc (main.go:%d)", lineOf(t, main, "func (c *Counter) Inc")))
		peek := lineOf(t, main, "func (c *Counter) peek")
		env.whilePaused(func() { env.SetBreakpoints(main, peek) })
		st := env.WaitStopped("breakpoint")
		r := env.Call(&dap.StackTraceRequest{Request: dap.Request{Command: "stackTrace"},
			Arguments: dap.StackTraceArguments{ThreadId: st.Body.ThreadId, Levels: 3}}).(*dap.StackTraceResponse)
		fs := r.Body.StackFrames
		if len(fs) < 2 || fs[0].Name != "main.(*Counter).peek" || fs[1].Name != "main.(*Counter).Inc" {
			t.Errorf("stopped at %s, want main.(*Counter).peek called by main.(*Counter).Inc", mustJSON(fs))
		}
		env.Disconnect()
	})
}
