package agent

import (
	"bytes"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/livepatch/livepatch/target/agent/wire"
)

// An input still running after its time limit. Compiled code cannot be
// interrupted: an input blocked in a compiled call (sync.(*Mutex).Lock,
// time.Sleep, a channel of compiled code) goes on blocking while the
// agent answers. The agent does not wait for it and says so: the answer is
// a *RunningError naming the input and where it waits. Once the compiled
// call returns (when the program continues), the call keeps whatever it
// took (a lock stays locked) and the input's own statements run on (the
// interpreter's stop has been renewed by then); frames of interpreted
// functions it was in stop. Later operations do not wait for it; its
// outcome is kept until an evaluation's response carries it
// (wire.Response.Ended).

// RunningError is the error of an evaluation still running after its
// time limit.
type RunningError struct{ Input wire.RunningInput }

func (e *RunningError) Error() string {
	where := "compiled code"
	if e.Input.BlockedIn != "" {
		where = e.Input.BlockedIn
	}
	return fmt.Sprintf("eval: still running after its time limit, blocked in %s, which cannot be interrupted", where)
}

// running holds the inputs given up on and those that ended since.
var running struct {
	mu    sync.Mutex
	next  int
	ended []wire.EndedInput
}

// takeEnded returns, and forgets, the inputs that ended since the last
// call.
func takeEnded() []wire.EndedInput {
	running.mu.Lock()
	defer running.mu.Unlock()
	e := running.ended
	running.ended = nil
	return e
}

// inputEnded records the outcome of input id.
func inputEnded(id int, err error) {
	running.mu.Lock()
	defer running.mu.Unlock()
	e := wire.EndedInput{ID: id}
	if err != nil {
		e.Error = err.Error()
	}
	running.ended = append(running.ended, e)
}

// currentGoroutine returns the id of the calling goroutine, from the
// header of its stack trace ("goroutine 7 [running]:").
func currentGoroutine() int64 {
	var buf [64]byte
	s := strings.TrimPrefix(string(buf[:runtime.Stack(buf[:], false)]), "goroutine ")
	id, _ := strconv.ParseInt(s[:max(strings.IndexByte(s, ' '), 0)], 10, 64)
	return id
}

// blockedInput numbers a new running input and finds, in the stack of
// goroutine goid, where it waits.
func blockedInput(goid int64) *RunningError {
	running.mu.Lock()
	running.next++
	in := wire.RunningInput{ID: running.next}
	running.mu.Unlock()
	in.BlockedIn, in.Called = blockedIn(goroutineStack(goid))
	return &RunningError{Input: in}
}

// goroutineStack returns the functions of goroutine goid's stack,
// innermost first, from the runtime's dump of every goroutine.
func goroutineStack(goid int64) []string {
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) || len(buf) >= 64<<20 {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	header := []byte(fmt.Sprintf("goroutine %d [", goid))
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		if !bytes.HasPrefix(g, header) {
			continue
		}
		var fns []string
		for _, l := range strings.Split(string(g), "\n")[1:] {
			if l == "" || strings.HasPrefix(l, "\t") || strings.HasPrefix(l, "created by ") {
				continue
			}
			if i := strings.LastIndexByte(l, '('); i > 0 {
				l = l[:i]
			}
			fns = append(fns, l)
		}
		return fns
	}
	return nil
}

// blockedIn reads a stack, innermost first: where it waits is the first
// function outside the runtime; what the interpreter called is the last
// one before the interpreter's own frames (reflect's or yaegi's).
func blockedIn(fns []string) (waits, called string) {
	for _, fn := range fns {
		if strings.HasPrefix(fn, "reflect.") || strings.HasPrefix(fn, yaegiPrefix) {
			break
		}
		if isRuntime(fn) {
			continue
		}
		if waits == "" {
			waits = fn
		}
		called = fn
	}
	if called == waits {
		called = ""
	}
	return waits, called
}
