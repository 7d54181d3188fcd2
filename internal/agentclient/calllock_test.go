package agentclient

import (
	"context"
	"errors"
	"testing"
)

// TestCallLockWaitEndsWithContext checks that a wait for the call lock
// ends with the waiter's context, leaves the holder's turn alone, and that
// the lock can be taken again once released.
func TestCallLockWaitEndsWithContext(t *testing.T) {
	l := newCallLock()
	unlock, err := l.lock(context.Background())
	if err != nil {
		t.Fatalf("lock: %v", err)
	}
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.lock(ended); !errors.Is(err, context.Canceled) {
		t.Errorf("lock while held, with an ended context: got %v, want context.Canceled", err)
	}
	unlock()
	unlock, err = l.lock(context.Background())
	if err != nil {
		t.Fatalf("lock again: %v", err)
	}
	unlock()
}
