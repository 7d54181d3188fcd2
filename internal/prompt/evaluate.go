package prompt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"go/types"

	"github.com/go-delve/delve/pkg/proc"
	"github.com/go-delve/delve/service/debugger"

	"github.com/livepatch/livepatch/internal/agentclient"
	"github.com/livepatch/livepatch/internal/change"
	"github.com/livepatch/livepatch/internal/change/diag"
	"github.com/livepatch/livepatch/internal/change/frame"
	"github.com/livepatch/livepatch/internal/dapproxy"
	"github.com/livepatch/livepatch/target/agent/wire"
)

// haltGrace is how long past its time limit an input's call may take before
// the prompt halts it through the debugger (the agent stops interpreted code
// itself at the limit; only code blocked in compiled calls needs a halt).
const haltGrace = 5 * time.Second

// ConsoleContext reports whether an evaluate request with this context is
// input typed at a debug console: "repl", or no context at all, which
// clients such as Helix send for what the user types (hover and watch,
// which must stay free of side effects, always name their context).
func ConsoleContext(context string) bool { return context == "repl" || context == "" }

// evaluate answers an evaluate request: console input goes through the
// prompt, every other context to Delve.
func (p *Prompt) evaluate(ctx context.Context, s *dapproxy.Session, raw json.RawMessage) (any, error) {
	var args map[string]any
	if err := json.Unmarshal(raw, &args); err != nil {
		return s.CallDelve(ctx, "evaluate", raw)
	}
	expr, _ := args["expression"].(string)
	if c, _ := args["context"].(string); !ConsoleContext(c) {
		return s.CallDelve(ctx, "evaluate", raw)
	}
	frameID := 0
	if f, ok := args["frameId"].(float64); ok {
		frameID = int(f)
	}
	d, prog := s.Debugger(), p.checker.Program(ctx)
	p.log.Debug("evaluate", "expression", expr, "debugger", d != nil, "types", prog != nil)
	var st *session
	declared := func(string) bool { return false }
	if launched(s) && prog != nil {
		st = p.session(ctx, s)
		declared = st.history.Declared
	}
	where, text, forced := route(expr, declared)
	if where == toDelve && !forced && st != nil && st.programRuns() {
		// Delve reads nothing of a running program: package scope does.
		where, text = toAgent, strings.TrimSpace(text)
	}
	if where == toAgent && st != nil {
		return p.evalGo(ctx, s, st, prog, frameID, text)
	}
	if where == toAgent && forced {
		return nil, &dapproxy.Error{ID: dapproxy.ErrPromptUnavailable, ShowUser: true,
			Summary: "the Go prompt needs a program launched by livepatch in mode debug or test"}
	}
	args["expression"] = text
	r, err := s.CallDelve(ctx, "evaluate", args)
	if err == nil && !r.Success() && where == toAgent && st == nil && d != nil {
		// Go the debugger cannot run, in a program livepatch did not build.
		return nil, unavailable(fmt.Sprintf("%s\nthis program was not built by livepatch: running Go and patching need a livepatch build (launch mode debug or test)",
			delveError(r)))
	}
	if err != nil || r.Success() || forced || st == nil {
		return r, err
	}
	// Delve could not evaluate it; Go may (a name Delve does not see, an
	// expression it does not support).
	body, gerr := p.evalGo(ctx, s, st, prog, frameID, strings.TrimSpace(text))
	var de *dapproxy.Error
	if gerr == nil || errors.As(gerr, &de) && de.ID == dapproxy.ErrPromptInput {
		return body, gerr
	}
	return r, nil
}

