// Package sub is what the main package of the fixture calls.
package sub

import "fmt"

// Run describes a run of n.
func Run(n int) string { return fmt.Sprint("run ", n) }
