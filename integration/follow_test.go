package integration

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-dap"
	"github.com/livepatch/livepatch/internal/livepatch"
)

// waitBreakpointLine waits for a breakpoint event that puts a breakpoint
// at line.
func (e *Env) waitBreakpointLine(line int) dap.Breakpoint {
	e.T.Helper()
	ev, err := e.Client.WaitEventFunc(e.Ctx, func(m dap.EventMessage) bool {
		b, ok := m.(*dap.BreakpointEvent)
		return ok && b.Body.Breakpoint.Line == line
	})
	if err != nil {
		e.T.Fatalf("waiting for a breakpoint event at line %d: %v", line, err)
	}
	return ev.(*dap.BreakpointEvent).Body.Breakpoint
}

// setSourceBreakpoints sets breakpoints at lines of file and returns the
// answer, verified or not.
func (e *Env) setSourceBreakpoints(file string, lines ...int) []dap.Breakpoint {
	e.T.Helper()
	bps := make([]dap.SourceBreakpoint, len(lines))
	for i, l := range lines {
		bps[i] = dap.SourceBreakpoint{Line: l}
	}
	return e.Call(&dap.SetBreakpointsRequest{
		Request:   dap.Request{Command: "setBreakpoints"},
		Arguments: dap.SetBreakpointsArguments{Source: dap.Source{Path: file}, Breakpoints: bps},
	}).(*dap.SetBreakpointsResponse).Body.Breakpoints
}

// continueToBreakpoint continues thread and returns the top frame of the
// next breakpoint stop.
func (e *Env) continueToBreakpoint(thread int) dap.StackFrame {
	e.T.Helper()
	e.Call(&dap.ContinueRequest{Request: dap.Request{Command: "continue"}, Arguments: dap.ContinueArguments{ThreadId: thread}})
	return e.TopFrame(e.WaitStopped("breakpoint").Body.ThreadId)
}

