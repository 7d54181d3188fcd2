package agent

import (
	"plugin"
	"reflect"

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
	idx := make([]int, len(n.Funcs))
	for k, f := range n.Funcs {
		e, err := lookupFunc(f.Ref)
		if err != nil {
			failures = append(failures, failure(f.Ref, err))
			continue
		}
		idx[k] = e.index
		if p, ok := machine.patched[e.index]; !ok || p.source != f.Source {
			failures = append(failures, failure(f.Ref, wire.Errorf(wire.ErrSuperseded, "superseded: the patch changed or was reverted since")))
		}
	}
	if len(failures) > 0 {
		return &ApplyError{Failures: failures}
	}
	p, err := plugin.Open(n.Plugin)
	if err != nil {
		return wire.Errorf(wire.ErrNative, "%v", err)
	}
	cur := Load()
	values := make([]any, len(n.Funcs))
	for k, f := range n.Funcs {
		sym, err := p.Lookup(f.Symbol)
		if err != nil {
			failures = append(failures, failure(f.Ref, wire.Errorf(wire.ErrNative, "%v", err)))
			continue
		}
		// The live patch's value has the compiled alias type the
		// prologue asserts; the plugin's function must have that type.
		want := reflect.TypeOf(cur.Fns[idx[k]])
		if got := reflect.TypeOf(sym); got != want {
			failures = append(failures, failure(f.Ref, wire.Errorf(wire.ErrMismatch, "native function of type %v does not fit %v", got, want)))
			continue
		}
		values[k] = sym
	}
	if len(failures) > 0 {
		return &ApplyError{Failures: failures}
	}
	t := copyTable()
	for k, i := range idx {
		t.Fns[i] = values[k]
		info := machine.patched[i]
		info.native = true
		machine.patched[i] = info
	}
	Publish(t)
	return nil
}
