package agentclient

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/livepatch/livepatch/target/agent"
	"github.com/livepatch/livepatch/target/agent/wire"
)

// transport sends one request and returns its response.
type transport interface {
	roundTrip(ctx context.Context, req *wire.Request) (*wire.Response, error)
}

// AgentError is an operation the agent refused or that failed inside it,
// as the agent reported it: Err says what failed (its Kind, and where in
// the source sent, for source the agent refused), and Failures, for apply
// and revert, which functions failed and why, each naming its function in
// Func. Callers branch on the kinds and format the errors where a person
// reads them.
type AgentError struct {
	Err      wire.Error
	Failures []wire.Error
}

// agentError returns the error of resp, a response that is not OK.
func agentError(resp *wire.Response) *AgentError {
	ae := &AgentError{Failures: resp.Failures}
	if resp.Error != nil {
		ae.Err = *resp.Error
	} else {
		ae.Err = wire.Error{Kind: wire.ErrFailed, Msg: "failed without an error"}
	}
	return ae
}

// Kind returns the kind of the failure.
func (e *AgentError) Kind() wire.ErrorKind { return e.Err.Kind }

// Error returns the agent's message, or the failures of a patch set one a
// line.
func (e *AgentError) Error() string {
	if len(e.Failures) == 0 {
		return "agent: " + e.Err.Error()
	}
	var b strings.Builder
	b.WriteString("agent: patch set refused")
	for _, f := range e.Failures {
		fmt.Fprintf(&b, "\n\t%s: %s", f.Func, f.Error())
	}
	return b.String()
}

// Client is what both channels offer; *SocketClient and *CallClient
// implement it.
type Client interface {
	Apply(ctx context.Context, patches []wire.Patch) error
	Revert(ctx context.Context, refs ...wire.Ref) error
	RevertAll(ctx context.Context) error
	Eval(ctx context.Context, src, pkg string, timeout time.Duration) (agent.EvalResult, error)
	Status(ctx context.Context) (patched []wire.PatchedFunc, funcs int, err error)
	Calls(ctx context.Context, refs []wire.Ref, stacks bool) ([]wire.FuncCalls, error)
	Native(ctx context.Context, n *wire.Native) error
	Gate(ctx context.Context, refs []wire.Ref, open bool) error
}

var (
	_ Client = (*SocketClient)(nil)
	_ Client = (*CallClient)(nil)
)

// ops implements the operations on top of a transport.
type ops struct {
	t transport
}

// do sends req and turns a failed response into an *AgentError.
func (o *ops) do(ctx context.Context, req *wire.Request) (*wire.Response, error) {
	resp, err := o.t.roundTrip(ctx, req)
	if err != nil {
		return nil, err
	}
	if !resp.OK {
		return resp, agentError(resp)
	}
	return resp, nil
}

// Apply applies a patch set: every patch compiles and all go live together,
// or nothing changes and the error is an *AgentError listing the failures.
func (o *ops) Apply(ctx context.Context, patches []wire.Patch) error {
	_, err := o.do(ctx, &wire.Request{Op: wire.OpApply, Patches: patches})
	return err
}

// Native switches the interpreted patches of one change to a plugin's
// functions, all together, or none (agent.SwitchNative).
func (o *ops) Native(ctx context.Context, n *wire.Native) error {
	_, err := o.do(ctx, &wire.Request{Op: wire.OpNative, Native: n})
	return err
}

// Gate holds the calls of the interpreted patches of refs at a gate, or
// opens their gates when open is set (wire.OpGate).
func (o *ops) Gate(ctx context.Context, refs []wire.Ref, open bool) error {
	_, err := o.do(ctx, &wire.Request{Op: wire.OpGate, Refs: refs, Open: open})
	return err
}

// Revert removes the patches of the named functions.
func (o *ops) Revert(ctx context.Context, refs ...wire.Ref) error {
	_, err := o.do(ctx, &wire.Request{Op: wire.OpRevert, Refs: refs})
	return err
}

// RevertAll removes every patch.
func (o *ops) RevertAll(ctx context.Context) error {
	_, err := o.do(ctx, &wire.Request{Op: wire.OpRevert, All: true})
	return err
}

// Eval evaluates src in the agent's interpreter, with the symbols of pkg
// visible unqualified when pkg is not empty. timeout limits the evaluation
// inside the target (0: the agent's default).
func (o *ops) Eval(ctx context.Context, src, pkg string, timeout time.Duration) (agent.EvalResult, error) {
	resp, err := o.do(ctx, &wire.Request{Op: wire.OpEval, Source: src, Package: pkg, TimeoutMillis: int(timeout / time.Millisecond)})
	if err != nil {
		return agent.EvalResult{}, err
	}
	return agent.EvalResult{Value: resp.Value, Type: resp.Type}, nil
}

// EvalInput evaluates req, an eval request of the Go prompt (imports,
// results, no frame), and returns the response, also when it failed (the
// error is then an *AgentError).
func (o *ops) EvalInput(ctx context.Context, req wire.Request) (*wire.Response, error) {
	req.Op = wire.OpEval
	return o.do(ctx, &req)
}

// Release lets a target started with hostlink.EnvHold go on; in a target
// that is not held it does nothing.
func (o *ops) Release(ctx context.Context) error {
	_, err := o.do(ctx, &wire.Request{Op: wire.OpRelease})
	return err
}

// Status returns the patched functions and the size of the dispatch table.
func (o *ops) Status(ctx context.Context) (patched []wire.PatchedFunc, funcs int, err error) {
	resp, err := o.do(ctx, &wire.Request{Op: wire.OpStatus})
	if err != nil {
		return nil, 0, err
	}
	return resp.Patched, resp.Funcs, nil
}

// Calls returns, for each of refs, whether the function has run and, with
// stacks, how many goroutines are inside a call of it now, from the
// goroutine profile, which stops the world to begin and to end: never ask
// for stacks through call injection, where the debugger may keep
// goroutines stopped.
func (o *ops) Calls(ctx context.Context, refs []wire.Ref, stacks bool) ([]wire.FuncCalls, error) {
	resp, err := o.do(ctx, &wire.Request{Op: wire.OpCalls, Refs: refs, Stacks: stacks})
	if err != nil {
		return nil, err
	}
	return resp.Calls, nil
}
