package livepatch

import (
	"slices"
	"testing"
)

// TestLineOfPos checks the reading of the agent's table of lines: a
// position in the second of two files of one source (yaegi adds a short
// one first), its line counted from the line starts, plus the offset.
func TestLineOfPos(t *testing.T) {
	table := []int64{
		100, 50, 10, 1, 0, // a file of one line, read for its first token
		151, 50, 10, 3, 0, 12, 30, // the source: lines at offsets 0, 12, 30
	}
	for _, c := range []struct {
		pos  int64
		want int
	}{{151, 11}, {162, 11}, {163, 12}, {181, 13}, {201, 13}, {300, 0}, {120, 11}} {
		if got := lineOfPos(table, c.pos); got != c.want {
			t.Errorf("lineOfPos(%d) = %d, want %d", c.pos, got, c.want)
		}
	}
	if got := lineOfPos([]int64{1, 2, 3, 99}, 1); got != 0 {
		t.Errorf("lineOfPos of a cut record = %d, want 0", got)
	}
}

// TestHideStdOnTop checks that the standard library's frames on top of
// the machinery's are hidden, and that a user's frame stops it.
func TestHideStdOnTop(t *testing.T) {
	for _, c := range []struct {
		names []string
		want  []bool
	}{
		{[]string{"runtime.mallocgc", "sync.(*Map).Load", yaegiPath + "interp.runCfg", "main.f"}, []bool{true, true, true, false}},
		{[]string{"main.g", yaegiPath + "interp.runCfg", "main.f"}, []bool{false, true, false}},
		{[]string{"runtime.gopark", "time.Sleep", "main.main"}, []bool{false, false, false}},
		{[]string{"runtime.mallocgc", "example.com/lib.F", yaegiPath + "interp.runCfg"}, []bool{false, false, true}},
	} {
		hidden := hideMachinery(c.names, glueFunc)
		hideStdOnTop(c.names, hidden)
		if !slices.Equal(hidden, c.want) {
			t.Errorf("%v: hidden %v, want %v", c.names, hidden, c.want)
		}
	}
}
