package agentclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-delve/delve/pkg/proc"
	"github.com/go-delve/delve/service/api"
	"github.com/go-delve/delve/service/debugger"

	"github.com/livepatch/livepatch/target/agent"
	"github.com/livepatch/livepatch/target/agent/wire"
)

// Names of the agent's injected-call entry points as Delve spells them.
const (
	agentPkgExpr = `"github.com/livepatch/livepatch/target/agent"`
	inboxExpr    = agentPkgExpr + ".Inbox"
	outboxExpr   = agentPkgExpr + ".Outbox"
)

// CallClient talks to the agent of a stopped target through a Delve
// debugger: it writes the request into agent.Inbox, calls agent.Serve by
// call injection (with UnsafeCall, which Delve's DAP layer never sets) and
// reads the response from agent.Outbox. The target must be stopped and
// built with -gcflags=all=-N -l. The whole process runs during the call; a
// breakpoint hit by another goroutine ends the call with an error.
//
// The target has one inbox and one outbox, so every CallClient of one
// debugger takes the lock of the Target that owns the debugger (Target.Sync
// makes them) for the whole write, call and read: requests of all the
// session's users (the prompt, live patching) are made one at a time, in no
// particular order, and each gets its own response. Methods are safe for
// concurrent use. The context bounds the wait for that lock and is checked
// before a call, but cannot interrupt one (Halt does).
type CallClient struct {
	*ops
	d     *debugger.Debugger
	calls *callLock // the owning Target's

	// GoroutineID selects the goroutine that makes the call; 0 means the
	// debugger's selected goroutine.
	GoroutineID int64

	// The addresses of agent.Inbox and agent.Outbox, found on first use;
	// guarded by calls.
	inbox, outbox uint64
}

// callLock lets one round trip at a time use a target's inbox and outbox.
// The Target that owns the debugger has one, which every CallClient it
// makes shares.
type callLock struct {
	sem chan struct{} // holds a token while a round trip runs
}

func newCallLock() *callLock { return &callLock{sem: make(chan struct{}, 1)} }

// lock takes the lock, waiting at most until ctx ends, and returns the
// function that releases it.
func (l *callLock) lock(ctx context.Context) (unlock func(), err error) {
	select {
	case l.sem <- struct{}{}:
		return func() { <-l.sem }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("wait for another call to the agent: %w", ctx.Err())
	}
}

// newCallClient returns a client that calls the agent through d, taking
// turns with the other users of calls.
func newCallClient(d *debugger.Debugger, calls *callLock) *CallClient {
	c := &CallClient{d: d, calls: calls}
	c.ops = &ops{t: c}
	return c
}

// addresses finds agent.Inbox and agent.Outbox in the target.
func (c *CallClient) addresses() error {
	if c.inbox != 0 {
		return nil
	}
	for _, x := range []struct {
		expr string
		addr *uint64
	}{{inboxExpr, &c.inbox}, {outboxExpr, &c.outbox}} {
		v, err := c.d.EvalVariableInScope(-1, 0, 0, x.expr, proc.LoadConfig{})
		if err != nil {
			return fmt.Errorf("find %s (is the target built patchable?): %w", x.expr, err)
		}
		if v.Unreadable != nil {
			return fmt.Errorf("find %s: %w", x.expr, v.Unreadable)
		}
		*x.addr = v.Addr
	}
	return nil
}

func (c *CallClient) roundTrip(ctx context.Context, req *wire.Request) (*wire.Response, error) {
	return c.roundTripCall(ctx, req, c.GoroutineID, func(n int) string {
		return fmt.Sprintf("%s.Serve(%d)", agentPkgExpr, n)
	})
}

