// Package fmtvalue carries a value of a type that interpreted code
// declares to package fmt (and log) with the methods fmt looks for.
//
// yaegi v0.16.1 passes such a value to a compiled parameter of type any
// as a value of the type it made with reflect, which has none of the
// interpreted type's methods: fmt.Println(c), c of a type a patch declares
// with a String method, printed c's fields or number rather than
// c.String(). The rewriter (internal/rewrite, fmtargs.go) passes
// lp_fmt.Value(c, c.String, nil, nil, nil) instead: a compiled value
// whose Format method does what fmt's own handling of String, Error,
// GoString and Format methods does (fmt's print.go, handleMethods), and
// prints the value itself otherwise.
//
// The agent gives the interpreter the package as lp_fmt (Exports). It
// imports only the standard library and yaegi.
package fmtvalue

import (
	"fmt"
	"io"
	"reflect"

	yaegi "github.com/traefik/yaegi/interp"
)

const (
	// Package is the import path and name of the package in the
	// interpreter.
	Package = "lp_fmt"
	// ValueName is its function.
	ValueName = "Value"
)

// Exports returns the package for the interpreter.
func Exports() yaegi.Exports {
	return yaegi.Exports{Package + "/" + Package: {
		ValueName: reflect.ValueOf(Value),
	}}
}

// Value returns v as fmt should see it: with the methods of its type that
// fmt looks for (nil for those it lacks). format is the Format method.
func Value(v any, str, errorText, goString func() string, format func(fmt.State, rune)) any {
	return formatted{v: v, str: str, err: errorText, goString: goString, format: format}
}

// formatted is a value with the methods fmt looks for.
type formatted struct {
	v                  any
	str, err, goString func() string
	format             func(fmt.State, rune)
}

// Format formats x as fmt formats a value whose type has x's methods.
func (x formatted) Format(f fmt.State, verb rune) {
	switch {
	case x.format != nil:
		x.format(f, verb)
		return
	case verb == 'v' && f.Flag('#'):
		if x.goString != nil {
			io.WriteString(f, x.goString())
			return
		}
	case verb == 'v' || verb == 's' || verb == 'x' || verb == 'X' || verb == 'q':
		switch {
		case x.err != nil:
			fmt.Fprintf(f, fmt.FormatString(f, verb), x.err())
			return
		case x.str != nil:
			fmt.Fprintf(f, fmt.FormatString(f, verb), x.str())
			return
		}
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), x.v)
}
