package agent

import (
	"reflect"

	yaegi "github.com/traefik/yaegi/interp"
)

// Goroutines that patched code starts. A goroutine has no caller to hand
// a panic to: an interpreter fault in a goroutine an interpreted function
// started would end the program, unannounced, with the interpreter's own
// message. So the rewriter writes each go statement of a saved change,
// go f(x), as
//
//	{ lpGf := f; var lpGa0 T = x; go lp_go.Start(KEY, func() { lpGf(lpGa0) }) }
//
// (the function and its arguments evaluated where the go statement
// evaluates them), and Start runs the call under a recover that handles a
// fault as a call's fault is handled (the function KEY reverted to its
// compiled body, the fault reported, the debugger stopped at it) and then
// ends the goroutine quietly: the goroutine's work is lost, the program
// goes on. Any other panic goes on as it would in compiled code.
//
// The package has one more function, Recovered, which the rewriter calls
// on what patched code's recover returns, lp_go.Recovered(recover()):
// yaegi v0.16.1 panics with a reflect.Value holding the value given to an
// interpreted panic, and its recover gives that wrapper, so that
// r.(error) failed for an error the function had panicked with
// (expr-lang/expr's (*VM).Run lost the error it wraps). Recovered gives
// the value itself, as the agent does for a compiled caller (Repanic).
const (
	// GoPackage is the import path and name of the package in the
	// interpreter; GoStart and GoRecovered are its functions.
	GoPackage   = "lp_go"
	GoStart     = "Start"
	GoRecovered = "Recovered"
)

// goStart runs f, the goroutine a go statement of patched function key
// started.
func goStart(key string, f func()) {
	defer goRecover(key)
	f()
}

// goRecover ends the goroutine of patched function key quietly after an
// interpreter fault, which it handles; any other panic goes on.
func goRecover(key string) {
	r := recover()
	if r == nil {
		return
	}
	if _, wrapped := r.(reflect.Value); !wrapped {
		if _, _, _, viaCall, ok := interpreterPanicSite(panicStack()); ok && isFault(r, viaCall) {
			handleFault(r, displayKey(key))
			return
		}
	}
	panic(unwrapPanic(r))
}

// goExports returns the package for the interpreter.
func goExports() yaegi.Exports {
	return yaegi.Exports{GoPackage + "/" + GoPackage: {
		GoStart:     reflect.ValueOf(goStart),
		GoRecovered: reflect.ValueOf(unwrapPanic),
	}}
}
