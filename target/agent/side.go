package agent

import (
	"reflect"

	yaegi "github.com/traefik/yaegi/interp"
)

// The side table: the fields a saved change adds to a compiled struct
// type. Compiled code keeps the compiled layout, so the added fields live
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
const (
	// SidePackage is the import path and name of the side table's
	// package in the interpreter.
	SidePackage = "lp_side"
	// SideField is its function.
	SideField = "Field"
)

// sideExports returns the side table's package for the interpreter.
func sideExports() yaegi.Exports {
	return yaegi.Exports{SidePackage + "/" + SidePackage: {
		SideField: reflect.ValueOf(sideField),
	}}
}
