package agent

import (
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/livepatch/livepatch/target/agent/wire"
)

// A gate holds the calls of one interpreted patch until the host opens it:
// the host sets one while the user has a breakpoint in the function and
// its native build is under way (wire.Patch.Hold, wire.OpGate), so that
// the calls that would run the interpreted code, where no breakpoint
// stops, wait for the native code, where the breakpoint is, instead of
// passing it. The gate is a function of the patch's type that the table
// holds in place of the patch: a function with no gate costs nothing
// more. A native switch keeps the gate, with the native function behind
// it, because the host sets the breakpoint in the plugin's code only
// once the switch is done; the host then opens it. An apply without Hold
// or a revert opens it at once.
type gate struct {
	open    chan struct{} // closed when the calls go on
	value   any           // the gate's function, in the table
	waiting atomic.Int32  // the calls that wait

	mu sync.Mutex
	// next is what the held calls run once the gate opens: the patch's
	// function (the native one once switched), or after a revert the last
	// one, as for a call that had begun before the revert.
	next any
}

// gateMax bounds a call's wait at a gate, in case the host never opens
// it; the call then runs what the gate holds.
const gateMax = 5 * time.Minute

// gates are the gates set, by function index, guarded by machine.mu.
var gates map[int]*gate

// holdLocked sets a gate on function index in t, a table being built,
// whose function there is new (not a gate): its calls wait for the gate
// to open, then run that function. A function already held keeps its
// gate, in front of the new function. The caller holds machine.mu.
func holdLocked(t *Table, index int) {
	cur := t.Fns[index]
	if cur == nil {
		return
	}
	if g := gates[index]; g != nil {
		g.setNext(cur)
		t.Fns[index] = g.value
		return
	}
	g := &gate{open: make(chan struct{}), next: cur}
	typ := reflect.TypeOf(cur)
	g.value = reflect.MakeFunc(typ, func(in []reflect.Value) []reflect.Value {
		return g.call(typ, in)
	}).Interface()
	if gates == nil {
		gates = map[int]*gate{}
	}
	gates[index] = g
	t.Fns[index] = g.value
}

// unholdLocked forgets the gate of index and returns the function that
// opens it once a table without it is published (nil when index has
// none). With restore, t, a table being built that holds the gate, gets
// the gate's function instead; without, the caller has put another
// function there, which the held calls then run, or none (a revert). The
// caller holds machine.mu.
func unholdLocked(t *Table, index int, restore bool) func() {
	g := gates[index]
	if g == nil {
		return nil
	}
	delete(gates, index)
	switch {
	case restore:
		g.mu.Lock()
		t.Fns[index] = g.next
		g.mu.Unlock()
	case t != nil && t.Fns[index] != nil:
		g.setNext(t.Fns[index])
	}
	return func() { close(g.open) }
}

// unholdAllLocked forgets every gate and returns what opens them once
// a table without them is published. The caller holds machine.mu.
func unholdAllLocked() func() {
	var opens []func()
	for i := range gates {
		opens = append(opens, unholdLocked(nil, i, false))
	}
	return func() {
		for _, open := range opens {
			open()
		}
	}
}

func (g *gate) setNext(fn any) {
	g.mu.Lock()
	g.next = fn
	g.mu.Unlock()
}

// call is a held call: it waits for the gate to open (at most gateMax),
// then calls what the gate holds with in.
func (g *gate) call(typ reflect.Type, in []reflect.Value) []reflect.Value {
	g.waiting.Add(1)
	timer := time.NewTimer(gateMax)
	select {
	case <-g.open:
	case <-timer.C:
	}
	timer.Stop()
	g.waiting.Add(-1)
	g.mu.Lock()
	fn := reflect.ValueOf(g.next)
	g.mu.Unlock()
	if typ.IsVariadic() {
		return fn.CallSlice(in)
	}
	return fn.Call(in)
}

// gateLocked answers wire.OpGate: it holds the calls of the functions of
// refs, or opens their gates when open is set. Only interpreted patches
// are held: a function not patched, or native, is left as it is. The
// caller holds machine.mu.
func gateLocked(refs []wire.Ref, open bool) error {
	es, err := lookupFuncs(refs)
	if err != nil {
		return err
	}
	t := copyTable()
	var opens []func()
	for _, e := range es {
		if open {
			if o := unholdLocked(t, e.index, true); o != nil {
				opens = append(opens, o)
			}
			continue
		}
		if p, ok := machine.patched[e.index]; ok && !p.native && !e.generic && gates[e.index] == nil {
			holdLocked(t, e.index)
		}
	}
	Publish(t)
	openAfterReply(opens)
	return nil
}

// replyHooks are the gates a request opened, opened once its answer is
// written (afterReply): a held call let go at once may reach a breakpoint,
// whose halt would freeze the answer in the agent, and the host would wait
// for it until the program runs again, every later change queued behind.
// Outside a request (an interpreter fault's revert), gates open at once.
var replyHooks struct {
	sync.Mutex
	requests int // requests being handled (beginReply)
	opens    []func()
}

// openAfterReply opens the gates of opens once the answer to the request
// being handled is written, or at once outside a request.
func openAfterReply(opens []func()) {
	replyHooks.Lock()
	if replyHooks.requests > 0 {
		replyHooks.opens = append(replyHooks.opens, opens...)
		opens = nil
	}
	replyHooks.Unlock()
	for _, open := range opens {
		open()
	}
}

// beginReply notes a request being handled; afterReply ends it.
func beginReply() {
	replyHooks.Lock()
	replyHooks.requests++
	replyHooks.Unlock()
}

// afterReply ends a request that beginReply began and opens the gates it
// opened; its caller has written the answer (or put it where the debugger
// reads it).
func afterReply() {
	replyHooks.Lock()
	replyHooks.requests--
	var opens []func()
	if replyHooks.requests == 0 {
		opens, replyHooks.opens = replyHooks.opens, nil
	}
	replyHooks.Unlock()
	for _, open := range opens {
		open()
	}
}
