package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-dap"
	"github.com/livepatch/livepatch/internal/cli"
	"github.com/livepatch/livepatch/internal/dapproxy"
	"github.com/livepatch/livepatch/internal/livepatch"
	"github.com/livepatch/livepatch/internal/prompt"
	"github.com/livepatch/livepatch/internal/testenv"
)

// RunLive runs f with a client connected to a proxy configured as
// livepatch's launch paths are: patchable builds, the Go prompt and live
// patching with its file watcher.
// The native tier is off, so that the tests of other features neither
// wait for nor compete with native builds: RunLiveNative turns it on.
func RunLive(t *testing.T, f func(t *testing.T, env *Env)) {
	t.Helper()
	runLiveProxy(t, liveProxy(t, 10*time.Second, true), f)
}

// RunLiveNative is RunLive with the native tier on.
func RunLiveNative(t *testing.T, f func(t *testing.T, env *Env)) {
	t.Helper()
	runLiveProxy(t, liveProxy(t, 10*time.Second, false), f)
}

// runLiveProxy runs f with a client connected to px, a proxy made by
// liveProxy, as RunLive does.
func runLiveProxy(t *testing.T, px *dapproxy.Proxy, f func(t *testing.T, env *Env)) {
	t.Helper()
	console := &output{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("console:\n%s", console.String())
		}
	})
	env := serve(t, px)
	env.Client.OnEvent(func(e dap.EventMessage) {
		if o, ok := e.(*dap.OutputEvent); ok && o.Body.Category == "console" {
			console.mu.Lock()
			console.buf.WriteString(o.Body.Output)
			console.mu.Unlock()
		}
	})
	f(t, env)
}

// liveProxy returns a proxy configured as livepatch's launch paths are:
// patchable builds, the Go prompt and live patching with its file watcher.
// Inputs of the Go prompt have the time limit timeout; noNative turns the
// native tier off.
func liveProxy(t testing.TB, timeout time.Duration, noNative bool) *dapproxy.Proxy {
	return liveProxyWith(t, timeout, livepatch.Options{NoNative: noNative})
}

// liveProxyWith is liveProxy with live patching's options opts (its
// prompt and log are set here).
func liveProxyWith(t testing.TB, timeout time.Duration, opts livepatch.Options) *dapproxy.Proxy {
	pr := prompt.New(prompt.Options{Timeout: timeout, Log: testenv.Logger(t, "prompt")})
	opts.Prompt, opts.Log = pr, testenv.Logger(t, "livepatch")
	lp := livepatch.New(opts)
	px := dapproxy.New(dapproxy.Config{
		Builder:      cli.PatchBuilder{Log: testenv.Logger(t, "patcher"), Built: pr.UseBuild},
		Log:          testenv.Logger(t, "dapproxy"),
		Capabilities: pr.Capabilities(),
		TargetEnv:    lp.TargetEnv,
		Started:      lp.Started,
	})
	pr.Register(px)
	lp.Register(px)
	return px
}

// copyFixture copies a fixture module, its sub-directories included, into
// a temporary directory, where the test may edit its files.
func copyFixture(t *testing.T, name string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(fixture(t, name))); err != nil {
		t.Fatal(err)
	}
	return dir
}

// liveFixture copies the live-patching fixture and returns its directory,
// its main.go and that file's text.
func liveFixture(t *testing.T) (dir, main string, orig []byte) {
	t.Helper()
	dir = copyFixture(t, "livepatch")
	main = filepath.Join(dir, "main.go")
	orig, err := os.ReadFile(main)
	if err != nil {
		t.Fatal(err)
	}
	return dir, main, orig
}

// waitConsole waits for an output event whose text contains want and
// returns its text.
func (e *Env) waitConsole(want string) string {
	e.T.Helper()
	return e.waitOutputMatch(fmt.Sprintf("console output %q", want), func(_, text string) bool { return strings.Contains(text, want) })
}

