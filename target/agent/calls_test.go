package agent

import (
	"bytes"
	"fmt"
	"runtime"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/livepatch/livepatch/target/agent/wire"
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
	go waitInCalls(entered, release)
	defer close(release)
	<-entered
	calledOnce()
	refs := []wire.Ref{{Key: agentPrefix + "waitInCalls"}, {Key: agentPrefix + "calledOnce"}, {Key: agentPrefix + "neverCalled"}}
	got, err := calls(refs, true)
	if err != nil {
		t.Fatal(err)
	}
	if !got[0].Ran || got[0].Running != 1 {
		t.Errorf("waitInCalls: got %+v, want ran, running in 1 goroutine", got[0])
	}
	if !got[1].Ran || got[1].Running != 0 {
		t.Errorf("calledOnce: got %+v, want ran, running in none", got[1])
	}
	if got[2].Ran || got[2].Running != 0 {
		t.Errorf("neverCalled: got %+v, want not ran", got[2])
	}
	// Without stacks, only whether they ran.
	got, err = calls(refs, false)
	if err != nil || got[0].Running != 0 || !got[0].Ran {
		t.Errorf("calls without stacks: got %+v, %v", got, err)
	}
}

// BenchmarkCallsStacks measures the ways to find the goroutines inside a
// call of a function, with 10, 1000 and 10000 goroutines parked a few
// calls deep: the goroutine profile that OpCalls reads (the world stops
// only to begin and end it), and runtime.Stack of every goroutine (the
// world stops for the whole dump).
func BenchmarkCallsStacks(b *testing.B) {
	for _, n := range []int{10, 1000, 10000} {
		release := make(chan struct{})
		var parked sync.WaitGroup
		parked.Add(n)
		for range n {
			go parkDeep(4, &parked, release)
		}
		parked.Wait()
		b.Run(fmt.Sprintf("profile/%d", n), func(b *testing.B) {
			for range b.N {
				var profile bytes.Buffer
				if err := pprof.Lookup("goroutine").WriteTo(&profile, 1); err != nil {
					b.Fatal(err)
				}
				parseProfile(profile.String())
			}
		})
		b.Run(fmt.Sprintf("stack/%d", n), func(b *testing.B) {
			buf := make([]byte, 64<<20)
			for range b.N {
				runtime.Stack(buf, true)
			}
		})
		close(release)
	}
}

// parkDeep parks its goroutine depth calls deep until release is closed.
func parkDeep(depth int, parked *sync.WaitGroup, release chan struct{}) {
	if depth > 0 {
		parkDeep(depth-1, parked, release)
		return
	}
	parked.Done()
	<-release
}
