package dapproxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"sync"

	"github.com/go-delve/delve/service/debugger"
)

// Config configures a Proxy. The zero value is usable.
type Config struct {
	// Builder builds the program for launch modes debug and test, and again
	// on restart. Nil means GoBuilder: a plain `go build` for debugging.
	Builder Builder
	// Debugger is the base configuration of every debugger the proxy
	// creates; the launch request fills in the rest.
	Debugger debugger.Config
	// Log receives the proxy's own log. Nil discards it.
	Log *slog.Logger
	// Capabilities are added to Delve's answer to initialize, to advertise
	// requests that handlers answer (e.g. "supportsCompletionsRequest").
	Capabilities map[string]any
	// TargetEnv, when not nil, is called once per launch in modes debug,
	// test and exec, before the debuggee starts, and returns KEY=VALUE
	// entries added to the debuggee's environment (and kept for restarts),
	// e.g. where its agent listens. ctx ends with the session.
	TargetEnv func(ctx context.Context, s *Session) []string
	// Started, when not nil, is called with the debugger while a process
	// it launched in modes debug, test and exec is stopped before running
	// its code: after the launch and after each restart (Delve makes its
	// own breakpoints anew for each process), e.g. to set breakpoints of
	// the caller's.
	Started func(s *Session, d *debugger.Debugger)
}

// HandlerFunc answers one intercepted request. It runs on the session's
// dispatch goroutine, so requests are handled in the order the client sent
// them; ctx is canceled when the client disconnects. The returned body (which
// may be nil) becomes the success response; an error becomes an error
// response, with the id and summary of an *Error when it is one.
type HandlerFunc func(ctx context.Context, s *Session, args json.RawMessage) (body any, err error)

// Proxy serves DAP sessions. Each call to Serve runs one session over one
// client connection. A Proxy is safe for concurrent use once handlers are
// registered.
type Proxy struct {
	cfg      Config
	handlers map[string]HandlerFunc
	events   map[string]EventFunc // by event name (events.go)
	filter   OutputFilterFunc     // of the program's output (output.go)
}

// New returns a proxy with the given configuration.
func New(cfg Config) *Proxy {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Builder == nil {
		cfg.Builder = GoBuilder{}
	}
	if cfg.Debugger.Backend == "" {
		cfg.Debugger.Backend = "default"
	}
	return &Proxy{cfg: cfg, handlers: map[string]HandlerFunc{}}
}

// Handle registers h for requests with the given command; they never reach
// Delve. Handle must not be called once Serve has started. A command has
// one handler: registering a second one panics, as it is a programming
// error (two packages both answering the command, one silently losing).
func (p *Proxy) Handle(command string, h HandlerFunc) {
	if h == nil {
		panic(fmt.Sprintf("dapproxy: nil handler for command %q", command))
	}
	if _, ok := p.handlers[command]; ok {
		panic(fmt.Sprintf("dapproxy: a handler for command %q is already registered", command))
	}
	p.handlers[command] = h
}

// Serve runs one debug session over conn until the client disconnects, the
// connection fails, or ctx is canceled; then it stops the debuggee it
// launched, closes conn and returns. A clean end returns nil.
func (p *Proxy) Serve(ctx context.Context, conn io.ReadWriteCloser) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s := &Session{
		proxy:   p,
		log:     p.cfg.Log,
		client:  newPeer("client", conn),
		pending: map[int]*pending{},
		reverse: map[int]int{},
		ctx:     ctx,
		done:    make(chan struct{}),
	}
	return s.run(ctx)
}

// Session is one client connection and the Delve session behind it.
// Its methods are safe for concurrent use.
type Session struct {
	proxy  *Proxy
	log    *slog.Logger
	client *peer
	ctx    context.Context

	mu          sync.Mutex
	backend     *backend
	toClientSeq int
	toDelveSeq  int
	pending     map[int]*pending // by the seq the proxy gave the request towards Delve
	reverse     map[int]int      // reverse requests: client-side seq -> Delve's seq
	initialize  json.RawMessage  // arguments of the client's initialize request
	initialized bool
	watchers    []*watcher
	launch      *launchState
	ended       bool
	frames      map[int]Frame // frame ids seen in stackTrace responses since the last stop
	// exitReported holds the exited and terminated events forwarded since
	// the process started (the last initialized event): each goes out
	// once, though both Delve's own command and the proxy's watchExit may
	// report an exit. Once the client asks to disconnect, Delve's events go
	// out as Delve sends them (it answers a disconnect with terminated).
	exitReported  map[string]bool
	exitCode      int // of the exited event forwarded
	disconnecting bool
	pauseAsked    bool // a pause went to Delve since the program last resumed (pausestop.go)

	done    chan struct{} // closed when the session ends
	endOnce sync.Once
	endErr  error
}

