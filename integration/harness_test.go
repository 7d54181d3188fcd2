package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/go-delve/delve/service/debugger"
	"github.com/google/go-dap"
	"github.com/livepatch/livepatch/dapclient"
	"github.com/livepatch/livepatch/internal/dapproxy"
	"github.com/livepatch/livepatch/internal/testenv"
)

// fixture returns the absolute path of a fixture program's directory.
func fixture(t testing.TB, name string) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// lineOf returns the 1-based line of the first line in file containing text.
func lineOf(t testing.TB, file, text string) int {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range bytes.Split(b, []byte("\n")) {
		if bytes.Contains(l, []byte(text)) {
			return i + 1
		}
	}
	t.Fatalf("%s has no line containing %q", file, text)
	return 0
}

// Env is one debug session as a test drives it.
type Env struct {
	T      *testing.T
	Ctx    context.Context
	Client *dapclient.Client

	afterStop []func()
}

// AfterStop registers f to run once the server has ended the session.
func (e *Env) AfterStop(f func()) { e.afterStop = append(e.afterStop, f) }

// RunProxy runs f with a client connected to an in-process livepatch proxy,
// and checks that the session ends cleanly.
func RunProxy(t *testing.T, f func(t *testing.T, env *Env)) {
	RunProxyWith(t, dapproxy.Config{}, f)
}

// RunProxyWith is RunProxy with a proxy configuration.
func RunProxyWith(t *testing.T, cfg dapproxy.Config, f func(t *testing.T, env *Env)) {
	t.Helper()
	if cfg.Log == nil {
		cfg.Log = testenv.Logger(t, "dapproxy")
	}
	f(t, serve(t, dapproxy.New(cfg)))
}

// serve runs px in this process for one session and returns the test's
// side of it; the test's cleanup checks that the session ends cleanly once
// the client closes, then runs the AfterStop functions.
func serve(t *testing.T, px *dapproxy.Proxy) *Env {
	t.Helper()
	return serveConn(t, px, nil)
}

// serveConn is serve with the client's end of the connection wrapped by
// wrap, when not nil, and the client made with opts.
func serveConn(t *testing.T, px *dapproxy.Proxy, wrap func(net.Conn) io.ReadWriteCloser, opts ...dapclient.Option) *Env {
	t.Helper()
	ctx := testenv.Context(t)
	clientSide, proxySide := net.Pipe()
	served := make(chan error, 1)
	go func() { served <- px.Serve(ctx, proxySide) }()
	var conn io.ReadWriteCloser = clientSide
	if wrap != nil {
		conn = wrap(clientSide)
	}
	env := &Env{T: t, Ctx: ctx, Client: dapclient.New(conn, opts...)}
	t.Cleanup(func() {
		env.Client.Close()
		select {
		case err := <-served:
			if err != nil {
				t.Errorf("proxy: %v", err)
			}
		case <-ctx.Done():
			t.Errorf("proxy did not stop after the client closed")
			return
		}
		for _, f := range env.afterStop {
			f()
		}
	})
	return env
}

// RunDelve runs f with a client connected to Delve's own DAP server,
// embedded in this process the way `dlv dap` runs it: the baseline the proxy
// must match.
func RunDelve(t *testing.T, f func(t *testing.T, env *Env)) {
	t.Helper()
	ctx := testenv.Context(t)
	d := testenv.StartDelve(t, debugger.Config{Backend: "default", Foreground: true, CheckGoVersion: true})
	env := &Env{T: t, Ctx: ctx, Client: dapclient.New(d.Conn)}
	t.Cleanup(func() {
		env.Client.Close()
		select {
		case <-d.Disconnected:
		case <-ctx.Done():
			t.Errorf("delve did not stop after the client closed")
		}
	})
	f(t, env)
}

// Call sends req and fails the test unless it succeeds.
func (e *Env) Call(req dap.RequestMessage) dap.ResponseMessage {
	e.T.Helper()
	r, err := e.Client.Call(e.Ctx, req)
	if err != nil {
		e.T.Fatalf("%s: %v", req.GetRequest().Command, err)
	}
	if !r.GetResponse().Success {
		e.T.Fatalf("%s failed: %s", req.GetRequest().Command, describe(r))
	}
	return r
}

// CallRaw sends a request by name and returns its response, successful or not.
func (e *Env) CallRaw(command string, args any) *dapclient.RawResponse {
	e.T.Helper()
	r, err := e.Client.CallRaw(e.Ctx, command, args)
	if err != nil {
		e.T.Fatalf("%s: %v", command, err)
	}
	return r
}

func describe(r dap.ResponseMessage) string {
	if er, ok := r.(*dap.ErrorResponse); ok && er.Body.Error != nil {
		return er.Body.Error.Format
	}
	return r.GetResponse().Message
}

// Initialize sends initialize as VS Code does.
func (e *Env) Initialize() *dap.InitializeResponse {
	e.T.Helper()
	return e.Call(&dap.InitializeRequest{
		Request: dap.Request{Command: "initialize"},
		Arguments: dap.InitializeRequestArguments{
			ClientID: "livepatch-test", AdapterID: "go", PathFormat: "path",
			LinesStartAt1: true, ColumnsStartAt1: true, SupportsVariableType: true,
		},
	}).(*dap.InitializeResponse)
}

// Launch sends a launch request with args and waits for its success.
func (e *Env) Launch(args map[string]any) {
	e.T.Helper()
	r := e.CallRaw("launch", args)
	if !r.Success {
		e.T.Fatalf("launch failed: %s", string(r.Raw))
	}
}

