package deep

import (
	"runtime/debug"
	"testing"
)

// TestBefore runs before the test that overflows.
func TestBefore(t *testing.T) {
	if got := Half(8); got != 4 {
		t.Errorf("Half(8) = %d, want 4", got)
	}
}

// TestDeep's first subtest recurses 100,000 calls deep in a goroutine
// whose stack may grow to 64 MiB: compiled calls take tens of bytes of
// it, interpreted ones more than a kilobyte. Its second subtest runs
// after it.
func TestDeep(t *testing.T) {
	t.Run("recurse", func(t *testing.T) {
		old := debug.SetMaxStack(64 << 20)
		t.Logf("max stack was %d", old)
		defer debug.SetMaxStack(old)
		if got := Depth(100_000); got != 100_000 {
			t.Errorf("Depth = %d, want 100000", got)
		}
	})
	t.Run("after", func(t *testing.T) {
		if got := Half(6); got != 3 {
			t.Errorf("Half(6) = %d, want 3", got)
		}
	})
}

// TestAfter runs after the test that overflows.
func TestAfter(t *testing.T) {
	if got := Half(42); got != 21 {
		t.Errorf("Half(42) = %d, want 21", got)
	}
}
