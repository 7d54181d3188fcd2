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
