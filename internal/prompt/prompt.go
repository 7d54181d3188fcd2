package prompt

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/go-delve/delve/service/debugger"

	"github.com/livepatch/livepatch/internal/agentclient"
	"github.com/livepatch/livepatch/internal/change"
	"github.com/livepatch/livepatch/internal/change/frame"
	"github.com/livepatch/livepatch/internal/dapproxy"
	"github.com/livepatch/livepatch/internal/patcher"
)

// DefaultTimeout limits an input that runs in the target.
//
// It is 7 s so that the answer, which comes up to a second past the limit
// for an input blocked in compiled code, reaches a client before its own
// request timeout: dape gives a request 10 s, Helix 20 s. A client's
// "request timed out" tells the user nothing; livepatch's answer says
// where the input was.
const DefaultTimeout = 7 * time.Second

// Options configure a Prompt.
type Options struct {
	// Timeout stops an input that runs longer; 0 means DefaultTimeout.
	Timeout time.Duration
	// Log receives the prompt's log. Nil discards it.
	Log *slog.Logger
}

// Prompt answers evaluate (context "repl") and completions requests of a
// proxy's sessions with the Go prompt. Its methods are safe for concurrent
// use.
type Prompt struct {
	opts Options
	log  *slog.Logger

	checker *change.Checker // the type information of the latest build

	mu       sync.Mutex
	targets  map[*dapproxy.Session]*agentclient.Target // see Target
	sessions map[*dapproxy.Session]*session

	intercept InterceptFunc // guarded by mu; see Intercept
	saved     SavedFunc     // guarded by mu; see SavedFrames
}

// session is the prompt's state for the current process of one debug
// session: a restart (see agentclient.Target.Sync) starts a fresh one.
type session struct {
	d        *debugger.Debugger
	client   *agentclient.CallClient
	restarts int           // the target's restarts when the state was made
	history  frame.History // what earlier inputs declared

	mu      sync.Mutex
	running map[int]runningInput // inputs still running, by agent id (running.go)
	pkg     string               // the package of package scope; "" for main (package.go)
}

// New returns a prompt with no type information until UseBuild.
func New(opts Options) *Prompt {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Prompt{opts: opts, log: log, checker: change.NewChecker(log), targets: map[*dapproxy.Session]*agentclient.Target{}, sessions: map[*dapproxy.Session]*session{}}
}

// UseBuild gives the prompt the type information of a patchable build. The
// builder calls it after every successful build (launch and restart).
func (p *Prompt) UseBuild(res *patcher.Result) {
	p.checker.UseBuild(res)
}

// Checker returns the checker that holds the type information of the
// prompt's builds, for checking saved files and declarations against the
// same build (live patching).
func (p *Prompt) Checker() *change.Checker { return p.checker }

// Capabilities returns the fields to add to the initialize response.
func (p *Prompt) Capabilities() map[string]any {
	return map[string]any{"supportsCompletionsRequest": true, "completionTriggerCharacters": []string{"."}}
}

// Register makes px answer evaluate and completions with the prompt. The
// evaluate requests go first to the prompt's interceptor, if any.
func (p *Prompt) Register(px *dapproxy.Proxy) {
	px.Handle("evaluate", p.interceptEvaluate)
	px.Handle("completions", p.completions)
}

// InterceptFunc sees an evaluate request before the prompt does. When it
// reports handled, its body and error are the answer; otherwise the prompt
// answers the request.
type InterceptFunc func(ctx context.Context, s *dapproxy.Session, args json.RawMessage) (body any, handled bool, err error)

// Intercept makes f see every evaluate request before the prompt: live
// patching answers the inputs that redefine program functions, and its own
// commands, this way. A prompt has one interceptor: a second call panics.
// Call it before the proxy serves.
func (p *Prompt) Intercept(f InterceptFunc) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.intercept != nil {
		panic("prompt: an interceptor of evaluate is already set")
	}
	p.intercept = f
}

// SavedFunc returns the saved declaration of the function that a frame
// of s runs, fn as the binary names it, when it is a live patch's native
// code; nil otherwise.
type SavedFunc func(s *dapproxy.Session, fn string) *change.Checked

// SavedFrames makes the prompt ask f for the saved declaration of a
// paused frame's function: live patching knows the native patches, whose
// frames run saved code that the build's files do not have, and the
// prompt then checks inputs there in the saved function's scope. A
// prompt has one such f: a second call panics. Call it before the proxy
// serves.
func (p *Prompt) SavedFrames(f SavedFunc) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.saved != nil {
		panic("prompt: a source of saved frames is already set")
	}
	p.saved = f
}

// interceptEvaluate is the evaluate handler: the interceptor's answer, or
// the prompt's.
func (p *Prompt) interceptEvaluate(ctx context.Context, s *dapproxy.Session, args json.RawMessage) (any, error) {
	var a struct {
		Expression string `json:"expression"`
		Context    string `json:"context"`
	}
	if json.Unmarshal(args, &a) == nil && ConsoleContext(a.Context) {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(a.Expression), PackageCommand); ok && (rest == "" || rest[0] == ' ') {
			return p.packageCommand(ctx, s, rest)
		}
	}
	p.mu.Lock()
	f := p.intercept
	p.mu.Unlock()
	if f != nil {
		if body, handled, err := f(ctx, s, args); handled {
			return body, err
		}
	}
	return p.evaluate(ctx, s, args)
}

// launched reports whether s has a program that livepatch launched: with a
// debugger, or without one (a noDebug launch, dapproxy.Session.Process).
func launched(s *dapproxy.Session) bool { return s.Debugger() != nil || s.Process() != 0 }

// programRuns reports whether the program runs: Delve reads nothing of it,
// and Go input runs in package scope. A program without a debugger always
// runs.
func (st *session) programRuns() bool { return st.d == nil || st.d.IsRunning() }

// session returns the state of s, fresh when the debugged process changed
// (a restart loses the interpreter's declarations). s has a program
// (launched).
func (p *Prompt) session(ctx context.Context, s *dapproxy.Session) *session {
	d, call, restarts := p.Target(ctx, s).Sync()
	p.mu.Lock()
	defer p.mu.Unlock()
	st := p.sessions[s]
	if st == nil || st.restarts != restarts || st.d != d {
		st = &session{d: d, client: call, restarts: restarts}
		p.sessions[s] = st
	}
	return st
}
