package agent

import (
	"fmt"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"sync"

	yaegi "github.com/traefik/yaegi/interp"
)

// Repanic restores a panic's original value after interpreted code panicked.
// yaegi panics with a reflect.Value holding the value given to panic; a
// compiled caller's recover must see the value itself. Generated wrappers use
// it as their first statement:
//
//	defer lp_agent.Repanic()
//
// It must be deferred directly (recover only works in the deferred call).
// Panics that are not reflect.Value wrappers are re-raised unchanged: those a
// compiled function called by the replacement raised, and those raised
// inside the interpreter itself, which are either run-time errors of the
// replacement's code (a nil dereference, an index out of range, which yaegi
// raises from its own frames or from reflect's) or failures of the
// interpreter (an operation it does not support, a bug). The two cannot be
// told apart reliably from the panic, and a run-time error must behave as
// in compiled code (a caller's recover sees it, an unrecovered one ends the
// program), so neither is swallowed. For a panic raised inside the
// interpreter, Repanic also logs a warning to the target's stderr naming the
// patched function and where the panic started, once per function and
// place, so that a failure of the interpreter is not mistaken for one of
// the program. A panic that is a fault of the interpreter rather than a
// run-time error (see isFault) reverts the function and goes on as a
// *Fault instead (see handleFault).
func Repanic() {
	if r := recover(); r != nil {
		if _, ok := r.(reflect.Value); !ok {
			if f := reportInterpreterPanic(r); f != nil {
				panic(f)
			}
		}
		panic(unwrapPanic(r))
	}
}

// Call calls fn, an interpreted function, with args and returns its results.
// A panic inside fn is re-raised with its original value, as with Repanic.
// Generated wrappers that work with reflect values can use it instead of a
// typed call.
func Call(fn reflect.Value, args []reflect.Value) []reflect.Value {
	defer Repanic()
	return fn.Call(args)
}

// unwrapPanic returns the value that interpreted code passed to panic.
func unwrapPanic(r any) any {
	if v, ok := r.(reflect.Value); ok && v.IsValid() && v.CanInterface() {
		return v.Interface()
	}
	return r
}

// Function name prefixes that reportInterpreterPanic uses to read a stack.
var (
	agentPrefix = reflect.TypeOf(Table{}).PkgPath() + "."
	yaegiPrefix = yaegiModule() + "/"
)

// yaegiModule returns the module path of yaegi, from its interp package.
func yaegiModule() string {
	p := reflect.TypeOf(yaegi.Interpreter{}).PkgPath()
	return p[:strings.LastIndex(p, "/")]
}

// reported holds the panics reportInterpreterPanic has logged, by patched
// function and the place the panic started.
var reported sync.Map

// reportInterpreterPanic logs r, being re-raised by Repanic, when it was
// raised inside the interpreter while it ran a replacement, and handles it
// as a fault when it is one (returning the *Fault to raise). It is called
// by Repanic during the panic, when the stack still holds the frames from
// the wrapper down to where the panic started.
func reportInterpreterPanic(r any) *Fault {
	frames := panicStack()
	site, in, fn, viaCall, ok := interpreterPanicSite(frames)
	if !ok {
		return nil
	}
	if isFault(r, viaCall) {
		return handleFault(r, fn)
	}
	at := fmt.Sprintf("%s (%s:%d)", site.Function, site.File, site.Line)
	where := fmt.Sprintf("%s (%s:%d)", in.Function, in.File, in.Line)
	if _, seen := reported.LoadOrStore(fn+"\x00"+at+"\x00"+where, true); seen {
		return nil
	}
	logger.Warn("replacement panicked inside the interpreter: a run-time error of its code (such as a nil dereference) or a limitation of the interpreter",
		"func", fn, "panic", fmt.Sprint(r), "at", at, "interpreter", where)
	return nil
}

// panicStack returns the frames of the calling goroutine, innermost first,
// starting with its caller's caller.
func panicStack() []runtime.Frame {
	pcs := make([]uintptr, 512)
	for {
		n := runtime.Callers(3, pcs)
		if n < len(pcs) || len(pcs) >= 1<<16 {
			pcs = pcs[:n]
			break
		}
		pcs = make([]uintptr, 2*len(pcs))
	}
	var frames []runtime.Frame
	it := runtime.CallersFrames(pcs)
	for {
		f, more := it.Next()
		frames = append(frames, f)
		if !more {
			return frames
		}
	}
}

