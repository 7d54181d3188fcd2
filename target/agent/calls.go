package agent

import (
	"strings"
	"sync/atomic"
)

// Calls of patchable functions. A patch takes effect at the next call of
// its function: a call already running (a loop) keeps the body it started
// with, and a function that ran once at start-up may never run again. The
// host tells the user so; the agent answers what it knows of the calls
// (OpCalls): whether each function has run since the program started, from
// the ran flags the generated prologues set on a function's first call
// (RegisterRan), and, when asked, which goroutines are inside a call of it
// now, from the runtime's dump of every goroutine's stack.

// FuncCalls is what the agent knows of the calls of one patchable
// function.
type FuncCalls struct {
	Key string `json:"key"`
	// Ran says that the function has been called since the program
	// started.
	Ran bool `json:"ran,omitempty"`
	// Goroutines are the goroutines inside a call of the function now
	// (the compiled function's frame is on their stack), when the
	// request asked for stacks.
	Goroutines []int64 `json:"goroutines,omitempty"`
}

// RegisterRan records the ran flags of the patchable functions first,
// first+1, ...: ran[i] is set to 1 (atomically) by the prologue of
// function first+i on its first call. It is meant for generated init code
// and is safe for concurrent use.
func RegisterRan(first int, ran []uint32) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	for i := range ran {
		registry.ran[first+i] = &ran[i]
	}
}

// calls answers OpCalls for refs. With stacks, it reads every goroutine's
// stack (runtime.Stack, which stops the world while it writes them), but
// only when one of the functions has run: one that never ran cannot be on
// a stack. Stacks must be false in a call injected by the debugger, whose
// other goroutines may be stopped.
func calls(refs []Ref, stacks bool) ([]FuncCalls, error) {
	out := make([]FuncCalls, len(refs))
	symbols := map[string]int{} // runtime function name -> index in out
	anyRan := false
	for i, r := range refs {
		e, err := lookupFunc(r)
		if err != nil {
			return nil, err
		}
		out[i] = FuncCalls{Key: e.key, Ran: hasRun(e.index)}
		anyRan = anyRan || out[i].Ran
		symbols[runtimeName(e.key)] = i
	}
	if !stacks || !anyRan {
		return out, nil
	}
	self := currentGoroutine()
	for _, g := range parseStacks(allStacks()) {
		seen := map[int]bool{}
		for _, fn := range g.fns {
			if i, ok := symbols[fn]; ok && !seen[i] && g.id != self {
				seen[i] = true
				out[i].Goroutines = append(out[i].Goroutines, g.id)
			}
		}
	}
	return out, nil
}

// hasRun reports whether function index has been called.
func hasRun(index int) bool {
	registry.mu.Lock()
	p := registry.ran[index]
	registry.mu.Unlock()
	return p != nil && atomic.LoadUint32(p) != 0
}

// runtimeName returns the name the runtime gives the function of key: the
// functions of a main package are main.F whatever its import path.
func runtimeName(key string) string {
	if path, ok := packageOf(key); ok && registeredName(path) == "main" {
		return "main" + key[len(path):]
	}
	return key
}

// unescapeSymbol undoes the escaping of dots in the last element of an
// import path in a symbol name (gopkg.in/yaml%2ev3.F).
func unescapeSymbol(fn string) string {
	return strings.ReplaceAll(fn, "%2e", ".")
}
