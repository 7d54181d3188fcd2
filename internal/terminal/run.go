package terminal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/google/go-dap"

	"github.com/livepatch/livepatch/dapclient"
)

// Prompt is the prompt of the terminal debugger.
const Prompt = "(livepatch) "

// Config configures Run.
type Config struct {
	// Conn is connected to a DAP server. Run owns it and closes it.
	Conn io.ReadWriteCloser
	// Launch holds the launch arguments (mode, program, args, buildFlags,
	// cwd, ...). They are sent as given, plus outputMode "remote", and
	// stopOnEntry true unless Launch sets it.
	Launch map[string]any
	// Stdin is read for commands; a terminal gets line editing when it is
	// the process's standard input and Stdout is os.Stdout.
	Stdin *os.File
	// Stdout receives program output and the debugger's messages; Stderr
	// the program's standard error and error messages.
	Stdout, Stderr io.Writer
	// HistoryFile keeps the command history of terminal sessions; empty
	// means ~/.livepatch_history, "-" keeps none.
	HistoryFile string
	// Interrupt, when not nil, replaces SIGINT: every value received while
	// the program runs pauses it. When nil, Run handles SIGINT itself for
	// its duration.
	Interrupt <-chan struct{}
	// Logger receives debug logs of the DAP traffic; nil discards them.
	Logger *slog.Logger
	// Run launches the program without a debugger, as `livepatch run`
	// does (runmode.go): the prompt, when Stdin is a terminal, runs Go in
	// package scope while the program runs; Ctrl-C terminates the program;
	// Run returns when it ends, with an *ExitError for a status other
	// than 0.
	Run bool
}

// state is what the debugged process is doing, as far as the client knows.
type state int

const (
	stateStopped state = iota
	stateRunning
	stateExited
)

// session is one run of the terminal debugger.
type session struct {
	ctx       context.Context
	cfg       Config
	client    *dapclient.Client
	con       *console
	in        lineReader
	caps      dap.Capabilities
	interrupt <-chan struct{}
	cwd       string
	bps       breakpoints
	// launchArgs are the arguments sent with launch, sent again on restart.
	launchArgs map[string]any

	mu         sync.Mutex // guards pid and moved, set from the reader goroutine
	pid        int
	moved      []dap.Breakpoint // breakpoint events not applied yet (breakpoints.go)
	state      state
	exitStatus int

	thread  int              // selected goroutine (DAP thread)
	frame   int              // selected frame index
	frames  []dap.StackFrame // stack of thread while stopped, nil when not loaded
	lastCmd string

	// The input goroutine (running.go): want asks it for an input, which
	// comes on inputs; reading is true while one is asked for and not
	// received.
	want    chan struct{}
	inputs  chan inputResult
	reading bool
	started bool // the program was launched: the prompt is there while it runs

	interrupts int // Ctrl-C presses in run mode
}

