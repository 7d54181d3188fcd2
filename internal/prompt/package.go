package prompt

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/livepatch/livepatch/internal/agentclient"
	"github.com/livepatch/livepatch/internal/change"
	"github.com/livepatch/livepatch/internal/change/frame"
	"github.com/livepatch/livepatch/internal/dapproxy"
	"github.com/livepatch/livepatch/target/agent/wire"
)

// Package scope: while the program runs, and when the selected frame is
// not in a user package (a pause that lands in the runtime), an input runs
// in the scope of one of the program's packages, main by default (the
// session's choice, PackageCommand), through the agent's socket: the
// program is not stopped for it.

// PackageCommand chooses the package of package scope: `:pkg PATH`; `:pkg`
// alone says which is in use. It cannot start valid Go.
const PackageCommand = ":pkg"

// Where the program is while an input runs, as the answers to a time limit
// say it.
const (
	pausedWhere  = "the program is still paused where it was"
	runningWhere = "the program runs on"
)

// notUserFrame is the selected frame of a paused program that is not in a
// user package: fn is its function, goid its goroutine (both empty when no
// goroutine is selected).
type notUserFrame struct {
	fn   string
	goid int64
}

func (e *notUserFrame) Error() string {
	return fmt.Sprintf("the frame %s is not in your packages", e.fn)
}

// scopePackage returns the package of package scope in the session: its
// choice, or the program's main package.
func (st *session) scopePackage(prog *change.Program) string {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.pkg != "" && prog.UserPackageSyntax(st.pkg) != nil {
		return st.pkg
	}
	return prog.MainPackage()
}

// packageCommand answers `:pkg [PATH]`.
func (p *Prompt) packageCommand(ctx context.Context, s *dapproxy.Session, args string) (any, error) {
	prog := p.checker.Program(ctx)
	if !launched(s) || prog == nil {
		return nil, unavailable("package scope needs a program launched by livepatch in mode debug or test")
	}
	st := p.session(ctx, s)
	path := strings.TrimSpace(args)
	if path == "" {
		return map[string]any{"result": "package scope: " + st.scopePackage(prog), "variablesReference": 0}, nil
	}
	path, err := userPackage(prog, path)
	if err != nil {
		return nil, &dapproxy.Error{ID: dapproxy.ErrPromptInput, ShowUser: true, Summary: err.Error()}
	}
	st.mu.Lock()
	st.pkg = path
	st.mu.Unlock()
	return map[string]any{"result": "package scope: " + path, "variablesReference": 0}, nil
}

// userPackage returns the program's package that arg names: its import
// path, or the end of one (its last elements, as `server` or
// `v2/server`) when no other package's path ends so.
func userPackage(prog *change.Program, arg string) (string, error) {
	if prog.UserPackageSyntax(arg) != nil {
		return arg, nil
	}
	var found []string
	for _, p := range prog.UserPackages() {
		if strings.HasSuffix(p, "/"+arg) {
			found = append(found, p)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return "", fmt.Errorf("%s is not one of the program's packages: %s", arg, strings.Join(prog.UserPackages(), ", "))
	}
	return "", fmt.Errorf("%s names more than one of the program's packages: %s", arg, strings.Join(found, ", "))
}

// evalPackage runs an input in package scope: through the socket while
// the program runs (paused is nil), and, when it is paused in a frame
// outside the user's packages, with a one-line note of the package, by
// call injection on the frame's goroutine or, when that goroutine cannot
// take a call (parked, or inside the runtime), letting the program run
// for the input.
func (p *Prompt) evalPackage(ctx context.Context, s *dapproxy.Session, st *session, prog *change.Program, text string, paused *notUserFrame) (any, error) {
	path := st.scopePackage(prog)
	sc, err := frame.InPackage(prog, path)
	if err != nil {
		return nil, unavailable(err.Error())
	}
	switch {
	case paused != nil && paused.fn != "":
		s.Output("console", fmt.Sprintf("package scope: %s (the selected frame, %s, is not in your packages)\n", path, paused.fn))
	case paused != nil:
		s.Output("console", fmt.Sprintf("package scope: %s (no goroutine is selected)\n", path))
	}
	in, err := sc.Input(&st.history, text)
	if err != nil {
		return nil, packageInputError(err, path)
	}
	req := wire.Request{Source: in.Source, Package: in.Package, TimeoutMillis: int(p.opts.Timeout / time.Millisecond),
		Imports: in.Imports, Results: in.Results}
	p.log.Debug("go prompt, package scope", "input", text, "source", in.Source, "package", path, "imports", in.Imports)
	t := p.Target(ctx, s)
	leave, err := t.Queue().Enter(ctx, JobInput)
	if err != nil {
		return nil, unavailable(err.Error())
	}
	defer leave()
	rctx, cancel := context.WithTimeout(ctx, p.opts.Timeout+haltGrace)
	defer cancel()
	var resp *wire.Response
	var halted chan struct{}
	run := func(ctx context.Context, c *agentclient.SocketClient) error {
		resp, err = c.EvalInput(ctx, req)
		return err
	}
	where := runningWhere
	c, cerr := t.Client(rctx)
	switch c := c.(type) {
	case *agentclient.SocketClient:
		err = run(rctx, c)
		t.SocketDone(c, err)
	case *agentclient.CallClient:
		where = pausedWhere
		err = agentclient.ErrNoCall
		if paused != nil && paused.goid != 0 {
			resp, err, halted = p.evalFrame(ctx, st, agentclient.FrameEval{Request: req, GoroutineID: paused.goid})
		}
		if errors.Is(err, agentclient.ErrNoCall) {
			// No goroutine can take a call (all parked in the
			// runtime): the program runs for the input.
			p.log.Debug("package scope: no goroutine can take a call; the program runs for the input", "err", err)
			resp, halted = nil, nil
			err = t.ResumeFor(rctx, run)
			// The goroutines moved: a client that shows them reads
			// them again.
			s.SendEvent("invalidated", map[string]any{"areas": []string{"threads", "stacks", "variables"}})
		}
	default:
		err = cerr
		if err == nil {
			err = errors.New("no channel to the agent")
		}
		return nil, unavailable(err.Error())
	}
	return p.answer(s, st, in, text, resp, err, halted, where)
}

// packageInputError is inputError for an input checked in package scope
// path: a name it does not find may be a local of a function, which the
// user reaches by pausing there, so the error says where the input ran.
func packageInputError(err error, path string) error {
	e := inputError(err)
	if de, ok := e.(*dapproxy.Error); ok && strings.Contains(de.Summary, "undefined: ") {
		de.Summary += "\n(the input ran in package scope " + path + ": a function's local variables are in scope at a breakpoint in it)"
	}
	return e
}