// waitOutputMatch waits for an output event whose category and text match
// and returns its text; what describes it in the failure.
func (e *Env) waitOutputMatch(what string, match func(category, text string) bool) string {
	e.T.Helper()
	ev, err := e.Client.WaitEventFunc(e.Ctx, func(m dap.EventMessage) bool {
		o, ok := m.(*dap.OutputEvent)
		return ok && match(o.Body.Category, o.Body.Output)
	})
	if err != nil {
		e.T.Fatalf("waiting for %s: %v", what, err)
	}
	return ev.(*dap.OutputEvent).Body.Output
}

var lineRE = regexp.MustCompile(`^"?(\w+) x (\d+) (\d+) (\d+)"?$`)

// report returns the submatches of the last report of the fixture in
// output s, which can hold several lines when the program's output
// arrives in one event, or nil.
func report(s string) []string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if m := lineRE.FindStringSubmatch(strings.TrimSpace(lines[i])); m != nil {
			return m
		}
	}
	return nil
}

// checkLine checks a report of the fixture: the greeting, and the step of
// Inc through a direct call, an interface and a method value.
func checkLine(t *testing.T, s, greeting string, step int) {
	t.Helper()
	m := report(s)
	if m == nil {
		t.Fatalf("report %q does not match %s", s, lineRE)
	}
	a, _ := strconv.Atoi(m[2])
	b, _ := strconv.Atoi(m[3])
	d, _ := strconv.Atoi(m[4])
	if m[1] != greeting || b-a != step || d-b != step {
		t.Errorf("report %q: got greeting %q and steps %d, %d; want %q and %d", s, m[1], b-a, d-b, greeting, step)
	}
}

// startLive launches the fixture copy in dir, stopped at "report here".
func (e *Env) startLive(dir string) int {
	e.T.Helper()
	e.Initialize()
	e.Launch(map[string]any{"mode": "debug", "program": ".", "dlvCwd": dir, "outputMode": "remote"})
	e.WaitEvent("initialized")
	main := filepath.Join(dir, "main.go")
	e.SetBreakpoints(main, lineOf(e.T, main, "// report here"))
	e.Call(&dap.ConfigurationDoneRequest{Request: dap.Request{Command: "configurationDone"}})
	return e.WaitStopped("breakpoint").Body.ThreadId
}

// runLive launches the fixture copy in dir with no breakpoint and waits
// until it reports, running.
func (e *Env) runLive(dir string) {
	e.T.Helper()
	e.Initialize()
	e.Launch(map[string]any{"mode": "debug", "program": ".", "dlvCwd": dir, "outputMode": "remote"})
	e.WaitEvent("initialized")
	e.Call(&dap.ConfigurationDoneRequest{Request: dap.Request{Command: "configurationDone"}})
	e.waitConsole("hello x")
}

// next continues to the breakpoint and returns the reported line.
func (e *Env) next(thread int) string {
	e.T.Helper()
	e.Call(&dap.ContinueRequest{Request: dap.Request{Command: "continue"}, Arguments: dap.ContinueArguments{ThreadId: thread}})
	st := e.WaitStopped("breakpoint")
	return e.Evaluate(e.TopFrame(st.Body.ThreadId).Id, "s", "repl")
}

