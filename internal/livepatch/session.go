package livepatch

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-delve/delve/service/debugger"

	"github.com/livepatch/livepatch/internal/agentclient"
	"github.com/livepatch/livepatch/internal/change"
	"github.com/livepatch/livepatch/internal/dapproxy"
	"github.com/livepatch/livepatch/target/agent/wire"
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
	// Tier is how the patch runs: TierInterpreted, or TierNative once its
	// native build is loaded (native.go).
	Tier string `json:"tier"`

	source      string          // the declaration as the user wrote it
	agentSource string          // the source the agent was sent
	nativeFunc  string          // once native: the plugin's function, as the binary names it
	checked     *change.Checked // once native: the saved function the plugin runs
	moved       *filePositions  // once native: its file against checked.Src, when they differ (pluginlines.go)
	replaced    *Patch          // of a TierWaiting patch: the live patch it replaces, nil for compiled code
}

// session is livepatch's state for one debug session.
//
// The session's target (agentclient.Target, shared with the Go prompt)
// owns the debugger, the channels to the agent and the agent queue q:
// every job that uses the agent (a save, a prompt redefinition, a revert)
// runs in its turn of q, which the Go prompt's inputs share. mu only
// guards the fields, and is never held across a request to the agent, so
// that what only reads them answers at once.
type session struct {
	m   *Manager
	s   *dapproxy.Session
	ctx context.Context // ends with the debug session
	t   *agentclient.Target
	q   *agentclient.Queue // t's

	// stopped is held while a round trip through call injection needs the
	// target to stay stopped; the client's resume requests wait for it
	// (resume.go).
	stopped sync.Mutex

	mu       sync.Mutex                // guards what follows
	restarts int                       // the target's restarts the live patches belong to
	live     map[string]*Patch         // by key
	vars     map[string]change.LiveVar // package variables saves made live, by "path.name"
	seen     map[string][]byte         // files as last seen by the watcher

	nat       nativeState               // the native tier's (native.go)
	positions map[string]*filePositions // of the files changed since the build (positions.go)
	bps       breakpointState           // the client's source breakpoints (breakpoints.go)
	pending   []pendingSave             // saves not applied yet, in arrival order
	retrying  bool                      // a retry of pending is scheduled
	retries   int                       // retries since pending was last empty
	// steppingIn is set while a stepIn into a native patch goes through
	// the compiled function's prologue; follows counts the steps taken
	// for the client's one (step.go).
	steppingIn bool
	follows    int
	// reenter is set while a stepIn steps out of an accessor of the
	// native exports (step.go), to step in again from the line.
	reenter bool
	into    stepIntoState // a stepIn into interpreted patches (stepinto.go)
}

// pendingPatch is one function of a change, ready for the agent.
type pendingPatch struct {
	Patch
	patch   wire.Patch
	checked *change.Checked // for the native tier; nil for a prompt redefinition
	// fresh marks a change that only the native tier can take: it goes
	// live when its plugin is loaded, replacing prev (nil: compiled code).
	fresh bool
	prev  *Patch
}

// errNoProgram is the answer when the session debugs no program that
// livepatch launched.
var errNoProgram = errors.New("live patching needs a program launched by livepatch (mode debug, test or exec)")

// syncProcess forgets the live patches of a process that is gone (a
// restart, which the target notes) and returns the current debugger, nil
// for a program that runs without one (agentclient.Target.Free). The
// caller holds mu.
func (st *session) syncProcess() (*debugger.Debugger, error) {
	d, _, restarts := st.t.Sync()
	if d == nil && !st.t.Free() {
		return nil, errNoProgram
	}
	if restarts != st.restarts {
		st.restarts = restarts
		clear(st.live)
		clear(st.seen)
		clear(st.positions)
		st.bps = breakpointState{nextID: st.bps.nextID, native: nativeBreakpoints{client: st.bps.native.client}}
		st.nat.gated = nil
		st.into.to = nil
		st.forgetVars()
		for f, src := range st.m.changes.Build().CompiledFiles() {
			st.seen[f] = src
		}
	}
	return d, nil
}

// socketTimeout bounds a request over the agent's socket (applying a patch
// set takes milliseconds). One that times out is not lost: see roundTrip.
const socketTimeout = 5 * time.Second

// client returns the channel to the agent (agentclient.Target.Client):
// call injection while the target is stopped, the socket while it runs
// (then ctx should be bounded). The caller has the turn and does not hold
// mu.
func (st *session) client(ctx context.Context) (agentclient.Client, error) {
	if code, exited := st.s.Exited(); exited {
		return nil, &agentclient.ExitedError{Status: code}
	}
	st.mu.Lock()
	_, err := st.syncProcess()
	st.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return st.t.Client(ctx)
}

