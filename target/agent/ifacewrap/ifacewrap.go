// Package ifacewrap gives the agent's interpreter the wrapper types that
// yaegi needs to convert interpreted values to compiled interfaces: those
// the builder generates (Register) and stand-ins for the others (Add).
package ifacewrap

import (
	"fmt"
	"log/slog"
	"path"
	"reflect"
	"sync"
	"sync/atomic"

	yaegi "github.com/traefik/yaegi/interp"
)

// Interface wrappers.
//
// When interpreted code converts a value that is not a compiled value to a
// compiled interface type with methods (the untyped nil of `return nil,
// err` for a result of type io.Reader, an argument nil for such a
// parameter, a value of a type the patch declares), yaegi v0.16.1 looks up
// the symbol "_I" of the interface's package: a struct type whose first
// field, IValue, holds the value and whose other fields, "W" + method name,
// hold its methods as funcs; its methods call those fields. The builder
// generates such types for the interfaces it can (patcher/ifacewrap.go)
// and registers them through RegisterInterfaceWrappers. Without the symbol
// yaegi's compiler panics ("reflect: call of reflect.Value.Type on zero
// Value"), and without the package at all it dereferences nil, so the
// agent gives every other interface type that the registered symbols
// reach a stand-in: a struct of the same fields, made with
// reflect.StructOf. yaegi reads only its fields at compile time, and a nil
// value never needs more: it becomes the interface's zero value. The
// stand-in has no methods, so it cannot carry a value of an interpreted
// type; such a conversion is refused when the code is compiled (see
// refusingWrapper).

// noInterfaceWrapper is the type of a stand-in wrapper's first field. No
// value is assignable to it: should an interpreted value ever be stored
// there, the panic names the missing wrapper.
type noInterfaceWrapper struct{ _ [0]func() }

// wrapperPrefix starts the symbol yaegi looks up for an interface's wrapper.
const wrapperPrefix = "_"

// generated holds the wrapper types registered by generated code: symbol
// ("_" + interface name) -> (*W)(nil), by the interface's package path as
// reflect gives it ("main" for a main package).
var generated = struct {
	mu    sync.Mutex
	byPkg map[string]map[string]reflect.Value
}{byPkg: map[string]map[string]reflect.Value{}}

// Register records wrapper types, as agent.RegisterInterfaceWrappers
// describes; a pair that does not fit is left out and logged to log. It
// returns the symbols it recorded by yaegi Exports key (see exportsKey;
// name gives the registered package name of an import path), for the
// caller to give to an interpreter that exists already. It is safe for
// concurrent use.
func Register(pairs [][2]any, name func(pkgPath string) string, log *slog.Logger) map[string]map[string]reflect.Value {
	late := map[string]map[string]reflect.Value{}
	generated.mu.Lock()
	for _, p := range pairs {
		iface, wrapper := reflect.TypeOf(p[0]), reflect.TypeOf(p[1])
		if err := checkWrapper(iface, wrapper); err != nil {
			log.Warn("interface wrapper left out", "err", err)
			continue
		}
		it := iface.Elem()
		v := reflect.ValueOf(p[1])
		for _, m := range []map[string]map[string]reflect.Value{generated.byPkg, late} {
			if m[it.PkgPath()] == nil {
				m[it.PkgPath()] = map[string]reflect.Value{}
			}
			m[it.PkgPath()][wrapperPrefix+it.Name()] = v
		}
	}
	generated.mu.Unlock()
	byKey := make(map[string]map[string]reflect.Value, len(late))
	for pkgPath, syms := range late {
		byKey[exportsKey(pkgPath, name)] = syms
	}
	return byKey
}

// checkWrapper reports why wrapper, (*W)(nil)'s type, is not a wrapper
// type of iface, (*I)(nil)'s type for a named interface type I.
func checkWrapper(iface, wrapper reflect.Type) error {
	if iface == nil || iface.Kind() != reflect.Pointer || iface.Elem().Kind() != reflect.Interface || iface.Elem().Name() == "" {
		return fmt.Errorf("%v is not a pointer to a named interface type", iface)
	}
	if wrapper == nil || wrapper.Kind() != reflect.Pointer || wrapper.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("%v is not a pointer to a struct type", wrapper)
	}
	it, w := iface.Elem(), wrapper.Elem()
	if w.NumField() != it.NumMethod()+1 || w.Field(0).Name != "IValue" || w.Field(0).Type.Kind() != reflect.Interface {
		return fmt.Errorf("%v is not a wrapper of %v: want IValue and one field per method", w, it)
	}
	if !w.Implements(it) {
		return fmt.Errorf("%v does not implement %v", w, it)
	}
	for i := 0; i < it.NumMethod(); i++ {
		m := it.Method(i)
		f, ok := w.FieldByName("W" + m.Name)
		if !ok || f.Type != m.Type {
			return fmt.Errorf("%v has no field W%s of type %v", w, m.Name, m.Type)
		}
	}
	return nil
}

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

// standIn returns the stand-in wrapper type of interface type t. Its
// first field's type names t, so that interfaces with the same methods get
// different stand-ins (reflect.StructOf returns the same type for the
// same fields), which refusingWrapper tells apart.
func standIn(t reflect.Type) reflect.Type {
	value := reflect.StructOf([]reflect.StructField{
		{Name: "Missing", Type: reflect.TypeOf(noInterfaceWrapper{})},
		{Name: "For", Type: reflect.ArrayOf(0, t)},
	})
	fields := []reflect.StructField{{Name: "IValue", Type: value}}
	for i := 0; i < t.NumMethod(); i++ {
		m := t.Method(i)
		fields = append(fields, reflect.StructField{Name: "W" + m.Name, Type: m.Type})
	}
	return reflect.StructOf(fields)
}