// TestLivePatchPrompt redefines a method at the prompt, sees every call
// path use it after continue, refuses a set with a compile error whole,
// lists the patches and reverts them.
func TestLivePatchPrompt(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir := copyFixture(t, "livepatch")
		thread := env.startLive(dir)
		frame := env.TopFrame(thread).Id
		checkLine(t, env.Evaluate(frame, "s", "repl"), "hello", 1)

		incLine := lineOf(t, filepath.Join(dir, "main.go"), "func (c *Counter) Inc() int {")
		want := "patched main.(*Counter).Inc (main.go:" + strconv.Itoa(incLine) + ")"
		env.mustEval(frame, `func (c *Counter) Inc() int { c.n += 2; return c.n }`, want)
		checkLine(t, env.next(thread), "hello", 2)

		// One bad function of two: nothing applied.
		frame = env.TopFrame(thread).Id
		env.mustFail(frame, "func greet(name string) string { return \"howdy \" + name }\nfunc (c *Counter) Inc() int { return nosuch }",
			dapproxy.ErrPromptInput, "2:38: undefined: nosuch")
		checkLine(t, env.next(thread), "hello", 2)

		frame = env.TopFrame(thread).Id
		env.mustEval(frame, `func greet(name string) string { return "howdy " + name }`,
			"patched main.greet (main.go:"+strconv.Itoa(lineOf(t, filepath.Join(dir, "main.go"), "func greet("))+")")
		checkLine(t, env.next(thread), "howdy", 2)

		frame = env.TopFrame(thread).Id
		got := env.eval(frame, ":patches")
		if !got.ok || !strings.Contains(got.result, "main.(*Counter).Inc (main.go:") || !strings.Contains(got.result, "from prompt, differs from the file on disk") {
			t.Errorf(":patches: got %+v", got)
		}
		r := env.CallRaw("livepatch/patches", nil)
		if !r.Success || !strings.Contains(string(r.Body), `"origin":"prompt"`) {
			t.Errorf("livepatch/patches: %s", r.Raw)
		}
		d := env.eval(frame, ":diff main.greet")
		if !d.ok || !strings.Contains(d.result, "-\treturn \"hello \" + name") || !strings.Contains(d.result, "+func greet(name string) string { return \"howdy \" + name }") {
			t.Errorf(":diff main.greet: got %+v", d)
		}
		env.mustEval(frame, ":revert main.greet", "reverted main.greet")
		checkLine(t, env.next(thread), "hello", 2)
		r = env.CallRaw("livepatch/revert", map[string]any{"all": true})
		if !r.Success {
			t.Errorf("livepatch/revert: %s", r.Raw)
		}
		env.waitConsole("reverted main.(*Counter).Inc")
		checkLine(t, env.next(thread), "hello", 1)

		// A redefinition with the declarations it uses, new in the same
		// input: a method added to Counter and a function.
		frame = env.TopFrame(thread).Id
		env.mustEval(frame, "func (c *Counter) Inc() int { c.n += c.stride(); return c.n }\nfunc (c *Counter) stride() int { return three() }\nfunc three() int { return 3 }", want+"\nadded method (*Counter).stride for patched code")
		checkLine(t, env.next(thread), "hello", 3)
		frame = env.TopFrame(thread).Id
		env.mustEval(frame, ":revert all", "reverted main.(*Counter).Inc")
		checkLine(t, env.next(thread), "hello", 1)

		// Paused inside the function being patched: the console says the
		// current call finishes with the old code.
		frame = env.TopFrame(thread).Id
		env.mustEval(frame, `func report(s string) { fmt.Println("patched", s) }`,
			"patched main.report (main.go:"+strconv.Itoa(lineOf(t, filepath.Join(dir, "main.go"), "func report("))+")")
		env.waitConsole("note: main.report is running now (goroutine ")
		env.mustEval(frame, ":revert all", "reverted main.report")
		checkLine(t, env.next(thread), "hello", 1)
		env.Disconnect()
	})
}

// TestLivePatchRestart restarts after a save: the program is rebuilt from
// the saved sources, the breakpoint is kept, no patch is live, and a later
// save applies to the new process.
func TestLivePatchRestart(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir, main, orig := liveFixture(t)
		thread := env.startLive(dir)
		edited := strings.Replace(string(orig), `"hello "`, `"howdy "`, 1)
		if err := os.WriteFile(main, []byte(edited), 0o644); err != nil {
			t.Fatal(err)
		}
		env.waitConsole("patched main.greet")
		env.CallRaw("restart", nil)
		env.WaitEvent("initialized")
		env.Call(&dap.ConfigurationDoneRequest{Request: dap.Request{Command: "configurationDone"}})
		st := env.WaitStopped("breakpoint")
		thread = st.Body.ThreadId
		frame := env.TopFrame(thread).Id
		checkLine(t, env.Evaluate(frame, "s", "repl"), "howdy", 1)
		env.mustEval(frame, ":patches", "no live patches")

		again := strings.Replace(edited, "c.n++", "c.n += 3", 1)
		if err := os.WriteFile(main, []byte(again), 0o644); err != nil {
			t.Fatal(err)
		}
		env.waitConsole("patched main.(*Counter).Inc")
		checkLine(t, env.next(thread), "howdy", 3)
		env.Disconnect()
	})
}

