// Package session is the bench program's DAP session: a client over TCP
// loopback to Delve's DAP server or the livepatch proxy run in this
// process, with the launches its parts need. The bench program and its
// replay part (integration/bench/replay) share it.
package session

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/go-delve/delve/service"
	delvedap "github.com/go-delve/delve/service/dap"
	"github.com/go-delve/delve/service/debugger"
	"github.com/google/go-dap"
	"github.com/livepatch/livepatch/dapclient"
	"github.com/livepatch/livepatch/internal/dapproxy"
)

// Server names which DAP server a session talks to.
type Server string

const (
	// Direct is Delve's own DAP server embedded in this process, as `dlv dap`
	// runs it: the baseline.
	Direct Server = "delve"
	// Proxied is the livepatch proxy embedded in this process, in front of
	// the Delve session it owns.
	Proxied Server = "livepatch"
)

// Session is one DAP session over TCP loopback, to either server. Its
// methods are not safe for concurrent use.
type Session struct {
	Ctx    context.Context
	Client *dapclient.Client
	stop   func() error // ends the server side after the client closed
}

// Start starts a server of the given kind in this process, listening
// on TCP loopback, and connects a client to it. Both kinds use the same
// transport, so only the server differs. builder is the proxy's builder
// (nil: the plain GoBuilder); Delve's server always builds as `dlv debug`.
func Start(ctx context.Context, kind Server, builder dapproxy.Builder, log *slog.Logger) (*Session, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	var stop func() error
	switch kind {
	case Direct:
		// Delve's server changes this process's working directory to the
		// launch's dlvCwd; the session's end changes it back, for the go
		// commands that run later.
		wd, err := os.Getwd()
		if err != nil {
			ln.Close()
			return nil, fmt.Errorf("getwd: %w", err)
		}
		disconnected := make(chan struct{})
		srv := delvedap.NewServer(&service.Config{
			Listener:       ln,
			DisconnectChan: disconnected,
			Debugger:       debugger.Config{Backend: "default", Foreground: true, CheckGoVersion: true},
		})
		srv.Run()
		stop = func() error {
			defer os.Chdir(wd)
			defer srv.Stop()
			select {
			case <-disconnected:
				return nil
			case <-ctx.Done():
				return errors.New("delve did not stop after the client closed")
			}
		}
	case Proxied:
		stop = serveOne(ctx, ln, dapproxy.New(dapproxy.Config{Builder: builder, Log: log}))
	default:
		return nil, fmt.Errorf("unknown server %q", kind)
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", ln.Addr().String())
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("dial %s: %w", kind, err)
	}
	return &Session{Ctx: ctx, Client: dapclient.New(conn, dapclient.WithEventFilter(KeepControlEvents)), stop: stop}, nil
}

// ConnectProxy serves px in this process on TCP loopback and connects a
// client to it that queues the events keep accepts (nil: stopped,
// initialized and terminated) and keeps no transcript.
func ConnectProxy(ctx context.Context, px *dapproxy.Proxy, keep func(dap.EventMessage) bool) (*Session, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	stop := serveOne(ctx, ln, px)
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", ln.Addr().String())
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("dial the proxy: %w", err)
	}
	if keep == nil {
		keep = KeepControlEvents
	}
	return &Session{Ctx: ctx, Client: dapclient.New(conn, dapclient.WithEventFilter(keep), dapclient.WithoutTranscript()), stop: stop}, nil
}

// serveOne serves the first connection ln accepts with px, and closes ln;
// the function it returns waits for the session's end.
func serveOne(ctx context.Context, ln net.Listener, px *dapproxy.Proxy) func() error {
	served := make(chan error, 1)
	go func() {
		conn, err := ln.Accept()
		ln.Close()
		if err != nil {
			served <- fmt.Errorf("accept: %w", err)
			return
		}
		served <- px.Serve(ctx, conn)
	}()
	return func() error {
		select {
		case err := <-served:
			return err
		case <-ctx.Done():
			return errors.New("the proxy did not stop after the client closed")
		}
	}
}

// KeepControlEvents accepts the events the sessions wait for: stopped,
// initialized and terminated.
func KeepControlEvents(e dap.EventMessage) bool {
	switch e.GetEvent().Event {
	case "stopped", "initialized", "terminated":
		return true
	}
	return false
}

// Call sends req and returns its response, or an error when it fails.
func (s *Session) Call(req dap.RequestMessage) (dap.ResponseMessage, error) {
	cmd := req.GetRequest().Command
	r, err := s.Client.Call(s.Ctx, req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cmd, err)
	}
	if !r.GetResponse().Success {
		msg := r.GetResponse().Message
		if er, ok := r.(*dap.ErrorResponse); ok && er.Body.Error != nil {
			msg = er.Body.Error.Format
		}
		return nil, fmt.Errorf("%s: %s", cmd, msg)
	}
	return r, nil
}

// LaunchSpec says which program a session debugs and where it stops.
type LaunchSpec struct {
	Dir    string   // module directory: the build's working directory
	Pkg    string   // package to build, relative to dir (e.g. "." or "./cmd/dlv")
	File   string   // absolute path of the file holding the breakpoint (RunToBreakpoint)
	Line   int      // breakpoint line
	Args   []string // the program's arguments
	Output string   // where the debug binary goes
	// RemoteOutput sends the program's stdout and stderr to the client as
	// output events (launch outputMode "remote") instead of this process's
	// stderr.
	RemoteOutput bool
}

