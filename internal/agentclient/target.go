package agentclient

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/go-delve/delve/service/debugger"
)

// Target is the host's side of one debug session's target, shared by
// everything of the session that uses its agent (the Go prompt, live
// patching): the debugger, the channels to the agent (a CallClient, the
// SocketClient while the program runs), the session's Queue, and which
// process the channels belong to. A restart (another process, or another
// debugger) gets fresh channels; Sync tells the users, who keep their own
// state of a process (the prompt's declarations, the live patches), by
// its count of restarts. The Target holds the lock that lets one injected
// call at a time use the target's inbox and outbox, which every CallClient
// it makes takes, so there must be one Target per debugger.
//
// The caller keys Targets by its debug session (the proxy's session, which
// this package does not know) and makes one per session. Methods are safe
// for concurrent use.
type Target struct {
	debugger func() *debugger.Debugger // the session's, nil before launch
	process  func() int                // the pid of a program without a debugger; see WithoutDebugger
	queue    Queue
	calls    *callLock // one injected call at a time, whichever client makes it

	mu       sync.Mutex // guards what follows; never held across a request to the agent
	d        *debugger.Debugger
	pid      int // of the process the channels belong to; 0 while unknown
	restarts int
	call     *CallClient
	sock     *SocketClient
	behind   bool // a socket request timed out: the agent may still do it (see SocketDone)
	ep       *Endpoint
}

// NewTarget returns the Target of a debug session whose debugger (nil
// until the session launched a program) debugger returns. Its Queue tells
// notify (when not nil) about a job that waits; see Queue.Notify.
func NewTarget(debugger func() *debugger.Debugger, notify func(job, running string)) *Target {
	return &Target{debugger: debugger, queue: Queue{Notify: notify}, calls: newCallLock()}
}

// WithoutDebugger makes t follow, while the session has no debugger, the
// program that runs without one: pid returns its process id (0 while
// there is none). Such a program is reached over its agent's socket only,
// and a change of pid counts as a restart. Call it before the first Sync.
func (t *Target) WithoutDebugger(pid func() int) { t.process = pid }

// Free reports whether the program as of the last Sync runs without a
// debugger (see WithoutDebugger): Sync returned no debugger, and yet
// there is a program, whose agent Client reaches over the socket.
func (t *Target) Free() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.d == nil && t.pid != 0
}

// Queue returns the session's agent queue: every job that uses the agent
// takes its turn in it, in arrival order, whatever process the session
// debugs.
func (t *Target) Queue() *Queue { return &t.queue }

// Sync notes a restart and returns the session's debugger (nil before
// launch), the call client of its current process and the number of
// restarts so far. A restart is a change of debugger, or of process once
// one was seen: the socket to the old process is closed and the call
// client is new.
//
// The process is checked only while the target is stopped (a restart
// stops it first): Delve's ProcessPid waits for the debugger's target
// lock, which a running target holds for as long as it runs.
func (t *Target) Sync() (d *debugger.Debugger, call *CallClient, restarts int) {
	d = t.debugger()
	t.mu.Lock()
	defer t.mu.Unlock()
	if d == nil {
		if t.process != nil {
			t.syncFree()
		}
		return nil, nil, t.restarts
	}
	if d != t.d {
		if t.d != nil {
			t.restarts++
		}
		t.closeSocket()
		t.d, t.pid, t.call = d, 0, newCallClient(d, t.calls)
	}
	if d.IsRunning() {
		return d, t.call, t.restarts
	}
	pid := d.ProcessPid()
	if t.pid != 0 && pid != t.pid {
		t.restarts++
		t.closeSocket()
		t.call = newCallClient(d, t.calls)
	}
	t.pid = pid
	return d, t.call, t.restarts
}

// syncFree notes a restart of a program without a debugger. The caller
// holds mu.
func (t *Target) syncFree() {
	pid := t.process()
	if t.d != nil || pid != t.pid && t.pid != 0 {
		t.restarts++
		t.closeSocket()
	}
	t.d, t.call, t.pid = nil, nil, pid
}

// Debugger returns the debugger as of the last Sync, or nil.
func (t *Target) Debugger() *debugger.Debugger {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.d
}

// closeSocket forgets the socket client. The caller holds mu.
func (t *Target) closeSocket() {
	if t.sock != nil {
		t.sock.Close()
	}
	t.sock, t.behind = nil, false
}

// Listen makes the private endpoint where the agent of the session's
// programs will listen, on first use; it returns the endpoint and whether
// this call made it. When ctx ends, the socket client is closed and the
// endpoint removed.
func (t *Target) Listen(ctx context.Context) (ep *Endpoint, made bool, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ep != nil {
		return t.ep, false, nil
	}
	ep, err = NewEndpoint()
	if err != nil {
		return nil, false, err
	}
	t.ep = ep
	go func() {
		<-ctx.Done()
		t.mu.Lock()
		if t.sock != nil {
			t.sock.Close()
		}
		t.mu.Unlock()
		ep.Remove()
	}()
	return ep, true, nil
}

// ErrBehind refuses a request by call injection while a socket request
// that timed out may still be done by the agent.
var ErrBehind = errors.New("the agent has not finished an earlier change that the program's stop interrupted; it goes on when the program does")

// Client returns the channel to the agent of the process as of the last
// Sync (which must have found a program, with a debugger or Free): the
// call client while the target is stopped, the socket while it runs or
// has no debugger (dialed on first use; ctx should then be bounded, as the agent
// answers only while the program runs). While a socket request that timed
// out may still be done, a stopped target is refused with ErrBehind. The
// caller has the turn in the Queue.
func (t *Target) Client(ctx context.Context) (Client, error) {
	t.mu.Lock()
	d, call, sock, behind, ep, free := t.d, t.call, t.sock, t.behind, t.ep, t.d == nil && t.pid != 0
	t.mu.Unlock()
	if d == nil && !free {
		return nil, errors.New("no program: Sync first")
	}
	running := free || d.IsRunning()
	switch {
	case !running && behind && stoppedDying(d):
		return nil, ErrDying // the interrupted change never goes on
	case !running && behind:
		return nil, ErrBehind
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
	t.mu.Lock()
	t.sock = c
	t.mu.Unlock()
	return c, nil
}

// SocketDone records the outcome err of a request made over sock.
//
// The agent may still do a request that timed out (the debugger stopped
// the program while it was sent, say) once the program goes on: the
// connection is kept, so that the agent does the later requests on it
// after that one, and until it answers one of them Client refuses call
// injection (ErrBehind), which could be overtaken by the late one. A
// connection that broke otherwise is closed.
func (t *Target) SocketDone(sock *SocketClient, err error) {
	var ae *AgentError
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case err == nil || errors.As(err, &ae):
		t.behind = false
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded):
		t.behind = true
	case t.sock == sock:
		// The connection broke: the agent reads nothing more from it.
		sock.Close()
		t.sock, t.behind = nil, false
	}
}