// TestLivePatchSave edits the file while the program is paused: a body
// change applies, a struct change is refused whole, and a rename-style
// save of the original text reverts.
func TestLivePatchSave(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir, main, orig := liveFixture(t)
		thread := env.startLive(dir)
		greetLine := lineOf(t, main, "func greet(")

		edited := strings.Replace(string(orig), `"hello "`, `"howdy "`, 1)
		for i := 0; i < 3; i++ { // a burst of saves
			if err := os.WriteFile(main, []byte(edited), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		env.waitConsole("patched main.greet (main.go:" + strconv.Itoa(greetLine) + ")")
		checkLine(t, env.next(thread), "howdy", 1)

		// A struct change and a body change: nothing applies.
		rude := strings.Replace(edited, "\tn int\n", "\tn int64\n", 1)
		rude = strings.Replace(rude, `"howdy "`, `"hi "`, 1)
		if err := os.WriteFile(main, []byte(rude), 0o644); err != nil {
			t.Fatal(err)
		}
		fieldLine := strings.Count(rude[:strings.Index(rude, "\tn int64")], "\n") + 1
		env.waitConsole("main.go:" + strconv.Itoa(fieldLine) + ":2: type of field n of Counter changed: restart to apply")
		checkLine(t, env.next(thread), "howdy", 1)

		// Back to the compiled text, by temporary file and rename.
		tmp := filepath.Join(dir, ".main.go.tmp")
		if err := os.WriteFile(tmp, orig, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, main); err != nil {
			t.Fatal(err)
		}
		env.waitConsole("reverted main.greet")
		checkLine(t, env.next(thread), "hello", 1)

		// A new function, called by a patched one.
		withNew := strings.Replace(string(orig), `return "hello " + name`, `return salute() + name`, 1) +
			"\nfunc salute() string { return fmt.Sprint(\"hey\", \" \") }\n"
		if err := os.WriteFile(main, []byte(withNew), 0o644); err != nil {
			t.Fatal(err)
		}
		env.waitConsole("patched main.greet")
		checkLine(t, env.next(thread), "hey", 1)

		// A signature change whose only compiled caller is patched too.
		withSig := strings.Replace(string(orig), "func greet(name string) string {\n\treturn \"hello \" + name",
			"func greet(name, word string) string {\n\treturn word + \" \" + name", 1)
		withSig = strings.Replace(withSig, `return greet("x")`, `return greet("x", "sig")`, 1)
		if err := os.WriteFile(main, []byte(withSig), 0o644); err != nil {
			t.Fatal(err)
		}
		got := env.waitConsole("patched main.title")
		if !strings.Contains(got, "reverted main.greet") {
			t.Errorf("after the signature change: %q, want main.greet reverted (it is a helper of line now)", got)
		}
		checkLine(t, env.next(thread), "sig", 1)
		env.Disconnect()
	})
}

