package agent

import (
	"testing"
)

// TestSealSlots checks the prologues' view of a published table: a
// replacement of the function's alias type is called, a value of another
// type leaves the compiled body running (as the prologue's type assertion
// did), and so does a table shorter than the function's number.
func TestSealSlots(t *testing.T) {
	defer Publish(nil)
	n := tableSize()
	fns := make([]any, n)
	fns[3] = lpFn3(func() int { return 30 })
	fns[4] = func() string { return "not an lpFn4" }
	Publish(&Table{Fns: fns})
	if got := left(); got != 30 {
		t.Errorf("left() = %d with a replacement of its type, want 30", got)
	}
	if got := right(); got != 0 {
		t.Errorf("right() = %d with a replacement of another type, want the compiled 0", got)
	}
	if Load() == nil || len(Load().Fns) != n {
		t.Fatalf("Load() does not return the published table")
	}
	Publish(&Table{Fns: fns[:4]})
	if got := left(); got != 30 {
		t.Errorf("left() = %d in a table of 4, want 30", got)
	}
	fns = make([]any, 4)
	fns[3] = lpFn3(func() int { return 31 })
	short := &Table{Fns: fns[:3]}
	Publish(short)
	if got := left(); got != 0 {
		t.Errorf("left() = %d in a table of 3, want the compiled 0", got)
	}
	if Load() != short {
		t.Errorf("Load() does not return the published table")
	}
}
