package slow

import "testing"

// TestSpin runs in milliseconds compiled and for seconds interpreted.
func TestSpin(t *testing.T) {
	if got := Spin(30_000_000); got != 89999995 {
		t.Errorf("Spin = %d, want 89999995", got)
	}
}

// TestHalf runs after TestSpin.
func TestHalf(t *testing.T) {
	if got := Half(42); got != 21 {
		t.Errorf("Half(42) = %d, want 21", got)
	}
}
