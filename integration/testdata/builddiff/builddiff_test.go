package builddiff

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestTwice(t *testing.T) {
	if got := Twice(2); got != 4 {
		t.Errorf("Twice(2) = %d, want 4", got)
	}
}

// TestOptimized fails in a binary built without optimizations (-N), as a
// test that counts allocations or times its code may.
func TestOptimized(t *testing.T) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		t.Skip("no build information in the test binary")
	}
	for _, s := range bi.Settings {
		if s.Key == "-gcflags" && strings.Contains(s.Value, "-N") {
			t.Fatalf("built without optimizations: %s", s.Value)
		}
	}
}