// interpreterPanicSite reads the stack of a panic that Repanic handles,
// innermost first, beginning above the runtime's frame for the panic. It
// reports where the panic value was raised, when that is inside the
// interpreter (site: yaegi's function, or reflect's that yaegi called, then
// in: the innermost frame of yaegi), whether the replacement's code called
// the raiser through reflect's Value.Call (viaCall: a reflect function the
// code calls itself), and the patched function whose replacement was
// running.
//
// The stack holds, innermost first: runtime.gopanic for the panic being
// handled; the function that raised it; and, when that function is a
// deferred call that yaegi runs for each interpreted frame to re-raise a
// panic going through it, again runtime.gopanic, the function that raised
// the earlier panic, and so on down to the first raise. Below that come the
// frames of the call: the interpreter's, then the agent's wrapper (which
// deferred Repanic: a typed wrapper, or Wrapper's under reflect's frames),
// then the patched compiled function, whose prologue called the wrapper.
func interpreterPanicSite(frames []runtime.Frame) (site, in runtime.Frame, patched string, viaCall, ok bool) {
	at := 0
	for {
		for at < len(frames) && frames[at].Function != "runtime.gopanic" {
			at++
		}
		// The raiser: skip the runtime's own frames (runtime.panicmem,
		// runtime.sigpanic, ...).
		at++
		for at < len(frames) && isRuntime(frames[at].Function) {
			at++
		}
		if at >= len(frames) {
			return site, in, "", false, false
		}
		raiser := frames[at].Function
		relay := at+1 < len(frames) && frames[at+1].Function == "runtime.gopanic"
		switch {
		case relay && strings.HasPrefix(raiser, yaegiPrefix):
			continue // yaegi re-raising while it unwinds an interpreted frame
		case relay && raiser == agentPrefix+"Repanic":
			return site, in, "", false, false // an inner wrapper handled it
		}
		break
	}
	site = frames[at]
	// A panic raised by reflect (or the runtime) for the interpreter is the
	// interpreter's.
	for at < len(frames) && (isRuntime(frames[at].Function) || strings.HasPrefix(frames[at].Function, "reflect.")) {
		if f := frames[at].Function; f != site.Function && (f == "reflect.Value.call" || f == "reflect.Value.Call" || f == "reflect.Value.CallSlice") {
			viaCall = true
		}
		at++
	}
	if at >= len(frames) || !strings.HasPrefix(frames[at].Function, yaegiPrefix) {
		return site, in, "", false, false
	}
	in = frames[at]
	// Out of the interpreter to the wrapper, and past it to the patched
	// function.
	mechanism := func(fn string) bool {
		return isRuntime(fn) || strings.HasPrefix(fn, "reflect.") || strings.HasPrefix(fn, yaegiPrefix)
	}
	// The wrappers are the agent's (a typed one, or Wrapper's closure
	// under reflect's frames, or Call).
	for at < len(frames) && (mechanism(frames[at].Function) || isWrapper(frames[at].Function)) {
		at++
	}
	patched = "a patched function"
	if at < len(frames) {
		patched = frames[at].Function
	}
	return site, in, patched, viaCall, true
}

// isWrapper reports whether fn is (a closure of) one of the agent's
// wrappers of replacements: the typed ones, Wrapper or Call.
func isWrapper(fn string) bool {
	rest, ok := strings.CutPrefix(fn, agentPrefix)
	return ok && wrapperName.MatchString(rest)
}

// wrapperName matches the agent's wrappers in a function's name after the
// package: a closure of a typed wrapper (named after its caller too when
// inlined, as in init.0.Func2_1[...].func5.1) or of Wrapper, or Call.
var wrapperName = regexp.MustCompile(`(^|\.)((Func|Variadic)\d+_\d+(\[|\.)|Wrapper\.func)|^Call$`)

// isRuntime reports whether fn is a function of the Go runtime.
func isRuntime(fn string) bool {
	return strings.HasPrefix(fn, "runtime.") || strings.HasPrefix(fn, "internal/")
}
