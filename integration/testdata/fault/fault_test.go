package fault

import "testing"

func TestFirstInc(t *testing.T) {
	if got := FirstInc(); got != 1 {
		t.Errorf("FirstInc() = %d, want 1", got)
	}
}

func TestTwice(t *testing.T) {
	if got := Twice(21); got != 42 {
		t.Errorf("Twice(21) = %d, want 42", got)
	}
}