// roundTrip runs op with the channel the target's state calls for and
// says which one it was. The caller has the turn and does not hold mu.
//
// A request over the socket gets socketTimeout; the target keeps the
// connection of one that timed out, and refuses call injection until the
// agent answers on it (agentclient.Target.SocketDone).
func (st *session) roundTrip(ctx context.Context, op func(context.Context, agentclient.Client) error) (viaCall bool, err error) {
	sctx, cancel := context.WithTimeout(ctx, socketTimeout)
	defer cancel()
	// Held from the choice of channel: a client's continue between the
	// choice and the end of op would leave op reading a running target
	// through the debugger, which waits for the target to stop.
	st.stopped.Lock()
	c, err := st.client(sctx)
	sock, ok := c.(*agentclient.SocketClient)
	if err == nil && !ok {
		defer st.stopped.Unlock()
		return true, unreachableOr(op(ctx, c))
	}
	st.stopped.Unlock()
	if errors.Is(err, errNoProgram) || final(err) {
		return false, err
	}
	if err != nil {
		return false, &unreachableError{err}
	}
	err = op(sctx, c)
	st.t.SocketDone(sock, err)
	return false, unreachableOr(err)
}

// apply sends one change to the agent: every patch goes live, or none.
// The caller has the turn and does not hold mu.
func (st *session) apply(ctx context.Context, ps []pendingPatch) error {
	if len(ps) == 0 {
		return nil
	}
	set := make([]wire.Patch, len(ps))
	keys := make([]string, len(ps))
	var held []string
	st.mu.Lock()
	for i, p := range ps {
		set[i], keys[i] = p.patch, p.Key
		set[i].Hold = st.holdsOnApply(p) // gates.go
		if set[i].Hold {
			held = append(held, p.Name)
		}
	}
	st.mu.Unlock()
	st.nat.builder.Cancel(keys) // a native build of what this replaces is stale
	_, err := st.roundTrip(ctx, func(ctx context.Context, c agentclient.Client) error {
		return c.Apply(ctx, set)
	})
	if err != nil {
		return applyError(err)
	}
	st.mu.Lock()
	for i, p := range ps {
		lp := p.Patch
		lp.Tier, lp.agentSource = TierInterpreted, p.patch.Source
		st.live[p.Key] = &lp
		st.gated(p.Key, set[i].Hold)
		if st.willBuild(p) { // its native build follows (goNative): a stepIn waits for it (stepinto.go)
			st.building(p.Key, p.patch.Source)
		}
	}
	st.mu.Unlock()
	if len(held) > 0 {
		st.report(heldLine(held))
	}
	return nil
}

// revert removes the patches of keys. The caller has the turn and does
// not hold mu.
func (st *session) revert(ctx context.Context, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	refs := keyRefs(keys)
	st.nat.builder.Cancel(keys)
	if _, err := st.roundTrip(ctx, func(ctx context.Context, c agentclient.Client) error {
		return c.Revert(ctx, refs...)
	}); err != nil {
		return applyError(err)
	}
	st.mu.Lock()
	for _, k := range keys {
		delete(st.live, k)
		st.gated(k, false) // the agent opens a reverted function's gate
	}
	st.mu.Unlock()
	return nil
}

// keyRefs returns the agent's references to the functions of keys.
func keyRefs(keys []string) []wire.Ref {
	refs := make([]wire.Ref, len(keys))
	for i, k := range keys {
		refs[i] = wire.Ref{Key: k}
	}
	return refs
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
	if err == nil || errors.As(err, &ae) && ae.Kind() != wire.ErrBusy || final(err) {
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

// applyError turns the agent's refusal into one line per failed function,
// which unwraps to the refusal; other errors are returned as they are.
func applyError(err error) error {
	var ae *agentclient.AgentError
	if isUnreachable(err) || !errors.As(err, &ae) {
		return err
	}
	if len(ae.Failures) == 0 {
		return &refusalError{msg: ae.Err.Error(), err: ae}
	}
	var lines []string
	for _, f := range ae.Failures {
		lines = append(lines, f.Error())
	}
	return &refusalError{msg: strings.Join(lines, "\n"), err: ae}
}

// refusalError is the agent's refusal as the user reads it.
type refusalError struct {
	msg string
	err *agentclient.AgentError
}

func (e *refusalError) Error() string { return e.msg }
func (e *refusalError) Unwrap() error { return e.err }