// evalGo runs an input as Go in the target, in the scope of a frame, or
// in package scope while the program runs or when the frame is not in a
// user package (package.go).
func (p *Prompt) evalGo(ctx context.Context, s *dapproxy.Session, st *session, prog *change.Program, frameID int, text string) (any, error) {
	if st.programRuns() {
		return p.evalPackage(ctx, s, st, prog, text, nil)
	}
	d := st.d
	goid, index, sc, err := p.frameScope(s, d, prog, frameID)
	var nu *notUserFrame
	if errors.As(err, &nu) {
		return p.evalPackage(ctx, s, st, prog, text, nu)
	}
	if err != nil {
		return nil, err
	}
	in, err := sc.Input(&st.history, text)
	if err != nil {
		return nil, inputError(err)
	}
	addrs, err := addresses(d, goid, index, in.Locals)
	if err != nil {
		return nil, &dapproxy.Error{ID: dapproxy.ErrPromptFailed, Summary: err.Error(), ShowUser: true}
	}
	req := wire.Request{
		Source:        in.Source,
		Package:       in.Package,
		TimeoutMillis: int(p.opts.Timeout / time.Millisecond),
		Imports:       in.Imports,
		Frame:         in.Frame,
		Results:       in.Results,
	}
	p.log.Debug("go prompt", "input", text, "source", in.Source, "frame", in.Frame, "imports", in.Imports, "goroutine", goid, "frame index", index)
	return p.runInput(ctx, s, st, in, agentclient.FrameEval{Request: req, GoroutineID: goid, Addrs: addrs}, text)
}

// frameScope returns the goroutine, frame index and Go scope of a DAP frame
// id, or the error the prompt answers with when the frame has none. A
// frame of a native patch has the scope of the saved function.
func (p *Prompt) frameScope(s *dapproxy.Session, d *debugger.Debugger, prog *change.Program, frameID int) (int64, int, *frame.Scope, error) {
	goid, index, err := frameOf(s, d, frameID)
	if errors.Is(err, errNoGoroutine) {
		return 0, 0, nil, &notUserFrame{}
	}
	if err != nil {
		return 0, 0, nil, unavailable(err.Error())
	}
	frames, err := d.Stacktrace(goid, index+1, 0)
	if err != nil {
		return 0, 0, nil, unavailable(fmt.Sprintf("stack of goroutine %d: %v", goid, err))
	}
	if index >= len(frames) {
		return 0, 0, nil, unavailable(fmt.Sprintf("goroutine %d has no frame %d", goid, index))
	}
	loc := frames[index].Call
	sc, err := p.savedScope(s, prog, loc)
	if sc == nil && err == nil {
		sc, err = frame.At(prog, loc.File, loc.Line)
	}
	if err != nil {
		fn := "?"
		if loc.Fn != nil {
			fn = loc.Fn.Name
		}
		return 0, 0, nil, &notUserFrame{fn: fn, goid: goid}
	}
	return goid, index, sc, nil
}

// savedScope returns the scope of a frame at loc that runs a native
// patch, in the saved function (nil for other frames).
func (p *Prompt) savedScope(s *dapproxy.Session, prog *change.Program, loc proc.Location) (*frame.Scope, error) {
	p.mu.Lock()
	saved := p.saved
	p.mu.Unlock()
	if saved == nil || loc.Fn == nil {
		return nil, nil
	}
	c := saved(s, loc.Fn.Name)
	if c == nil {
		return nil, nil
	}
	return frame.InSaved(prog, c, loc.Line)
}

// runInput runs an input's call in the target's agent, in its turn on the
// target's queue, halting it through the debugger past its time limit, and
// returns the evaluate response body.
func (p *Prompt) runInput(ctx context.Context, s *dapproxy.Session, st *session, in *frame.Input, eval agentclient.FrameEval, text string) (any, error) {
	leave, err := p.Target(ctx, s).Queue().Enter(ctx, JobInput)
	if err != nil {
		return nil, unavailable(err.Error())
	}
	defer leave()
	resp, err, halted := p.evalFrame(ctx, st, eval)
	return p.answer(s, st, in, text, resp, err, halted, pausedWhere)
}

// evalFrame runs an input's call by call injection, halting it through
// the debugger past its time limit; halted is closed when it did. The
// caller has the turn on the queue.
func (p *Prompt) evalFrame(ctx context.Context, st *session, eval agentclient.FrameEval) (resp *wire.Response, err error, halted chan struct{}) {
	halted = make(chan struct{})
	done := make(chan struct{})
	go func() {
		t := time.NewTimer(p.opts.Timeout + haltGrace)
		defer t.Stop()
		select {
		case <-done:
		case <-t.C:
			close(halted)
			if err := st.client.Halt(); err != nil {
				p.log.Warn("halting a call past its time limit", "err", err)
			}
		}
	}()
	resp, err = st.client.EvalFrame(ctx, eval)
	close(done)
	return resp, err, halted
}

