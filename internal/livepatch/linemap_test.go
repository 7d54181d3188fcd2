package livepatch

import "testing"

func TestLineMap(t *testing.T) {
	compiled := "a\nb\nc\nd\ne\n"
	current := "a\n// 1\n// 2\nb\nC\nd\ne\nf\n"
	m := newLineMap([]byte(compiled), []byte(current))
	for _, c := range []struct{ compiled, current int }{{1, 1}, {2, 4}, {3, 0}, {4, 6}, {5, 7}} {
		if got := m.current(c.compiled); got != c.current {
			t.Errorf("current(%d) = %d, want %d", c.compiled, got, c.current)
		}
	}
	for _, c := range []struct{ current, compiled int }{{1, 1}, {2, 0}, {4, 2}, {5, 0}, {6, 4}, {8, 0}, {9, 0}} {
		if got := m.compiled(c.current); got != c.compiled {
			t.Errorf("compiled(%d) = %d, want %d", c.current, got, c.compiled)
		}
	}
}