// Run runs the terminal debugger until the user quits, ctx is done, or the
// connection to the DAP server ends. It initializes the DAP session,
// launches the program stopped at its entry, and reads commands. It returns
// nil when the user quits, and an error when the session cannot start or
// the connection fails. Errors of single commands are printed, not
// returned. Run closes cfg.Conn before it returns. ctx is watched while the
// program runs and while a plain (non-terminal) input is read; with line
// editing on a terminal it is checked between lines only.
func Run(ctx context.Context, cfg Config) error {
	if cfg.Conn == nil {
		return errors.New("terminal: no connection")
	}
	if cfg.Stdout == nil {
		cfg.Stdout = io.Discard
	}
	if cfg.Stderr == nil {
		cfg.Stderr = cfg.Stdout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &session{ctx: ctx, cfg: cfg, con: &console{out: cfg.Stdout, errw: cfg.Stderr}}
	s.cwd, _ = os.Getwd()
	s.client = dapclient.New(cfg.Conn,
		dapclient.WithLogger(cfg.Logger),
		dapclient.WithoutTranscript(),
		dapclient.WithEventFilter(isLifecycle))
	defer s.client.Close()
	s.client.OnEvent(s.onEvent)

	if cfg.Interrupt != nil {
		s.interrupt = cfg.Interrupt
	} else {
		sig := make(chan os.Signal, 1)
		ch := make(chan struct{}, 1)
		signal.Notify(sig, os.Interrupt)
		defer signal.Stop(sig)
		done := make(chan struct{})
		defer close(done)
		go func() {
			for {
				select {
				case <-sig:
					select {
					case ch <- struct{}{}:
					default:
					}
				case <-done:
					return
				}
			}
		}()
		s.interrupt = ch
	}

	switch {
	case cfg.Run && (cfg.Stdin == nil || !IsTerminal(cfg.Stdin)):
		// No prompt: the program has the input.
		return s.startRun(false)
	case useLiner(cfg):
		s.con.liner = true
		s.in = newLinerReader(s.con, historyPath(cfg.HistoryFile), s.complete)
	default:
		stdin := io.Reader(cfg.Stdin)
		if cfg.Stdin == nil {
			stdin = strings.NewReader("")
		}
		s.in = newPlainReader(s.con, stdin)
	}
	defer s.con.endPrompt() // after the reader's Close, when liner draws no more
	defer s.in.Close()
	inCtx, stopInput := context.WithCancel(ctx)
	defer stopInput()
	s.startInput(inCtx)

	if cfg.Run {
		return s.startRun(true)
	}
	if err := s.start(); err != nil {
		return err
	}
	s.con.printf("Type 'help' for list of commands.\n")
	s.started = true
	return s.loop()
}

// useLiner reports whether the prompt can use liner, which drives the
// process's own standard input and output.
func useLiner(cfg Config) bool {
	return cfg.Stdin != nil && cfg.Stdin.Fd() == os.Stdin.Fd() && cfg.Stdout == io.Writer(os.Stdout) &&
		IsTerminal(os.Stdin) && IsTerminal(os.Stdout)
}

// historyPath returns the history file for the HistoryFile setting, or ""
// for none.
func historyPath(setting string) string {
	switch setting {
	case "-":
		return ""
	case "":
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		return filepath.Join(home, ".livepatch_history")
	}
	return setting
}

// isLifecycle selects the events the session waits for; the others are
// handled as they arrive.
func isLifecycle(e dap.EventMessage) bool {
	switch e.GetEvent().Event {
	case "initialized", "stopped", "exited", "terminated":
		return true
	}
	return false
}

// consoleExit matches the server's own report of the process exit, which
// the session prints itself.
var consoleExit = regexp.MustCompile(`^Process (\d+) has exited with status -?\d+\n?$`)

// onEvent handles events as they arrive, on the DAP reader goroutine.
func (s *session) onEvent(e dap.EventMessage) {
	switch e := e.(type) {
	case *dap.OutputEvent:
		text := e.Body.Output
		switch e.Body.Category {
		case "stdout":
			s.con.program(s.cfg.Stdout, text)
		case "stderr":
			s.con.program(s.cfg.Stderr, text)
		case "telemetry":
		default:
			if m := consoleExit.FindStringSubmatch(text); m != nil {
				pid, _ := strconv.Atoi(m[1])
				s.mu.Lock()
				s.pid = pid
				s.mu.Unlock()
				return
			}
			if strings.HasPrefix(text, "Type 'dlv help'") {
				return
			}
			s.con.program(s.cfg.Stdout, text)
		}
	case *dap.ProcessEvent:
		s.mu.Lock()
		s.pid = e.Body.SystemProcessId
		s.mu.Unlock()
	case *dap.BreakpointEvent:
		if e.Body.Reason == "changed" {
			s.mu.Lock()
			s.moved = append(s.moved, e.Body.Breakpoint)
			s.mu.Unlock()
		}
	}
}

// start initializes the DAP session, launches the program and waits until
// it stops at its entry (or somewhere else, when stopOnEntry is false).
func (s *session) start() error {
	args, err := s.initialize()
	if err != nil {
		return err
	}
	if err := s.launch(args); err != nil {
		return err
	}
	return s.configure(s.ctx, false)
}

// startRun initializes the DAP session, launches the program in run mode
// and waits for its end, with the prompt when prompt is true.
func (s *session) startRun(prompt bool) error {
	args, err := s.initialize()
	if err != nil {
		return err
	}
	if err := s.launchRun(args); err != nil {
		return err
	}
	if prompt {
		s.con.printf("Type Go to run it in the program; 'help' for more.\n")
		s.started = true
	}
	return s.runLoop()
}

// initialize sends initialize and returns the launch arguments: Config's,
// with stopOnEntry true unless set, and outputMode "remote".
func (s *session) initialize() (map[string]any, error) {
	resp, err := s.call(&dap.InitializeRequest{Request: request("initialize"), Arguments: dap.InitializeRequestArguments{
		ClientID:                     "livepatch",
		ClientName:                   "livepatch debug",
		AdapterID:                    "go",
		PathFormat:                   "path",
		LinesStartAt1:                true,
		ColumnsStartAt1:              true,
		SupportsVariableType:         true,
		SupportsRunInTerminalRequest: false,
	}})
	if err != nil {
		return nil, fmt.Errorf("initialize: %w", err)
	}
	if ir, ok := resp.(*dap.InitializeResponse); ok {
		s.caps = ir.Body
	}
	args := map[string]any{"stopOnEntry": true}
	for k, v := range s.cfg.Launch {
		args[k] = v
	}
	args["outputMode"] = "remote"
	return args, nil
}

// configure finishes the configuration after the server is initialized
// (after launch and after restart) and waits for the program to stop.
func (s *session) configure(ctx context.Context, restarting bool) error {
	var e dap.EventMessage
	for {
		var err error
		e, err = s.client.WaitEventFunc(ctx, isLifecycle)
		if err != nil {
			if cause := context.Cause(ctx); cause != nil && s.ctx.Err() == nil {
				return cause
			}
			return fmt.Errorf("wait for the debug adapter: %w", err)
		}
		// On restart, the old process's end can still arrive before the new
		// one is ready (Delve sends terminated once its output is drained):
		// it is not news. A failed restart is reported through ctx.
		if name := e.GetEvent().Event; restarting && (name == "exited" || name == "terminated") {
			continue
		}
		break
	}
	switch e := e.(type) {
	case *dap.InitializedEvent:
	case *dap.ExitedEvent:
		s.exited(e.Body.ExitCode)
		return nil
	case *dap.TerminatedEvent:
		s.exited(-1)
		return nil
	default:
		return fmt.Errorf("got %s event before initialized", e.GetEvent().Event)
	}
	s.resendBreakpoints()
	if _, err := s.call(&dap.ConfigurationDoneRequest{Request: request("configurationDone")}); err != nil {
		return fmt.Errorf("configurationDone: %w", err)
	}
	return s.waitStop()
}

// loop reads and runs commands until the user quits.
func (s *session) loop() error {
	for {
		var r inputResult
		select {
		case r = <-s.nextInput():
			s.gotInput()
		case <-s.ctx.Done():
			r.err = s.ctx.Err()
		}
		line, err := r.line, r.err
		switch {
		case errors.Is(err, errAborted):
			continue
		case errors.Is(err, io.EOF):
			return s.quit()
		case err != nil:
			s.quit()
			return err
		}
		select {
		case <-s.client.Done():
			return fmt.Errorf("connection to the debug adapter: %w", s.client.Err())
		default:
		}
		quit, err := s.execute(line)
		if errors.Is(err, errInputEnded) {
			return s.quit()
		}
		if quit {
			return err
		}
		if err != nil {
			var de *dapError
			if !errors.As(err, &de) && s.client.Err() != nil {
				return fmt.Errorf("connection to the debug adapter: %w", s.client.Err())
			}
			s.con.errorf("%v", err)
		}
	}
}

// quit disconnects, terminating the debuggee.
func (s *session) quit() error {
	_, err := s.call(&dap.DisconnectRequest{Request: request("disconnect"), Arguments: &dap.DisconnectArguments{TerminateDebuggee: true}})
	if err != nil && s.client.Err() != nil {
		// The server is gone: nothing left to disconnect from.
		return nil
	}
	return err
}

// dapError is an error response of the DAP server.
type dapError struct {
	command string
	message string
}

func (e *dapError) Error() string { return e.message }

// request returns a request header for command.
func request(command string) dap.Request {
	return dap.Request{Command: command}
}

// call sends req and returns the response; an error response becomes a
// *dapError with the server's detailed message.
func (s *session) call(req dap.RequestMessage) (dap.ResponseMessage, error) {
	resp, err := s.client.Call(s.ctx, req)
	if err != nil {
		return nil, err
	}
	if r := resp.GetResponse(); !r.Success {
		msg := r.Message
		if er, ok := resp.(*dap.ErrorResponse); ok && er.Body.Error != nil && er.Body.Error.Format != "" {
			msg = er.Body.Error.Format
		}
		return nil, &dapError{command: r.Command, message: msg}
	}
	return resp, nil
}
