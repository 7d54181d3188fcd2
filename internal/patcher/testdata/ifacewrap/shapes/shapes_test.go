package shapes

import "testing"

type square struct{ side int }

func (s square) Area() int    { return s.side * s.side }
func (s square) Name() string { return "square" }

func TestDescribe(t *testing.T) {
	if got := Describe(square{2}); got != "square:4" {
		t.Errorf("Describe: got %q, want square:4", got)
	}
}
