// Package dep is a local module that the fixture vendors.
package dep

// Name names the dependency.
func Name() string { return "dep: vendored" }