// answer turns the agent's response to an input into the evaluate
// response body or error; where says where the program is meanwhile.
func (p *Prompt) answer(s *dapproxy.Session, st *session, in *frame.Input, text string, resp *wire.Response, err error, halted <-chan struct{}, where string) (any, error) {
	s.FlushOutput()
	if resp != nil {
		st.reportEnded(s, resp.Ended)
		if resp.Running != nil {
			return nil, st.runningError(text, *resp.Running, p.opts.Timeout, where)
		}
	}
	if err != nil {
		return nil, p.agentError(err, resp, halted, in.Source, in.Decls, where)
	}
	if in.Declares {
		st.history.Remember(in)
	}
	result := resp.Value
	if notes := in.Notes(); notes != "" {
		if result != "" {
			result += "\n"
		}
		result += notes
	}
	return map[string]any{"result": result, "type": resp.Type, "variablesReference": 0}, nil
}

// errNoGoroutine is the frame of a program paused with no goroutine
// selected (every one parked).
var errNoGoroutine = errors.New("no goroutine is selected")

// frameOf returns the goroutine and frame index of a DAP frame id; 0 means
// the top frame of the selected goroutine.
func frameOf(s *dapproxy.Session, d *debugger.Debugger, frameID int) (int64, int, error) {
	if frameID != 0 {
		f, ok := s.Frame(frameID)
		if !ok {
			return 0, 0, fmt.Errorf("unknown frame id %d: ask for the stack trace after the stop first", frameID)
		}
		return f.GoroutineID, f.Index, nil
	}
	state, err := d.State(true)
	if err != nil {
		return 0, 0, fmt.Errorf("debugger state: %w", err)
	}
	if state.SelectedGoroutine == nil {
		return 0, 0, errNoGoroutine
	}
	return state.SelectedGoroutine.ID, 0, nil
}

// addresses returns Delve expressions for the addresses of the frame locals
// an input uses. In the top frame they are taken in the injected call
// itself; in an outer frame the call expression cannot name them, so they
// are read before the call (the paused goroutine's stack does not move
// while it is parked in the call).
func addresses(d *debugger.Debugger, goid int64, index int, locals []*types.Var) ([]string, error) {
	out := make([]string, len(locals))
	for i, v := range locals {
		// A variable Delve reads from a register (an argument at the
		// function's entry, before the compiler has stored it) has no real
		// address yet: binding one would make the input read and write
		// unrelated memory.
		if val, err := d.EvalVariableInScope(goid, index, 0, v.Name(), proc.LoadConfig{}); err == nil &&
			(val.Addr == 0 || val.Flags&proc.VariableFakeAddress != 0) {
			return nil, fmt.Errorf("%s is in a register here and has no address yet (the function has just been entered): step with next and try again", v.Name())
		}
		if index == 0 {
			out[i] = "uintptr(&" + v.Name() + ")"
			continue
		}
		pv, err := d.EvalVariableInScope(goid, index, 0, "&"+v.Name(), proc.LoadConfig{})
		if err != nil {
			return nil, fmt.Errorf("address of %s in frame %d: %w", v.Name(), index, err)
		}
		if pv.Unreadable != nil || len(pv.Children) != 1 || pv.Children[0].Addr == 0 {
			return nil, fmt.Errorf("address of %s in frame %d: not available", v.Name(), index)
		}
		out[i] = fmt.Sprintf("%d", pv.Children[0].Addr)
	}
	return out, nil
}