// SetBreakpoints sets line breakpoints in file and checks they are verified.
func (e *Env) SetBreakpoints(file string, lines ...int) []dap.Breakpoint {
	e.T.Helper()
	bps := make([]dap.SourceBreakpoint, len(lines))
	for i, l := range lines {
		bps[i] = dap.SourceBreakpoint{Line: l}
	}
	r := e.Call(&dap.SetBreakpointsRequest{
		Request:   dap.Request{Command: "setBreakpoints"},
		Arguments: dap.SetBreakpointsArguments{Source: dap.Source{Path: file}, Breakpoints: bps},
	}).(*dap.SetBreakpointsResponse)
	for _, bp := range r.Body.Breakpoints {
		if !bp.Verified {
			e.T.Fatalf("breakpoint at %s:%d not verified: %s", file, bp.Line, bp.Message)
		}
	}
	return r.Body.Breakpoints
}

// WaitStopped waits for a stopped event with the given reason.
func (e *Env) WaitStopped(reason string) *dap.StoppedEvent {
	e.T.Helper()
	ev, err := e.Client.WaitEvent(e.Ctx, "stopped")
	if err != nil {
		e.T.Fatal(err)
	}
	st := ev.(*dap.StoppedEvent)
	if st.Body.Reason != reason {
		e.T.Fatalf("stopped because of %q, want %q", st.Body.Reason, reason)
	}
	return st
}

// collectOutput returns what the program's output events of category
// (stdout, stderr) say from now on.
func (e *Env) collectOutput(category string) *testenv.Output {
	out := testenv.NewOutput()
	e.Client.OnEvent(func(m dap.EventMessage) {
		if o, ok := m.(*dap.OutputEvent); ok && o.Body.Category == category {
			out.Write([]byte(o.Body.Output))
		}
	})
	return out
}

// WaitEvent waits for the next event with the given name.
func (e *Env) WaitEvent(name string) dap.EventMessage {
	e.T.Helper()
	ev, err := e.Client.WaitEvent(e.Ctx, name)
	if err != nil {
		e.T.Fatal(err)
	}
	return ev
}

// StartAtBreakpoint initializes, launches the fixture in debug mode, sets a
// breakpoint at the line containing text in main.go, and waits for the stop.
func (e *Env) StartAtBreakpoint(fixtureName, text string, extra map[string]any) *dap.StoppedEvent {
	e.T.Helper()
	dir := fixture(e.T, fixtureName)
	e.Initialize()
	args := map[string]any{"mode": "debug", "program": dir}
	for k, v := range extra {
		args[k] = v
	}
	e.Launch(args)
	e.WaitEvent("initialized")
	main := filepath.Join(dir, "main.go")
	e.SetBreakpoints(main, lineOf(e.T, main, text))
	e.Call(&dap.ConfigurationDoneRequest{Request: dap.Request{Command: "configurationDone"}})
	return e.WaitStopped("breakpoint")
}

// TopFrame returns the top stack frame of the goroutine.
func (e *Env) TopFrame(threadID int) dap.StackFrame {
	e.T.Helper()
	r := e.Call(&dap.StackTraceRequest{Request: dap.Request{Command: "stackTrace"},
		Arguments: dap.StackTraceArguments{ThreadId: threadID, Levels: 20}}).(*dap.StackTraceResponse)
	if len(r.Body.StackFrames) == 0 {
		e.T.Fatal("empty stack trace")
	}
	return r.Body.StackFrames[0]
}

// stepOutTo steps out of the top frame of thread and checks that the step
// stops in the function name at line.
func (e *Env) stepOutTo(thread int, name string, line int) {
	e.T.Helper()
	e.Call(&dap.StepOutRequest{Request: dap.Request{Command: "stepOut"}, Arguments: dap.StepOutArguments{ThreadId: thread}})
	if top := e.TopFrame(e.WaitStopped("step").Body.ThreadId); top.Name != name || top.Line != line {
		e.T.Errorf("stepOut stopped in %s at line %d, want %s at %d", top.Name, top.Line, name, line)
	}
}

// Evaluate evaluates expr in frame and returns the result string.
func (e *Env) Evaluate(frameID int, expr, context string) string {
	e.T.Helper()
	r := e.Call(&dap.EvaluateRequest{Request: dap.Request{Command: "evaluate"},
		Arguments: dap.EvaluateArguments{Expression: expr, FrameId: frameID, Context: context}}).(*dap.EvaluateResponse)
	return r.Body.Result
}

// Disconnect ends the session, terminating the debuggee, and waits for the
// terminated event.
func (e *Env) Disconnect() {
	e.T.Helper()
	e.Call(&dap.DisconnectRequest{Request: dap.Request{Command: "disconnect"},
		Arguments: &dap.DisconnectArguments{TerminateDebuggee: true}})
	e.WaitEvent("terminated")
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// livepatchBinary builds cmd/livepatch once per test binary.
func livepatchBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "livepatch-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "livepatch")
		cmd := exec.Command("go", "build", "-o", binPath, "github.com/livepatch/livepatch/cmd/livepatch")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("building livepatch: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// processAlive reports whether a process with pid exists and is not a zombie.
func processAlive(pid int) bool {
	if runtime.GOOS != "linux" {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the command name in parentheses.
	i := bytes.LastIndexByte(b, ')')
	return i > 0 && i+2 < len(b) && b[i+2] != 'Z'
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
