package agent

import (
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"

	yaegi "github.com/traefik/yaegi/interp"
)

// The depth guard of functions declared at the prompt. A Go stack overflow
// is fatal, and a runaway recursion typed at the prompt would kill the
// program it inspects, so the host starts the body of every function and
// method an input declares with
//
//	lp_guard.Enter("r"); defer lp_guard.Leave("r");
//
// Enter panics with a *DepthError, which the input (or its caller) can
// recover like any panic, once more than MaxPromptDepth calls of that name
// are in progress. Saved patches are not guarded: their hot path stays
// as it was.
const (
	// GuardPackage is the import path and name of the guard's package in
	// the interpreter.
	GuardPackage = "lp_guard"
	// GuardEnter and GuardLeave are its functions.
	GuardEnter = "Enter"
	GuardLeave = "Leave"
)

// MaxPromptDepth bounds the calls of one prompt-declared function in
// progress at once. Measured with yaegi v0.16.1 under -N -l (the target's
// build): an interpreted call takes about 2 KB of Go stack, so 2000 levels
// take about 4 MB, far from Go's 1 GB limit; the bound is set by the panic
// instead, whose unwinding costs grow with the square of the depth (yaegi
// recovers and re-raises it in every frame): 0.06 s at 1000 levels, 0.2 s
// at 2000, 0.8 s at 4000.
const MaxPromptDepth = 2000

// depths counts the calls in progress, by name (*atomic.Int64). Calls on
// every goroutine count together: a function that runs on many
// goroutines at once gets the bound in total.
var depths sync.Map

// DepthError is the panic of a prompt-declared function called more than
// MaxPromptDepth levels deep.
type DepthError struct{ Func string }

func (e *DepthError) Error() string {
	return fmt.Sprintf("stack overflow: %s called itself more than %d levels deep (livepatch stops runaway recursion at the prompt)", e.Func, MaxPromptDepth)
}

func depthOf(name string) *atomic.Int64 {
	if d, ok := depths.Load(name); ok {
		return d.(*atomic.Int64)
	}
	d, _ := depths.LoadOrStore(name, new(atomic.Int64))
	return d.(*atomic.Int64)
}

// guardEnter counts a call of name and panics when too many are in
// progress.
func guardEnter(name string) {
	d := depthOf(name)
	if d.Add(1) > MaxPromptDepth {
		d.Add(-1)
		panic(&DepthError{Func: name})
	}
}

// guardLeave ends a call counted by guardEnter.
func guardLeave(name string) { depthOf(name).Add(-1) }

// guardExports returns the guard's package for the interpreter.
func guardExports() yaegi.Exports {
	return yaegi.Exports{GuardPackage + "/" + GuardPackage: {
		GuardEnter: reflect.ValueOf(guardEnter),
		GuardLeave: reflect.ValueOf(guardLeave),
	}}
}