// agentError turns a failed call into the error response the user reads.
// src is the source the agent ran, decls whether it ran as declarations.
func (p *Prompt) agentError(err error, resp *wire.Response, halted <-chan struct{}, src string, decls bool, where string) error {
	select {
	case <-halted:
		return &dapproxy.Error{ID: dapproxy.ErrPromptTimeout, ShowUser: true,
			Summary: fmt.Sprintf("stopped after the time limit of %v (blocked in compiled code; halted); %s", p.opts.Timeout, where)}
	default:
	}
	var ee *agentclient.ExitedError
	if errors.As(err, &ee) {
		return &dapproxy.Error{ID: dapproxy.ErrPromptFailed, Summary: ee.Error(), ShowUser: true}
	}
	var ae *agentclient.AgentError
	if !errors.As(err, &ae) {
		return &dapproxy.Error{ID: dapproxy.ErrPromptFailed, Summary: err.Error(), ShowUser: true}
	}
	switch ae.Kind() {
	case wire.ErrPanic:
		msg := ae.Err.Msg
		if resp != nil {
			if st := interpretedStack(resp.Stack); st != "" {
				msg += "\ninterpreted stack:\n" + st
			}
		}
		return &dapproxy.Error{ID: dapproxy.ErrPromptPanic, Summary: msg, ShowUser: true}
	case wire.ErrTimeout:
		return &dapproxy.Error{ID: dapproxy.ErrPromptTimeout, ShowUser: true,
			Summary: fmt.Sprintf("stopped after the time limit of %v; %s", p.opts.Timeout, where)}
	}
	if e := ae.Err; e.Line > 0 {
		// The interpreter compiled the input on one line after its own
		// wrapping: "package main; func main() {" for statements,
		// "package main;" for declarations.
		col := e.Col
		if e.Line == 1 {
			col -= len("package main; func main() {")
			if decls {
				col = col + len(" func main() {")
			}
			if strings.HasPrefix(src, ";") {
				col--
			}
			col = max(col, 1)
		}
		return &dapproxy.Error{ID: dapproxy.ErrPromptInput, Summary: fmt.Sprintf("%d:%d: %s", e.Line, col, e.Msg), ShowUser: true}
	}
	return &dapproxy.Error{ID: dapproxy.ErrPromptFailed, Summary: strings.TrimPrefix(ae.Err.Msg, "eval: "), ShowUser: true}
}

// panicFrameRE matches a frame yaegi reports while a panic unwinds.
var panicFrameRE = regexp.MustCompile(`^(?:\S*\.go:)?(\d+):\d+: panic: (.*)$`)

// interpretedStack formats yaegi's panic report: one frame per line,
// innermost first, with the line within the input that declared it. The
// outermost frame, the interpreter's wrapper of the input, is left out; a
// frame repeated by recursion is shown once, with the count of repeats.
func interpretedStack(s string) string {
	var out []string
	repeats := 0
	flush := func() {
		if repeats > 0 {
			out = append(out, fmt.Sprintf("\t... the same frame %d more times", repeats))
			repeats = 0
		}
	}
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		m := panicFrameRE.FindStringSubmatch(strings.TrimSpace(l))
		var f string
		switch {
		case m == nil:
			f = "\t" + strings.TrimSpace(l)
		case m[2] == "main(...)":
			continue
		default:
			f = fmt.Sprintf("\t%s, line %s", m[2], m[1])
		}
		if len(out) > 0 && out[len(out)-1] == f {
			repeats++
			continue
		}
		flush()
		out = append(out, f)
	}
	flush()
	return strings.Join(out, "\n")
}

func unavailable(msg string) error {
	return &dapproxy.Error{ID: dapproxy.ErrPromptUnavailable, Summary: msg, ShowUser: true}
}

func inputError(err error) error {
	var ds diag.Diagnostics
	if errors.As(err, &ds) {
		return &dapproxy.Error{ID: dapproxy.ErrPromptInput, Summary: ds.Error(), ShowUser: true}
	}
	return &dapproxy.Error{ID: dapproxy.ErrPromptFailed, Summary: err.Error(), ShowUser: true}
}

// delveError returns the message of Delve's error response.
func delveError(r *dapproxy.DelveResponse) string {
	var body struct {
		Error struct {
			Format string `json:"format"`
		} `json:"error"`
	}
	if json.Unmarshal(r.Body(), &body) == nil && body.Error.Format != "" {
		return body.Error.Format
	}
	return "Delve could not evaluate it"
}
