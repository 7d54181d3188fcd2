package agentclient

import (
	"errors"
	"fmt"
	"strings"

	"github.com/go-delve/delve/pkg/proc"
	"github.com/go-delve/delve/service/debugger"
)

// ErrDying is returned for a call while the target is stopped at an
// unrecovered panic or a fatal throw: the Go runtime runs nothing more in
// it, and it exits when it continues.
var ErrDying = errors.New("the program is stopped at an unrecovered panic or a fatal error: it can run nothing more and exits when it continues; restart it to go on (the restart builds your saved files)")

// runtimeRefusal is how the Go runtime refuses an injected call on a
// goroutine that is inside the runtime (runtime/debugcall.go).
const runtimeRefusal = "call from within the Go runtime"

// explainCallError turns the runtime's refusal of a call into what it means
// for the user: a dying program (ErrDying), or a goroutine stopped inside
// the runtime, where selecting another goroutine helps.
func (c *CallClient) explainCallError(err error) error {
	if strings.Contains(err.Error(), "selected goroutine not running") {
		return fmt.Errorf("%w: it is not running on a thread (%w)", ErrNoCall, err)
	}
	if !strings.Contains(err.Error(), runtimeRefusal) {
		return err
	}
	if stoppedDying(c.d) {
		return ErrDying
	}
	st, serr := c.d.State(true)
	fn := "the Go runtime"
	if serr == nil && st != nil && st.SelectedGoroutine != nil && st.SelectedGoroutine.CurrentLoc.Function != nil {
		fn = st.SelectedGoroutine.CurrentLoc.Function.Name()
	}
	if dyingFuncs[fn] {
		return ErrDying
	}
	return fmt.Errorf("the selected goroutine is stopped inside %s, where the Go runtime allows no calls: select a goroutine stopped in your code, or continue (%w; %w)", fn, ErrNoCall, err)
}

// ErrNoCall is the error of a call on a goroutine that cannot take one: it
// is parked, or stopped inside the Go runtime. Another channel
// (Target.ResumeFor) may reach the agent then.
var ErrNoCall = errors.New("the goroutine cannot take a call")

// stoppedDying reports whether d's target is stopped at Delve's breakpoint
// for an unrecovered panic or a fatal throw, not at the agent's stop for an
// interpreter fault, which that breakpoint also covers (StopAtFaults).
func stoppedDying(d *debugger.Debugger) bool {
	st, err := d.State(true)
	if err != nil || st == nil || st.CurrentThread == nil || st.CurrentThread.Breakpoint == nil || stoppedAtFault(st.CurrentThread.Function) {
		return false
	}
	switch st.CurrentThread.Breakpoint.Name {
	case proc.UnrecoveredPanic, proc.FatalThrow:
		return true
	}
	return false
}

// dyingFuncs are the runtime functions a goroutine stops in at an
// unrecovered panic or a fatal error (Delve's breakpoints for those).
var dyingFuncs = map[string]bool{
	"runtime.fatalpanic": true,
	"runtime.fatalthrow": true,
	"runtime.throw":      true,
	"runtime.fatal":      true,
}