// pending is a request sent to Delve whose response is awaited.
type pending struct {
	clientSeq int            // for a forwarded request: the seq the client used
	command   string         // the client's command name, if the response is renamed
	body      map[string]any // fields added to a successful response's body
	internal  chan *message  // for the proxy's own requests: where the response goes
	stack     *stackRequest  // for a client's stackTrace: its arguments
}

// watcher sees every message Delve sends, before it is forwarded; it is
// removed once f returns true.
type watcher struct{ f func(*message) bool }

func (s *Session) run(ctx context.Context) error {
	b, err := s.newBackend(nil)
	if err != nil {
		s.client.closeNow()
		return err
	}
	s.mu.Lock()
	s.backend = b
	s.mu.Unlock()

	requests := make(chan *message, 64)
	go s.readClient(requests)
	go func() {
		select {
		case <-ctx.Done():
			s.end(ctx.Err())
		case <-s.done:
		}
	}()
	for {
		select {
		case m, ok := <-requests:
			if !ok {
				s.end(nil)
				return s.shutdown()
			}
			s.dispatch(m)
		case <-s.done:
			return s.shutdown()
		}
	}
}

// readClient reads the client's messages until the connection ends. Framing
// errors cannot be recovered from (the stream is out of step), so they end
// the session; a frame whose content is not a valid message gets an error
// response and the session goes on.
func (s *Session) readClient(requests chan<- *message) {
	defer close(requests)
	for {
		raw, err := s.client.read()
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrClosedPipe) {
				s.log.Warn("client stream ended", "err", err)
				s.toClient(eventMessage("output", map[string]string{
					"category": "important",
					"output":   fmt.Sprintf("livepatch: closing the session: %v\n", err),
				}))
			}
			return
		}
		m, err := parseMessage(raw)
		if err != nil {
			s.log.Warn("invalid message from client", "err", err)
			seq, cmd := 0, ""
			if m != nil {
				seq, cmd = m.Seq, m.Command
			}
			s.toClient(errorResponse(seq, cmd, &Error{ID: ErrInvalidMessage, Summary: "Invalid message", Detail: err.Error()}))
			continue
		}
		if m.Type == "request" && m.Command == "disconnect" {
			s.mu.Lock()
			s.disconnecting = true
			s.mu.Unlock()
			s.cancelLaunch()
		}
		requests <- m
	}
}

// dispatch routes one message from the client.
func (s *Session) dispatch(m *message) {
	s.trace("client -> proxy", m)
	switch m.Type {
	case "response": // to a reverse request of Delve's
		s.mu.Lock()
		delveSeq, ok := s.reverse[m.RequestSeq]
		delete(s.reverse, m.RequestSeq)
		s.mu.Unlock()
		if !ok {
			s.log.Warn("response to an unknown reverse request", "request_seq", m.RequestSeq)
			return
		}
		s.toDelve(m, delveSeq, nil)
		return
	case "event":
		s.toClient(errorResponse(m.Seq, "", &Error{ID: ErrInvalidMessage, Summary: "Invalid message", Detail: "clients do not send events"}))
		return
	}

	s.mu.Lock()
	initialized := s.initialized
	if m.Command == "initialize" {
		s.initialized = true
		s.initialize = rawArguments(m.raw)
	}
	s.mu.Unlock()
	if !initialized && m.Command != "initialize" {
		s.toClient(errorResponse(m.Seq, m.Command, &Error{ID: ErrNotInitialized, Summary: "Not initialized",
			Detail: fmt.Sprintf("the %s request came before initialize", m.Command)}))
		return
	}

	if h := s.proxy.handlers[m.Command]; h != nil {
		s.runHandler(m, h)
		return
	}
	switch m.Command {
	case "launch":
		s.onLaunch(m)
	case "restart":
		if s.noDebugLaunch() != nil {
			s.onRestartNoDebug(m)
			return
		}
		s.onRestart(m)
	case "terminate":
		if l := s.noDebugLaunch(); l != nil {
			s.onTerminate(m, l)
			return
		}
		s.toDelve(m, 0, &pending{clientSeq: m.Seq})
	case "initialize":
		s.toDelve(m, 0, &pending{clientSeq: m.Seq, command: m.Command, body: s.proxy.cfg.Capabilities})
	case "stackTrace":
		s.toDelve(m, 0, &pending{clientSeq: m.Seq, stack: parseStackRequest(m)})
	default:
		s.toDelve(m, 0, &pending{clientSeq: m.Seq})
	}
}