// Launch initializes the session and launches the program in debug mode,
// up to the initialized event: the program waits for configurationDone.
func (s *Session) Launch(spec LaunchSpec) error {
	if err := s.launch(spec, false); err != nil {
		return err
	}
	if _, err := s.Client.WaitEvent(s.Ctx, "initialized"); err != nil {
		return fmt.Errorf("waiting for initialized: %w", err)
	}
	return nil
}

// LaunchNoDebug initializes the session and launches the program as
// `livepatch run` does: mode debug with noDebug, so the proxy builds it
// patchably and runs it with no debugger, from its start.
func (s *Session) LaunchNoDebug(spec LaunchSpec) error {
	return s.launch(spec, true)
}

// launch initializes the session and sends the launch request.
func (s *Session) launch(spec LaunchSpec, noDebug bool) error {
	if _, err := s.Call(&dap.InitializeRequest{
		Request: dap.Request{Command: "initialize"},
		Arguments: dap.InitializeRequestArguments{
			ClientID: "livepatch-bench", AdapterID: "go", PathFormat: "path",
			LinesStartAt1: true, ColumnsStartAt1: true, SupportsVariableType: true,
		},
	}); err != nil {
		return err
	}
	args := map[string]any{
		"mode": "debug", "program": spec.Pkg, "dlvCwd": spec.Dir, "cwd": spec.Dir,
		"output": spec.Output, "args": spec.Args,
	}
	if spec.Args == nil {
		args["args"] = []string{}
	}
	if spec.RemoteOutput {
		args["outputMode"] = "remote"
	}
	if noDebug {
		args["noDebug"] = true
	}
	r, err := s.Client.CallRaw(s.Ctx, "launch", args)
	if err != nil {
		return fmt.Errorf("launch: %w", err)
	}
	if !r.Success {
		return fmt.Errorf("launch failed: %s", r.Raw)
	}
	return nil
}

// Run launches the program in debug mode with no breakpoint and lets it
// run.
func (s *Session) Run(spec LaunchSpec) error {
	if err := s.Launch(spec); err != nil {
		return err
	}
	_, err := s.Call(&dap.ConfigurationDoneRequest{Request: dap.Request{Command: "configurationDone"}})
	return err
}

// RunToBreakpoint initializes the session, launches the program in debug
// mode, sets the breakpoint and waits until the program stops there. It
// returns the stopped thread.
func (s *Session) RunToBreakpoint(spec LaunchSpec) (threadID int, err error) {
	if err := s.Launch(spec); err != nil {
		return 0, err
	}
	resp, err := s.Call(&dap.SetBreakpointsRequest{
		Request: dap.Request{Command: "setBreakpoints"},
		Arguments: dap.SetBreakpointsArguments{Source: dap.Source{Path: spec.File},
			Breakpoints: []dap.SourceBreakpoint{{Line: spec.Line}}},
	})
	if err != nil {
		return 0, err
	}
	for _, bp := range resp.(*dap.SetBreakpointsResponse).Body.Breakpoints {
		if !bp.Verified {
			return 0, fmt.Errorf("breakpoint at %s:%d not verified: %s", spec.File, spec.Line, bp.Message)
		}
	}
	if _, err := s.Call(&dap.ConfigurationDoneRequest{Request: dap.Request{Command: "configurationDone"}}); err != nil {
		return 0, err
	}
	ev, err := s.Client.WaitEvent(s.Ctx, "stopped")
	if err != nil {
		return 0, fmt.Errorf("waiting for the breakpoint: %w", err)
	}
	st := ev.(*dap.StoppedEvent)
	if st.Body.Reason != "breakpoint" {
		return 0, fmt.Errorf("stopped because of %q, want a breakpoint", st.Body.Reason)
	}
	return st.Body.ThreadId, nil
}

// Close ends the session: it disconnects, terminating the debuggee, closes
// the connection and waits for the server side to end.
func (s *Session) Close() error {
	ctx, cancel := context.WithTimeout(s.Ctx, 30*time.Second)
	defer cancel()
	var errs []error
	if _, err := s.Client.Call(ctx, &dap.DisconnectRequest{Request: dap.Request{Command: "disconnect"},
		Arguments: &dap.DisconnectArguments{TerminateDebuggee: true}}); err != nil && !errors.Is(err, dapclient.ErrClosed) {
		errs = append(errs, fmt.Errorf("disconnect: %w", err))
	}
	select { // the server closes the connection after its last message
	case <-s.Client.Done():
	case <-ctx.Done():
	}
	s.Client.Close()
	if err := s.stop(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// TempOutput returns a path for a debug binary in a fresh temporary
// directory, and a function that removes the directory.
func TempOutput(name string) (string, func(), error) {
	dir, err := os.MkdirTemp("", "livepatch-bench-")
	if err != nil {
		return "", nil, err
	}
	return filepath.Join(dir, name), func() { os.RemoveAll(dir) }, nil
}
