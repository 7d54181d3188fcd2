package agent

import (
	"reflect"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Table is one immutable dispatch table. Fns[N] holds the replacement for
// function number N as a value of that function's compiled alias type (a
// Generic for a generic function), or nil when N is not patched. A Table
// must not be modified after it is published.
type Table struct {
	Fns []any
	// slots is what Publish stored in Current for this table: the
	// prologues' view of it (see Current).
	slots unsafe.Pointer
}

// Current holds the published table as the generated prologues read it,
// or nil when nothing is patched. It points to one block of words: the
// number n of function slots, the *Table, then slot N for each function
// number N < n. Slot N holds function N's replacement as a value of its
// alias type (a func value is one pointer, which the prologue reads as its
// alias type) or, for a generic function, a *Generic; nil when N is not
// patched. So the prologue of function N, after one atomic load of
// Current, reads the count, its slot and calls: no interface, no type
// assertion, no slice bounds (the count is the bound: a table published
// before a package registers its functions is shorter than their numbers).
// Prologues read it with atomic.LoadPointer; everything else goes through
// Publish and Load.
var Current unsafe.Pointer

// slotsHeader is the number of words of Current's block before slot 0.
const slotsHeader = 2

// Publish makes t the current table with one atomic store. A nil t removes
// every patch. Publish is safe for concurrent use, but callers that build t
// from the current table must serialize among themselves (the agent's own
// operations do).
func Publish(t *Table) {
	atomic.StorePointer(&Current, t.seal())
}

// Load returns the current table, or nil when nothing is patched.
// The result must not be modified.
func Load() *Table {
	return tableOf(atomic.LoadPointer(&Current))
}

// tableOf returns the table of a block of slots, nil for nil.
func tableOf(slots unsafe.Pointer) *Table {
	if slots == nil {
		return nil
	}
	return *(**Table)(unsafe.Add(slots, unsafe.Sizeof(uintptr(0))))
}

// seal builds t's block of slots once, and returns it (nil for a nil t).
// A value that does not fit its function (not of the registered alias
// type, or not a Generic for a generic function) leaves its slot nil, so
// the compiled body runs, as a failed type assertion in the prologue did.
func (t *Table) seal() unsafe.Pointer {
	if t == nil {
		return nil
	}
	if t.slots != nil {
		return t.slots
	}
	n := len(t.Fns)
	block := reflect.New(slotsType(n)).UnsafePointer()
	*(*uintptr)(block) = uintptr(n)
	words := unsafe.Slice((*unsafe.Pointer)(block), slotsHeader+n)
	words[1] = unsafe.Pointer(t)
	registry.mu.Lock()
	for i, v := range t.Fns {
		if v != nil {
			words[slotsHeader+i] = slotValue(registry.byIndex[i], v)
		}
	}
	registry.mu.Unlock()
	t.slots = block
	return block
}

// slotValue returns the slot of function e patched with v, nil when v does
// not fit e. The caller holds registry.mu.
func slotValue(e *funcEntry, v any) unsafe.Pointer {
	switch {
	case e == nil:
		return nil
	case e.generic:
		g, ok := v.(Generic)
		if !ok {
			return nil
		}
		return unsafe.Pointer(&g)
	case reflect.TypeOf(v) != e.funcType(v):
		return nil
	}
	// A func type is pointer-shaped: an interface holds the func value
	// itself as its data word.
	return (*[2]unsafe.Pointer)(unsafe.Pointer(&v))[1]
}

// funcType returns the compiled alias type of e, the type its wrap
// returns, learned once from wrapping v, the first value published for e
// (wrap does not call what it wraps; a value it cannot take fits no
// type). The caller holds registry.mu.
func (e *funcEntry) funcType(v any) (typ reflect.Type) {
	if e.typ != nil || e.wrap == nil {
		return e.typ
	}
	defer func() {
		if recover() != nil {
			typ = nil
		}
	}()
	e.typ = reflect.TypeOf(e.wrap(reflect.ValueOf(v)))
	return e.typ
}

// slotTypes caches the type of a block of n slots, by n.
var slotTypes sync.Map

// slotsType returns the type of a block of n slots: its count, its table
// and the slots, so that the collector sees the table and the slots as
// pointers.
func slotsType(n int) reflect.Type {
	if t, ok := slotTypes.Load(n); ok {
		return t.(reflect.Type)
	}
	t := reflect.StructOf([]reflect.StructField{
		{Name: "N", Type: reflect.TypeFor[uintptr]()},
		{Name: "T", Type: reflect.TypeFor[*Table]()},
		{Name: "S", Type: reflect.ArrayOf(n, reflect.TypeFor[unsafe.Pointer]())},
	})
	slotTypes.Store(n, t)
	return t
}
