package livepatch

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-delve/delve/service/debugger"

	"github.com/livepatch/livepatch/internal/agentclient"
	"github.com/livepatch/livepatch/internal/dapproxy"
	"github.com/livepatch/livepatch/target/agent"
)

// Origins of a live patch.
const (
	OriginPrompt = "prompt"
	OriginSave   = "save"
)

// Patch is one live patch as the user sees it.
type Patch struct {
	Name   string `json:"name"` // e.g. main.(*Counter).Inc
	Key    string `json:"key"`  // the agent's key
	Origin string `json:"origin"`
	File   string `json:"file"`
	Line   int    `json:"line"`
	// DiffersFromDisk marks a prompt patch whose function reads otherwise
	// in the file on disk.
	DiffersFromDisk bool `json:"differsFromDisk,omitempty"`

	source string // the declaration as the user wrote it
}

// session is livepatch's state for one debug session.
//
// Every job that uses the agent (a save, a prompt redefinition, a revert)
// runs in its turn of q, the session's agent queue, which the Go prompt's
// inputs share; mu only guards the fields, and is never held across a
// request to the agent, so that what only reads them answers at once.
type session struct {
	m  *Manager
	s  *dapproxy.Session
	ep *agentclient.Endpoint
	q  *agentclient.Queue

	mu     sync.Mutex // guards what follows
	pid    int        // the process the live patches belong to
	d      *debugger.Debugger
	call   *agentclient.CallClient
	sock   *agentclient.SocketClient
	behind bool                  // a socket request timed out: the agent may still do it (see roundTrip)
	live   map[string]*Patch     // by key
	seen   map[string][]byte     // files as last seen by the watcher
	parsed map[string]*fileDecls // seen files that parsed, by file

	pending  []pendingSave // saves not applied yet, in arrival order
	retrying bool          // a retry of pending is scheduled
	retries  int           // retries since pending was last empty
}

// pendingPatch is one function of a change, ready for the agent.
type pendingPatch struct {
	Patch
	patch agent.Patch
}

// errNoProgram is the answer when the session debugs no program that
// livepatch launched.
var errNoProgram = errors.New("live patching needs a program launched by livepatch (mode debug, test or exec)")

// syncProcess forgets the live patches and clients of a process that is
// gone (a restart) and returns the current debugger. The caller holds mu.
func (st *session) syncProcess() (*debugger.Debugger, error) {
	d := st.s.Debugger()
	if d == nil {
		return nil, errNoProgram
	}
	// ProcessPid waits for the debugger's target lock, which a running
	// target holds: the process is checked only while it is stopped (a
	// restart stops it first).
	if d != st.d {
		if st.sock != nil {
			st.sock.Close()
		}
		st.d, st.pid, st.sock, st.behind, st.call = d, 0, nil, false, agentclient.NewCallClient(d)
	}
	if d.IsRunning() {
		return d, nil
	}
	pid := d.ProcessPid()
	if st.pid != 0 && pid != st.pid {
		if st.sock != nil {
			st.sock.Close()
		}
		st.sock, st.behind, st.call = nil, false, agentclient.NewCallClient(d)
		clear(st.live)
		clear(st.seen)
		clear(st.parsed)
		for f, b := range st.m.program().compiled {
			st.seen[f] = b
		}
	}
	st.pid = pid
	return d, nil
}

// errBehind refuses a request by call injection while a socket request
// that timed out may still be done by the agent.
var errBehind = errors.New("the agent has not finished an earlier change that the program's stop interrupted; it goes on when the program does")

// socketTimeout bounds a request over the agent's socket (applying a patch
// set takes milliseconds). One that times out is not lost: see roundTrip.
const socketTimeout = 5 * time.Second

// client returns the channel to the agent: call injection while the target
// is stopped, the socket while it runs (then ctx should be bounded: the
// agent answers only while the program runs). The caller has the turn and
// does not hold mu.
func (st *session) client(ctx context.Context) (agentclient.Client, error) {
	if code, exited := st.s.Exited(); exited {
		return nil, &agentclient.ExitedError{Status: code}
	}
	st.mu.Lock()
	d, err := st.syncProcess()
	if err != nil {
		st.mu.Unlock()
		return nil, err
	}
	running, call, sock, behind, ep := d.IsRunning(), st.call, st.sock, st.behind, st.ep
	st.mu.Unlock()
	switch {
	case !running && behind:
		return nil, errBehind
	case !running:
		return call, nil
	case sock != nil:
		return sock, nil
	case ep == nil:
		return nil, errors.New("the program runs and its agent has no socket: pause it to patch")
	}
	c, err := ep.Dial(ctx)
	if err != nil {
		return nil, fmt.Errorf("agent socket: %w", err)
	}
	st.mu.Lock()
	st.sock = c
	st.mu.Unlock()
	return c, nil
}

