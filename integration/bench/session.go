package main

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

// server names which DAP server a session talks to.
type server string

const (
	// direct is Delve's own DAP server embedded in this process, as `dlv dap`
	// runs it: the baseline.
	direct server = "delve"
	// proxied is the livepatch proxy embedded in this process, in front of
	// the Delve session it owns.
	proxied server = "livepatch"
)

// session is one DAP session over TCP loopback, to either server. Its
// methods are not safe for concurrent use.
type session struct {
	ctx    context.Context
	client *dapclient.Client
	stop   func() error // ends the server side after the client closed
}

// startSession starts a server of the given kind in this process, listening
// on TCP loopback, and connects a client to it. Both kinds use the same
// transport, so only the server differs. builder is the proxy's builder
// (nil: the plain GoBuilder); Delve's server always builds as `dlv debug`.
func startSession(ctx context.Context, kind server, builder dapproxy.Builder, log *slog.Logger) (*session, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	var stop func() error
	switch kind {
	case direct:
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
	case proxied:
		served := make(chan error, 1)
		go func() {
			conn, err := ln.Accept()
			ln.Close()
			if err != nil {
				served <- fmt.Errorf("accept: %w", err)
				return
			}
			served <- dapproxy.New(dapproxy.Config{Builder: builder, Log: log}).Serve(ctx, conn)
		}()
		stop = func() error {
			select {
			case err := <-served:
				return err
			case <-ctx.Done():
				return errors.New("the proxy did not stop after the client closed")
			}
		}
	default:
		return nil, fmt.Errorf("unknown server %q", kind)
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", ln.Addr().String())
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("dial %s: %w", kind, err)
	}
	return &session{ctx: ctx, client: dapclient.New(conn, dapclient.WithEventFilter(keepControlEvents)), stop: stop}, nil
}

// connectProxy serves px in this process on TCP loopback and connects a
// client to it that queues the events keep accepts (nil: stopped,
// initialized and terminated) and keeps no transcript.
func connectProxy(ctx context.Context, px *dapproxy.Proxy, keep func(dap.EventMessage) bool) (*session, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
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
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", ln.Addr().String())
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("dial the proxy: %w", err)
	}
	if keep == nil {
		keep = keepControlEvents
	}
	stop := func() error {
		select {
		case err := <-served:
			return err
		case <-ctx.Done():
			return errors.New("the proxy did not stop after the client closed")
		}
	}
	return &session{ctx: ctx, client: dapclient.New(conn, dapclient.WithEventFilter(keep), dapclient.WithoutTranscript()), stop: stop}, nil
}

// keepControlEvents accepts the events the sessions wait for: stopped,
// initialized and terminated.
func keepControlEvents(e dap.EventMessage) bool {
	switch e.GetEvent().Event {
	case "stopped", "initialized", "terminated":
		return true
	}
	return false
}

