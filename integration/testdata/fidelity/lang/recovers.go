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