// roundTrip runs op with the channel the target's state calls for and
// says which one it was. The caller has the turn and does not hold mu.
//
// A request over the socket gets socketTimeout. The agent may still do one
// that timed out (the debugger stopped the program while it was sent, say)
// once the program goes on: the connection is kept, so that the agent does
// the later requests on it after that one, and until it answers one of
// them no request goes by call injection (errBehind), which could be
// overtaken by the late one.
func (st *session) roundTrip(ctx context.Context, op func(context.Context, agentclient.Client) error) (viaCall bool, err error) {
	sctx, cancel := context.WithTimeout(ctx, socketTimeout)
	defer cancel()
	c, err := st.client(sctx)
	if errors.Is(err, errNoProgram) || final(err) {
		return false, err
	}
	if err != nil {
		return false, &unreachableError{err}
	}
	sock, ok := c.(*agentclient.SocketClient)
	if !ok {
		return true, unreachableOr(op(ctx, c))
	}
	err = op(sctx, c)
	defer func() { err = unreachableOr(err) }()
	st.mu.Lock()
	defer st.mu.Unlock()
	switch {
	case err == nil || isAgentError(err):
		st.behind = false
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded):
		st.behind = true
	case st.sock == sock:
		// The connection broke: the agent reads nothing more from it.
		sock.Close()
		st.sock, st.behind = nil, false
	}
	return false, err
}

// apply sends one change to the agent: every patch goes live, or none.
// The caller has the turn and does not hold mu.
func (st *session) apply(ctx context.Context, ps []pendingPatch) error {
	if len(ps) == 0 {
		return nil
	}
	set := make([]agent.Patch, len(ps))
	for i, p := range ps {
		set[i] = p.patch
	}
	viaCall, err := st.roundTrip(ctx, func(ctx context.Context, c agentclient.Client) error {
		return c.Apply(ctx, set)
	})
	if err != nil {
		return applyError(err)
	}
	st.mu.Lock()
	for _, p := range ps {
		lp := p.Patch
		st.live[p.Key] = &lp
	}
	st.mu.Unlock()
	if viaCall {
		st.noteRunning(ps)
	}
	return nil
}

// noteRunning tells the user when the paused goroutine is inside a function
// just patched: its current call finishes with the old code. The caller
// has the turn and the target is stopped.
func (st *session) noteRunning(ps []pendingPatch) {
	st.mu.Lock()
	d := st.d
	st.mu.Unlock()
	state, err := d.State(true)
	if err != nil || state.SelectedGoroutine == nil {
		return
	}
	frames, err := d.Stacktrace(state.SelectedGoroutine.ID, 64, 0)
	if err != nil {
		return
	}
	for _, p := range ps {
		for _, f := range frames {
			if f.Call.Fn != nil && (f.Call.Fn.Name == p.Name || f.Call.Fn.Name == p.Key) {
				st.s.Output("console", fmt.Sprintf("%s is on the paused goroutine's stack: its current call finishes with the old code\n", p.Name))
				break
			}
		}
	}
}

// revert removes the patches of keys. The caller has the turn and does
// not hold mu.
func (st *session) revert(ctx context.Context, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	refs := make([]agent.Ref, len(keys))
	for i, k := range keys {
		refs[i] = agent.Ref{Key: k}
	}
	if _, err := st.roundTrip(ctx, func(ctx context.Context, c agentclient.Client) error {
		return c.Revert(ctx, refs...)
	}); err != nil {
		return applyError(err)
	}
	st.mu.Lock()
	for _, k := range keys {
		delete(st.live, k)
	}
	st.mu.Unlock()
	return nil
}

// patches lists the live patches by name. The caller holds mu.
func (st *session) patches() []Patch {
	out := make([]Patch, 0, len(st.live))
	for _, p := range st.live {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func isAgentError(err error) bool {
	var ae *agentclient.AgentError
	return errors.As(err, &ae)
}

// unreachableError is a request that did not reach the agent, or whose
// answer did not come back, or that the agent was too busy to take: it may
// be made again later.
type unreachableError struct{ err error }

func (e *unreachableError) Error() string { return e.err.Error() }
func (e *unreachableError) Unwrap() error { return e.err }

// unreachableOr returns err, as an *unreachableError unless the agent
// answered it.
func unreachableOr(err error) error {
	var ae *agentclient.AgentError
	if err == nil || errors.As(err, &ae) && !strings.HasPrefix(ae.Message, "agent busy") || final(err) {
		return err
	}
	return &unreachableError{err}
}

// final reports whether err says the program can take no request any more
// (it exited, or it is dying of an unrecovered panic): trying again later
// is of no use.
func final(err error) bool {
	var ee *agentclient.ExitedError
	return errors.As(err, &ee) || errors.Is(err, agentclient.ErrDying)
}

// isUnreachable reports whether err is an *unreachableError.
func isUnreachable(err error) bool {
	var ue *unreachableError
	return errors.As(err, &ue)
}

// applyError turns the agent's refusal into one line per failed function;
// other errors are returned as they are.
func applyError(err error) error {
	var ae *agentclient.AgentError
	if isUnreachable(err) || !errors.As(err, &ae) {
		return err
	}
	if len(ae.Failures) == 0 {
		return errors.New(ae.Message)
	}
	var lines []string
	for _, f := range ae.Failures {
		lines = append(lines, f.Message)
	}
	return errors.New(strings.Join(lines, "\n"))
}