// TestLivePatchNewDeclarations saves a change that patches line to use
// what the save declares anew: a type with a method, a method added to the
// compiled Counter, a new constant, and a changed constant whose one
// compiled reader the save patches too; line also calls the compiled
// unexported method peek. Every call path sees the new code after
// continue.
func TestLivePatchNewDeclarations(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir := copyFixture(t, "livepatch")
		main := filepath.Join(dir, "main.go")
		b, err := os.ReadFile(main)
		if err != nil {
			t.Fatal(err)
		}
		orig := string(b)
		thread := env.startLive(dir)
		edited := orig
		for _, r := range [][2]string{
			{"d := mv()", "mv()"},
			{`return fmt.Sprintf("%s %d %d %d", title(), a, b, d)`, `return fmt.Sprintf("%s %d %d %d", c.label(), a, b, c.peek())`},
			{`const word = "hello"`, `const word = "fresh"`},
			{`func wordOf() string { return word }`, `func wordOf() string { return word + suffix }`},
		} {
			if !strings.Contains(edited, r[0]) {
				t.Fatalf("fixture has no %q", r[0])
			}
			edited = strings.Replace(edited, r[0], r[1], 1)
		}
		edited += `
const suffix = ""

type tag struct{ s string }

func (t tag) String() string { return t.s + " x" }

func (c *Counter) label() string { return tag{wordOf()}.String() }
`
		if err := os.WriteFile(main, []byte(edited), 0o644); err != nil {
			t.Fatal(err)
		}
		got := env.waitConsole("patched main.line")
		for _, want := range []string{"patched main.wordOf", "added method (*Counter).label for patched code"} {
			if !strings.Contains(got, want) {
				t.Errorf("save reported %q, want it to include %q", got, want)
			}
		}
		checkLine(t, env.next(thread), "fresh", 1)
		env.Disconnect()
	})
}

// TestLivePatchRunning saves a change while the program runs: it applies
// through the agent's socket, and the program's state is kept.
func TestLivePatchRunning(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir, main, orig := liveFixture(t)
		out := &output{}
		env.Client.OnEvent(func(e dap.EventMessage) {
			if o, ok := e.(*dap.OutputEvent); ok && o.Body.Category != "stdout" {
				out.mu.Lock()
				out.buf.WriteString(o.Body.Output)
				out.mu.Unlock()
			}
		})
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("console:\n%s", out.String())
			}
		})
		env.Initialize()
		env.Launch(map[string]any{"mode": "debug", "program": ".", "dlvCwd": dir, "outputMode": "remote"})
		pid := env.WaitEvent("process").(*dap.ProcessEvent).Body.SystemProcessId
		env.WaitEvent("initialized")
		env.Call(&dap.ConfigurationDoneRequest{Request: dap.Request{Command: "configurationDone"}})
		before := env.waitConsole("hello x")
		checkSocketPrivate(t, pid)
		edited := strings.Replace(string(orig), "c.n++", "c.n += 10", 1)
		edited = strings.Replace(edited, `"hello "`, `"howdy "`, 1)
		if err := os.WriteFile(main, []byte(edited), 0o644); err != nil {
			t.Fatal(err)
		}
		env.waitConsole("patched main.(*Counter).Inc")
		after := env.waitConsole("howdy x")
		checkLine(t, after, "howdy", 10)
		checkLine(t, before, "hello", 1)
		b, _ := strconv.Atoi(report(before)[2])
		a, _ := strconv.Atoi(report(after)[2])
		if a <= b {
			t.Errorf("count went from %d to %d: state lost", b, a)
		}
		env.Disconnect()
	})
}

