//go:build go1.24

package side

import (
	"fmt"
	"reflect"
	"sync"
	"unsafe"
	"weak"
)

// sideKey is a value of the program with side fields: its address and type.
type sideKey struct {
	addr uintptr
	typ  reflect.Type
}

// sideEntry holds the side fields of one value, by name and type.
type sideEntry struct {
	value  weak.Pointer[byte] // zero for a package variable, which never dies
	global bool
	fields map[string]any
}

// table is the side table; swept is its size after the last sweep of
// dead entries.
var table tableType

type tableType struct {
	mu      sync.Mutex
	entries map[sideKey]*sideEntry
	swept   int
}

// Field returns the storage of the side field key ("name type") of the
// value p points to, made by mk on first use.
func Field(p any, key string, mk func() any) any {
	v := reflect.ValueOf(p)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		panic(fmt.Sprintf("livepatch: field %s of a nil pointer", key))
	}
	addr := unsafe.Pointer(v.Pointer())
	heap, stack := memoryOf(addr)
	if stack {
		panic(fmt.Sprintf("livepatch: field %s added by a live change cannot be kept for a value on a goroutine's stack (a local variable that compiled code did not move to the heap): restart to use it", key))
	}
	k := sideKey{uintptr(addr), v.Type().Elem()}
	t := &table
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.entries[k]
	if e == nil || !e.global && e.value.Value() == nil {
		if t.entries == nil {
			t.entries = map[sideKey]*sideEntry{}
		}
		t.sweep()
		e = &sideEntry{global: !heap, fields: map[string]any{}}
		if heap {
			e.value = weak.Make((*byte)(addr))
		}
		t.entries[k] = e
	}
	f, ok := e.fields[key]
	if !ok {
		f = mk()
		e.fields[key] = f
	}
	return f
}

// sweep drops the dead entries once the table has doubled since the last
// sweep. The caller holds the table's lock.
func (t *tableType) sweep() {
	if len(t.entries) < 2*t.swept+64 {
		return
	}
	for k, e := range t.entries {
		if !e.global && e.value.Value() == nil {
			delete(t.entries, k)
		}
	}
	t.swept = len(t.entries)
}

// memoryOf tells where p points: into an object of the heap, or into a
// goroutine's stack (else: a package variable).
func memoryOf(p unsafe.Pointer) (heap, stack bool) {
	base, span, _ := findObject(uintptr(p), 0, 0)
	return base != 0, base == 0 && span != nil
}

// findObject is the runtime's: the base of the heap object that holds p
// (0 when there is none) and its span (nil when p was never in the heap; a
// stack's span when p points into a goroutine's stack).
//
//go:linkname findObject runtime.findObject
func findObject(p, refBase, refOff uintptr) (base uintptr, s unsafe.Pointer, objIndex uintptr)
