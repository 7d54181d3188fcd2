package agent

import "reflect"

//go:generate go run ./internal/wrapgen -o wrap_typed.go

// Wrapper returns the wrap function of RegisterFunc for compiled functions
// of type t, a func type: it turns an interpreted function into a function
// of type t that calls it through reflect and re-panics with the original
// panic value (see Repanic).
//
// The generated code registers most functions with a typed wrapper
// instead (Func2_1, Variadic1_0, ... in wrap_typed.go, up to TypedParams
// parameters, the receiver included, and TypedResults results): it calls
// the interpreted function as a typed Go function, which saves the two
// reflect crossings of this one on every call. A typed wrapper falls back
// to Wrapper when the interpreted function's type is not exactly t.
//
// The interpreted function's parameters and results need only be
// assignable to t's (Apply checks that, see fits): reflect assigns the
// compiled caller's arguments in (Value.Call) and the results out
// (MakeFunc). That covers a named func type and the func type it stands
// for, both ways: the rewriter writes iter.Seq[int], which yaegi lacks, as
// func(yield func(int) bool), and the wrapped function still returns an
// iter.Seq[int] (wrap_test.go).
func Wrapper(t reflect.Type) func(reflect.Value) any {
	return func(fn reflect.Value) any {
		return reflect.MakeFunc(t, func(in []reflect.Value) []reflect.Value {
			defer Repanic()
			var out []reflect.Value
			if t.IsVariadic() && fn.Type().IsVariadic() {
				out = fn.CallSlice(in)
			} else {
				out = fn.Call(in)
			}
			for i := range out {
				if !out[i].IsValid() {
					out[i] = reflect.Zero(t.Out(i))
				}
			}
			return out
		}).Interface()
	}
}
