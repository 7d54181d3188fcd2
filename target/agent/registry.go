package agent

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"

	yaegi "github.com/traefik/yaegi/interp"

	"github.com/livepatch/livepatch/target/agent/ifacewrap"
	"github.com/livepatch/livepatch/target/agent/wire"
)

// funcEntry is one patchable function registered by generated code.
type funcEntry struct {
	index int
	key   string
	wrap  func(fn reflect.Value) any
	// generic says the function is generic: its patches are compiled per
	// instantiation (generic.go), and wrap is nil.
	generic bool
	// typ is the compiled alias type, once known (funcType).
	typ reflect.Type
}

// registry holds what the generated code registers. It is written by
// package initializers and read under its mutex afterwards.
var registry = struct {
	mu       sync.Mutex
	packages yaegi.Exports     // "importPath/name" -> symbols
	names    map[string]string // import path -> package name
	byIndex  map[int]*funcEntry
	byKey    map[string]*funcEntry
	ran      map[int]*uint32 // by index: set to 1 by the function's prologue on its first call
	maxIndex int
}{
	packages: yaegi.Exports{},
	names:    map[string]string{},
	byIndex:  map[int]*funcEntry{},
	byKey:    map[string]*funcEntry{},
	ran:      map[int]*uint32{},
	maxIndex: -1,
}

// RegisterPackage records the yaegi symbols of one compiled package:
// functions, types (as reflect.ValueOf((*T)(nil))), constants and variables,
// exported or not. It is meant to be called from generated init code, may be
// called more than once for a package (symbols accumulate) and is safe for
// concurrent use. Symbols registered after the interpreter exists are added
// to it at once.
func RegisterPackage(importPath, name string, symbols map[string]reflect.Value) {
	key := importPath + "/" + name
	registry.mu.Lock()
	m := registry.packages[key]
	if m == nil {
		m = map[string]reflect.Value{}
		registry.packages[key] = m
	}
	for s, v := range symbols {
		m[s] = v
	}
	registry.names[importPath] = name
	registry.mu.Unlock()
	addLateSymbols(key, symbols)
}

// RegisterFunc records patchable function number index under key, for
// example "example.com/m/pkg.(*T).M". wrap converts an interpreted function
// value (receiver first, then the parameters) to a value of the compiled
// alias type of index; it must re-panic with the original panic value, which
// Repanic or Call do. RegisterFunc is meant for generated init code and is
// safe for concurrent use; registering an index or key twice replaces it.
func RegisterFunc(index int, key string, wrap func(fn reflect.Value) any) {
	if index < 0 {
		panic(fmt.Sprintf("agent: RegisterFunc(%d, %q): negative index", index, key))
	}
	e := &funcEntry{index: index, key: key, wrap: wrap}
	registry.mu.Lock()
	registry.byIndex[index] = e
	registry.byKey[key] = e
	if index > registry.maxIndex {
		registry.maxIndex = index
	}
	registry.mu.Unlock()
	growTable(index + 1)
}

// growTable makes the published table, if any, hold at least n functions.
// Packages register their functions in their init, and a package that
// starts the agent (a root package) may run its init, and take patches
// while it holds, before a package it does not import registers its own
// (a test helper package of the module): their prologues index the table
// by their own numbers, which must not run past its end.
func growTable(n int) {
	machine.mu.Lock()
	defer machine.mu.Unlock()
	cur := Load()
	if cur == nil || len(cur.Fns) >= n {
		return
	}
	t := &Table{Fns: make([]any, n)}
	copy(t.Fns, cur.Fns)
	Publish(t)
}

// lookupFuncs finds the registered functions of refs, all of them or
// none: an error names every ref not found.
func lookupFuncs(refs []wire.Ref) ([]*funcEntry, error) {
	var es []*funcEntry
	var failures []wire.Error
	for _, r := range refs {
		e, err := lookupFunc(r)
		if err != nil {
			failures = append(failures, failure(r, err))
			continue
		}
		es = append(es, e)
	}
	if len(failures) > 0 {
		return nil, &ApplyError{Failures: failures}
	}
	return es, nil
}

// lookupFunc finds a registered function by key, or by index when key is
// empty.
func lookupFunc(r wire.Ref) (*funcEntry, error) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if r.Key != "" {
		e := registry.byKey[r.Key]
		if e == nil {
			return nil, wire.Errorf(wire.ErrNotFound, "no patchable function %q", r.Key)
		}
		return e, nil
	}
	e := registry.byIndex[r.Index]
	if e == nil {
		return nil, wire.Errorf(wire.ErrNotFound, "no patchable function with index %d", r.Index)
	}
	return e, nil
}

// tableSize returns the length every published table must have.
func tableSize() int {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	return registry.maxIndex + 1
}

// packageOf returns the import path of the registered package that key
// belongs to: the longest registered path p with key starting with "p.".
func packageOf(key string) (string, bool) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	best := ""
	for p := range registry.names {
		if strings.HasPrefix(key, p+".") && len(p) > len(best) {
			best = p
		}
	}
	return best, best != ""
}

// packagesNamed returns the import paths of registered packages named name,
// sorted.
func packagesNamed(name string) []string {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	var paths []string
	for p, n := range registry.names {
		if n == name {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	return paths
}

// hasSymbol reports whether the registered package importPath has a symbol
// called name.
func hasSymbol(importPath, name string) bool {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	_, ok := registry.packages[importPath+"/"+registry.names[importPath]][name]
	return ok
}

// snapshotExports returns a copy of every registered package's symbols.
func snapshotExports() yaegi.Exports {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	out := make(yaegi.Exports, len(registry.packages))
	for k, m := range registry.packages {
		c := make(map[string]reflect.Value, len(m))
		for s, v := range m {
			c[s] = v
		}
		out[k] = c
	}
	return out
}

// registeredName returns the package name registered for importPath, or "".
func registeredName(importPath string) string {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	return registry.names[importPath]
}

// registeredType returns the compiled type that the registered package
// importPath exports as name, when that symbol is a type: like yaegi, the
// agent takes a nil pointer symbol, reflect.ValueOf((*T)(nil)), for type T.
func registeredType(importPath, name string) (reflect.Type, bool) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	v, ok := registry.packages[importPath+"/"+registry.names[importPath]][name]
	if !ok || !v.IsValid() || v.Kind() != reflect.Pointer || !v.IsNil() {
		return nil, false
	}
	return v.Type().Elem(), true
}

// RegisterInterfaceWrappers records wrapper types for yaegi's conversions
// of interpreted values to compiled interfaces. Each pair is an interface
// type as (*I)(nil) and its wrapper type as (*W)(nil): W is a struct
// whose first field, IValue, is of type interface{}, whose other fields
// are "W" + the name of each method of I, of the method's func type, and
// whose methods (value receivers: yaegi makes W values) implement I by
// calling those fields. It is meant to be called from generated init code
// and is safe for concurrent use; pairs registered after the interpreter
// exists are given to it at once. A pair that does not fit is left out
// and logged (a generator bug must not stop the program): its interface
// keeps the stand-in.
func RegisterInterfaceWrappers(pairs [][2]any) {
	for key, syms := range ifacewrap.Register(pairs, registeredName, logger) {
		addLateSymbols(key, syms)
	}
}
