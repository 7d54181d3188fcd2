package agent

import (
	"testing"

	"github.com/livepatch/livepatch/target/agent/wire"
)

// TestRecoveredUnwrapsInterpretedPanic checks that lp_go.Recovered, which
// the rewriter wraps around patched code's recover calls, gives the value
// an interpreted panic was given, not yaegi's reflect.Value wrapper, so
// that the deferred function can assert it to its type; and that it gives
// a compiled panic's value and no panic's nil unchanged.
func TestRecoveredUnwrapsInterpretedPanic(t *testing.T) {
	resetPatches(t)
	mustApply(t, wire.Patch{Ref: wire.Ref{Key: testPkg + ".risky"}, Imports: []string{`"lp_go"`}, Source: `func risky(x int) int {
	got := -1
	func() {
		defer func() {
			r := lp_go.Recovered(recover())
			if e, ok := r.(*codeError); ok {
				got = e.Code
			} else if r == nil {
				got = -2
			}
		}()
		switch x {
		case 0:
			return
		case 1:
			explode()
		}
		panic(&codeError{Code: x})
	}()
	return got
}`})
	for x, want := range map[int]int{7: 7, 0: -2, 1: -1} {
		if got := risky(x); got != want {
			t.Errorf("risky(%d): got %d, want %d", x, got, want)
		}
	}
}
