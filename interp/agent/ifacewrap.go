package agent

import (
	"path"
	"reflect"

	yaegi "github.com/traefik/yaegi/interp"
)

// Interface wrappers.
//
// When interpreted code converts a value that is not a compiled value to a
// compiled interface type with methods (the untyped nil of `return nil,
// err` for a result of type io.Reader, an argument nil for such a
// parameter, an interpreted type's value), yaegi v0.16.1 looks up the
// symbol "_I" of the interface's package: a struct type, written by yaegi's
// extract tool, whose first field holds the value and whose other fields,
// "W" + method name, hold its methods. Without that symbol the compiler
// panics ("reflect: call of reflect.Value.Type on zero Value"), and without
// the package at all it dereferences nil. The builder's tables have no
// such types, so the agent gives every interface type that the registered
// symbols reach a stand-in: a struct of the same fields, made with
// reflect.StructOf. yaegi reads only its fields at compile time, and a nil
// value never needs more: it becomes the interface's zero value. The
// stand-in has no methods, so an interpreted value that needs one to pass
// as the interface panics at run time when it is set into the stand-in's
// first field, whose type (noInterfaceWrapper) says so.

// noInterfaceWrapper is the type of a stand-in wrapper's first field. No
// value is assignable to it: storing one there is the run-time panic of an
// interpreted value converted to a compiled interface, which only a wrapper
// with methods (generated code) could carry.
type noInterfaceWrapper struct{ _ [0]func() }

// wrapperPrefix starts the symbol yaegi looks up for an interface's wrapper.
const wrapperPrefix = "_"

// interfaceWrappers finds the interface types that symbols reach.
type interfaceWrappers struct {
	seen map[reflect.Type]bool
	// found holds the interface types with methods that are named in a
	// package, in the order found.
	found []reflect.Type
}

// newInterfaceWrappers returns an empty walk.
func newInterfaceWrappers() *interfaceWrappers {
	return &interfaceWrappers{seen: map[reflect.Type]bool{}}
}

// addSymbols walks the types of one package's symbols.
func (w *interfaceWrappers) addSymbols(symbols map[string]reflect.Value) {
	for _, v := range symbols {
		if !v.IsValid() {
			continue
		}
		t := v.Type()
		if v.Kind() == reflect.Pointer && v.IsNil() {
			t = t.Elem() // a type symbol: (*T)(nil)
		}
		w.walk(t)
	}
}

// walk visits t and every type its values can lead interpreted code to:
// elements, fields, parameters, results and method signatures.
func (w *interfaceWrappers) walk(t reflect.Type) {
	if t == nil || w.seen[t] {
		return
	}
	w.seen[t] = true
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Chan:
		w.walk(t.Elem())
	case reflect.Map:
		w.walk(t.Key())
		w.walk(t.Elem())
	case reflect.Func:
		for i := 0; i < t.NumIn(); i++ {
			w.walk(t.In(i))
		}
		for i := 0; i < t.NumOut(); i++ {
			w.walk(t.Out(i))
		}
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			w.walk(t.Field(i).Type)
		}
	case reflect.Interface:
		if t.NumMethod() > 0 && t.Name() != "" && t.PkgPath() != "" {
			w.found = append(w.found, t)
		}
		for i := 0; i < t.NumMethod(); i++ {
			w.walk(t.Method(i).Type)
		}
		return
	}
	if t.Name() != "" {
		for _, mt := range []reflect.Type{t, reflect.PointerTo(t)} {
			for i := 0; i < mt.NumMethod(); i++ {
				w.walk(mt.Method(i).Type)
			}
		}
	}
}

// standIn returns the stand-in wrapper type of interface type t.
func standIn(t reflect.Type) reflect.Type {
	fields := []reflect.StructField{{Name: "IValue", Type: reflect.TypeOf(noInterfaceWrapper{})}}
	for i := 0; i < t.NumMethod(); i++ {
		m := t.Method(i)
		fields = append(fields, reflect.StructField{Name: "W" + m.Name, Type: m.Type})
	}
	return reflect.StructOf(fields)
}

// exports returns the stand-ins of the interfaces found that have no
// wrapper yet, as symbols "_I" of their packages: have reports whether a
// package already has a symbol, and key the Exports key of a package path.
func (w *interfaceWrappers) exports(have func(pkgPath, name string) bool, key func(pkgPath string) string) yaegi.Exports {
	out := yaegi.Exports{}
	for _, t := range w.found {
		name := wrapperPrefix + t.Name()
		if have(t.PkgPath(), name) {
			continue
		}
		k := key(t.PkgPath())
		if out[k] == nil {
			out[k] = map[string]reflect.Value{}
		}
		out[k][name] = reflect.Zero(reflect.PointerTo(standIn(t)))
	}
	return out
}

// exportsKey returns the yaegi Exports key of package pkgPath: the
// registered package's, else one named after the path's last element (the
// package is then known to the interpreter only for its wrappers).
func exportsKey(pkgPath string) string {
	name := registeredName(pkgPath)
	if name == "" {
		name = path.Base(pkgPath)
	}
	return pkgPath + "/" + name
}

// withInterfaceWrappers adds to ex, the symbols about to be given to the
// interpreter, the stand-in wrappers of the interfaces they reach that
// neither ex nor the interpreter (through given, the packages given
// before, by Exports key) has.
func withInterfaceWrappers(ex yaegi.Exports, given map[string]map[string]bool) {
	w := newInterfaceWrappers()
	for _, syms := range ex {
		w.addSymbols(syms)
	}
	have := func(pkgPath, name string) bool {
		k := exportsKey(pkgPath)
		if _, ok := ex[k][name]; ok {
			return true
		}
		return given[k][name]
	}
	for k, syms := range w.exports(have, exportsKey) {
		if ex[k] == nil {
			ex[k] = map[string]reflect.Value{}
		}
		for s, v := range syms {
			ex[k][s] = v
		}
	}
	for k, syms := range ex {
		if given[k] == nil {
			given[k] = map[string]bool{}
		}
		for s := range syms {
			if len(s) > len(wrapperPrefix) && s[:len(wrapperPrefix)] == wrapperPrefix {
				given[k][s] = true
			}
		}
	}
}
