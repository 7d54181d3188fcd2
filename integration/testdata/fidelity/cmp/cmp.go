// Package cmp is named like the standard library's cmp, as
// github.com/google/go-cmp/cmp is: yaegi, which has the standard cmp as
// source, took an import of it for the standard one. lang.Compared calls
// it.
package cmp

// Equal reports whether a and b are equal.
func Equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