// TestFollowSavedLines saves edits that move the lines of an unchanged
// function: its breakpoint follows (a breakpoint event), stops at the
// line the editor shows, and the stack shows it; a breakpoint in a
// patched function, or in changed lines that are not live, is unverified
// with the reason; a restart starts from the saved file's lines.
func TestFollowSavedLines(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir, main, orig := liveFixture(t)
		thread := env.startLive(dir)
		report := lineOf(t, main, "// report here")

		// Three comment lines in greet, and Inc patched: report is three
		// lines lower.
		moved := strings.Replace(string(orig), "\treturn \"hello \" + name\n", "\t// one\n\t// two\n\t// three\n\treturn \"hello \" + name\n", 1)
		moved = strings.Replace(moved, "c.n++", "c.n += 2", 1)
		writeFile(t, main, moved)
		env.waitConsole("patched main.(*Counter).Inc")
		env.waitBreakpointLine(report + 3)
		top := env.continueToBreakpoint(thread)
		if top.Name != "main.report" || top.Line != report+3 {
			t.Fatalf("stopped at %s line %d, want main.report line %d", top.Name, top.Line, report+3)
		}
		checkLine(t, env.Evaluate(top.Id, "s", "repl"), "hello", 2)

		incLine := lineOf(t, main, "c.n += 2")
		bps := env.setSourceBreakpoints(main, report+3, incLine)
		if !bps[0].Verified || bps[0].Line != report+3 {
			t.Errorf("breakpoint at the moved line: %+v", bps[0])
		}
		if bps[1].Verified || !strings.Contains(bps[1].Message, "main.(*Counter).Inc runs patched") {
			t.Errorf("breakpoint in the patched Inc: %+v, want unverified, patched", bps[1])
		}

		// A log point below the edit says its saved line.
		sprintf := lineOf(t, main, "return fmt.Sprintf")
		env.Call(&dap.SetBreakpointsRequest{Request: dap.Request{Command: "setBreakpoints"},
			Arguments: dap.SetBreakpointsArguments{Source: dap.Source{Path: main}, Breakpoints: []dap.SourceBreakpoint{
				{Line: report + 3}, {Line: sprintf, LogMessage: "a={a}"}}}})
		env.Call(&dap.ContinueRequest{Request: dap.Request{Command: "continue"}, Arguments: dap.ContinueArguments{ThreadId: thread}})
		logged, err := env.Client.WaitEventFunc(env.Ctx, func(m dap.EventMessage) bool {
			o, ok := m.(*dap.OutputEvent)
			return ok && strings.Contains(o.Body.Output, "a=")
		})
		if err != nil {
			t.Fatalf("waiting for the log point: %v", err)
		}
		if o := logged.(*dap.OutputEvent); o.Body.Line != sprintf {
			t.Errorf("log point output at line %d, want %d", o.Body.Line, sprintf)
		}
		env.WaitStopped("breakpoint")

		// A line added above report that does not compile: the save is
		// refused, report's breakpoint moves one line down, and a
		// breakpoint at the new line says that it is not live.
		refused := strings.Replace(moved, "\tfmt.Println(s) // report here", "\t_ = nope\n\tfmt.Println(s) // report here", 1)
		writeFile(t, main, refused)
		env.waitConsole("nothing of this save was applied")
		env.waitBreakpointLine(report + 4)
		bps = env.setSourceBreakpoints(main, report+3, report+4)
		if bps[0].Verified || !strings.Contains(bps[0].Message, "main.go:"+strconv.Itoa(report+3)+": main.report changed since the build and its change is not live") {
			t.Errorf("breakpoint at a changed line that is not live: %+v", bps[0])
		}
		if !bps[1].Verified || bps[1].Line != report+4 {
			t.Errorf("breakpoint below the refused line: %+v", bps[1])
		}
		if top := env.continueToBreakpoint(thread); top.Line != report+4 {
			t.Errorf("stopped at line %d, want %d", top.Line, report+4)
		}

		// Back to the first save, then a restart: the new build has the
		// saved lines, and the client's breakpoints are set at them.
		writeFile(t, main, moved)
		env.waitBreakpointLine(report + 3)
		env.CallRaw("restart", nil)
		env.WaitEvent("initialized")
		env.SetBreakpoints(main, report+3)
		env.Call(&dap.ConfigurationDoneRequest{Request: dap.Request{Command: "configurationDone"}})
		top = env.TopFrame(env.WaitStopped("breakpoint").Body.ThreadId)
		if top.Line != report+3 {
			t.Errorf("after restart, stopped at line %d, want %d", top.Line, report+3)
		}
		checkLine(t, env.Evaluate(top.Id, "s", "repl"), "hello", 2)
		env.Disconnect()
	})
}

func writeFile(t *testing.T, file, text string) {
	t.Helper()
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestFollowUnreadSave sets a breakpoint at a line of a save that the
// watcher has not read yet (an editor sends its breakpoints as it saves):
// the line is the file's on disk, where a comment added above moved it.
func TestFollowUnreadSave(t *testing.T) {
	px := liveProxyWith(t, 10*time.Second, livepatch.Options{NoNative: true, Quiet: time.Hour})
	runLiveProxy(t, px, func(t *testing.T, env *Env) {
		dir, main, orig := liveFixture(t)
		thread := env.startLive(dir)
		report := lineOf(t, main, "// report here")
		writeFile(t, main, strings.Replace(string(orig), "func report(", "// one\n// two\n// three\nfunc report(", 1))
		bps := env.setSourceBreakpoints(main, report+3)
		if !bps[0].Verified || bps[0].Line != report+3 {
			t.Fatalf("breakpoint at the saved line: %+v, want verified at %d", bps[0], report+3)
		}
		if top := env.continueToBreakpoint(thread); top.Name != "main.report" {
			t.Errorf("stopped in %s, want main.report", top.Name)
		}
		env.Disconnect()
	})
}
