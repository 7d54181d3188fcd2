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

// PerTest bounds the waits of one test, so that one hung wait fails its
// test and leaves the rest of the binary's time to the tests after it (a
// wait bounded only by the binary's deadline ate all of it, and every
// later test failed at once). The longest test takes under 3 minutes on a
// loaded 2-core machine.
const PerTest = 5 * time.Minute

// Deadline returns when the waits of t must give up: PerTest from now, or
// Margin before t's deadline when that is sooner, or NoDeadline from now
// when t has none (a benchmark, or -timeout=0).
func Deadline(t testing.TB) time.Time {
	if dt, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		if d, ok := dt.Deadline(); ok {
			return earliest(d.Add(-Margin), time.Now().Add(PerTest))
		}
	}
	return time.Now().Add(NoDeadline)
}

func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// Context returns a context that ends at Deadline(t), so that a hung peer
// fails the test with a message instead of killing the test binary. It is
// cancelled when the test ends.
func Context(t testing.TB) context.Context {
	ctx, cancel := context.WithDeadline(context.Background(), Deadline(t))
	t.Cleanup(cancel)
	return ctx
}
