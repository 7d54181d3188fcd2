package terminal_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-delve/delve/service/debugger"

	"github.com/livepatch/livepatch/internal/terminal"
	"github.com/livepatch/livepatch/internal/testenv"
)

// counterBin is testdata/counter built once by TestMain, with
// optimizations off.
var counterBin string

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(runChild())
	}
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "terminal-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	counterBin = filepath.Join(dir, "counter")
	if out, err := testenv.BuildUnoptimized(context.Background(), "testdata/counter", counterBin); err != nil {
		fmt.Fprintf(os.Stderr, "build fixture: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// env drives terminal.Run through a pipe, as a script would.
type env struct {
	t         *testing.T
	ctx       context.Context
	in        *os.File        // the write end of Run's stdin
	out       *testenv.Output // Run's stdout and stderr
	mark      int             // where the next command's output starts
	interrupt chan struct{}
	done      chan error // Run's result
}

// start runs terminal.Run on a new Delve server with the given launch
// arguments and waits for the first prompt.
func start(t *testing.T, launch map[string]any) *env {
	t.Helper()
	ctx, cancel := context.WithTimeout(testenv.Context(t), time.Minute)
	t.Cleanup(cancel)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: ctx, in: w, out: testenv.NewOutput(), interrupt: make(chan struct{}, 1), done: make(chan error, 1)}
	conn := testenv.StartDelve(t, debugger.Config{Backend: "default"}).Conn
	logs := testenv.NewOutput()
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	go func() {
		defer r.Close()
		e.done <- terminal.Run(ctx, terminal.Config{
			Conn: conn, Launch: launch, Stdin: r, Stdout: e.out, Stderr: e.out,
			HistoryFile: "-", Interrupt: e.interrupt, Logger: logger,
		})
	}()
	t.Cleanup(func() {
		w.Close()
		select {
		case <-e.done:
		case <-ctx.Done():
			t.Error("Run did not return at the end of its input")
		}
		if t.Failed() {
			all, _ := e.out.Since(0)
			t.Logf("terminal output:\n%s", all)
			l, _ := logs.Since(0)
			t.Logf("DAP traffic:\n%s", l)
		}
	})
	e.wait("Type 'help' for list of commands.")
	return e
}

// counter launches the counter fixture counting to n (0: forever).
func counter(t *testing.T, n int) *env {
	return start(t, map[string]any{"mode": "exec", "program": counterBin, "args": []string{fmt.Sprint(n)}})
}

// wait waits until the output since the last command holds every string of
// want, in order, followed by a prompt, and returns that output.
func (e *env) wait(want ...string) string {
	e.t.Helper()
	for {
		text, changed := e.out.Since(e.mark)
		if testenv.ContainsInOrder(text, want) && strings.HasSuffix(text, terminal.Prompt) {
			e.mark += len(text)
			return text
		}
		select {
		case <-changed:
		case err := <-e.done:
			e.done <- err
			e.t.Fatalf("Run returned %v while waiting for %q; output:\n%s", err, want, text)
		case <-e.ctx.Done():
			e.t.Fatalf("timed out waiting for %q; output:\n%s", want, text)
		}
	}
}

// do types a command and waits as wait does.
func (e *env) do(cmd string, want ...string) string {
	e.t.Helper()
	if _, err := fmt.Fprintln(e.in, cmd); err != nil {
		e.t.Fatal(err)
	}
	return e.wait(want...)
}

// exit types exit and checks that Run returns nil.
func (e *env) exit() {
	e.t.Helper()
	if _, err := fmt.Fprintln(e.in, "exit"); err != nil {
		e.t.Fatal(err)
	}
	select {
	case err := <-e.done:
		e.done <- err
		if err != nil {
			e.t.Errorf("Run after exit: %v", err)
		}
	case <-e.ctx.Done():
		e.t.Fatal("Run did not return after exit")
	}
}

const src = "./testdata/counter/main.go"

func TestBreakContinuePrint(t *testing.T) {
	e := counter(t, 3)
	e.do("break main.go:15", "Breakpoint 1 set at "+src+":15")
	e.do("continue",
		"> main.(*Counter).Inc() "+src+":15 (hits goroutine(1):1 total:1)",
		"    14:\tfunc (c *Counter) Inc(by int) int {",
		"=>  15:\t\tc.n += by",
		"    16:\t\treturn c.n")
	e.do("print c.n", "0\n")
	e.do("c", "(hits goroutine(1):2 total:2)")
	e.do("p c.n", "1\n")
	e.do("args", "c = ", "by = 1\n")
	e.do("locals", "(no locals)")
	e.do("stack", "0  ", "main.(*Counter).Inc", "at "+src+":15", "1  ", "main.main", "at "+src+":26")
	if out := e.do("stack 0", "main.(*Counter).Inc"); strings.Contains(out, "main.main") {
		t.Errorf("stack 0 printed more than frame 0:\n%s", out)
	}
	e.do("frame 1", "> main.main() "+src+":26", "=>  26:\t\t\tx := c.Inc(1)")
	e.do("print i", "1\n")
	e.do("locals", "limit = 3", "c = ", "i = 1")
	e.do("down", "> main.(*Counter).Inc() "+src+":15")
	e.do("up", "> main.main() "+src+":26")
	e.do("bp", "Breakpoint 1 at "+src+":15 (2)")
	e.do("clear 1", "Breakpoint 1 cleared at "+src+":15")
	out := e.do("continue", "count 3\n", "Process ", " has exited with status 3\n")
	if !strings.Contains(out, "count 2\n") {
		t.Errorf("output of continue %q lacks the program's output", out)
	}
	e.do("continue", "error: Process ", " has exited with status 3")
	e.exit()
}

// TestCondition sets, lists, changes and clears a breakpoint's condition
// and hit condition, as dlv's condition command does.
func TestCondition(t *testing.T) {
	e := counter(t, 6)
	e.do("b main.go:15", "Breakpoint 1 set at "+src+":15")
	e.do("cond 1 c.n == 2")
	e.do("bp", "Breakpoint 1 at "+src+":15 (0)", "\tcond c.n == 2")
	e.do("c", "> main.(*Counter).Inc() "+src+":15")
	e.do("p c.n", "2\n")
	e.do("condition -hitcount 1 >= 2")
	e.do("bp", "\tcond c.n == 2", "\tcond -hitcount >= 2")
	e.do("cond -clear 1")
	if out := e.do("bp", "Breakpoint 1 at "); strings.Contains(out, "cond") {
		t.Errorf("a condition left after -clear:\n%s", out)
	}
	e.do("c", "> main.(*Counter).Inc() "+src+":15")
	e.do("p c.n", "3\n")
	e.do("cond 9 true", "error: no breakpoint 9")
	e.do("cond -hitcount 1 ~ 2", "error: usage: condition")
	e.exit()
}

func TestStepping(t *testing.T) {
	e := counter(t, 3)
	e.do("break 26", "error: no current file")
	e.do("b main.go:26", "Breakpoint 1 set at "+src+":26")
	e.do("c", "> main.main() "+src+":26 (hits goroutine(1):1 total:1)")
	e.do("step", "> main.(*Counter).Inc() "+src+":14", "=>  14:")
	e.do("n", "> main.(*Counter).Inc() "+src+":15")
	e.do("", "> main.(*Counter).Inc() "+src+":16")
	e.do("stepout", "> main.main() "+src+":26")
	e.do("next", "> main.main() "+src+":27")
	e.do("clearall", "Breakpoint 1 cleared")
	e.do("c", "exited with status 3")
	e.exit()
}

func TestEvaluateAndErrors(t *testing.T) {
	e := counter(t, 3)
	e.do("b main.(*Counter).Inc", "Breakpoint 1 set for main.(*Counter).Inc() at "+src+":14")
	e.do("c", "> main.(*Counter).Inc() "+src+":14 (hits goroutine(1):1 total:1)")
	e.do("c.n + 40", "40\n")
	e.do("nosuchvar * 2", "error: ", "nosuchvar")
	e.do("clear 99", "error: no breakpoint 99")
	e.do("break nosuch.go:3", "error: could not find file nosuch.go")
	e.do("b main.(*Counter).Inc:1", "Breakpoint 2 set for main.(*Counter).Inc:1 at "+src+":15")
	e.do("frame 99", "error: frame 99 does not exist")
	e.do("help", "Commands:", "break (b)", "Set a breakpoint.")
	e.do("help next", "next\n\tStep over")
	e.do("print", "error: usage: print")
	// After errors, the session goes on.
	e.do("p by", "1\n")
	e.exit()
}

func TestEmptyLineRepeatsCommand(t *testing.T) {
	e := counter(t, 3)
	e.do("b main.go:15", "Breakpoint 1")
	e.do("c", "total:1)")
	e.do("", "total:2)")
	e.do("", "total:3)")
	e.exit()
}

func TestRestart(t *testing.T) {
	e := counter(t, 2)
	e.do("c", "count 2\n", "has exited with status 3")
	e.do("b main.go:15", "Breakpoint 1 will be set at main.go:15 when the program restarts")
	e.do("restart", "Process restarted.")
	e.do("c", "(hits goroutine(1):1 total:1)")
	e.do("restart", "Process restarted.")
	e.do("c", "(hits goroutine(1):1 total:1)")
	e.exit()
}

func TestInterruptPauses(t *testing.T) {
	e := counter(t, 0)
	if _, err := fmt.Fprintln(e.in, "continue"); err != nil {
		t.Fatal(err)
	}
	e.interruptRunning()
	e.do("goroutines", "Goroutine 1 - ", "goroutines]")
	e.do("goroutine 1", "Switched from ", " to 1", "> ")
	out := e.do("stack", "main.main", "at "+src+":")
	// Select main.main's frame and look at its variables.
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, " in main.main") {
			n := strings.Fields(strings.TrimPrefix(l, "*"))[0]
			e.do("frame "+n, "> main.main() "+src)
			e.do("print c.n > 1", "true\n")
		}
	}
	e.exit()
}

