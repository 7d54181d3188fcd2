// Package mathpkg is a fixture for launch mode test.
package mathpkg

// Add returns a+b.
func Add(a, b int) int {
	sum := a + b
	return sum
}
