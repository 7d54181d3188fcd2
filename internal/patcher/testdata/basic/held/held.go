// Package held is the fixture of a test binary held for its patches: its
// external test package has an init, which runs after this package's, and
// its own TestMain.
package held

// Half halves x.
func Half(x int) int { return x / 2 }