// TestInterruptAfterGoroutineEnded pauses the program after a stop in a
// goroutine that has since ended: the pause shows where the program is,
// not an error about the ended goroutine.
func TestInterruptAfterGoroutineEnded(t *testing.T) {
	e := counter(t, 0)
	e.do("b main.go:41", "Breakpoint 1 set at ")
	e.do("c", "> main.init.0.func1() "+src+":41")
	e.do("clear 1", "Breakpoint 1 cleared")
	if _, err := fmt.Fprintln(e.in, "continue"); err != nil {
		t.Fatal(err)
	}
	e.interruptRunning()
	e.do("stack", "0  ")
	e.exit()
}

// interruptRunning waits for the counting program's output, presses
// Ctrl-C and checks that the pause shows where the program is.
func (e *env) interruptRunning() {
	e.t.Helper()
	for {
		text, changed := e.out.Since(e.mark)
		if strings.Contains(text, "count 2\n") {
			break
		}
		select {
		case <-changed:
		case <-e.ctx.Done():
			e.t.Fatalf("program output did not come; output:\n%s", text)
		}
	}
	e.interrupt <- struct{}{}
	text := e.wait("received SIGINT, stopping process")
	if strings.Contains(text, "error:") || !strings.Contains(text, "\n> ") {
		e.t.Errorf("the pause did not show where the program is:\n%s", text)
	}
}