// TestLivePatchRefused saves each kind of edit that needs a restart,
// together with an applicable body change, and checks that the reason is
// reported and nothing of the save is applied; then a changed constant
// that an unchanged function of the file reads, which goes live with that
// function patched as it is.
func TestLivePatchRefused(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir := copyFixture(t, "livepatch")
		main := filepath.Join(dir, "main.go")
		b, err := os.ReadFile(main)
		if err != nil {
			t.Fatal(err)
		}
		orig := string(b)
		thread := env.startLive(dir)
		for _, tc := range []struct{ name, from, to, want string }{
			{"field retyped", "\tn int\n", "\tn int64\n", "type of field n of Counter changed: restart to apply"},
			// A caller whose call still fits a new signature is patched with
			// it (internal/change's TestPlanCallerFitsNewSignature); one
			// whose call does not waits for its own edit.
			{"signature its caller does not fit", "func greet(name string) string {", "func greet(name string, n int) string {", "not enough arguments in call to greet"},
			{"constant read outside functions", "const step = 1", "const step = 2", "constant step changed and a declaration outside any function uses it: restart to apply"},
			{"variable type", "var start = 0", "var start int64 = 0", "type of variable start changed (int to int64): restart to apply"},
			{"new variable of a new type", "var ready bool", "var ready bool\n\ntype box struct{}\n\nvar extra = box{}", "new variable extra has type box, which this change declares: restart to apply"},
			{"init", "ready = step > start", "ready = step >= start", "init function changed: restart to apply"},
			{"generic constraint", "func first[T any]", "func first[T comparable]", "signature of generic function first changed: restart to apply"},
			{"new method needed through an interface", "func report(", "func (c *Counter) String() string { return \"c\" }\n\nfunc report(",
				"new method String makes Counter satisfy fmt.Stringer, which compiled code may use through that interface: restart to apply"},
			{"unused import", "\t\"os\"\n", "\t\"os\"\n\t\"errors\"\n", `"errors" imported and not used`},
			{"type changed", "type Incer interface{ Inc() int }", "type Incer interface{ Inc() int; Dec() }",
				"interface Incer gains method Dec, which compiled type main.Counter lacks, though it implements Incer as built (compiled code may convert it to Incer): restart to apply"},
		} {
			// One session for all rows: env fails the parent test.
			if !strings.Contains(orig, tc.from) {
				t.Fatalf("%s: fixture has no %q", tc.name, tc.from)
			}
			edited := strings.Replace(strings.Replace(orig, tc.from, tc.to, 1), `"hello "`, `"howdy "`, 1)
			if err := os.WriteFile(main, []byte(edited), 0o644); err != nil {
				t.Fatal(err)
			}
			got := env.waitConsole(tc.want)
			if !regexp.MustCompile(`(?m)^main\.go:\d+:\d+: `).MatchString(got) || !strings.Contains(got, "nothing of this save was applied") {
				t.Errorf("%s: refusal %q is not file:line:col: reason, then nothing applied", tc.name, got)
			}
			checkLine(t, env.next(thread), "hello", 1)
		}
		// A file of the package that build constraints leave out.
		other := filepath.Join(dir, "other_windows.go")
		if err := os.WriteFile(other, []byte("package main\n\nfunc windowsOnly() int { return 2 }\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		env.waitConsole("other_windows.go: not part of this build (its build constraints leave it out): nothing applied")
		checkLine(t, env.next(thread), "hello", 1)
		// A constant that a compiled function of the file, unchanged,
		// reads: that function is patched as it is, as a rebuild compiles
		// it anew.
		edited := strings.Replace(strings.Replace(orig, `const word = "hello"`, `const word = "hi"`, 1), `"hello "`, `"howdy "`, 1)
		if err := os.WriteFile(main, []byte(edited), 0o644); err != nil {
			t.Fatal(err)
		}
		got := env.waitConsole("patched main.wordOf")
		if want := "main.go:103:1: wordOf is patched as it is: it uses what the change changes (constant word changed), as a rebuild would compile it anew"; !strings.Contains(got, want) {
			t.Errorf("constant read by compiled code: %q, want %q", got, want)
		}
		checkLine(t, env.next(thread), "howdy", 1)
		env.Disconnect()
	})
}

