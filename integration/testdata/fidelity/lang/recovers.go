package lang

import "fmt"

// guard recovers a panic in a method that a defer names.
type guard struct{ caught string }

func (g *guard) catch() {
	if r := recover(); r != nil {
		g.caught = fmt.Sprint(r)
	}
}

// CatchByMethod defers a method that calls recover: the interpreter
// recovers the panic itself before it runs a deferred call, so the
// method's recover would see none. It stays compiled.
func CatchByMethod() string {
	g := &guard{}
	func() {
		defer g.catch()
		panic("boom")
	}()
	return g.caught
}

// wrappedError wraps the error a function recovers, as expr-lang/expr's
// file.Error does.
type wrappedError struct {
	msg string
	err error
}

func (w *wrappedError) Error() string { return w.msg }
func (w *wrappedError) Unwrap() error { return w.err }

// RecoverAs panics with e in its own body and returns the error its
// deferred literal makes of the recovered value: an error is wrapped,
// anything else only printed (expr-lang/expr's (*VM).Run). yaegi's
// recover gives an interpreted panic's value in a reflect.Value, which is
// no error.
func RecoverAs(v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			w := &wrappedError{msg: fmt.Sprintf("recovered %v", r)}
			if e, ok := r.(error); ok {
				w.err = e
			}
			err = w
		}
	}()
	panic(v)
}
