package integration

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-dap"
)

// TestInterpreterFaultSurvived saves an edit whose greet trips the
// interpreter at run time (a method value of a pointer taken with &s[0])
// and whose line, which calls it, recovers panics, as a server does. The
// program stops at the fault as at an unrecovered panic, with the fault's
// message; the console names the function, its place in the saved file and
// says it is a limitation of livepatch; continued, the program goes on,
// and greet runs compiled from then on (issue 17).
func TestInterpreterFaultSurvived(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir, main, orig := liveFixture(t)
		env.runLive(dir)
		edited := strings.Replace(string(orig), `	return "hello " + name
}`, `	s := []Counter{{}}
	p := &s[0]
	mv := p.Inc
	return "bye " + name + fmt.Sprint(mv())
}`, 1)
		edited = strings.Replace(edited, `	return fmt.Sprintf("%s %d %d %d", title(), a, b, d)`, `	defer func() {
		if r := recover(); r != nil {
			fmt.Println("recovered")
		}
	}()
	return fmt.Sprintf("after: %s %d %d %d", title(), a, b, d)`, 1)
		st := env.saveFault(main, orig, edited)
		env.Call(&dap.ContinueRequest{Request: dap.Request{Command: "continue"}, Arguments: dap.ContinueArguments{ThreadId: st.Body.ThreadId}})
		env.waitOutput("stdout", "after: hello x")
		env.Disconnect()
	})
}

// TestInterpreterFaultInGoroutine saves an edit whose greet starts a
// goroutine that trips the interpreter (the fault of
// TestInterpreterFaultSurvived, with an argument). A goroutine has no
// caller to recover the fault: the program stops at it as at an
// unrecovered panic, the console names the function, and, continued, the
// program goes on with greet compiled again; the goroutine alone ended.
func TestInterpreterFaultInGoroutine(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir, main, orig := liveFixture(t)
		env.runLive(dir)
		edited := strings.Replace(string(orig), `	return "hello " + name
}`, `	go func(who string) {
		s := []Counter{{}}
		p := &s[0]
		mv := p.Inc
		fmt.Println("goroutine", who, mv())
	}(name)
	return "bye " + name
}`, 1)
		st := env.saveFault(main, orig, edited)
		env.Call(&dap.ContinueRequest{Request: dap.Request{Command: "continue"}, Arguments: dap.ContinueArguments{ThreadId: st.Body.ThreadId}})
		env.waitOutput("stdout", "hello x")
		env.Disconnect()
	})
}

// TestInterpreterFaultInGoroutineInLoop is TestInterpreterFaultInGoroutine
// with the go statement in a loop, whose iteration variable the goroutine
// reads: guarded as well, the program stops at the fault instead of
// exiting, and goes on with greet compiled again.
func TestInterpreterFaultInGoroutineInLoop(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir, main, orig := liveFixture(t)
		env.runLive(dir)
		edited := strings.Replace(string(orig), `	return "hello " + name
}`, `	for i := range 1 {
		go func(who string) {
			s := []Counter{{}}
			p := &s[0]
			mv := p.Inc
			fmt.Println("goroutine", who, i, mv())
		}(name)
	}
	return "bye " + name
}`, 1)
		st := env.saveFault(main, orig, edited)
		env.Call(&dap.ContinueRequest{Request: dap.Request{Command: "continue"}, Arguments: dap.ContinueArguments{ThreadId: st.Body.ThreadId}})
		env.waitOutput("stdout", "hello x")
		env.Disconnect()
	})
}

// saveFault writes edited, an edit of the live fixture's main.go (orig)
// whose main.greet trips the interpreter, and waits for the stop at the
// fault and the console's report of it, which it checks.
func (e *Env) saveFault(main string, orig []byte, edited string) *dap.StoppedEvent {
	e.T.Helper()
	if edited == string(orig) {
		e.T.Fatal("the fixture changed: the edit does not apply")
	}
	if err := os.WriteFile(main, []byte(edited), 0o644); err != nil {
		e.T.Fatal(err)
	}
	st := e.WaitStopped("exception")
	if !strings.Contains(st.Body.Text, "interpreter fault in main.greet") {
		e.T.Errorf("exception stop text %q does not name the fault", st.Body.Text)
	}
	place := "main.go:" + strconv.Itoa(lineOf(e.T, main, "func greet(name string) string {"))
	got := e.waitConsole("func: main.greet")
	for _, want := range []string{place, "reflect", "limitation of livepatch", "not a bug in your code"} {
		if !strings.Contains(got, want) {
			e.T.Errorf("console report %q lacks %q", got, want)
		}
	}
	return st
}
