// Package lib is a workspace module.
package lib

// Say returns what lib says.
func Say(s string) string {
	return "lib says: " + s
}

// Twice doubles x.
func Twice(x int) int { return 2 * x }