// roundTripCall writes req into the inbox and calls the agent on goroutine
// goid with the expression call(len(request)).
func (c *CallClient) roundTripCall(ctx context.Context, req *wire.Request, goid int64, call func(n int) string) (*wire.Response, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", req.Op, err)
	}
	unlock, err := c.calls.lock(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", req.Op, err)
	}
	defer unlock()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", req.Op, err)
	}
	if err := c.checkStopped(); err != nil {
		return nil, fmt.Errorf("%s: %w", req.Op, err)
	}
	if err := c.exited(); err != nil {
		return nil, fmt.Errorf("%s: %w", req.Op, err)
	}
	if err := c.addresses(); err != nil {
		return nil, fmt.Errorf("%s: %w", req.Op, err)
	}
	b, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", req.Op, err)
	}
	if len(b) > agent.InboxSize {
		return nil, fmt.Errorf("%s: request of %d bytes exceeds the agent inbox (%d)", req.Op, len(b), agent.InboxSize)
	}
	tg, unlock := c.d.LockTargetGroup()
	_, err = tg.Selected.Memory().WriteMemory(c.inbox, b)
	unlock()
	if err != nil {
		return nil, fmt.Errorf("%s: write agent inbox: %w", req.Op, err)
	}
	state, err := c.d.Command(&api.DebuggerCommand{
		Name:                 api.Call,
		Expr:                 call(len(b)),
		UnsafeCall:           true,
		GoroutineID:          goid,
		ReturnInfoLoadConfig: &api.LoadConfig{},
	}, nil, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: call agent: %w", req.Op, c.explainCallError(err))
	}
	if state != nil && state.Exited {
		return nil, fmt.Errorf("%s: %w", req.Op, &ExitedError{Status: state.ExitStatus})
	}
	if state == nil || state.CurrentThread == nil || len(state.CurrentThread.ReturnValues) != 1 {
		return nil, fmt.Errorf("%s: call agent: no return value", req.Op)
	}
	rv := state.CurrentThread.ReturnValues[0]
	n, err := strconv.Atoi(rv.Value)
	if err != nil {
		return nil, fmt.Errorf("%s: call agent: result %q (%s): %w", req.Op, rv.Value, rv.Type, err)
	}
	if n < 0 || n > agent.OutboxSize {
		return nil, fmt.Errorf("%s: call agent: bad response length %d", req.Op, n)
	}
	out, err := c.d.ExamineMemory(c.outbox, n)
	if err != nil {
		return nil, fmt.Errorf("%s: read agent outbox: %w", req.Op, err)
	}
	var resp wire.Response
	if err := json.Unmarshal(out, &resp); err != nil {
		return nil, fmt.Errorf("%s: bad response: %w", req.Op, err)
	}
	return &resp, nil
}

// ExitedError reports that the target has exited, before or during a call
// to its agent. Status is the exit status as Delve reports it: minus the
// signal for a process killed by one.
type ExitedError struct{ Status int }

func (e *ExitedError) Error() string {
	if e.Status < 0 {
		return fmt.Sprintf("the program was killed (signal %d)", -e.Status)
	}
	return fmt.Sprintf("the program exited with status %d", e.Status)
}

// exited returns an *ExitedError when the debugger has seen the target
// exit.
func (c *CallClient) exited() error {
	tg, unlock := c.d.LockTargetGroup()
	_, err := tg.Valid()
	unlock()
	var pe proc.ErrProcessExited
	if errors.As(err, &pe) {
		return &ExitedError{Status: pe.Status}
	}
	return nil
}

// errNotStopped is returned when the target runs: the agent can only be
// called while it is stopped.
var errNotStopped = errors.New("target is running")

// checkStopped fails when the debugger is running the target.
func (c *CallClient) checkStopped() error {
	if c.d.IsRunning() {
		return errNotStopped
	}
	return nil
}

// FrameEval is an evaluation in the scope of a paused frame.
type FrameEval struct {
	// Request is the eval request; its Frame lists the bound locals, whose
	// Arg indexes Addrs.
	Request wire.Request
	// GoroutineID is the goroutine that makes the call (0: the selected one).
	GoroutineID int64
	// Addrs are Delve expressions for the locals' addresses, evaluated in
	// the call expression itself on the top frame of GoroutineID (e.g.
	// "uintptr(&x)") or constants. At most agent.MaxFrameArgs.
	Addrs []string
}

// EvalFrame evaluates e.Request through agent.ServeFrame. The response is
// returned also when the agent reports a failure (with an *AgentError).
func (c *CallClient) EvalFrame(ctx context.Context, e FrameEval) (*wire.Response, error) {
	if len(e.Addrs) > agent.MaxFrameArgs {
		return nil, fmt.Errorf("eval: %d frame variables, at most %d can be used in one input", len(e.Addrs), agent.MaxFrameArgs)
	}
	req := e.Request
	req.Op = wire.OpEval
	resp, err := c.roundTripCall(ctx, &req, e.GoroutineID, func(n int) string {
		args := make([]string, agent.MaxFrameArgs)
		for i := range args {
			args[i] = "0"
			if i < len(e.Addrs) {
				args[i] = e.Addrs[i]
			}
		}
		return fmt.Sprintf("%s.ServeFrame(%d, %s)", agentPkgExpr, n, strings.Join(args, ", "))
	})
	if err != nil {
		return nil, err
	}
	if !resp.OK {
		return resp, agentError(resp)
	}
	return resp, nil
}

// Halt interrupts a call in progress (one that hangs in compiled code),
// as Delve's halt command does. The call then ends with an error. Halt does
// not take the call lock, which the call it interrupts holds.
func (c *CallClient) Halt() error {
	_, err := c.d.Command(&api.DebuggerCommand{Name: api.Halt}, nil, nil, nil)
	return err
}
