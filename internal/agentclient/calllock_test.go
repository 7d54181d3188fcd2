package agentclient

import (
	"context"
	"errors"
	"testing"

	"github.com/go-delve/delve/service/debugger"
)

// callLockEntries returns how many debuggers have a call lock entry, and
// whether d has one.
func callLockEntries(d *debugger.Debugger) (int, bool) {
	callLocks.mu.Lock()
	defer callLocks.mu.Unlock()
	_, ok := callLocks.m[d]
	return len(callLocks.m), ok
}

// TestCallLockIsDroppedWhenUnused checks that a debugger's call lock
// exists only while a round trip holds or waits for it, and that a wait for
// it ends with the waiter's context.
func TestCallLockIsDroppedWhenUnused(t *testing.T) {
	d := new(debugger.Debugger) // only a map key here
	unlock, err := lockCalls(context.Background(), d)
	if err != nil {
		t.Fatalf("lockCalls: %v", err)
	}
	if _, ok := callLockEntries(d); !ok {
		t.Fatalf("no entry while the lock is held")
	}
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := lockCalls(ended, d); !errors.Is(err, context.Canceled) {
		t.Errorf("lockCalls while held, with an ended context: got %v, want context.Canceled", err)
	}
	if _, ok := callLockEntries(d); !ok {
		t.Errorf("the waiter that gave up dropped the holder's entry")
	}
	unlock()
	if n, ok := callLockEntries(d); ok || n != 0 {
		t.Errorf("after unlock: %d entries, entry for d: %v; want none", n, ok)
	}
	// The lock can be taken again.
	unlock, err = lockCalls(context.Background(), d)
	if err != nil {
		t.Fatalf("lockCalls again: %v", err)
	}
	unlock()
}