func (s *Session) runHandler(m *message, h HandlerFunc) {
	body, err := func() (body any, err error) {
		defer func() {
			if r := recover(); r != nil {
				s.log.Error("handler panicked", "command", m.Command, "panic", r, "stack", string(debug.Stack()))
				err = &Error{ID: ErrInternal, Summary: "Internal error", Detail: fmt.Sprint(r)}
			}
		}()
		return h(s.ctx, s, rawArguments(m.raw))
	}()
	if err != nil {
		s.toClient(errorResponse(m.Seq, m.Command, asError(err)))
		return
	}
	if r, ok := body.(*DelveResponse); ok {
		s.forwardRenamed(r.m, &pending{clientSeq: m.Seq, command: m.Command})
		return
	}
	s.toClient(successResponse(m.Seq, m.Command, body))
}

// DelveResponse is a response from the Delve session to a request the proxy
// made with CallDelve. A handler that returns one as its body answers the
// client with it unchanged, as if Delve had answered the client.
type DelveResponse struct {
	m *message
}

// Success reports whether Delve's response is a success.
func (r *DelveResponse) Success() bool { return r.m.Success }

// Raw returns the response as Delve sent it.
func (r *DelveResponse) Raw() json.RawMessage { return r.m.raw }

// Body returns the response's body.
func (r *DelveResponse) Body() json.RawMessage {
	var b struct {
		Body json.RawMessage `json:"body"`
	}
	_ = json.Unmarshal(r.m.raw, &b)
	return b.Body
}

// CallDelve sends a request to the current Delve session and waits for its
// response, successful or not. Handlers use it to ask Delve, and to pass a
// request on to Delve by returning the response.
func (s *Session) CallDelve(ctx context.Context, command string, args any) (*DelveResponse, error) {
	s.mu.Lock()
	b := s.backend
	s.mu.Unlock()
	m, err := s.call(ctx, b, command, args)
	if err != nil {
		return nil, err
	}
	return &DelveResponse{m: m}, nil
}

// Output shows text in the client's console, with a DAP output category
// ("console", "stdout", "stderr", "important").
func (s *Session) Output(category, text string) { s.output(category, text) }

// SendEvent sends an event of livepatch's own to the client.
func (s *Session) SendEvent(event string, body any) { s.toClient(eventMessage(event, body)) }

func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{ID: ErrRequestFailed, Summary: "Request failed", Detail: err.Error(), ShowUser: true}
}

// rawArguments returns the arguments of a request, or nil.
func rawArguments(raw []byte) json.RawMessage {
	var r struct {
		Arguments json.RawMessage `json:"arguments"`
	}
	_ = json.Unmarshal(raw, &r)
	return r.Arguments
}

// toClient sends content to the client with the next client-side seq.
func (s *Session) toClient(content []byte) {
	m, err := parseMessage(content)
	if err != nil {
		s.log.Error("proxy built an invalid message", "err", err)
		return
	}
	s.forwardToClient(m, m.RequestSeq)
}

func (s *Session) forwardToClient(m *message, requestSeq int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.toClientSeq++
	s.client.send(m.withSeq(s.toClientSeq, requestSeq))
}

