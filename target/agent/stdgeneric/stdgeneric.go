// Package stdgeneric holds the agent's interpreted implementations of the
// generic functions of the standard library, which it compiles into its
// interpreter as package lp_std (see Use), and the names the host's
// rewriter calls them by (see Lookup).
package stdgeneric

import (
	"log/slog"
	"reflect"
	"strings"
	"sync"

	yaegi "github.com/traefik/yaegi/interp"
)

// Generic functions of the standard library reach patched code in two
// ways. An instantiation that the user's package uses is compiled into
// the program, and the builder registers it (package patcher,
// instances.go): the host's rewriter writes the call as that symbol. For
// any other instantiation (an edit that uses new type arguments, or a
// type declared inside the function), the rewriter calls the agent's own
// interpreted implementation from the table (table.go),
// with explicit type arguments: yaegi v0.16.1 ships interpreted sources of slices, maps and
// cmp as of Go 1.22 only, most of whose functions fail to infer their
// type arguments ("undefined type for E" for slices.Contains(s, v)), and
// nothing of Go 1.23 and later (slices.Collect, maps.Keys, ...).
//
// The implementations are ours, written for the documented behavior of Go
// 1.26 (results, panics with their messages, the zeroing of the elements
// that slices.Delete and friends drop, the capacity of clones). They
// differ in one way: slices.Sort and slices.SortFunc sort stably (a merge
// sort), where Go's sort is unstable, so elements that compare equal may
// end in another order than compiled code leaves them; and slices.Max and
// slices.Min do not tell -0 from +0. iter.Seq parameters and results are
// their func types: yaegi has no iter types, and values of the one are
// assignable to the other.
//
// Adding a function: add an entry to stdGenerics (table.go)
// whose source declares the function under the name Name gives
// it, with the type parameters of the Go function in the same order (the
// rewriter passes the Go call's type arguments as they are), and a case to
// the equivalence test.

// Package is the interpreted package holding the table's
// functions; it needs no import (yaegi makes a source package visible
// everywhere under its name).
const Package = "lp_std"

// stdGeneric is one interpreted implementation of a generic function of
// the standard library.
type stdGeneric struct {
	path, name string   // the Go function: import path and name
	imports    []string // import specs its source needs
	src        string   // its declaration, named Name(path, name)
}

// Name returns the name of the interpreted implementation of
// function name of standard package path, in package lp_std:
// Slices_Collect for slices.Collect, Math_rand_v2_N for math/rand/v2.N.
func Name(path, name string) string {
	p := strings.NewReplacer("/", "_", ".", "_").Replace(path)
	return strings.ToUpper(p[:1]) + p[1:] + "_" + name
}

// Lookup reports whether the agent has an interpreted implementation
// of generic function name of standard package path, and returns its
// qualified name (lp_std.Slices_Collect), to call with the Go call's type
// arguments, and the name to call without type arguments, letting yaegi
// infer them: the implementation itself, or its twin when a type
// parameter of it occurs only in another's constraint (E in S ~[]E),
// which yaegi cannot infer (see inferenceTwin). A call inside generic code
// needs the latter: yaegi v0.16.1 crashes instantiating a generic function
// whose body instantiates another with its own type parameters
// (g[T](x) inside f[T]) when f's type argument is a named type.
func Lookup(path, name string) (explicit, inferred string, ok bool) {
	i, ok := stdGenericIndex[path+"."+name]
	if !ok {
		return "", "", false
	}
	explicit = Package + "." + Name(path, name)
	inferred = explicit
	if _, has := inferenceTwin(stdGenerics[i].src); has {
		inferred += twinSuffix
	}
	return explicit, inferred, true
}

// stdGenericIndex indexes stdGenerics by "path.name".
var stdGenericIndex = func() map[string]int {
	m := make(map[string]int, len(stdGenerics))
	for i, g := range stdGenerics {
		m[g.path+"."+g.name] = i
	}
	return m
}()

// Use compiles the shared helpers and then each implementation
// of the table into package lp_std of i, each alone, so that one whose
// imports the program does not have (math/rand/v2 registers only when
// the user's code imports it) leaves the others usable; it returns the
// failures by "path.name" and logs them to log. compile compiles a
// source in i, turning a panic of yaegi into an error. yaegi compiles a
// generic function's body when it is instantiated: this costs a parse
// each. The caller serializes the use of i.
func Use(i *yaegi.Interpreter, compile func(src string) error, log *slog.Logger) map[string]error {
	failed := map[string]error{}
	if err := i.Use(yaegi.Exports{stdGenericBin + "/" + stdGenericBin: stdGenericBinSymbols()}); err != nil {
		failed[""] = err
		return failed
	}
	header := "package " + Package + "\n"
	if err := compile(header + stdGenericShared); err != nil {
		log.Warn("interpreted std generics", "err", err)
		failed[""] = err
		return failed
	}
	// Each import once: yaegi refuses a second import of a compiled
	// package into the same package ("redeclared in this block").
	imported := map[string]error{}
	for _, g := range stdGenerics {
		src, ok := header, true
		for _, s := range g.imports {
			err, done := imported[s]
			if !done {
				err = compile(header + "import " + s + "\n")
				imported[s] = err
			}
			if err != nil {
				failed[g.path+"."+g.name], ok = err, false
			}
		}
		if !ok {
			continue
		}
		if err := compile(src + g.src); err != nil {
			failed[g.path+"."+g.name] = err
		}
		if twin, ok := inferenceTwin(g.src); ok {
			if err := compile(src + twin); err != nil {
				failed[g.path+"."+g.name+twinSuffix] = err
			}
		}
	}
	for name, err := range failed {
		log.Debug("interpreted std generic left out", "func", name, "err", err)
	}
	return failed
}

// stdGenericBin is the compiled package, path and name, of helpers that
// the interpreted implementations call.
const stdGenericBin = "lp_stdbin"

// stdGenericBinSymbols returns the symbols of package lp_stdbin: the
// compiled sync.OnceValue and sync.OnceValues over interface values, which
// record and repeat a panic of f as Go does (an interpreted recover sees
// yaegi's wrapping of an interpreted panic's value, which panicking again
// with it would wrap a second time).
func stdGenericBinSymbols() map[string]reflect.Value {
	return map[string]reflect.Value{
		"OnceValue":  reflect.ValueOf(sync.OnceValue[any]),
		"OnceValues": reflect.ValueOf(sync.OnceValues[any, any]),
	}
}
