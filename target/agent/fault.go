package agent

import (
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/livepatch/livepatch/target/agent/hostlink"
	"github.com/livepatch/livepatch/target/agent/wire"
)

// Fault is the panic value with which a call of a patched function goes on
// after the interpreter failed while running the replacement: a panic
// raised inside yaegi, or inside reflect where yaegi called it, that is
// not a run-time error of the replacement's own code (see isFault). When
// Repanic sees one, the function is reverted to its compiled body for
// every later call, the fault is logged (to the host, which shows it in
// the console and the terminal), and, under the debugger, the program
// stops at FaultStop as at an unrecovered panic.
type Fault struct {
	Func string // the patched function, as Go's tracebacks name it
	Pos  string // file:line of the replacement's first line in its saved source, or ""
	Msg  string // the interpreter's message
}

// Error says what failed, where, and that the code is not at fault.
func (f *Fault) Error() string {
	at := ""
	if f.Pos != "" {
		at = " (" + f.Pos + ")"
	}
	return fmt.Sprintf("livepatch: interpreter fault in %s%s: %s: a limitation of livepatch's interpreter, not a bug in your code; %s runs compiled from its next call",
		f.Func, at, f.Msg, f.Func)
}

// FaultStopFunc is the name of FaultStop in the binary: the host puts
// Delve's breakpoint for unrecovered panics on it too.
var FaultStopFunc = strings.TrimSuffix(agentPrefix, ".") + ".FaultStop"

// FaultPanic has the shape Delve reads at an unrecovered panic: the
// debugger shows (*msgs).arg as the panic's message.
type FaultPanic struct {
	arg any
}

// FaultStop does nothing. Repanic calls it with the fault's message once
// the function is reverted, so that a debugger stops the program at the
// fault: the host puts Delve's breakpoint for unrecovered panics on it,
// which makes the editor show an exception stop with the message, whether
// or not the program recovers the panic that follows.
//
//go:noinline
func FaultStop(msgs *FaultPanic) {
	runtime.KeepAlive(msgs)
}

// placeOf holds where each live patch's source starts in its saved file,
// "file:line", by function index; applyLocked writes it.
var placeOf sync.Map

// recordPlace notes the saved-source position of the patch p of index.
func recordPlace(index int, p wire.Patch) {
	if p.File == "" {
		placeOf.Delete(index)
		return
	}
	placeOf.Store(index, fmt.Sprintf("%s:%d", p.File, max(p.Line, 1)))
}

// isFault reports whether r, a panic raised inside the interpreter while it
// ran a replacement (site the raiser, viaCall whether the replacement's
// code called it through reflect), is a fault of the interpreter rather
// than a run-time error of the replacement's code. Run-time errors (a nil
// dereference, an index out of range, a failed type assertion) behave as
// in compiled code; everything else the interpreter or the reflect calls
// it makes raise is a limitation of livepatch.
func isFault(r any, viaCall bool) bool {
	if viaCall {
		return false // the replacement called reflect itself
	}
	var re runtime.Error
	if err, ok := r.(error); ok && errors.As(err, &re) {
		return false
	}
	msg := fmt.Sprint(r)
	for _, m := range runtimeErrorText {
		if strings.Contains(msg, m) {
			return false
		}
	}
	return true
}

// runtimeErrorText are the parts of the messages with which yaegi, and
// reflect under it, report what compiled code reports as a run-time
// error: a failed type assertion (yaegi's own message), an index or slice
// bound out of range (reflect's), a nil pointer dereferenced (reflect's
// "call of reflect.Value.Field on zero Value", and the like).
var runtimeErrorText = []string{
	"interface conversion:",
	"index out of range",
	"out of bounds",
	"on zero Value",
	"nil pointer",
	"nil map",
	"divide by zero",
}

// handleFault reverts the patched function named fn (a traceback name),
// logs the fault and stops at FaultStop; it returns the Fault to raise in
// place of r.
func handleFault(r any, fn string) *Fault {
	f := &Fault{Func: fn, Msg: strings.TrimSpace(fmt.Sprint(unwrapPanic(r)))}
	if e := entryNamed(fn); e != nil {
		f.Func = displayKey(e.key)
		if p, ok := placeOf.Load(e.index); ok {
			f.Pos = p.(string)
		}
		revertFaulted(e.index)
	}
	logger.Error(hostlink.FaultMsg, hostlink.FaultFunc, f.Func, hostlink.FaultAt, f.Pos, hostlink.FaultPanic, f.Msg)
	FaultStop(&FaultPanic{arg: f.Error()})
	return f
}

// instantiationRE matches the type arguments in a traceback's name of an
// instantiation of a generic function or method ("[...]").
var instantiationRE = regexp.MustCompile(`\[[^\]]*\]`)

// entryNamed returns the registered function whose traceback name is fn.
func entryNamed(fn string) *funcEntry {
	registry.mu.Lock()
	es := make([]*funcEntry, 0, len(registry.byKey))
	for _, e := range registry.byKey {
		es = append(es, e)
	}
	registry.mu.Unlock()
	fn = instantiationRE.ReplaceAllString(fn, "")
	for _, e := range es {
		if displayKey(e.key) == fn {
			return e
		}
	}
	return nil
}

// revertFaulted publishes a table without the patch of function index.
// The fault may happen while an agent operation holds the agent's lock on
// this goroutine (an evaluation calling the patched function), so it does
// not wait for the lock: without it, it swaps the table in directly, and
// the agent's list of patches catches up at its next revert or apply.
func revertFaulted(index int) {
	if machine.mu.TryLock() {
		defer machine.mu.Unlock()
		_ = revertLocked([]wire.Ref{{Index: index}})
		placeOf.Delete(index)
		return
	}
	for {
		cur := Load()
		if cur == nil || index >= len(cur.Fns) || cur.Fns[index] == nil {
			return
		}
		t := &Table{Fns: append([]any(nil), cur.Fns...)}
		t.Fns[index] = nil
		if atomic.CompareAndSwapPointer(&Current, cur.slots, t.seal()) {
			return
		}
	}
}
