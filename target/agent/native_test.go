package agent

import (
	"errors"
	"testing"

	"github.com/livepatch/livepatch/target/agent/wire"
)

// TestSwitchNativeSuperseded checks that a native switch of a patch that
// changed or was reverted since is refused, before any plugin is loaded,
// and leaves the live patch alone.
func TestSwitchNativeSuperseded(t *testing.T) {
	resetPatches(t)
	key := testPkg + ".greet"
	old := `func(name string) string { return "old " + name }`
	mustApply(t, wire.Patch{Ref: wire.Ref{Key: key}, Source: old})
	mustApply(t, wire.Patch{Ref: wire.Ref{Key: key}, Source: `func(name string) string { return "new " + name }`})
	n := &wire.Native{Plugin: "/nonexistent/plugin.so", Funcs: []wire.NativeFunc{{Ref: wire.Ref{Key: key}, Symbol: "LpNative0", Source: old}}}
	for _, step := range []string{"replaced", "reverted"} {
		err := SwitchNative(n)
		var ae *ApplyError
		if !errors.As(err, &ae) || len(ae.Failures) != 1 || ae.Failures[0].Kind != wire.ErrSuperseded {
			t.Errorf("%s: got %v, want a superseded failure", step, err)
		}
		if step == "replaced" {
			if got := greet("bob"); got != "new bob" {
				t.Errorf("after the refused switch: got %q, want the live patch's %q", got, "new bob")
			}
			if err := Revert([]wire.Ref{{Key: key}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if got := greet("bob"); got != "hello bob" {
		t.Errorf("reverted greet: got %q", got)
	}
}

// TestSwitchNativeFresh checks the state a fresh native switch (a change
// that never ran interpreted) expects: it names the live patch it
// replaces, "" for a function that runs compiled, and is refused as
// superseded when the function's state differs, before any plugin is
// loaded.
func TestSwitchNativeFresh(t *testing.T) {
	resetPatches(t)
	key := testPkg + ".greet"
	fresh := func(prev string) error {
		return SwitchNative(&wire.Native{Plugin: "/nonexistent/plugin.so", Funcs: []wire.NativeFunc{
			{Ref: wire.Ref{Key: key}, Symbol: "LpNative0", Source: prev, Fresh: true, NewSource: "native"}}})
	}
	kind := func(err error) wire.ErrorKind {
		var ae *ApplyError
		var we *wire.Error
		switch {
		case errors.As(err, &ae) && len(ae.Failures) == 1:
			return ae.Failures[0].Kind
		case errors.As(err, &we):
			return we.Kind
		}
		return ""
	}
	// Compiled, as expected: the check passes and the plugin is opened.
	if k := kind(fresh("")); k != wire.ErrNative {
		t.Errorf("fresh switch of a compiled function: got %v, want the plugin's failure", k)
	}
	old := `func(name string) string { return "old " + name }`
	mustApply(t, wire.Patch{Ref: wire.Ref{Key: key}, Source: old})
	if k := kind(fresh("")); k != wire.ErrSuperseded {
		t.Errorf("fresh switch expecting compiled code of a patched function: got %v, want superseded", k)
	}
	if k := kind(fresh(old)); k != wire.ErrNative {
		t.Errorf("fresh switch of the live patch: got %v, want the plugin's failure", k)
	}
	if got := greet("bob"); got != "old bob" {
		t.Errorf("after the refused switches: got %q, want the live patch's", got)
	}
}
