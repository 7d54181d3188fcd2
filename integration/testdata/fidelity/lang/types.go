package lang

import "fmt"

// Kind is a typed constant set.
type Kind int

// Kinds.
const (
	KindA Kind = iota
	KindB
)

const greeting = "hello"

// String names a Kind.
func (k Kind) String() string {
	switch k {
	case KindA:
		return "A"
	case KindB:
		return "B"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Base has an unexported field and methods.
type Base struct {
	name string
	hits int
}

// Hit counts a hit.
func (b *Base) Hit() int { b.hits++; return b.hits }

// Name returns the name.
func (b Base) Name() string { return b.name }

// Derived embeds Base.
type Derived struct {
	Base
	Extra string
}

// NewDerived builds a Derived with unexported fields set in literals.
func NewDerived(name string) *Derived {
	return &Derived{Base: Base{name: name}, Extra: greeting}
}

// HitTwice calls a promoted method through a method value.
func HitTwice(d *Derived) int {
	f := d.Hit
	f()
	return f()
}

// Describe uses a Stringer through fmt.
func Describe(k Kind) string { return fmt.Sprintf("%v/%s", k, k) }

// Greeting reads an untyped constant.
func Greeting(name string) string {
	if name == "" {
		return greeting
	}
	return greeting + ", " + name
}
