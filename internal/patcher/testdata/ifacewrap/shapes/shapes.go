// Package shapes declares the kinds of interfaces the builder writes
// wrappers for, and some it does not.
package shapes

import (
	"fmt"
	"io"

	"example.com/dep"
)

// Shape is a plain interface.
type Shape interface {
	Area() int
	Name() string
}

// Solid embeds Shape: its wrapper has the full method set.
type Solid interface {
	Shape
	Volume() (float64, error)
}

// visitor is unexported, with an unexported method that names an
// unexported type, is variadic and has three results.
type visitor interface {
	visit(n *node, path ...string) (int, bool, error)
}

// Walker is exported, with a method that names an unexported type.
type Walker interface {
	Walk(n *node)
}

// ReadShape embeds a standard library interface.
type ReadShape interface {
	io.Reader
	Shape
}

// Tagged is defined by another interface type.
type Tagged Walker

// Interfaces that get no wrapper: without methods, a constraint, generic.
type (
	Empty      interface{}
	Number     interface{ ~int | ~float64 }
	Box[T any] interface{ Get() T }
)

type node struct{ name string }

// Describe takes a Shape.
func Describe(s Shape) string { return fmt.Sprintf("%s:%d", s.Name(), s.Area()) }

// Greet uses a dependency's interface by name.
func Greet(g dep.Greeter) string { return g.Greet("x") }

// WalkNone calls a dependency function whose parameter is an interface
// the user's code does not name.
func WalkNone() error { return dep.Walk(nil) }

// Seal calls a dependency function taking interfaces it cannot implement.
func Seal() bool { return dep.Use(nil, nil) }
