package integration

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-dap"
	"github.com/livepatch/livepatch/internal/dapproxy"
)

// shellTickRE matches a tick of the shell fixture: its number, label and count.
var shellTickRE = regexp.MustCompile(`tick (\d+) (\w+) (\d+)`)

// waitTick waits for a tick of the shell fixture that match accepts and
// returns its number, label and count.
func (e *Env) waitTick(what string, match func(n int, label string, count int) bool) (int, string, int) {
	e.T.Helper()
	var n, count int
	var label string
	e.waitOutputMatch(what, func(category, text string) bool {
		for _, m := range shellTickRE.FindAllStringSubmatch(text, -1) {
			n, _ = strconv.Atoi(m[1])
			count, _ = strconv.Atoi(m[3])
			label = m[2]
			if category == "stdout" && match(n, label, count) {
				return true
			}
		}
		return false
	})
	return n, label, count
}

// TestPromptWhileRunning sends Go to the debug console while the shell
// fixture runs (issue 16): it runs in the main package's scope through
// the agent's socket and the program keeps running (its ticks advance
// between two reads); it reads and writes unexported package variables,
// which the program then prints, calls methods, declares and uses a
// helper, completes names, redefines a method, and names the package with
// :pkg.
func TestPromptWhileRunning(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir := copyFixture(t, "shell")
		env.Initialize()
		env.Launch(map[string]any{"mode": "debug", "program": ".", "dlvCwd": dir, "outputMode": "remote"})
		env.WaitEvent("initialized")
		env.Call(&dap.ConfigurationDoneRequest{Request: dap.Request{Command: "configurationDone"}})
		env.waitTick("a first tick", func(int, string, int) bool { return true })

		for _, frame := range []int{0, 1000} {
			got := env.eval(frame, "ticks")
			if !got.ok {
				t.Fatalf("ticks while running, frame %d: %s", frame, got.err)
			}
			first, _ := strconv.Atoi(got.result)
			env.waitTick("a later tick", func(n int, _ string, _ int) bool { return n > first+2 })
			got = env.eval(frame, "ticks")
			if later, _ := strconv.Atoi(got.result); !got.ok || later <= first+2 {
				t.Errorf("ticks while running, frame %d: %d then %+v; want it to advance", frame, first, got)
			}
		}
		env.mustEval(0, `label = "b"`, "")
		env.waitTick("a tick with the new label", func(_ int, label string, _ int) bool { return label == "b" })
		env.mustEval(0, "label + label", `"bb"`)
		if got := env.eval(0, "counter.Inc() > 0 && counter.n > 0"); got.result != "true" {
			t.Errorf("a method and an unexported field: got %+v", got)
		}
		env.mustEval(0, "func twice(s string) string { return s + s }", "")
		env.mustEval(0, `twice(strings.ToUpper(label))`, `"BB"`)
		env.mustEval(0, ":pkg", "package scope: example.com/shellfixture")
		for _, tc := range []struct{ text, want string }{{"lab", "label"}, {"counter.", "Inc"}, {"counter.", "n"}, {"strings.ToU", "ToUpper"}} {
			if got := env.completions(0, tc.text); !slices.Contains(got, tc.want) {
				t.Errorf("completions of %q while running: got %v, want %s among them", tc.text, got, tc.want)
			}
		}
		env.mustFail(0, ":pkg nosuch", dapproxy.ErrPromptInput, "nosuch is not one of the program's packages")
		env.mustFail(0, "nosuchlocal + 1", dapproxy.ErrPromptInput, "undefined: nosuchlocal\n(the input ran in package scope example.com/shellfixture: a function's local variables are in scope at a breakpoint in it)")

		got := env.eval(0, "func (c *Counter) Inc() int { c.n += 100; return c.n }")
		if !got.ok || !strings.Contains(got.result, "patched main.(*Counter).Inc") {
			t.Fatalf("redefining a method while running: %+v", got)
		}
		_, _, c1 := env.waitTick("a tick", func(int, string, int) bool { return true })
		env.waitTick("a tick of the redefined method", func(_ int, _ string, c int) bool { return c >= c1+200 })
		env.Disconnect()
	})
}

