// Package deep holds a recursion whose compiled stack fits the limit its
// test sets and whose interpreted stack does not, for the test of
// `livepatch test --repatch`'s handling of a test binary that dies of a
// fatal error of the runtime (a stack overflow) in one test.
package deep

// Depth recurses n calls deep and returns n.
func Depth(n int) int {
	if n == 0 {
		return 0
	}
	return Depth(n-1) + 1
}

// Half halves x.
func Half(x int) int { return x / 2 }
