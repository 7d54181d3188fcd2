package terminal_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/livepatch/livepatch/internal/terminal"
)

// TestMultiLineInput types Go that spans lines through a pipe: the
// continuation prompt appears, and the lines go to the server as one
// evaluate. Commands, and Go that is complete, take one line.
func TestMultiLineInput(t *testing.T) {
	e := counter(t, 3)
	e.do("b main.go:15", "Breakpoint 1")
	e.do("c", "total:1)")
	for _, l := range []string{"c.n +", "", "  40 +"} {
		if _, err := fmt.Fprintln(e.in, l); err != nil {
			t.Fatal(err)
		}
	}
	out := e.do("2", "42\n")
	if got := strings.Count(out, terminal.ContinuationPrompt); got != 3 {
		t.Errorf("output %q has %d continuation prompts, want 3", out, got)
	}
	// A command whose argument looks open is still a command.
	out = e.do("print c.n +", "error: ")
	if strings.Contains(out, terminal.ContinuationPrompt) {
		t.Errorf("print with an open argument read a continuation line: %q", out)
	}
	out = e.do("c.n + 1", "1\n")
	if strings.Contains(out, terminal.ContinuationPrompt) {
		t.Errorf("a complete input read a continuation line: %q", out)
	}
	e.exit()
}

// TestMultiLineEndOfInput ends the input at a continuation line: the
// unfinished input is dropped and the session ends as at a prompt.
func TestMultiLineEndOfInput(t *testing.T) {
	e := counter(t, 3)
	if _, err := fmt.Fprintln(e.in, "c.n +"); err != nil {
		t.Fatal(err)
	}
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
	if out, _ := e.out.Since(0); !strings.Contains(out, terminal.ContinuationPrompt+"\n") || strings.Contains(out, "error") {
		t.Errorf("output %q, want a continuation prompt ended by the end of input, and no error", out)
	}
}
