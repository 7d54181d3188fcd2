// Package fidelitygap holds a function that runs differently interpreted,
// whatever the interpreter: it asks the runtime which function is running
// it, and an interpreted function is not one the runtime knows (its
// frames are the interpreter's). The integration tests check that
// livepatch test reports its test as a regression.
package fidelitygap

import "runtime"

// Running returns the name of the function the runtime finds running it:
// Running itself, when compiled.
func Running() string {
	pc, _, _, ok := runtime.Caller(0)
	if !ok {
		return ""
	}
	return runtime.FuncForPC(pc).Name()
}
