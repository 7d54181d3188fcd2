package agent

import "reflect"

// Repanic restores a panic's original value after interpreted code panicked.
// yaegi panics with a reflect.Value holding the value given to panic; a
// compiled caller's recover must see the value itself. Generated wrappers use
// it as their first statement:
//
//	defer lp_agent.Repanic()
//
// It must be deferred directly (recover only works in the deferred call).
// Panics that are not reflect.Value wrappers, such as yaegi's runtime errors,
// are re-raised unchanged.
func Repanic() {
	if r := recover(); r != nil {
		panic(unwrapPanic(r))
	}
}

// Call calls fn, an interpreted function, with args and returns its results.
// A panic inside fn is re-raised with its original value, as with Repanic.
// Generated wrappers that work with reflect values can use it instead of a
// typed call.
func Call(fn reflect.Value, args []reflect.Value) []reflect.Value {
	defer Repanic()
	return fn.Call(args)
}

// unwrapPanic returns the value that interpreted code passed to panic.
func unwrapPanic(r any) any {
	if v, ok := r.(reflect.Value); ok && v.IsValid() && v.CanInterface() {
		return v.Interface()
	}
	return r
}
