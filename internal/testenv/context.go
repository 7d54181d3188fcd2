package testenv

import (
	"context"
	"testing"
	"time"
)

// Margin is how long before the test's deadline the waits of a test give
// up: long enough for the test to fail with a message saying what it waited
// for, and for its cleanups to stop the processes it started, before the
// test binary is killed with a bare stack dump.
const Margin = 10 * time.Second

// NoDeadline is how long a test may wait when it runs without a deadline
// (go test -timeout=0): go test's default timeout.
const NoDeadline = 10 * time.Minute

// Deadline returns when the waits of t must give up: Margin before t's
// deadline, or NoDeadline from now when t has none (a benchmark, or
// -timeout=0).
func Deadline(t testing.TB) time.Time {
	if dt, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		if d, ok := dt.Deadline(); ok {
			return d.Add(-Margin)
		}
	}
	return time.Now().Add(NoDeadline)
}

// Context returns a context that ends at Deadline(t), so that a hung peer
// fails the test with a message instead of killing the test binary. It is
// cancelled when the test ends.
func Context(t testing.TB) context.Context {
	ctx, cancel := context.WithDeadline(context.Background(), Deadline(t))
	t.Cleanup(cancel)
	return ctx
}
