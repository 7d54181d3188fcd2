package agent

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/livepatch/livepatch/target/agent/hostlink"
	"github.com/livepatch/livepatch/target/agent/wire"
)

// handle executes one authenticated request. lock acquires the agent's
// operation lock: blocking for the socket, trying for injected calls, which
// must not wait for a goroutine that the debugger has stopped.
// addrs are the addresses given to ServeFrame, for req.Frame.
func handle(req *wire.Request, lock func() bool, addrs []uintptr) wire.Response {
	resp := wire.Response{ID: req.ID}
	switch req.Op {
	case wire.OpHello:
		resp.OK = true
		return resp
	case wire.OpRelease:
		// No lock: a release must get through while the held init waits.
		// The caller releases, after answering (handleBytes).
		resp.OK = true
		return resp
	case wire.OpCalls:
		// No lock: it reads only the registry and the goroutine profile.
		var err error
		if resp.Calls, err = calls(req.Refs, req.Stacks); err != nil {
			resp.Error = wireError(err)
		} else {
			resp.OK = true
		}
		return resp
	case wire.OpNative:
		// Loading a plugin takes tens of milliseconds: done before the
		// lock, so that the switch holds it only to check and publish.
		preloadPlugin(req.Native)
	}
	if !lock() {
		resp.Error = wire.Errorf(wire.ErrBusy, "agent busy: another operation is in progress")
		return resp
	}
	defer machine.mu.Unlock()
	defer holdMachine()()
	var err error
	switch req.Op {
	case wire.OpApply:
		err = applyLocked(req.Patches)
	case wire.OpRevert:
		if req.All {
			revertAllLocked()
		} else {
			err = revertLocked(req.Refs)
		}
	case wire.OpEval:
		ctx := context.Background()
		if req.TimeoutMillis > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, time.Duration(req.TimeoutMillis)*time.Millisecond)
			defer cancel()
		}
		var r EvalResult
		r, err = evalLocked(ctx, evalArgs{src: req.Source, pkg: req.Package, imports: req.Imports,
			frame: req.Frame, addrs: addrs, results: req.Results})
		resp.Value, resp.Type = r.Value, r.Type
		var pe *PanicError
		if errors.As(err, &pe) {
			resp.Stack = pe.Stack
		}
		var re *RunningError
		if errors.As(err, &re) {
			resp.Running = &re.Input
		}
		resp.Ended = takeEnded()
	case wire.OpStatus:
		resp.Funcs = tableSize()
	case wire.OpNative:
		err = switchNativeLocked(req.Native)
	case wire.OpGate:
		err = gateLocked(req.Refs, req.Open)
	default:
		err = wire.Errorf(wire.ErrRequest, "unknown operation %q", req.Op)
	}
	if err != nil {
		resp.Error = wireError(err)
		var ae *ApplyError
		if errors.As(err, &ae) {
			resp.Failures = ae.Failures
		}
	} else {
		resp.OK = true
	}
	if machine.patched != nil {
		resp.Patched = patchedLocked()
	}
	return resp
}

// handleBytes decodes one request, executes it and encodes the response.
// A panic inside the agent becomes an error response rather than killing
// the target. The caller calls after once the response is out: it opens
// the gates the request opened (gate.go, afterReply) and, for a
// wire.OpRelease, calls hostlink.Release.
func handleBytes(b []byte, lock func() bool, addrs []uintptr) (out []byte, after func()) {
	var req wire.Request
	var resp wire.Response
	beginReply()
	after = afterReply
	defer func() {
		if r := recover(); r != nil {
			out, _ = json.Marshal(wire.Response{ID: req.ID, Error: wire.Errorf(wire.ErrFailed, "agent failed: %v", unwrapPanic(r))})
		}
	}()
	if err := json.Unmarshal(b, &req); err != nil {
		resp = wire.Response{Error: wire.Errorf(wire.ErrRequest, "bad request: %v", err)}
	} else {
		resp = handle(&req, lock, addrs)
	}
	out, err := json.Marshal(resp)
	if err != nil {
		out, _ = json.Marshal(wire.Response{ID: resp.ID, Error: wire.Errorf(wire.ErrFailed, "encode response: %v", err)})
	}
	// The release waits until the answer is on its way: a released
	// short-lived program may exit before an answer written after it.
	if req.Op == wire.OpRelease && resp.OK {
		after = func() { afterReply(); hostlink.Release() }
	}
	return out, after
}