// exportsKey returns the yaegi Exports key of package pkgPath: the
// registered package's, else one named after the path's last element (the
// package is then known to the interpreter only for its wrappers).
func exportsKey(pkgPath string, registeredName func(string) string) string {
	name := registeredName(pkgPath)
	if name == "" {
		name = path.Base(pkgPath)
	}
	return pkgPath + "/" + name
}

// mapTypesKey is the Exports key under which yaegi's Use takes its table
// of composed wrappers ("MapTypes").
const mapTypesKey = "."

// Add adds to ex, the symbols about to be given to the
// interpreter, the generated wrappers not given yet, and stand-ins for the
// interfaces that ex reaches and that neither ex nor the interpreter has a
// wrapper for. given records the wrapper symbols the interpreter has, by
// Exports key: true for a generated one, false for a stand-in, which a
// generated one registered later replaces. name gives the registered
// package name of an import path, or "". The caller serializes the calls
// for one interpreter.
func Add(ex yaegi.Exports, given map[string]map[string]bool, name func(pkgPath string) string) {
	generated.mu.Lock()
	for pkgPath, syms := range generated.byPkg {
		k := exportsKey(pkgPath, name)
		for s, v := range syms {
			if given[k][s] {
				continue
			}
			if ex[k] == nil {
				ex[k] = map[string]reflect.Value{}
			}
			ex[k][s] = v
		}
	}
	generated.mu.Unlock()
	w := newInterfaceWrappers()
	for k, syms := range ex {
		if k != mapTypesKey {
			w.addSymbols(syms)
		}
	}
	refusing := map[reflect.Value][]reflect.Type{}
	for _, t := range w.found {
		k, s := exportsKey(t.PkgPath(), name), wrapperPrefix+t.Name()
		if _, ok := ex[k][s]; ok {
			continue
		}
		if _, ok := given[k][s]; ok {
			continue
		}
		if ex[k] == nil {
			ex[k] = map[string]reflect.Value{}
		}
		st := standIn(t)
		v := reflect.Zero(reflect.PointerTo(st))
		ex[k][s] = v
		refusing[v] = []reflect.Type{&refusingWrapper{Type: st, iface: t}}
	}
	for k, syms := range ex {
		if k == mapTypesKey {
			continue
		}
		if given[k] == nil {
			given[k] = map[string]bool{}
		}
		for s, v := range syms {
			if len(s) > len(wrapperPrefix) && s[:len(wrapperPrefix)] == wrapperPrefix {
				_, standIn := refusing[v]
				given[k][s] = !standIn
			}
		}
	}
	if len(refusing) > 0 {
		ex[mapTypesKey] = map[string]reflect.Value{"MapTypes": reflect.ValueOf(refusing)}
	}
}

// A refusingWrapper makes yaegi's compiler refuse the conversion of a
// value of an interpreted type to an interface that has only a stand-in,
// which would otherwise compile and panic when it runs.
//
// yaegi v0.16.1 picks an interface's wrapper in getWrapper (interp/use.go):
// it first tries the wrappers that its table of composed wrappers
// (Interpreter.Use's "MapTypes") lists for the "_I" symbol, taking the
// first whose "W" fields all name methods of the value's interpreted type,
// and falls back on the "_I" type itself. The agent lists, for each
// stand-in, a refusingWrapper over that stand-in's type: an untyped nil
// has no methods and never matches, so it gets the stand-in; a value of an
// interpreted type with every method of the interface matches. getWrapper
// reads the candidate's NumField before each of its fields and once after
// the last; genInterfaceWrapper (interp/run.go), given the match, starts
// with NumField again. Two NumField calls in a row are thus the match, and
// the second panics with a missingWrapper, which the agent's compile turns
// into the compile error of the patch or evaluation. The interpreter is
// compiled under machine.mu; yaegi also converts at run time for a type
// assertion to a compiled interface, where the conversion would panic
// anyway.
type refusingWrapper struct {
	reflect.Type              // the stand-in
	iface        reflect.Type // the interface
	afterCount   atomic.Bool  // the last call was NumField
}

// NumField returns the stand-in's number of fields, or panics when the
// last call was NumField too.
func (r *refusingWrapper) NumField() int {
	if r.afterCount.Swap(true) {
		r.afterCount.Store(false)
		panic(missingWrapper{r.iface})
	}
	return r.Type.NumField()
}

// Field returns the stand-in's field i.
func (r *refusingWrapper) Field(i int) reflect.StructField {
	r.afterCount.Store(false)
	return r.Type.Field(i)
}

// missingWrapper is the refusal of a conversion to an interface that has no
// generated wrapper.
type missingWrapper struct{ iface reflect.Type }

func (m missingWrapper) Error() string {
	return "a value of a type declared by the interpreted code is converted to a compiled interface " +
		"that has no interface wrapper in this build (the builder writes them for the interfaces of the program's " +
		"packages and of the packages their symbol tables register, when their methods can be written there); " +
		"only compiled values and nil convert to it: " + m.iface.PkgPath() + "." + m.iface.Name()
}
