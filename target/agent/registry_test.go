package agent

import (
	"reflect"
	"testing"

	"github.com/livepatch/livepatch/target/agent/wire"
)

// TestLateRegistrationGrowsTable registers a function whose number lies past
// the end of the published table, as a package whose init runs after the
// agent took patches does: the table grows to hold it (its prologue indexes
// the table by that number), and the patches already published stay.
func TestLateRegistrationGrowsTable(t *testing.T) {
	resetPatches(t)
	mustApply(t, wire.Patch{Ref: wire.Ref{Key: testPkg + ".greet"}, Source: `func greet(name string) string { return "hi " + name }`})
	before := Load()
	n := len(before.Fns)
	RegisterFunc(n+3, "example.com/late.f", func(fn reflect.Value) any { return nil })
	after := Load()
	if len(after.Fns) < n+4 {
		t.Fatalf("table holds %d functions after registering number %d", len(after.Fns), n+3)
	}
	for i, f := range before.Fns {
		if f != nil && after.Fns[i] == nil {
			t.Errorf("patch %d lost when the table grew", i)
		}
	}
	if greet("ann") != "hi ann" {
		t.Errorf("greet(ann) = %q after the table grew, want the patch's", greet("ann"))
	}
}
