// Package slow holds a test that takes an instant compiled and seconds
// interpreted, for the test of `livepatch test --repatch`'s handling of a
// test that only runs out of time because interpreted code is slower.
package slow

// Spin does n steps of arithmetic.
func Spin(n int) int {
	s := 0
	for i := 0; i < n; i++ {
		s += i % 7
	}
	return s
}

// Half halves x.
func Half(x int) int { return x / 2 }