// call sends req and returns its response, or an error when it fails.
func (s *session) call(req dap.RequestMessage) (dap.ResponseMessage, error) {
	cmd := req.GetRequest().Command
	r, err := s.client.Call(s.ctx, req)
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

// launchSpec says which program a session debugs and where it stops.
type launchSpec struct {
	dir    string   // module directory: the build's working directory
	pkg    string   // package to build, relative to dir (e.g. "." or "./cmd/dlv")
	file   string   // absolute path of the file holding the breakpoint (runToBreakpoint)
	line   int      // breakpoint line
	args   []string // the program's arguments
	output string   // where the debug binary goes
	// remoteOutput sends the program's stdout and stderr to the client as
	// output events (launch outputMode "remote") instead of this process's
	// stderr.
	remoteOutput bool
}

// launch initializes the session and launches the program in debug mode,
// up to the initialized event: the program waits for configurationDone.
func (s *session) launch(spec launchSpec) error {
	if _, err := s.call(&dap.InitializeRequest{
		Request: dap.Request{Command: "initialize"},
		Arguments: dap.InitializeRequestArguments{
			ClientID: "livepatch-bench", AdapterID: "go", PathFormat: "path",
			LinesStartAt1: true, ColumnsStartAt1: true, SupportsVariableType: true,
		},
	}); err != nil {
		return err
	}
	args := map[string]any{
		"mode": "debug", "program": spec.pkg, "dlvCwd": spec.dir, "cwd": spec.dir,
		"output": spec.output, "args": spec.args,
	}
	if spec.args == nil {
		args["args"] = []string{}
	}
	if spec.remoteOutput {
		args["outputMode"] = "remote"
	}
	r, err := s.client.CallRaw(s.ctx, "launch", args)
	if err != nil {
		return fmt.Errorf("launch: %w", err)
	}
	if !r.Success {
		return fmt.Errorf("launch failed: %s", r.Raw)
	}
	if _, err := s.client.WaitEvent(s.ctx, "initialized"); err != nil {
		return fmt.Errorf("waiting for initialized: %w", err)
	}
	return nil
}

// run launches the program in debug mode with no breakpoint and lets it
// run.
func (s *session) run(spec launchSpec) error {
	if err := s.launch(spec); err != nil {
		return err
	}
	_, err := s.call(&dap.ConfigurationDoneRequest{Request: dap.Request{Command: "configurationDone"}})
	return err
}

// runToBreakpoint initializes the session, launches the program in debug
// mode, sets the breakpoint and waits until the program stops there. It
// returns the stopped thread.
func (s *session) runToBreakpoint(spec launchSpec) (threadID int, err error) {
	if err := s.launch(spec); err != nil {
		return 0, err
	}
	resp, err := s.call(&dap.SetBreakpointsRequest{
		Request: dap.Request{Command: "setBreakpoints"},
		Arguments: dap.SetBreakpointsArguments{Source: dap.Source{Path: spec.file},
			Breakpoints: []dap.SourceBreakpoint{{Line: spec.line}}},
	})
	if err != nil {
		return 0, err
	}
	for _, bp := range resp.(*dap.SetBreakpointsResponse).Body.Breakpoints {
		if !bp.Verified {
			return 0, fmt.Errorf("breakpoint at %s:%d not verified: %s", spec.file, spec.line, bp.Message)
		}
	}
	if _, err := s.call(&dap.ConfigurationDoneRequest{Request: dap.Request{Command: "configurationDone"}}); err != nil {
		return 0, err
	}
	ev, err := s.client.WaitEvent(s.ctx, "stopped")
	if err != nil {
		return 0, fmt.Errorf("waiting for the breakpoint: %w", err)
	}
	st := ev.(*dap.StoppedEvent)
	if st.Body.Reason != "breakpoint" {
		return 0, fmt.Errorf("stopped because of %q, want a breakpoint", st.Body.Reason)
	}
	return st.Body.ThreadId, nil
}

// close ends the session: it disconnects, terminating the debuggee, closes
// the connection and waits for the server side to end.
func (s *session) close() error {
	ctx, cancel := context.WithTimeout(s.ctx, 30*time.Second)
	defer cancel()
	var errs []error
	if _, err := s.client.Call(ctx, &dap.DisconnectRequest{Request: dap.Request{Command: "disconnect"},
		Arguments: &dap.DisconnectArguments{TerminateDebuggee: true}}); err != nil && !errors.Is(err, dapclient.ErrClosed) {
		errs = append(errs, fmt.Errorf("disconnect: %w", err))
	}
	select { // the server closes the connection after its last message
	case <-s.client.Done():
	case <-ctx.Done():
	}
	s.client.Close()
	if err := s.stop(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// tempOutput returns a path for a debug binary in a fresh temporary
// directory, and a function that removes the directory.
func tempOutput(name string) (string, func(), error) {
	dir, err := os.MkdirTemp("", "livepatch-bench-")
	if err != nil {
		return "", nil, err
	}
	return filepath.Join(dir, name), func() { os.RemoveAll(dir) }, nil
}
