package livepatch

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/go-delve/delve/service/debugger"

	"github.com/livepatch/livepatch/dapproxy"
	"github.com/livepatch/livepatch/interp/agent"
	"github.com/livepatch/livepatch/interp/agentclient"
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
type session struct {
	m  *Manager
	s  *dapproxy.Session
	ep *agentclient.Endpoint

	mu     sync.Mutex // serializes agent operations and guards what follows
	pid    int        // the process the live patches belong to
	d      *debugger.Debugger
	call   *agentclient.CallClient
	sock   *agentclient.SocketClient
	live   map[string]*Patch     // by key
	seen   map[string][]byte     // files as last seen by the watcher
	parsed map[string]*fileDecls // seen files that parsed, by file
}

// pendingPatch is one function of a change, ready for the agent.
type pendingPatch struct {
	Patch
	patch agent.Patch
}

// syncProcess forgets the live patches and clients of a process that is
// gone (a restart) and returns the current debugger. The caller holds mu.
func (st *session) syncProcess() (*debugger.Debugger, error) {
	d := st.s.Debugger()
	if d == nil {
		return nil, errors.New("live patching needs a program launched by livepatch (mode debug, test or exec)")
	}
	// ProcessPid waits for the debugger's target lock, which a running
	// target holds: the process is checked only while it is stopped (a
	// restart stops it first).
	if d != st.d {
		if st.sock != nil {
			st.sock.Close()
		}
		st.d, st.pid, st.sock, st.call = d, 0, nil, agentclient.NewCallClient(d)
	}
	if d.IsRunning() {
		return d, nil
	}
	pid := d.ProcessPid()
	if st.pid != 0 && pid != st.pid {
		if st.sock != nil {
			st.sock.Close()
		}
		st.sock, st.call = nil, agentclient.NewCallClient(d)
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

// client returns the channel to the agent: call injection while the target
// is stopped, the socket while it runs. The caller holds mu.
func (st *session) client(ctx context.Context) (agentclient.Client, error) {
	if code, exited := st.s.Exited(); exited {
		return nil, &agentclient.ExitedError{Status: code}
	}
	d, err := st.syncProcess()
	if err != nil {
		return nil, err
	}
	if !d.IsRunning() {
		return st.call, nil
	}
	if st.sock == nil {
		if st.ep == nil {
			return nil, errors.New("the program runs and its agent has no socket: pause it to patch")
		}
		c, err := st.ep.Dial(ctx)
		if err != nil {
			return nil, fmt.Errorf("agent socket: %w", err)
		}
		st.sock = c
	}
	return st.sock, nil
}

// apply sends one change to the agent: every patch goes live, or none.
// The caller holds mu.
func (st *session) apply(ctx context.Context, ps []pendingPatch) error {
	if len(ps) == 0 {
		return nil
	}
	c, err := st.client(ctx)
	if err != nil {
		return err
	}
	set := make([]agent.Patch, len(ps))
	for i, p := range ps {
		set[i] = p.patch
	}
	if err := c.Apply(ctx, set); err != nil {
		if st.sock != nil && c == agentclient.Client(st.sock) && !isAgentError(err) {
			st.sock.Close()
			st.sock = nil
		}
		return applyError(err)
	}
	for _, p := range ps {
		lp := p.Patch
		st.live[p.Key] = &lp
	}
	if c == agentclient.Client(st.call) {
		st.noteRunning(ps)
	}
	return nil
}

// noteRunning tells the user when the paused goroutine is inside a function
// just patched: its current call finishes with the old code. The caller
// holds mu and the target is stopped.
func (st *session) noteRunning(ps []pendingPatch) {
	state, err := st.d.State(true)
	if err != nil || state.SelectedGoroutine == nil {
		return
	}
	frames, err := st.d.Stacktrace(state.SelectedGoroutine.ID, 64, 0)
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

// revert removes the patches of keys. The caller holds mu.
func (st *session) revert(ctx context.Context, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	c, err := st.client(ctx)
	if err != nil {
		return err
	}
	refs := make([]agent.Ref, len(keys))
	for i, k := range keys {
		refs[i] = agent.Ref{Key: k}
	}
	if err := c.Revert(ctx, refs...); err != nil {
		return applyError(err)
	}
	for _, k := range keys {
		delete(st.live, k)
	}
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

// applyError turns the agent's refusal into one line per failed function.
func applyError(err error) error {
	var ae *agentclient.AgentError
	if !errors.As(err, &ae) {
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
