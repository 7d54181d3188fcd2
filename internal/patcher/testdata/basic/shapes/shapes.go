// Package shapes exercises every kind of declaration the builder handles.
package shapes /* a comment */

import (
	"errors"
	"fmt"
	tm "time"
)

// Counter counts.
type Counter struct {
	n    int
	name string
	inner
	Public bool
}

type inner struct{ k int }

// Add adds n.
func (c *Counter) Add(n int) int {
	c.n += n
	return c.n
}

// Get has an unnamed receiver in Peek; this one is named.
func (c Counter) Get() int { return c.n }

func (Counter) Peek() string { return "peek" }

func (_ *Counter) Blank(_ int, x string) string { return x }

// Shadow has a parameter named like a package.
func (c *Counter) Shadow(tm tm.Duration) string {
	return fmt.Sprint(int64(tm))
}

// Sum is variadic.
func Sum(xs ...int) int {
	t := 0
	for _, x := range xs {
		t += x
	}
	return t
}

// Pair has unnamed parameters.
func Pair(int, string) (string, error) {
	return "pair", errors.New("pair error")
}

// Named has named results and a blank parameter.
func Named(a, _ int) (res int, err error) {
	res = a * 2
	return
}

// Generic is a generic function: patchable, its prologue keyed by the
// generic function for every instantiation.
func Generic[T any](x T) T { return x }

// Box is a generic type.
type Box[T any] struct{ V T }

// Get is a method of a generic type.
func (b Box[T]) Get() T { return b.V }

// Size is a method of a generic type whose type parameter is blank: its
// prologue could not name it.
func (b Box[_]) Size() int { return 1 }

// Fast cannot carry a prologue.
//
//go:nosplit
func Fast() int { return 1 }

// MayPanic recovers.
func MayPanic() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("recovered %v", r)
		}
	}()
	panic("boom")
}

// Apply takes a function.
func Apply(f func(int) int, x int) int { return f(x) }

func Oneline(x int) int { return x + 1 }

func init() {
	Global++
}

const (
	Big         = 1 << 62
	Pi2         = 6.28
	Neg         = -3
	Word        = "word"
	typed int64 = 5
	huge        = 1 << 70
)

// Global is a variable.
var Global = 5

var _ = Big

// Clash declares a local that the prologue would clash with.
func Clash() int {
	lpT := 1
	return lpT
}
