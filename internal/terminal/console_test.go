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
