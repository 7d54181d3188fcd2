package agent

import "github.com/livepatch/livepatch/target/agent/stdgeneric"

// GenericStdPackage is the interpreted package holding the agent's
// implementations of the standard library's generic functions (package
// stdgeneric).
const GenericStdPackage = stdgeneric.Package

// GenericStdName returns the name of the interpreted implementation of
// function name of standard package path, in package lp_std (see
// stdgeneric.Name).
func GenericStdName(path, name string) string { return stdgeneric.Name(path, name) }

// GenericStd reports whether the agent has an interpreted implementation
// of generic function name of standard package path, and returns the
// qualified names to call it by with and without type arguments (see
// stdgeneric.Lookup). The host's rewriter calls it.
func GenericStd(path, name string) (explicit, inferred string, ok bool) {
	return stdgeneric.Lookup(path, name)
}
