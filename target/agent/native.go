package agent

import (
	"plugin"
	"reflect"
	"sync"

	"github.com/livepatch/livepatch/target/agent/wire"
)

// SwitchNative replaces the live interpreted patches of one change with
// the functions of a plugin (the native tier): it loads the plugin, checks
// that every function named is still patched with the source given and
// that the plugin's function has the patched function's type, and only
// then publishes one table with all of them, so that no call sees half of
// the change. Otherwise it switches nothing: an *ApplyError names the
// functions of kind wire.ErrSuperseded (changed or reverted since) or
// wire.ErrNative. A plugin stays loaded for the life of the process.
func SwitchNative(n *wire.Native) error {
	machine.mu.Lock()
	defer machine.mu.Unlock()
	return switchNativeLocked(n)
}

func switchNativeLocked(n *wire.Native) error {
	if n == nil || len(n.Funcs) == 0 {
		return wire.Errorf(wire.ErrRequest, "native: no functions")
	}
	var failures []wire.Error
	entries := make([]*funcEntry, len(n.Funcs))
	for k, f := range n.Funcs {
		e, err := lookupFunc(f.Ref)
		if err != nil {
			failures = append(failures, failure(f.Ref, err))
			continue
		}
		entries[k] = e
		if p, ok := machine.patched[e.index]; !ok && !(f.Fresh && f.Source == "") || ok && p.source != f.Source {
			failures = append(failures, failure(f.Ref, wire.Errorf(wire.ErrSuperseded, "superseded: the patch changed or was reverted since")))
		}
	}
	if len(failures) > 0 {
		return &ApplyError{Failures: failures}
	}
	if _, err := plugin.Open(n.Plugin); err != nil {
		return wire.Errorf(wire.ErrNative, "%v", err)
	}
	fns := registered(n.Package)
	values := make([]any, len(n.Funcs))
	for k, f := range n.Funcs {
		sym, ok := fns[f.Symbol]
		if !ok {
			failures = append(failures, failure(f.Ref, wire.Errorf(wire.ErrNative, "plugin %s registered no function %s", n.Plugin, f.Symbol)))
			continue
		}
		// The prologue asserts the compiled alias type, which the
		// function's wrapper gives (without calling what it wraps);
		// the plugin's function must have that type.
		want := reflect.TypeOf(entries[k].wrap(reflect.ValueOf(sym)))
		if got := reflect.TypeOf(sym); got != want {
			failures = append(failures, failure(f.Ref, wire.Errorf(wire.ErrMismatch, "native function of type %v does not fit %v", got, want)))
			continue
		}
		values[k] = sym
	}
	if len(failures) > 0 {
		return &ApplyError{Failures: failures}
	}
	if machine.patched == nil {
		machine.patched = map[int]patchInfo{}
	}
	t := copyTable()
	for k, e := range entries {
		t.Fns[e.index] = values[k]
		if gates[e.index] != nil {
			// Held until the host has set its breakpoints in the
			// plugin's code and opens the gate (gate.go).
			holdLocked(t, e.index)
		}
		info := machine.patched[e.index]
		info.native = true
		if f := n.Funcs[k]; f.Fresh {
			info.key, info.source = e.key, f.NewSource
		}
		machine.patched[e.index] = info
	}
	Publish(t)
	return nil
}

// preloadPlugin loads n's plugin, without the machine's lock: the switch
// then finds it loaded (plugin.Open of a path already opened returns it
// at once, or its error again).
func preloadPlugin(n *wire.Native) {
	if n != nil && n.Plugin != "" {
		_, _ = plugin.Open(n.Plugin)
	}
}

// natives are the functions plugins registered as they loaded, by plugin
// package path. They have their own lock: a plugin registers from
// plugin.Open, which switchNativeLocked calls under the machine's.
var natives struct {
	mu    sync.Mutex
	byPkg map[string]map[string]any
}

// RegisterNative is for native patches' plugins only: a plugin calls it
// from its init, as it loads, with its package path and its functions by
// symbol. A plugin cannot simply export them: the plugin of a patch of
// package main links main's compiled package, whose table of exported
// symbols is then the plugin's.
func RegisterNative(pkg string, fns map[string]any) {
	natives.mu.Lock()
	defer natives.mu.Unlock()
	if natives.byPkg == nil {
		natives.byPkg = map[string]map[string]any{}
	}
	natives.byPkg[pkg] = fns
}

// registered returns the functions plugin package pkg registered.
func registered(pkg string) map[string]any {
	natives.mu.Lock()
	defer natives.mu.Unlock()
	return natives.byPkg[pkg]
}
