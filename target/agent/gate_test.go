package agent

import (
	"runtime"
	"testing"
	"time"

	"github.com/livepatch/livepatch/target/agent/wire"
)

// gateOp runs a wire.OpGate request as the socket would.
func gateOp(t *testing.T, open bool, refs ...wire.Ref) {
	t.Helper()
	machine.mu.Lock()
	defer machine.mu.Unlock()
	if err := gateLocked(refs, open); err != nil {
		t.Fatalf("gate: %v", err)
	}
}

// heldCall calls greet(name) on a goroutine, once greet's gate is set,
// and returns once the call waits at it.
func heldCall(t *testing.T, name string, got chan<- string) {
	t.Helper()
	go func() { got <- greet(name) }()
	e, err := lookupFunc(wire.Ref{Key: testPkg + ".greet"})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		machine.mu.Lock()
		g := gates[e.index]
		machine.mu.Unlock()
		if g != nil && g.waiting.Load() > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no call of %s waits at its gate", name)
		}
		runtime.Gosched()
	}
}

// TestGateHoldsCalls checks that the calls of a patch applied with Hold
// wait until the gate opens, then run the function's current patch (here
// one applied again with Hold meanwhile, as a later save would), and that
// a function applied without Hold, or reverted, is not held.
func TestGateHoldsCalls(t *testing.T) {
	resetPatches(t)
	key := testPkg + ".greet"
	mustApply(t, wire.Patch{Ref: wire.Ref{Key: key}, Source: `func(name string) string { return "v1 " + name }`, Hold: true})
	got := make(chan string, 1)
	heldCall(t, "bob", got)
	mustApply(t, wire.Patch{Ref: wire.Ref{Key: key}, Source: `func(name string) string { return "v2 " + name }`, Hold: true})
	gateOp(t, true, wire.Ref{Key: key})
	if s := <-got; s != "v2 bob" {
		t.Errorf("held call: got %q, want the patch's at the opening, %q", s, "v2 bob")
	}
	if s := greet("ann"); s != "v2 ann" {
		t.Errorf("after the opening: got %q", s)
	}

	gateOp(t, false, wire.Ref{Key: key})
	heldCall(t, "cy", got)
	mustApply(t, wire.Patch{Ref: wire.Ref{Key: key}, Source: `func(name string) string { return "v3 " + name }`})
	if s := <-got; s != "v3 cy" {
		t.Errorf("call held until an apply without Hold: got %q, want %q", s, "v3 cy")
	}
	gateOp(t, false, wire.Ref{Key: key})
	heldCall(t, "di", got)
	if err := Revert([]wire.Ref{{Key: key}}); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "v3 di" {
		t.Errorf("call held until a revert: got %q, want the last patch's %q", s, "v3 di")
	}
	if s := greet("ed"); s != "hello ed" {
		t.Errorf("after the revert: got %q, want the compiled %q", s, "hello ed")
	}
	if len(gates) != 0 {
		t.Errorf("gates left: %v", gates)
	}
}
