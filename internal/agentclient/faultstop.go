package agentclient

import (
	"errors"
	"fmt"

	"github.com/go-delve/delve/pkg/proc"
	"github.com/go-delve/delve/service/api"
	"github.com/go-delve/delve/service/debugger"

	"github.com/livepatch/livepatch/target/agent"
)

// StopAtFaults puts Delve's breakpoint for unrecovered panics on the
// agent's FaultStop as well, which the agent calls when the interpreter
// fails in a patched function (an interpreter fault): the program stops
// there as at an unrecovered panic, the editor shows an exception stop
// with the fault's message (Delve reads it from FaultStop's argument as
// from runtime.fatalpanic's), and it goes on when continued, which a real
// unrecovered panic cannot. The target must be stopped (just launched or
// restarted: Delve sets its own breakpoints on each new process). A program
// without the agent is left as it is.
func StopAtFaults(d *debugger.Debugger) error {
	if d.IsRunning() {
		return errors.New("stop at faults: the program runs")
	}
	tg, unlock := d.LockTargetGroup()
	defer unlock()
	t := tg.Selected
	pcs, err := proc.FindFunctionLocation(t.Process, agent.FaultStopFunc, 0)
	if err != nil {
		return nil // not a patchable build
	}
	for id, lbp := range tg.LogicalBreakpoints {
		if lbp.Name != proc.UnrecoveredPanic {
			continue
		}
		if _, err := t.SetBreakpoint(id, pcs[0], proc.UserBreakpoint, nil); err != nil {
			return fmt.Errorf("stop at faults: %w", err)
		}
		return nil
	}
	return errors.New("stop at faults: Delve has no breakpoint for unrecovered panics")
}

// stoppedAtFault reports whether the state's current thread is stopped in
// the agent's FaultStop.
func stoppedAtFault(fn *api.Function) bool {
	return fn != nil && fn.Name() == agent.FaultStopFunc
}
