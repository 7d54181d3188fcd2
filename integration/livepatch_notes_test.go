package integration

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-dap"
)

// notesEdits change the three functions of the livenotes fixture: the
// start-up function register, the running loop serve and line, called
// per tick.
var notesEdits = []string{
	`routes = append(routes, "/v1")`, `routes = append(routes, "/v2")`,
	"handle(n)\n", "handle(n + 1000)\n",
	`"tick %d routes %v"`, `"tock %d routes %v"`,
}

// checkNotes checks the report of the save of notesEdits: the three
// functions patched, a note for the running loop, one for the start-up
// function, none for line. running is how the note names the goroutine
// that runs serve.
func checkNotes(t *testing.T, notes, running string) {
	t.Helper()
	for _, want := range []string{
		"patched main.serve (main.go:", "patched main.register (main.go:", "patched main.line (main.go:",
		"note: main.serve is running now (" + running,
		"that call keeps its old body; the patch takes effect from its next call",
		"note: main.register ran at start-up and is not running now: the patch takes effect only if it is called again",
	} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes %q: want %q", notes, want)
		}
	}
	if strings.Count(notes, "note: ") != 2 {
		t.Errorf("notes %q: want only the notes of serve and register", notes)
	}
}

// TestLivePatchNotesRunning saves a change of a running loop, a start-up
// function and a function called per tick while the program runs: the
// console says that the loop's running call and the start-up function keep
// their old bodies (the agent reads the goroutine profile, which counts
// goroutines), and the program shows it.
func TestLivePatchNotesRunning(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir := copyFixture(t, "livenotes")
		env.Initialize()
		env.Launch(map[string]any{"mode": "debug", "program": ".", "dlvCwd": dir, "outputMode": "remote"})
		env.WaitEvent("initialized")
		env.Call(&dap.ConfigurationDoneRequest{Request: dap.Request{Command: "configurationDone"}})
		env.waitConsole("tick 1 routes [/v1]")
		editFile(t, dir, "main.go", notesEdits...)
		checkNotes(t, env.waitConsole("patched main.line"), "in 1 goroutine)")
		// line's next call is patched; serve's running call is not, and
		// register does not run again.
		out := env.waitConsole("tock ")
		var n int
		if _, err := fmt.Sscanf(out, "tock %d routes [/v1]", &n); err != nil || n >= 1000 {
			t.Errorf("after the save the program printed %q, want the old serve (n < 1000) and register (routes [/v1])", out)
		}
		env.Disconnect()
	})
}

// TestLivePatchNotesPaused saves the same change while the program is
// paused in the loop's goroutine: the notes come from the debugger's
// stacks, which name the goroutine, and the agent's record of what ran.
func TestLivePatchNotesPaused(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir := copyFixture(t, "livenotes")
		env.startLive(dir)
		editFile(t, dir, "main.go", notesEdits...)
		checkNotes(t, env.waitConsole("patched main.line"), "goroutine ")
		env.Disconnect()
	})
}

// TestLivePatchNotesAtEntry redefines a function at the prompt while the
// program is stopped on a breakpoint on that function, before its body
// runs: the stopped call dispatches to the patch, so the console says
// nothing of it running now, and the first line printed is the patch's.
func TestLivePatchNotesAtEntry(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir := copyFixture(t, "livenotes")
		env.Initialize()
		env.Launch(map[string]any{"mode": "debug", "program": ".", "dlvCwd": dir, "outputMode": "remote"})
		env.WaitEvent("initialized")
		env.Call(&dap.SetFunctionBreakpointsRequest{Request: dap.Request{Command: "setFunctionBreakpoints"},
			Arguments: dap.SetFunctionBreakpointsArguments{Breakpoints: []dap.FunctionBreakpoint{{Name: "main.line"}}}})
		env.Call(&dap.ConfigurationDoneRequest{Request: dap.Request{Command: "configurationDone"}})
		thread := env.WaitStopped("function breakpoint").Body.ThreadId
		env.Call(&dap.SetFunctionBreakpointsRequest{Request: dap.Request{Command: "setFunctionBreakpoints"},
			Arguments: dap.SetFunctionBreakpointsArguments{Breakpoints: []dap.FunctionBreakpoint{}}})
		env.mustEval(env.TopFrame(thread).Id, `func line(n int) string { return fmt.Sprintf("tock %d", n) }`,
			"patched main.line (main.go:"+strconv.Itoa(lineOf(t, filepath.Join(dir, "main.go"), "func line("))+")")
		var seen []string
		first := env.continueTo(thread, func(s string) bool {
			seen = append(seen, s)
			return strings.HasPrefix(s, "tick ") || strings.HasPrefix(s, "tock ")
		})
		if !strings.HasPrefix(first, "tock ") {
			t.Errorf("first line after the redefinition: %q, want the patch's (tock ...)", first)
		}
		for _, s := range seen {
			if strings.Contains(s, "running now") {
				t.Errorf("console said %q: the call stopped at its entry takes the patch", s)
			}
		}
		env.Disconnect()
	})
}
