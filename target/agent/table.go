package agent

import (
	"sync/atomic"
	"unsafe"
)

// Table is one immutable dispatch table. Fns[N] holds the replacement for
// function number N as a value of that function's compiled alias type, or nil
// when N is not patched. A Table must not be modified after it is published.
type Table struct {
	Fns []any
}

// Current holds the published *Table, or nil when nothing is patched.
// Generated prologues read it with atomic.LoadPointer; everything else goes
// through Publish and Load.
var Current unsafe.Pointer

// Publish makes t the current table with one atomic store. A nil t removes
// every patch. Publish is safe for concurrent use, but callers that build t
// from the current table must serialize among themselves (the agent's own
// operations do).
func Publish(t *Table) {
	atomic.StorePointer(&Current, unsafe.Pointer(t))
}

// Load returns the current table, or nil when nothing is patched.
// The result must not be modified.
func Load() *Table {
	return (*Table)(atomic.LoadPointer(&Current))
}
