package livepatch

import "testing"

// TestLineDiff checks the diff of the :diff command.
func TestLineDiff(t *testing.T) {
	got := lineDiff("a\nb\nc", "a\nx\nc")
	if want := " a\n-b\n+x\n c"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
