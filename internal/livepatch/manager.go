package livepatch

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/go-delve/delve/service/debugger"

	"github.com/livepatch/livepatch/internal/agentclient"
	"github.com/livepatch/livepatch/internal/change"
	"github.com/livepatch/livepatch/internal/dapproxy"
	"github.com/livepatch/livepatch/internal/prompt"
)

// DefaultQuiet is how long a file must stay unwritten after a save before
// the watcher reads it. Editors finish a save (a write in place, or a
// temporary file renamed over the original, sometimes after a truncation)
// within a millisecond or two; a read that still catches a partial file
// finds it unparsable, and the next event of the same save reads it again.
// The quiet period is most of the time from save to live (docs/BENCHMARKS.md).
const DefaultQuiet = 10 * time.Millisecond

// Options configure a Manager.
type Options struct {
	// Prompt answers the evaluate requests that are not declarations of
	// program functions or livepatch's commands (Register makes it pass
	// those to the manager first); its checker (Prompt.Checker), which
	// holds the type information of the latest build, type-checks and
	// rewrites replacement bodies. Required.
	Prompt *prompt.Prompt
	// Quiet is the watcher's debounce delay; 0 means DefaultQuiet.
	Quiet time.Duration
	// NoWatch turns the file watcher off.
	NoWatch bool
	// NoNative turns the native tier off: patches stay interpreted
	// (native.go).
	NoNative bool
	// Restart rebuilds and restarts the program, saying so, after a save
	// that compiles and cannot go live is refused. It needs a program
	// that runs without a debugger (a noDebug launch,
	// dapproxy.Session.Restart): `livepatch run -restart`.
	Restart bool
	// Log receives the manager's log. Nil discards it.
	Log *slog.Logger
}

// Manager applies live patches for the sessions of a proxy. Its methods are
// safe for concurrent use.
type Manager struct {
	opts    Options
	log     *slog.Logger
	changes *change.Checker // the prompt's: checks saves and declarations

	mu       sync.Mutex
	sessions map[*dapproxy.Session]*session
}

// New returns a manager; it follows the builds that the prompt's checker
// is given (prompt.Prompt.UseBuild). Register it on a proxy with Register.
func New(opts Options) *Manager {
	if opts.Quiet <= 0 {
		opts.Quiet = DefaultQuiet
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Manager{opts: opts, log: log, changes: opts.Prompt.Checker(), sessions: map[*dapproxy.Session]*session{}}
}

// Register makes px answer setBreakpoints (at the compiled lines of the
// saved files' lines, breakpoints.go), stepIn (over calls of interpreted
// patches, or into them once native, stepinto.go),
// variables (without the patchable build's own locals), stackTrace and
// threads (without the frames and goroutines of the agent and the
// interpreter), exceptionInfo (its stack text as stackTrace shows it),
// livepatch/patches,
// livepatch/diff and livepatch/revert, filters the program's stderr (its
// tracebacks as stackTrace shows stacks, traceback.go), and makes the prompt, which answers evaluate (prompt.Prompt.Register), pass its
// inputs to the manager first: the manager answers the declarations of
// program functions and livepatch's commands (:patches, :revert).
func (m *Manager) Register(px *dapproxy.Proxy) {
	m.opts.Prompt.Intercept(m.evaluate)
	m.opts.Prompt.SavedFrames(m.savedFunc) // nativebps.go
	px.Handle("livepatch/patches", m.listRequest)
	px.Handle("livepatch/revert", m.revertRequest)
	px.Handle("livepatch/diff", m.diffRequest)
	px.Handle("stepIn", m.stepIn)
	for _, c := range []string{"continue", "next", "stepOut"} {
		px.Handle(c, m.resume(c))
	}
	px.Handle("variables", m.variables)
	px.Handle("stackTrace", m.stackTrace)
	px.Handle("threads", m.threads)
	px.Handle("setBreakpoints", m.setBreakpoints)
	px.Handle("setFunctionBreakpoints", m.setFunctionBreakpoints)
	px.Handle("exceptionInfo", m.exceptionInfo)
	px.HandleEvent("breakpoint", m.breakpointEvent)
	px.HandleEvent("stopped", m.stoppedEvent)
	px.HandleEvent("output", m.outputEvent)
	px.FilterOutput(m.outputFilter) // traceback.go
}

// TargetEnv is a dapproxy.Config.TargetEnv: it creates the private socket
// endpoint of the session's agent, shows the agent's log in the console,
// and starts watching the user's files.
// Both end with ctx.
func (m *Manager) TargetEnv(ctx context.Context, s *dapproxy.Session) []string {
	st := m.session(ctx, s)
	st.mu.Lock()
	defer st.mu.Unlock()
	ep, made, err := st.t.Listen(ctx)
	if err != nil {
		m.log.Warn("no agent socket; patches only while paused", "err", err)
	}
	if made {
		ep.FollowLog(func(r agentclient.LogRecord) { s.Output("console", "livepatch: "+r.String()+"\n") })
	}
	if (made || err != nil) && !m.opts.NoWatch {
		if err := st.startWatch(ctx); err != nil {
			m.log.Warn("not watching files", "err", err)
			s.Output("console", "livepatch: not watching your files: "+err.Error()+"\n")
		}
	}
	if ep == nil {
		return nil
	}
	return ep.Env()
}

// Started is a dapproxy.Config.Started: it makes each launched program
// stop under the debugger at an interpreter fault, as at an unrecovered
// panic (agentclient.StopAtFaults).
func (m *Manager) Started(s *dapproxy.Session, d *debugger.Debugger) {
	if err := agentclient.StopAtFaults(d); err != nil {
		m.log.Warn("no stop at interpreter faults", "err", err)
	}
}

// session returns the state of s, made on first use; it is dropped when
// ctx ends.
func (m *Manager) session(ctx context.Context, s *dapproxy.Session) *session {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.sessions[s]
	if st == nil {
		t := m.opts.Prompt.Target(ctx, s)
		st = &session{m: m, s: s, ctx: ctx, t: t, q: t.Queue(), live: map[string]*Patch{}, seen: map[string][]byte{}, nat: newNativeState()}
		m.sessions[s] = st
		go func() {
			<-ctx.Done()
			st.nat.builder.Close()
			m.mu.Lock()
			delete(m.sessions, s)
			m.mu.Unlock()
		}()
	}
	return st
}

// existing returns the state of s, or nil when it has none yet.
func (m *Manager) existing(s *dapproxy.Session) *session {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.sessions[s]
}
