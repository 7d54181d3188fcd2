package wire

import "strconv"

// Ref names a patchable function: by Key when it is not empty, else by Index.
type Ref struct {
	Key   string `json:"key,omitempty"`
	Index int    `json:"index,omitempty"`
}

// String returns the key, or "#index" when the key is empty.
func (r Ref) String() string {
	if r.Key != "" {
		return r.Key
	}
	return "#" + strconv.Itoa(r.Index)
}

// Patch is one replacement function.
type Patch struct {
	Ref
	// Source is a function declaration, a method declaration or a function
	// literal, in the scope of the function's package.
	Source string `json:"source"`
	// Imports are import specs the source needs beyond those found
	// automatically, e.g. `"strings"` or `str "strings"`.
	Imports []string `json:"imports,omitempty"`
	// File and Line, when set, give the position of Source's first line, so
	// that compile errors are reported as file:line:col.
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	// Helpers are declarations of functions that the program does not
	// have (new ones) which Source may call; they are compiled into the
	// replacement's own scope, in the scope of the function's package.
	Helpers []string `json:"helpers,omitempty"`
	// TypeParams are the type parameters' names of a patch of a generic
	// function or method, in order; Source then is its declaration with
	// the type parameter list left out, the i-th type parameter written
	// as lpTP_<i> and each instantiated generic type that holds type
	// parameters as lpTI_<i> (patcher.GenericShape). The agent compiles
	// it once per instantiation, with those names bound to the
	// instantiation's types.
	TypeParams []string `json:"typeParams,omitempty"`
	// Vars are the package variables the change declares anew, in the
	// order Go initializes them (vars.go).
	Vars []Var `json:"vars,omitempty"`
	// Hold makes the patch's calls wait at a gate until the host opens it
	// (OpGate with Open) or the function is reverted or applied again
	// without Hold; a native switch keeps the gate, so that the held calls
	// run the native function once the host has set its breakpoints there.
	// The host holds a function with a breakpoint in it whose native build
	// is under way: its calls stop there instead of passing it interpreted.
	Hold bool `json:"hold,omitempty"`
}

// Var is one declaration of package variables that a change adds to the
// package of its patches. The agent keeps one home per package for them:
// the first patch set that declares a variable makes it, runs its
// initializer once, and makes it visible to patched code and evaluations
// as the package's own variables are (a symbol holding its address, named
// with the builder's prefix, and one holding the variable); a later set
// that declares it again with the same type leaves it alone.
type Var struct {
	// Names are the variables the spec declares ("_" for a blank one).
	Names []string `json:"names"`
	// Types are their types as Go source in the patches' scope, by
	// Names ("" for a blank one).
	Types []string `json:"types"`
	// Spec is the spec as after `var`: `n = 10`, `a, b int`, rewritten
	// like a patch's source.
	Spec string `json:"spec"`
	// Keys are their keys in the agent's table of variables that plugins
	// declare (side.Var), by Names ("" for a blank one): the agent shares
	// the interpreter's storage there.
	Keys []string `json:"keys,omitempty"`
}

// PatchedFunc describes one function that is patched now.
type PatchedFunc struct {
	Ref
	Source string `json:"source"`
	// Native says that the patch runs a plugin's compiled function.
	Native bool `json:"native,omitempty"`
}

// Native names a plugin and, for each patched function of one change,
// the plugin's function that replaces the interpreted patch.
type Native struct {
	// Plugin is the plugin file's path.
	Plugin string `json:"plugin"`
	// Package is the plugin's package path, under which it registers
	// its functions as it loads (agent.RegisterNative).
	Package string       `json:"package"`
	Funcs   []NativeFunc `json:"funcs"`
}

// NativeFunc is one function of a Native switch.
type NativeFunc struct {
	Ref
	// Symbol is the name under which the plugin registered the
	// function, whose type is the patched function's (its receiver
	// first).
	Symbol string `json:"symbol"`
	// Source is the Source of the live interpreted patch it replaces: a
	// switch whose patch was superseded since (or reverted) is refused.
	Source string `json:"source"`
	// Fresh marks a function that goes native without going live
	// interpreted first (a change the interpreter cannot take): Source
	// is then that of the live patch it replaces, "" when the function
	// runs compiled, and NewSource is recorded as the patch's source.
	Fresh     bool   `json:"fresh,omitempty"`
	NewSource string `json:"newSource,omitempty"`
}
