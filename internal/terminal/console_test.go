package terminal

import (
	"strings"
	"testing"
)

func TestConsoleKeepsOutputOffThePrompt(t *testing.T) {
	var out strings.Builder
	c := &console{out: &out, errw: &out}
	c.program(&out, "partial")
	c.printf("message\n")
	c.showPrompt("(livepatch) ")
	c.program(&out, "late output")
	c.program(&out, "more\n")
	c.hidePrompt()
	c.errorf("bad %d", 1)
	want := "partial\nmessage\n(livepatch) \nlate output\n(livepatch) \nmore\n(livepatch) error: bad 1\n"
	if got := out.String(); got != want {
		t.Errorf("console wrote\n%q\nwant\n%q", got, want)
	}
}

// TestConsoleEndPrompt checks that a prompt displayed when the program
// ends leaves the screen: erased on liner's line, ended on a plain one.
func TestConsoleEndPrompt(t *testing.T) {
	for _, tc := range []struct {
		liner bool
		want  string
	}{{true, "\r\x1b[K"}, {false, "(livepatch) \n"}} {
		var out strings.Builder
		c := &console{out: &out, errw: &out, liner: tc.liner}
		c.showPrompt("(livepatch) ")
		c.endPrompt()
		c.endPrompt() // once only
		if got := out.String(); got != tc.want {
			t.Errorf("liner %v: console wrote %q, want %q", tc.liner, got, tc.want)
		}
	}
}
