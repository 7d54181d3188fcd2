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