// TestLivePatchLoad patches and reverts a function 1,000 times while 8
// goroutines call it: every call returns the old or the new result and the
// program keeps running.
func TestLivePatchLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("2,000 patch operations: skipped in -short mode")
	}
	RunLive(t, func(t *testing.T, env *Env) {
		dir := copyFixture(t, "livepatch")
		bad := make(chan string, 1)
		env.Client.OnEvent(func(e dap.EventMessage) {
			if o, ok := e.(*dap.OutputEvent); ok && strings.Contains(o.Body.Output, "BAD") {
				select {
				case bad <- o.Body.Output:
				default:
				}
			}
		})
		env.Initialize()
		env.Launch(map[string]any{"mode": "debug", "program": ".", "dlvCwd": dir, "outputMode": "remote", "args": []string{"load"}})
		env.WaitEvent("initialized")
		env.Call(&dap.ConfigurationDoneRequest{Request: dap.Request{Command: "configurationDone"}})
		env.waitConsole("calls ")
		for i := 0; i < 1000; i++ {
			env.mustEval(0, "func value() int { return 2 }", "patched main.value (main.go:"+strconv.Itoa(lineOf(t, filepath.Join(dir, "main.go"), "func value()"))+")")
			env.mustEval(0, ":revert all", "reverted main.value")
			if t.Failed() {
				break
			}
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

// checkSocketPrivate checks that the agent of process pid listens on a
// socket of mode 0600 in a directory of mode 0700, as its initial
// environment names it.
func checkSocketPrivate(t *testing.T, pid int) {
	t.Helper()
	env, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		t.Skipf("cannot read the target's environment: %v", err)
	}
	sock := ""
	for _, kv := range strings.Split(string(env), "\x00") {
		if v, ok := strings.CutPrefix(kv, "LIVEPATCH_AGENT_SOCKET="); ok {
			sock = v
		}
	}
	if sock == "" {
		t.Fatalf("the target was started without LIVEPATCH_AGENT_SOCKET")
	}
	for path, want := range map[string]os.FileMode{sock: 0o600, filepath.Dir(sock): 0o700} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Errorf("agent socket: %v", err)
			continue
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s: mode %o, want %o", path, fi.Mode().Perm(), want)
		}
	}
}

// TestLivePatchStep steps in on a line that calls a patched method with
// the native tier off: the step goes over the call, to the next line of
// the same function, instead of into reflect and the interpreter, and the
// console says why.
func TestLivePatchStep(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir := copyFixture(t, "livepatch")
		main := filepath.Join(dir, "main.go")
		env.Initialize()
		env.Launch(map[string]any{"mode": "debug", "program": ".", "dlvCwd": dir, "outputMode": "remote"})
		env.WaitEvent("initialized")
		env.SetBreakpoints(main, lineOf(t, main, "a := c.Inc()"))
		env.Call(&dap.ConfigurationDoneRequest{Request: dap.Request{Command: "configurationDone"}})
		thread := env.WaitStopped("breakpoint").Body.ThreadId
		frame := env.TopFrame(thread).Id
		env.mustEval(frame, `func (c *Counter) Inc() int { c.n += 5; return c.n }`, "patched main.(*Counter).Inc (main.go:"+strconv.Itoa(lineOf(t, main, "func (c *Counter) Inc()"))+")")
		env.Call(&dap.StepInRequest{Request: dap.Request{Command: "stepIn"}, Arguments: dap.StepInArguments{ThreadId: thread}})
		st := env.WaitStopped("step")
		f := env.TopFrame(st.Body.ThreadId)
		if want := lineOf(t, main, "b := i.Inc()"); f.Name != "main.line" || f.Line != want {
			t.Errorf("after stepIn: in %s at line %d, want main.line at line %d", f.Name, f.Line, want)
		}
		if got := env.Evaluate(f.Id, "a", "repl"); got != "5" {
			t.Errorf("a = %s after the patched call, want 5", got)
		}
		env.waitConsole("livepatch: step over main.(*Counter).Inc: it runs interpreted, where the debugger cannot stop (the native tier is off)")
		env.Disconnect()
	})
}

// TestLivePatchAfterKill saves a change after the program was killed while
// paused: the client hears of the end at once, and the save says that the
// program is gone rather than blaming the build.
func TestLivePatchAfterKill(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir, main, orig := liveFixture(t)
		env.startLive(dir)
		pid := env.WaitEvent("process").(*dap.ProcessEvent).Body.SystemProcessId
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		env.WaitEvent("exited")
		env.WaitEvent("terminated")
		if err := os.WriteFile(main, []byte(strings.Replace(string(orig), "c.n++", "c.n += 10", 1)), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := env.waitConsole("nothing of this save was applied"); !strings.Contains(got, "the program was killed (signal 9)") {
			t.Errorf("save after the program was killed reported %q, want it to say the program was killed", got)
		}
	})
}
