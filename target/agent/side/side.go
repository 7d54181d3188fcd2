// Package side is the agent's side table: the fields a saved change adds
// to a compiled struct type. Compiled code keeps the compiled layout, so the added fields live
// here, keyed by the address of the value (and its type: a struct and its
// first field share an address), and patched code reaches them through
//
//	lp_side.Field(&x, "hits int", func() any { return new(int) }).(*int)
//
// (internal/rewrite, sidefields.go): a pointer to the field's storage, made
// with its zero value on first use. An entry holds a weak pointer to the
// value: once the value is freed its entry is dead, and a new value at the
// same address gets a fresh one; dead entries are dropped as the table
// grows. A value must be on the heap or be a package variable: one on a
// goroutine's stack moves and is reused as the stack changes, so Field
// panics for it rather than give another value's fields. The table needs
// Go 1.24 (package weak, side_weak.go); built with an older Go, Field
// panics (side_noweak.go).
//
// The agent gives the interpreter the table as package lp_side (Exports).
// It imports only the standard library and yaegi.
package side

import (
	"reflect"

	yaegi "github.com/traefik/yaegi/interp"
)

const (
	// Package is the import path and name of the side table's
	// package in the interpreter.
	Package = "lp_side"
	// FieldName is its function.
	FieldName = "Field"
)

// Exports returns the side table's package for the interpreter.
func Exports() yaegi.Exports {
	return yaegi.Exports{Package + "/" + Package: {
		FieldName: reflect.ValueOf(Field),
	}}
}