// TestPromptPausedInRuntime sends Go to frames outside the user's
// packages: at a breakpoint, in runtime.main's frame, where it runs in
// package scope on that goroutine and the program stays where it stopped;
// then after a pause of the shell fixture, which lands in the runtime (the
// loop sleeps), where no goroutine can take a call. Each time a one-line
// note names the package instead of the refusal, and the program goes on
// after continue.
func TestPromptPausedInRuntime(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir := copyFixture(t, "shell")
		main := filepath.Join(dir, "main.go")
		env.Initialize()
		env.Launch(map[string]any{"mode": "debug", "program": ".", "dlvCwd": dir, "outputMode": "remote"})
		env.WaitEvent("initialized")
		env.SetBreakpoints(main, lineOf(t, main, "ticks++"))
		env.Call(&dap.ConfigurationDoneRequest{Request: dap.Request{Command: "configurationDone"}})
		st := env.WaitStopped("breakpoint")
		r := env.Call(&dap.StackTraceRequest{Request: dap.Request{Command: "stackTrace"},
			Arguments: dap.StackTraceArguments{ThreadId: st.Body.ThreadId, Levels: 20}}).(*dap.StackTraceResponse)
		rtMain := 0
		for _, f := range r.Body.StackFrames {
			if f.Name == "runtime.main" {
				rtMain = f.Id
			}
		}
		if rtMain == 0 {
			t.Fatalf("no runtime.main frame in %+v", r.Body.StackFrames)
		}
		env.mustEval(rtMain, `label = "m"; fmt.Sprint(ticks, " ", label)`, `"0 m"`)
		env.waitConsole("package scope: example.com/shellfixture (the selected frame, runtime.main, is not in your packages)")
		if top := env.TopFrame(st.Body.ThreadId); top.Name != "main.tick" || top.Line != lineOf(t, main, "ticks++") {
			t.Errorf("after Go in runtime.main's frame, the program is at %s:%d; want it still at the breakpoint", top.Name, top.Line)
		}
		env.SetBreakpoints(main)
		env.Call(&dap.ContinueRequest{Request: dap.Request{Command: "continue"}, Arguments: dap.ContinueArguments{ThreadId: st.Body.ThreadId}})
		env.waitTick("a first tick", func(_ int, label string, _ int) bool { return label == "m" })
		env.Call(&dap.PauseRequest{Request: dap.Request{Command: "pause"}, Arguments: dap.PauseArguments{ThreadId: 1}})
		st = env.WaitStopped("pause")
		top := env.TopFrame(st.Body.ThreadId)
		if strings.HasPrefix(top.Name, "main.") {
			t.Skipf("the pause landed in the program's own code (%s), not in the runtime", top.Name)
		}
		got := env.eval(top.Id, `label = "p"; fmt.Sprint(ticks > 0, " ", label)`)
		if !got.ok || got.result != `"true p"` {
			t.Errorf("Go in %s: got %+v, want package scope", top.Name, got)
		}
		env.waitConsole("package scope: example.com/shellfixture (the selected frame, ")
		env.WaitEvent("invalidated") // the program ran for the input: its stacks moved
		env.Call(&dap.ContinueRequest{Request: dap.Request{Command: "continue"}, Arguments: dap.ContinueArguments{ThreadId: st.Body.ThreadId}})
		env.waitTick("a tick with the label written while paused", func(_ int, label string, _ int) bool { return label == "p" })
		env.Disconnect()
	})
}

// TestTerminalWhileRunning drives the shell fixture through the terminal
// client, as `livepatch debug` runs it (issue 16): at a breakpoint, a
// package the file does not import is imported by name and one the
// program does not link is refused in one line; after continue, the
// prompt takes input while the program runs, in package scope: :pkg, a
// write the program prints, a read, and a command that needs a stopped
// program refused; a breakpoint set while it runs stops it; exit ends the
// session.
func TestTerminalWhileRunning(t *testing.T) {
	dir := copyFixture(t, "shell")
	main := filepath.Join(dir, "main.go")
	ctx, w, out, done := runTerminal(t, liveProxy(t, 10*time.Second, true), map[string]any{"mode": "debug", "program": ".", "dlvCwd": dir})
	tl := &termLog{t: t, ctx: ctx, w: w, out: out}
	wait, do := tl.wait, tl.do
	wait("Type 'help' for list of commands.")
	do(fmt.Sprintf("break %s:%d", main, lineOf(t, main, "ticks++")), "Breakpoint 1 set")
	do("continue", "main.tick()")
	do(`strings.ToUpper(label) + strconv.Itoa(len(label))`, `"A1"`)
	do(`tabwriter.NewWriter(nil, 0, 0, 0, ' ', 0)`, "tabwriter: package text/tabwriter is not linked into this program")
	do("clearall", "")
	do("continue", "tick ")
	do(":pkg", "package scope: example.com/shellfixture")
	do(`label = "t"`, "tick ", " t ")
	do("ticks > 1", "true\n")
	do("stack", "error: the program is running")
	// Breakpoints are set in the running program, as an editor sets them.
	do(fmt.Sprintf("break %s:%d", main, lineOf(t, main, "ticks++")), "Breakpoint 2 set", "main.tick()")
	do("clearall", "Breakpoint 2 cleared")
	if _, err := fmt.Fprintln(w, "exit"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		done <- err
		if err != nil {
			t.Errorf("terminal: %v", err)
		}
	case <-ctx.Done():
		t.Fatal("the terminal did not return after exit")
	}
}

// TestPromptWhileRunningLimits checks, while the shell fixture runs, what
// works as at a breakpoint (issue 16): the input's output before its
// answer, errors at their line and column, a panic, and the time limit,
// for interpreted code and for an input blocked in compiled code; the
// program runs on throughout.
func TestPromptWhileRunningLimits(t *testing.T) {
	runLiveProxy(t, liveProxy(t, time.Second, true), func(t *testing.T, env *Env) {
		dir := copyFixture(t, "shell")
		env.Initialize()
		env.Launch(map[string]any{"mode": "debug", "program": ".", "dlvCwd": dir, "outputMode": "remote"})
		env.WaitEvent("initialized")
		env.Call(&dap.ConfigurationDoneRequest{Request: dap.Request{Command: "configurationDone"}})
		env.waitTick("a first tick", func(int, string, int) bool { return true })

		env.mustEval(0, `fmt.Println("from the prompt", label)`, "18, nil")
		env.waitOutput("stdout", "from the prompt a\n")
		env.mustFail(0, "a := 1\nb := nosuch + a", dapproxy.ErrPromptInput, "2:6: undefined: nosuch")
		env.mustFail(0, `panic("boom")`, dapproxy.ErrPromptPanic, "boom")
		env.mustFail(0, "for {}", dapproxy.ErrPromptTimeout, "time limit", "the program runs on")
		env.mustFail(0, "select {}", dapproxy.ErrPromptTimeout, "still running after the time limit", "The program runs on")
		n, _, _ := env.waitTick("a tick", func(int, string, int) bool { return true })
		env.waitTick("a later tick", func(m int, _ string, _ int) bool { return m > n+2 })
		env.mustEval(0, "label", `"a"`)
		env.Disconnect()
	})
}
