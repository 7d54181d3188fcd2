package agent

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// Request is one request to the agent. Op selects the operation; the other
// fields are its arguments.
type Request struct {
	ID            int64   `json:"id,omitempty"`
	Op            string  `json:"op"`
	Token         string  `json:"token,omitempty"`         // hello
	Patches       []Patch `json:"patches,omitempty"`       // apply
	Refs          []Ref   `json:"refs,omitempty"`          // revert, calls
	Stacks        bool    `json:"stacks,omitempty"`        // calls: count the goroutines inside each
	All           bool    `json:"all,omitempty"`           // revert
	Source        string  `json:"source,omitempty"`        // eval
	Package       string  `json:"package,omitempty"`       // eval
	TimeoutMillis int     `json:"timeoutMillis,omitempty"` // eval
	// Imports are import specs (`"strings"`, `str "strings"`) made visible
	// in the evaluation scope before Source runs (eval).
	Imports []string `json:"imports,omitempty"`
	// Frame binds frame locals for this evaluation (eval through ServeFrame).
	Frame []FrameVar `json:"frame,omitempty"`
	// Results, when above 1, says that Source ends with a []interface{}
	// literal holding the results of a multi-value call (eval).
	Results int `json:"results,omitempty"`
}

// Operations understood by the agent.
const (
	OpHello  = "hello"
	OpApply  = "apply"
	OpRevert = "revert"
	OpEval   = "eval"
	OpStatus = "status"
	// OpCalls answers, for each of Refs, whether the function has run and,
	// with Stacks, how many goroutines are inside a call of it now
	// (calls.go).
	OpCalls = "calls"
	// OpRelease ends the hold of a target started with EnvHold: the
	// program goes on past the init that started the agent. It does
	// nothing in a target that is not held.
	OpRelease = "release"
)

// Response answers the Request with the same ID. OK is false when the
// operation failed: Error says why and, for apply and revert, Failures say
// which functions failed (each names its function in Func).
type Response struct {
	ID       int64   `json:"id,omitempty"`
	OK       bool    `json:"ok"`
	Error    *Error  `json:"error,omitempty"`
	Failures []Error `json:"failures,omitempty"`
	Value    string  `json:"value,omitempty"`
	Type     string  `json:"type,omitempty"`
	Stack    string  `json:"stack,omitempty"` // eval: interpreted stack of a panic
	// Running says, for an eval still running after its time limit, where
	// it waits (the error then says so too).
	Running *RunningInput `json:"running,omitempty"`
	// Ended lists the inputs once answered with Running that have ended
	// since the previous eval (each is reported once).
	Ended   []EndedInput  `json:"ended,omitempty"`
	Patched []PatchedFunc `json:"patched,omitempty"`
	Funcs   int           `json:"funcs,omitempty"` // status: table size
	Calls   []FuncCalls   `json:"calls,omitempty"` // calls

	// releasing marks the answer to OpRelease: the caller ends the hold
	// once the answer is on its way (a released short-lived program may
	// exit before an answer written after the release).
	releasing bool
}

// handle executes one authenticated request. lock acquires the agent's
// operation lock: blocking for the socket, trying for injected calls, which
// must not wait for a goroutine that the debugger has stopped.
// addrs are the addresses given to ServeFrame, for req.Frame.
func handle(req *Request, lock func() bool, addrs []uintptr) Response {
	resp := Response{ID: req.ID}
	switch req.Op {
	case OpHello:
		resp.OK = true
		return resp
	case OpRelease:
		// No lock: a release must get through while the held init waits.
		// The caller releases, after answering (handleBytes).
		resp.OK, resp.releasing = true, true
		return resp
	case OpCalls:
		// No lock: it reads only the registry and the goroutine profile.
		var err error
		if resp.Calls, err = calls(req.Refs, req.Stacks); err != nil {
			resp.Error = wireError(err)
		} else {
			resp.OK = true
		}
		return resp
	}
	if !lock() {
		resp.Error = newError(ErrBusy, "agent busy: another operation is in progress")
		return resp
	}
	defer machine.mu.Unlock()
	var err error
	switch req.Op {
	case OpApply:
		err = applyLocked(req.Patches)
	case OpRevert:
		if req.All {
			revertAllLocked()
		} else {
			err = revertLocked(req.Refs)
		}
	case OpEval:
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
	case OpStatus:
		resp.Funcs = tableSize()
	default:
		err = newError(ErrRequest, "unknown operation %q", req.Op)
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
// the target. releasing reports an OpRelease: the caller calls release
// once the response is out.
func handleBytes(b []byte, lock func() bool, addrs []uintptr) (out []byte, releasing bool) {
	var req Request
	var resp Response
	defer func() {
		if r := recover(); r != nil {
			out, _ = json.Marshal(Response{ID: req.ID, Error: newError(ErrFailed, "agent failed: %v", unwrapPanic(r))})
		}
	}()
	if err := json.Unmarshal(b, &req); err != nil {
		resp = Response{Error: newError(ErrRequest, "bad request: %v", err)}
	} else {
		resp = handle(&req, lock, addrs)
	}
	out, err := json.Marshal(resp)
	if err != nil {
		out, _ = json.Marshal(Response{ID: resp.ID, Error: newError(ErrFailed, "encode response: %v", err)})
	}
	return out, resp.releasing
}
