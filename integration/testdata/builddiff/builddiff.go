// Package builddiff is the fixture of a test that fails in the patchable
// test binary whatever the patches (it checks that it is built with
// optimizations, and the patchable build has none): `livepatch test
// --repatch` reports it as a difference of the build, not as a
// regression.
package builddiff

// Twice doubles n.
func Twice(n int) int { return 2 * n }
