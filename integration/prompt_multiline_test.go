package integration

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/livepatch/livepatch/internal/terminal"
)

// TestPromptTerminalMultiLine types Go that spans lines at the prompt of
// the terminal client, through a pipe as a script would: a function
// declared over three lines, then called; a call whose arguments go on over
// lines; and a block. Each continuation line gets the continuation prompt,
// and each input reaches the Go prompt whole.
func TestPromptTerminalMultiLine(t *testing.T) {
	ctx, w, out, done := startTerminal(t)
	tl := &termLog{t: t, ctx: ctx, w: w, out: out}
	// do types lines and waits for the output to hold want, in order, and
	// end with the main prompt; it returns that output.
	do := func(lines []string, want ...string) string {
		t.Helper()
		return tl.do(strings.Join(lines, "\n"), want...)
	}
	main := filepath.Join(fixture(t, "prompt"), "main.go")
	do([]string{fmt.Sprintf("break main.go:%d", lineOf(t, main, "// stop here"))}, "Breakpoint 1 set")
	do([]string{"continue"}, "main.work()")

	for _, tc := range []struct {
		lines []string
		want  string
	}{
		{[]string{"func twice(n int) int {", "\tm := n * 2", "\treturn m", "}"}, ""},
		{[]string{"twice(x) + 1"}, "7\n"},
		{[]string{"divmod(", "\ttwice(x) +", "\t\t8,", "\t5)"}, "2, 4\n"},
		{[]string{"for i := 0; i < 2; i++ {", "\tc.Inc()", "}"}, ""},
		{[]string{"c.n"}, "2\n"},
	} {
		got := do(tc.lines, tc.want)
		if n := strings.Count(got, terminal.ContinuationPrompt); n != len(tc.lines)-1 {
			t.Errorf("input %q: %d continuation prompts, want %d; output:\n%s", tc.lines, n, len(tc.lines)-1, got)
		}
		if strings.Contains(got, "error") {
			t.Errorf("input %q: output %q", tc.lines, got)
		}
	}
	do([]string{"continue"}, "after x=3 c.n=2", "exited")
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
