package patcher

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-delve/delve/pkg/proc"
	"github.com/go-delve/delve/service/api"
	"github.com/go-delve/delve/service/debugger"

	"github.com/livepatch/livepatch/internal/testenv"
)

// TestBreakpointInInstrumentedFunction runs a patchable binary under Delve,
// stops at a breakpoint set by file:line inside instrumented functions, and
// checks that the debugger shows the user's files and lines.
func TestBreakpointInInstrumentedFunction(t *testing.T) {
	dir := fixture(t, "basic")
	res := patchable(t, "basic/", Options{Dir: dir})
	out, err := os.Create(filepath.Join(t.TempDir(), "stdout"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	d, err := debugger.New(&debugger.Config{
		WorkingDir: dir,
		Backend:    "native",
		Stdout:     proc.OutputRedirect{File: out},
		Stderr:     proc.OutputRedirect{File: out},
	}, []string{res.Output})
	if err != nil {
		t.Fatalf("debugger: %v", err)
	}
	t.Cleanup(func() { d.Detach(true) })

	mainGo := filepath.Join(dir, "main.go")
	shapesGo := filepath.Join(dir, "shapes", "shapes.go")
	greetLine := lineOf(t, mainGo, "// breakpoint line")
	addLine := lineOf(t, shapesGo, "c.n += n")
	var bps []*api.Breakpoint
	for _, loc := range []struct {
		file string
		line int
	}{{mainGo, greetLine}, {shapesGo, addLine}} {
		bp, err := d.CreateBreakpoint(&api.Breakpoint{File: loc.file, Line: loc.line}, "", nil, false)
		if err != nil {
			t.Fatalf("breakpoint at %s:%d: %v", loc.file, loc.line, err)
		}
		if len(bp.Addrs) != 1 {
			t.Errorf("breakpoint at %s:%d resolves to %d addresses, want 1", loc.file, loc.line, len(bp.Addrs))
		}
		bps = append(bps, bp)
	}

	cont := func() *api.DebuggerState {
		t.Helper()
		return command(t, d, api.Continue)
	}

	check := func(st *api.DebuggerState, file string, line int, fn, caller string) {
		t.Helper()
		if st.Exited || st.CurrentThread == nil {
			t.Fatalf("target exited (status %d) before reaching %s:%d", st.ExitStatus, file, line)
		}
		th := st.CurrentThread
		if th.File != file || th.Line != line {
			t.Errorf("stopped at %s:%d, want %s:%d", th.File, th.Line, file, line)
		}
		if th.Function == nil || th.Function.Name() != fn {
			t.Errorf("stopped in %v, want %s", th.Function, fn)
		}
		frames, err := d.Stacktrace(th.GoroutineID, 5, 0)
		if err != nil {
			t.Fatalf("stacktrace: %v", err)
		}
		if len(frames) < 2 {
			t.Fatalf("got %d frames, want at least 2", len(frames))
		}
		if f := frames[0].Call; f.File != file || f.Line != line {
			t.Errorf("frame 0 at %s:%d, want %s:%d", f.File, f.Line, file, line)
		}
		if f := frames[1].Call; f.Fn == nil || f.Fn.Name != caller || f.File != mainGo {
			t.Errorf("frame 1 is %v at %s:%d, want %s in %s", f.Fn, f.File, f.Line, caller, mainGo)
		}
		for _, f := range frames {
			if strings.Contains(f.Call.File, "livepatch/build") || strings.Contains(f.Call.File, generatedPrefix) {
				t.Errorf("stack shows a generated file: %s:%d", f.Call.File, f.Call.Line)
			}
		}
	}
	check(cont(), mainGo, greetLine, "main.greet", "main.main")
	check(cont(), shapesGo, addLine, "example.com/basic/shapes.(*Counter).Add", "main.main")

	// A function breakpoint stops on the line of the opening brace, where
	// the prologue is; next goes on to the body's first line.
	if _, err := d.ClearBreakpoint(bps[1]); err != nil {
		t.Fatal(err)
	}
	if _, err := d.CreateBreakpoint(&api.Breakpoint{FunctionName: "example.com/basic/shapes.Sum"}, "", nil, false); err != nil {
		t.Fatalf("breakpoint at shapes.Sum: %v", err)
	}
	sumLine := lineOf(t, shapesGo, "func Sum(")
	check(cont(), shapesGo, sumLine, "example.com/basic/shapes.Sum", "main.main")
	check(command(t, d, api.Next), shapesGo, sumLine+1, "example.com/basic/shapes.Sum", "main.main")
}

// command runs a Delve command that resumes the target and waits, until
// the test's deadline, for the target to stop; it halts the target when
// the deadline passes.
func command(t *testing.T, d *debugger.Debugger, name string) *api.DebuggerState {
	t.Helper()
	type result struct {
		st  *api.DebuggerState
		err error
	}
	done := make(chan result, 1)
	go func() {
		st, err := d.Command(&api.DebuggerCommand{Name: name}, nil, nil, nil)
		done <- result{st, err}
	}()
	timer := time.NewTimer(time.Until(testenv.Deadline(t)))
	defer timer.Stop()
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatalf("%s: %v", name, r.err)
		}
		return r.st
	case <-timer.C:
		d.Command(&api.DebuggerCommand{Name: api.Halt}, nil, nil, nil)
		t.Fatalf("%s did not stop in time", name)
		return nil
	}
}

// lineOf returns the 1-based line of file that contains marker.
func lineOf(t *testing.T, file, marker string) int {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(data), "\n") {
		if strings.Contains(l, marker) {
			return i + 1
		}
	}
	t.Fatalf("%s has no line containing %q", file, marker)
	return 0
}
