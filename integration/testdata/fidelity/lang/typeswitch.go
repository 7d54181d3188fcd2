package lang

import (
	"fmt"
	"io"
)

// Type switches and comma-ok assertions to interface types, of values of
// compiled types (go-cmp's cmpopts.EquateErrors asks `_, ok := x.(error)`
// of the values it compares; its reporter switches on `case error:` and
// `case fmt.Stringer:`). yaegi v0.16.1 matches an interface case of a type
// switch without a bound variable only to a value whose dynamic type is
// that interface type, which no value has, and a case error with one
// never; see internal/rewrite/workaround/typeswitch.go.

// AreErrors reports whether x and y are both errors, as
// cmpopts.areConcreteErrors does.
func AreErrors(x, y any) bool {
	_, ok1 := x.(error)
	_, ok2 := y.(error)
	return ok1 && ok2
}

// IfaceKind names what x is, in a type switch without a bound variable.
func IfaceKind(x any) string {
	switch x.(type) {
	case nil:
		return "nil"
	case int, string:
		return "basic"
	case error:
		return "error"
	case fmt.Stringer, io.Reader:
		return "stringer or reader"
	}
	return "other"
}

// DescribeByIface prints x by what it is, in a type switch with a bound variable.
func DescribeByIface(x any) string {
	out := ""
outer:
	for i := 0; i < 2; i++ {
		switch v := x.(type) {
		case error:
			out += "e" + v.Error()
			break outer
		case fmt.Stringer:
			if i == 0 {
				out += "s" + v.String()
				break
			}
			return out + "!"
		case int, bool:
			out += fmt.Sprintf("b%v", v)
		case nil:
			out += "nil"
		default:
			_ = v
			out += fmt.Sprintf("d%T", v)
		}
	}
	return out
}

// AnyKind names what x is, in a type switch with a case for the empty
// interface (spf13/cast's ToStringSliceE ends with `case any:`). yaegi
// v0.16.1 asserts no value of a compiled type to the empty interface: its
// x.(any) panics ("nil is not any") and its comma-ok form is false.
func AnyKind(x any) string {
	switch x.(type) {
	case string:
		return "string"
	case any:
		return "any"
	}
	return "nil"
}

// AnyOf returns x through a type switch with a bound variable and a case
// for the empty interface, or through a comma-ok assertion to it.
func AnyOf(x any, viaSwitch bool) (any, bool) {
	if viaSwitch {
		switch v := x.(type) {
		case interface{}:
			return v, true
		}
	}
	v, ok := x.(any)
	return v, ok
}

// ErrorAsAny asserts err to the empty interface, which panics for nil.
func ErrorAsAny(err error) any {
	return err.(any)
}

// Figure is implemented by a struct without fields and by one with an
// unexported field (expr-lang/expr's types: anyType{} and rtype{t}).
// yaegi v0.16.1 panics asserting a value of a compiled interface type
// that holds a struct without fields to a concrete type ("reflect: Field
// index out of bounds").
type Figure interface{ Sides() int }

// Dot and Poly are Figures.
type (
	Dot  struct{}
	Poly struct{ n int }
)

// Sides implements Figure.
func (Dot) Sides() int { return 0 }

// Sides implements Figure.
func (p Poly) Sides() int { return p.n }

// SameFigure compares a and b through comma-ok assertions to their
// concrete types (expr-lang/expr's rtype.Equal).
func SameFigure(a, b Figure) bool {
	if p, ok := a.(Poly); ok {
		q, ok := b.(Poly)
		return ok && p.n == q.n
	}
	_, ok := b.(Dot)
	return ok
}

// FigureName names s through a type switch with concrete and interface
// cases.
func FigureName(s Figure) string {
	switch v := s.(type) {
	case Dot:
		return "dot"
	case fmt.Stringer:
		return v.String()
	case Poly:
		return fmt.Sprint(v.n, "-gon")
	}
	return "none"
}

// Magnitude returns |x| for a float64 or an int, as an any
// (expr-lang/expr's builtin Abs): yaegi returned nil for return -x.
func Magnitude(x any) any {
	switch x := x.(type) {
	case float64:
		if x < 0 {
			return -x
		}
		return x
	case int:
		if x < 0 {
			return -x
		}
		return x
	}
	return nil
}

// Negative returns whether x < 0, as an any: yaegi panicked on
// returning the comparison.
func Negative(x int) any { return x < 0 }
