//go:build go1.24

package side

import (
	"reflect"
	"runtime"
	"testing"
	"time"
	"unsafe"
)

type sideOuter struct {
	inner sideInner
	n     int
}

type sideInner struct{ m int }

var sideGlobal sideOuter

func newInt() any { return new(int) }

// TestFieldName checks the side table: one storage per value, field and
// type (a struct and its first field share an address), package variables
// kept for good, a freed value's entry dead, and a value on a goroutine's
// stack told apart (Field panics for it).
func TestFieldName(t *testing.T) {
	p := &sideOuter{}
	a := Field(p, "hits int", newInt).(*int)
	*a = 3
	if b := Field(p, "hits int", newInt).(*int); b != a || *b != 3 {
		t.Fatalf("second lookup: got %p (%d), want %p (3)", b, *b, a)
	}
	if c := Field(&p.inner, "hits int", newInt).(*int); c == a || *c != 0 {
		t.Errorf("the first field's side field shares its struct's: %p, %p", c, a)
	}
	if g := Field(&sideGlobal, "hits int", newInt).(*int); *g != 0 {
		t.Errorf("package variable: got %d, want 0", *g)
	}
	if e := table.entries[sideKey{uintptr(unsafe.Pointer(&sideGlobal)), reflect.TypeFor[sideOuter]()}]; e == nil || !e.global {
		t.Errorf("package variable: entry %+v, want a global one", e)
	}

	key := sideKey{uintptr(unsafe.Pointer(p)), reflect.TypeFor[sideOuter]()}
	entry := table.entries[key]
	runtime.KeepAlive(p)
	p = nil
	deadline := time.Now().Add(10 * time.Second)
	for entry.value.Value() != nil {
		if time.Now().After(deadline) {
			t.Fatal("the entry of a freed value is still alive")
		}
		runtime.GC()
	}

	var local [4]int
	if heap, stack := memoryOf(unsafe.Pointer(&local)); heap || !stack {
		t.Errorf("a local on the stack: heap %t, stack %t", heap, stack)
	}
}
