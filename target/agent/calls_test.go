package agent

import (
	"slices"
	"sync/atomic"
	"testing"
)

// waitInCalls is a patchable function, as the builder would make it, that
// says it entered and waits in its body until release is closed: a loop
// running now.
func waitInCalls(entered, release chan struct{}) {
	atomic.StoreUint32(&callsRan[0], 1)
	close(entered)
	<-release
}

// calledOnce is a patchable function that has run and returned.
func calledOnce() { atomic.StoreUint32(&callsRan[1], 1) }

// callsRan are the ran flags of waitInCalls, calledOnce and a function
// never called, as a file's generated lpRan_ array.
var callsRan [3]uint32

// TestCalls checks the agent's answer about the calls of patchable
// functions: which ran, and which goroutines are inside one now.
func TestCalls(t *testing.T) {
	const first = 100
	for i, name := range []string{"waitInCalls", "calledOnce", "neverCalled"} {
		RegisterFunc(first+i, agentPrefix+name, Wrapper(nil))
	}
	RegisterRan(first, callsRan[:])
	entered, release := make(chan struct{}), make(chan struct{})
	started := make(chan int64, 1)
	go func() {
		started <- currentGoroutine()
		waitInCalls(entered, release)
	}()
	defer close(release)
	goid := <-started
	<-entered
	calledOnce()
	refs := []Ref{{Key: agentPrefix + "waitInCalls"}, {Key: agentPrefix + "calledOnce"}, {Key: agentPrefix + "neverCalled"}}
	got, err := calls(refs, true)
	if err != nil {
		t.Fatal(err)
	}
	if !got[0].Ran || !slices.Equal(got[0].Goroutines, []int64{goid}) {
		t.Errorf("waitInCalls: got %+v, want ran, in goroutine %d", got[0], goid)
	}
	if !got[1].Ran || len(got[1].Goroutines) > 0 {
		t.Errorf("calledOnce: got %+v, want ran, in no goroutine", got[1])
	}
	if got[2].Ran || len(got[2].Goroutines) > 0 {
		t.Errorf("neverCalled: got %+v, want not ran", got[2])
	}
	// Without stacks, only whether they ran.
	got, err = calls(refs, false)
	if err != nil || len(got[0].Goroutines) > 0 || !got[0].Ran {
		t.Errorf("calls without stacks: got %+v, %v", got, err)
	}
}