func TestListAndLocations(t *testing.T) {
	e := counter(t, 3)
	e.do("list", "error: no current location")
	e.do("list main.main", "Showing "+src+":19", "    19:\tfunc main() {")
	e.do("list main.go:15", "Showing "+src+":15", "    15:\t\tc.n += by")
	e.do("b main.go:27", "Breakpoint 1 set at "+src+":27")
	e.do("c", "total:1)")
	e.do("ls", "Showing "+src+":27", "=>  27:\t\t\tfmt.Println(\"count\", x)")
	e.do("list 25", "Showing "+src+":25", "    25:\t\tfor", "=>  27:")
	e.do("list 14", "Showing "+src+":14", "    14:\tfunc", "    19:\tfunc main() {\n"+terminal.Prompt)
	e.do("p x", "1\n")
	e.exit()
}

func TestEndOfInputDisconnects(t *testing.T) {
	e := counter(t, 0)
	e.in.Close()
	select {
	case err := <-e.done:
		e.done <- err
		if err != nil {
			t.Errorf("Run at end of input: %v", err)
		}
	case <-e.ctx.Done():
		t.Fatal("Run did not return at end of input")
	}
}

// TestDebugMode launches from source, with Delve building the program.
func TestDebugMode(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the fixture with Delve: slow in -short mode")
	}
	dir, err := filepath.Abs("testdata/counter")
	if err != nil {
		t.Fatal(err)
	}
	// Delve builds in the working directory, inside this module; a
	// workspace holding the fixture's module lets it build the fixture.
	work := filepath.Join(t.TempDir(), "go.work")
	if err := os.WriteFile(work, []byte("go 1.26\n\nuse "+dir+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOWORK", work)
	e := start(t, map[string]any{"mode": "debug", "program": dir, "args": []string{"2"}, "output": filepath.Join(t.TempDir(), "counter")})
	e.do("break main.go:16", "Breakpoint 1 set at "+src+":16")
	e.do("continue", "> main.(*Counter).Inc() "+src+":16 (hits goroutine(1):1 total:1)")
	e.do("print c.n", "1\n")
	e.exit()
}