// toClientOutput sends an output event of the debuggee's, which counts
// against the client's output budget (the caller waits for room).
func (s *Session) toClientOutput(content []byte) {
	m, err := parseMessage(content)
	if err != nil {
		s.log.Error("proxy built an invalid message", "err", err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.toClientSeq++
	s.client.sendOutput(m.withSeq(s.toClientSeq, 0))
}

// toDelve sends a message to the current Delve session with the next
// Delve-side seq; requestSeq is used for responses. A request is recorded in
// pending when p is not nil.
func (s *Session) toDelve(m *message, requestSeq int, p *pending) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.toDelveLocked(s.backend, m, requestSeq, p)
}

func (s *Session) toDelveLocked(b *backend, m *message, requestSeq int, p *pending) int {
	s.toDelveSeq++
	seq := s.toDelveSeq
	if m.Type == "request" {
		s.notePause(m)
	}
	if p != nil {
		s.pending[seq] = p
	}
	b.peer.send(m.withSeq(seq, requestSeq))
	return seq
}

// call sends a request of the proxy's own to Delve and waits for its
// response. It does not check success.
func (s *Session) call(ctx context.Context, b *backend, command string, args any) (*message, error) {
	req := mustMarshal(struct {
		Seq       int    `json:"seq"`
		Type      string `json:"type"`
		Command   string `json:"command"`
		Arguments any    `json:"arguments,omitempty"`
	}{Type: "request", Command: command, Arguments: args})
	m, _ := parseMessage(req)
	ch := make(chan *message, 1)
	s.mu.Lock()
	seq := s.toDelveLocked(b, m, 0, &pending{internal: ch})
	s.mu.Unlock()
	select {
	case r := <-ch:
		return r, nil
	case <-b.closed:
		return nil, fmt.Errorf("%s: delve session ended", command)
	case <-ctx.Done():
		s.mu.Lock()
		delete(s.pending, seq)
		s.mu.Unlock()
		return nil, ctx.Err()
	}
}

// watch registers f to see every message from Delve until it returns true.
func (s *Session) watch(f func(*message) bool) {
	s.mu.Lock()
	s.watchers = append(s.watchers, &watcher{f: f})
	s.mu.Unlock()
}

// fromDelve routes one message from Delve.
func (s *Session) fromDelve(b *backend, m *message) {
	s.trace("delve -> proxy", m)
	s.mu.Lock()
	current := b == s.backend
	ws := s.watchers[:0:0]
	for _, w := range s.watchers {
		if !w.f(m) {
			ws = append(ws, w)
		}
	}
	s.watchers = ws
	switch m.Type {
	case "response":
		p := s.pending[m.RequestSeq]
		delete(s.pending, m.RequestSeq)
		s.mu.Unlock()
		if p != nil && p.stack != nil {
			s.recordFrames(p.stack, m)
		}
		switch {
		case p == nil:
			s.log.Debug("response to no pending request", "request_seq", m.RequestSeq, "command", m.Command)
		case p.internal != nil:
			p.internal <- m
		case p.command != "":
			s.forwardRenamed(m, p)
		default:
			s.forwardToClient(m, p.clientSeq)
		}
		return
	case "request":
		s.toClientSeq++
		s.reverse[s.toClientSeq] = m.Seq
		s.client.send(m.withSeq(s.toClientSeq, 0))
		s.mu.Unlock()
		return
	}
	pauseAsked := s.pauseAsked
	if m.Event == "stopped" && current {
		s.forgetFramesLocked()
		s.pauseAsked = false
	}
	var started *launchState
	switch {
	case !current:
	case m.Event == "initialized":
		clear(s.exitReported)
		if s.launch != nil && s.launch.debugger != nil {
			started = s.launch
		}
	case s.disconnecting:
	case m.Event == "exited" || m.Event == "terminated":
		if s.exitReported[m.Event] {
			s.mu.Unlock()
			s.log.Debug("dropping a repeated event", "event", m.Event)
			return
		}
		if s.exitReported == nil {
			s.exitReported = map[string]bool{}
		}
		s.exitReported[m.Event] = true
		if m.Event == "exited" {
			var e struct {
				Body struct{ ExitCode int } `json:"body"`
			}
			_ = json.Unmarshal(m.raw, &e)
			s.exitCode = e.Body.ExitCode
		}
	}
	s.mu.Unlock()
	if !current {
		s.log.Debug("dropping event of a replaced delve session", "event", m.Event)
		return
	}
	if started != nil {
		go func() { s.watchExit(started.ctx, started.debugger, started.debugger.ProcessPid()) }()
	}
	if m.Event == "stopped" {
		m = s.unaskedPause(m, pauseAsked)
	}
	s.forwardEvent(m)
}

// forwardRenamed forwards a response under the client's command name (an
// attach answering a launch).
func (s *Session) forwardRenamed(m *message, p *pending) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(m.raw, &fields); err != nil {
		s.log.Error("renaming response", "err", err)
		return
	}
	fields["command"] = mustMarshal(p.command)
	if len(p.body) > 0 && m.Success {
		var body map[string]json.RawMessage
		_ = json.Unmarshal(fields["body"], &body)
		if body == nil {
			body = map[string]json.RawMessage{}
		}
		for k, v := range p.body {
			body[k] = mustMarshal(v)
		}
		fields["body"] = mustMarshal(body)
	}
	r, err := parseMessage(mustMarshal(fields))
	if err != nil {
		s.log.Error("renaming response", "err", err)
		return
	}
	s.forwardToClient(r, p.clientSeq)
}

// trace logs a message at debug level.
func (s *Session) trace(dir string, m *message) {
	if s.log.Enabled(s.ctx, slog.LevelDebug) {
		s.log.Debug(dir, "msg", string(m.raw))
	}
}

// end marks the session over; the first reason wins.
func (s *Session) end(err error) {
	s.endOnce.Do(func() {
		s.endErr = err
		close(s.done)
	})
}

// shutdown stops the Delve session (killing a debuggee the proxy launched),
// flushes what is queued for the client, and closes the connection.
func (s *Session) shutdown() error {
	s.cancelLaunch()
	s.mu.Lock()
	b := s.backend
	s.ended = true
	s.mu.Unlock()
	if b != nil {
		b.close()
	}
	if l := s.noDebugLaunch(); l != nil {
		s.mu.Lock()
		p := l.proc
		s.mu.Unlock()
		stopProcess(p)
	}
	s.stopOutput()
	s.removeBinary()
	s.client.closeAfterFlush()
	if errors.Is(s.endErr, context.Canceled) {
		return nil
	}
	return s.endErr
}
