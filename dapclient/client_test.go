package dapclient_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-delve/delve/service/debugger"
	godap "github.com/google/go-dap"

	"github.com/livepatch/livepatch/dapclient"
	"github.com/livepatch/livepatch/internal/testenv"
)

// counterBin is the fixture program testdata/counter, built once by TestMain
// with optimizations off.
var counterBin string

// counterSrc is the absolute path of the fixture's main.go.
var counterSrc string

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "dapclient-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	counterBin = filepath.Join(dir, "counter")
	counterSrc, err = filepath.Abs("testdata/counter/main.go")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if out, err := testenv.BuildUnoptimized(context.Background(), "testdata/counter", counterBin); err != nil {
		fmt.Fprintf(os.Stderr, "build fixture: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// startDelve starts Delve's own DAP server in process on a loopback port and
// returns a Client connected to it. Both are stopped when the test ends.
func startDelve(t *testing.T, opts ...dapclient.Option) *dapclient.Client {
	t.Helper()
	d := testenv.StartDelve(t, debugger.Config{Backend: "default"})
	c := dapclient.New(d.Conn, opts...)
	t.Cleanup(func() {
		c.Close()
		if t.Failed() {
			for _, m := range c.Transcript() {
				t.Logf("received: %s", m)
			}
		}
	})
	return c
}

// call calls req and fails the test unless the response is successful.
func call(ctx context.Context, t *testing.T, c *dapclient.Client, req godap.RequestMessage) godap.ResponseMessage {
	t.Helper()
	resp, err := c.Call(ctx, req)
	if err != nil {
		t.Fatalf("%s: %v", req.GetRequest().Command, err)
	}
	if r := resp.GetResponse(); !r.Success {
		t.Fatalf("%s failed: %s %s", req.GetRequest().Command, r.Message, errorDetail(resp))
	}
	return resp
}

// errorDetail returns the detailed text of an error response.
func errorDetail(resp godap.ResponseMessage) string {
	if er, ok := resp.(*godap.ErrorResponse); ok && er.Body.Error != nil {
		return er.Body.Error.Format
	}
	return ""
}

func request(command string) godap.Request {
	return godap.Request{Command: command}
}

// launchCounter initializes the session and launches the counter fixture
// with a breakpoint at line of main.go, up to configurationDone.
func launchCounter(ctx context.Context, t *testing.T, c *dapclient.Client, programArgs []string, lines ...int) {
	t.Helper()
	resp := call(ctx, t, c, &godap.InitializeRequest{Request: request("initialize"), Arguments: godap.InitializeRequestArguments{
		ClientID: "dapclient-test", AdapterID: "go", PathFormat: "path", LinesStartAt1: true, ColumnsStartAt1: true,
	}})
	if !resp.(*godap.InitializeResponse).Body.SupportsConfigurationDoneRequest {
		t.Errorf("initialize: Delve does not advertise supportsConfigurationDoneRequest")
	}
	args, err := json.Marshal(map[string]any{
		"mode": "exec", "program": counterBin, "args": programArgs, "outputMode": "remote",
	})
	if err != nil {
		t.Fatal(err)
	}
	call(ctx, t, c, &godap.LaunchRequest{Request: request("launch"), Arguments: args})
	if _, err := c.WaitEvent(ctx, "initialized"); err != nil {
		t.Fatal(err)
	}
	var bps []godap.SourceBreakpoint
	for _, l := range lines {
		bps = append(bps, godap.SourceBreakpoint{Line: l})
	}
	sb := call(ctx, t, c, &godap.SetBreakpointsRequest{Request: request("setBreakpoints"), Arguments: godap.SetBreakpointsArguments{
		Source: godap.Source{Path: counterSrc}, Breakpoints: bps,
	}}).(*godap.SetBreakpointsResponse)
	for _, bp := range sb.Body.Breakpoints {
		if !bp.Verified {
			t.Fatalf("breakpoint at line %d not verified: %s", bp.Line, bp.Message)
		}
	}
	call(ctx, t, c, &godap.ConfigurationDoneRequest{Request: request("configurationDone")})
}

// evaluate evaluates expr in frame and returns its result.
func evaluate(ctx context.Context, t *testing.T, c *dapclient.Client, frame int, expr string) string {
	t.Helper()
	resp := call(ctx, t, c, &godap.EvaluateRequest{Request: request("evaluate"), Arguments: godap.EvaluateArguments{
		Expression: expr, FrameId: frame, Context: "repl",
	}})
	return resp.(*godap.EvaluateResponse).Body.Result
}

// topFrame returns the top stack frame of thread.
func topFrame(ctx context.Context, t *testing.T, c *dapclient.Client, thread int) godap.StackFrame {
	t.Helper()
	st := call(ctx, t, c, &godap.StackTraceRequest{Request: request("stackTrace"), Arguments: godap.StackTraceArguments{
		ThreadId: thread, Levels: 1,
	}}).(*godap.StackTraceResponse)
	if len(st.Body.StackFrames) == 0 {
		t.Fatal("stackTrace: no frames")
	}
	return st.Body.StackFrames[0]
}

func TestSessionWithDelve(t *testing.T) {
	ctx := testenv.Context(t)
	var (
		mu      sync.Mutex
		seen    []string
		outputs strings.Builder
	)
	c := startDelve(t)
	c.OnEvent(func(e godap.EventMessage) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, e.GetEvent().Event)
		if o, ok := e.(*godap.OutputEvent); ok {
			outputs.WriteString(o.Body.Output)
		}
	})
	launchCounter(ctx, t, c, []string{"3"}, 15)

	for want := 0; want < 2; want++ {
		ev, err := c.WaitEvent(ctx, "stopped")
		if err != nil {
			t.Fatal(err)
		}
		stopped := ev.(*godap.StoppedEvent)
		if stopped.Body.Reason != "breakpoint" {
			t.Errorf("stop %d: reason %q, want breakpoint", want, stopped.Body.Reason)
		}
		f := topFrame(ctx, t, c, stopped.Body.ThreadId)
		if f.Name != "main.(*Counter).Inc" || f.Line != 15 || f.Source == nil || f.Source.Path != counterSrc {
			t.Errorf("stop %d: top frame %s at %v:%d, want main.(*Counter).Inc at %s:15", want, f.Name, f.Source, f.Line, counterSrc)
		}
		if got, want := evaluate(ctx, t, c, f.Id, "c.n"), fmt.Sprint(want); got != want {
			t.Errorf("evaluate c.n = %q, want %q", got, want)
		}
		if want == 1 {
			call(ctx, t, c, &godap.SetBreakpointsRequest{Request: request("setBreakpoints"), Arguments: godap.SetBreakpointsArguments{
				Source: godap.Source{Path: counterSrc}, Breakpoints: []godap.SourceBreakpoint{},
			}})
		}
		call(ctx, t, c, &godap.ContinueRequest{Request: request("continue"), Arguments: godap.ContinueArguments{ThreadId: stopped.Body.ThreadId}})
	}

	ev, err := c.WaitEvent(ctx, "exited")
	if err != nil {
		t.Fatal(err)
	}
	if code := ev.(*godap.ExitedEvent).Body.ExitCode; code != 7 {
		t.Errorf("exit code %d, want 7", code)
	}
	if _, err := c.WaitEvent(ctx, "terminated"); err != nil {
		t.Fatal(err)
	}
	// Output events come before the exit is reported.
	mu.Lock()
	out := outputs.String()
	mu.Unlock()
	if !strings.Contains(out, "count 1\ncount 2\ncount 3\n") {
		t.Errorf("program output %q, want count 1..3", out)
	}
	call(ctx, t, c, &godap.DisconnectRequest{Request: request("disconnect"), Arguments: &godap.DisconnectArguments{TerminateDebuggee: true}})
	// Delve closes the connection after a disconnect; then every event
	// has been dispatched.
	select {
	case <-c.Done():
	case <-ctx.Done():
		t.Fatal("Delve kept the connection after disconnect")
	}

	// OnEvent saw every event of the transcript, in order.
	var inTranscript []string
	for _, m := range c.Transcript() {
		var e struct{ Type, Event string }
		if err := json.Unmarshal(m, &e); err != nil {
			t.Fatalf("transcript holds non-JSON %q", m)
		}
		if e.Type == "event" {
			inTranscript = append(inTranscript, e.Event)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(seen, " ") != strings.Join(inTranscript, " ") {
		t.Errorf("OnEvent saw %v, transcript has %v", seen, inTranscript)
	}
}

func TestErrorResponseIsNotAnError(t *testing.T) {
	ctx := testenv.Context(t)
	c := startDelve(t)
	launchCounter(ctx, t, c, []string{"3"}, 15)
	ev, err := c.WaitEvent(ctx, "stopped")
	if err != nil {
		t.Fatal(err)
	}
	f := topFrame(ctx, t, c, ev.(*godap.StoppedEvent).Body.ThreadId)
	resp, err := c.Call(ctx, &godap.EvaluateRequest{Request: request("evaluate"), Arguments: godap.EvaluateArguments{
		Expression: "nosuchvar + 1", FrameId: f.Id, Context: "repl",
	}})
	if err != nil {
		t.Fatalf("evaluate of a bad expression: %v, want an error response", err)
	}
	er, ok := resp.(*godap.ErrorResponse)
	if !ok {
		t.Fatalf("evaluate of a bad expression: got %T, want *dap.ErrorResponse", resp)
	}
	if er.Success || !strings.Contains(errorDetail(er), "nosuchvar") {
		t.Errorf("error response: success %v, detail %q; want failure naming nosuchvar", er.Success, errorDetail(er))
	}
	if got := evaluate(ctx, t, c, f.Id, "c.n + 40"); got != "40" {
		t.Errorf("evaluate after an error: %q, want 40", got)
	}
}

func TestCallRaw(t *testing.T) {
	ctx := testenv.Context(t)
	c := startDelve(t)
	launchCounter(ctx, t, c, []string{"3"}, 15)
	if _, err := c.WaitEvent(ctx, "stopped"); err != nil {
		t.Fatal(err)
	}

	resp, err := c.CallRaw(ctx, "threads", nil)
	if err != nil {
		t.Fatal(err)
	}
	var body godap.ThreadsResponseBody
	if err := json.Unmarshal(resp.Body, &body); err != nil {
		t.Fatal(err)
	}
	if !resp.Success || resp.Command != "threads" || len(body.Threads) == 0 {
		t.Errorf("threads: success %v, command %q, %d threads", resp.Success, resp.Command, len(body.Threads))
	}
	if _, err := resp.Decode(); err != nil {
		t.Errorf("decode threads response: %v", err)
	}

	// A command go-dap and Delve do not know.
	resp, err = c.CallRaw(ctx, "livepatchNoSuchCommand", map[string]int{"x": 1})
	if err != nil {
		t.Fatalf("unknown command: %v, want an error response", err)
	}
	if resp.Success || resp.Message == "" {
		t.Errorf("unknown command: success %v, message %q; want a failure with a message", resp.Success, resp.Message)
	}
}

func TestSendAndWaitResponse(t *testing.T) {
	ctx := testenv.Context(t)
	c := startDelve(t)
	seq := c.NextSeq()
	err := c.Send(&godap.InitializeRequest{
		Request:   godap.Request{ProtocolMessage: godap.ProtocolMessage{Seq: seq, Type: "request"}, Command: "initialize"},
		Arguments: godap.InitializeRequestArguments{AdapterID: "go", PathFormat: "path", LinesStartAt1: true, ColumnsStartAt1: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.WaitResponse(ctx, seq)
	if err != nil {
		t.Fatal(err)
	}
	if !resp.Success || resp.Command != "initialize" {
		t.Errorf("response to sent initialize: success %v, command %q", resp.Success, resp.Command)
	}
	m, err := resp.Decode()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := m.(*godap.InitializeResponse); !ok {
		t.Errorf("decoded %T, want *dap.InitializeResponse", m)
	}
}

func TestBadFramingEndsConnection(t *testing.T) {
	ctx := testenv.Context(t)
	c := startDelve(t)
	if err := c.SendRaw([]byte("Content-Type: nonsense\r\n\r\n{}")); err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.Done():
	case <-ctx.Done():
		t.Fatal("Delve kept the connection after a bad header")
	}
	if c.Err() == nil {
		t.Error("Err() is nil after the connection ended")
	}
	_, err := c.Call(ctx, &godap.ThreadsRequest{Request: request("threads")})
	if err == nil {
		t.Error("Call on an ended connection succeeded")
	}
}

// silentPeer accepts one connection and reads from it without answering; it
// returns the client side.
func silentPeer(t *testing.T) net.Conn {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		conn, err := l.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		var buf [4096]byte
		for {
			if _, err := conn.Read(buf[:]); err != nil {
				return
			}
		}
	}()
	conn, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

func TestCloseEndsPendingCall(t *testing.T) {
	ctx := testenv.Context(t)
	c := dapclient.New(silentPeer(t))
	errc := make(chan error, 1)
	go func() {
		_, err := c.Call(ctx, &godap.ThreadsRequest{Request: request("threads")})
		errc <- err
	}()
	// Whether Close comes before or after the request is written, the call
	// must end with ErrClosed.
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		if !errors.Is(err, dapclient.ErrClosed) {
			t.Errorf("pending call: %v, want ErrClosed", err)
		}
	case <-ctx.Done():
		t.Fatal("pending call did not end on Close")
	}
	if !errors.Is(c.Err(), dapclient.ErrClosed) {
		t.Errorf("Err() = %v, want ErrClosed", c.Err())
	}
	if _, err := c.WaitEvent(ctx, "stopped"); !errors.Is(err, dapclient.ErrClosed) {
		t.Errorf("WaitEvent after Close: %v, want ErrClosed", err)
	}
}

func TestCallContextDone(t *testing.T) {
	c := dapclient.New(silentPeer(t))
	t.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithTimeout(testenv.Context(t), 50*time.Millisecond)
	defer cancel()
	_, err := c.Call(ctx, &godap.ThreadsRequest{Request: request("threads")})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("call without an answer: %v, want DeadlineExceeded", err)
	}
	if _, err := c.WaitEvent(ctx, "stopped"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("wait without an event: %v, want DeadlineExceeded", err)
	}
}

// TestReverseRequests plays a debug adapter that sends a reverse request on
// a pipe: Delve's in-process DAP server never sends one.
func TestReverseRequests(t *testing.T) {
	for _, tc := range []struct {
		name        string
		handler     dapclient.ReverseRequestHandler
		wantSuccess bool
		wantBody    string
	}{
		{name: "default refuses", wantSuccess: false},
		{name: "handler answers", handler: func(req *dapclient.RawRequest) (any, error) {
			var args godap.RunInTerminalRequestArguments
			if err := json.Unmarshal(req.Arguments, &args); err != nil {
				return nil, err
			}
			if req.Command != "runInTerminal" || args.Title != "t" {
				return nil, fmt.Errorf("unexpected %s %s", req.Command, req.Arguments)
			}
			return godap.RunInTerminalResponseBody{ProcessId: 42}, nil
		}, wantSuccess: true, wantBody: `{"processId":42}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testenv.Context(t)
			server, client := net.Pipe()
			var opts []dapclient.Option
			if tc.handler != nil {
				opts = append(opts, dapclient.WithReverseRequestHandler(tc.handler))
			}
			c := dapclient.New(client, opts...)
			t.Cleanup(func() { c.Close(); server.Close() })
			if d, ok := ctx.Deadline(); ok {
				server.SetDeadline(d)
			}
			req := []byte(`{"seq":1,"type":"request","command":"runInTerminal","arguments":{"kind":"integrated","title":"t","cwd":"/","args":["true"]}}`)
			var framed bytes.Buffer
			if err := godap.WriteBaseMessage(&framed, req); err != nil {
				t.Fatal(err)
			}
			if _, err := server.Write(framed.Bytes()); err != nil {
				t.Fatal(err)
			}
			b, err := godap.ReadBaseMessage(bufio.NewReader(server))
			if err != nil {
				t.Fatal(err)
			}
			var resp struct {
				Type       string          `json:"type"`
				RequestSeq int             `json:"request_seq"`
				Command    string          `json:"command"`
				Success    bool            `json:"success"`
				Message    string          `json:"message"`
				Body       json.RawMessage `json:"body"`
			}
			if err := json.Unmarshal(b, &resp); err != nil {
				t.Fatal(err)
			}
			if resp.Type != "response" || resp.RequestSeq != 1 || resp.Command != "runInTerminal" || resp.Success != tc.wantSuccess {
				t.Fatalf("response %s: want a response to seq 1 with success %v", b, tc.wantSuccess)
			}
			if !tc.wantSuccess && resp.Message == "" {
				t.Errorf("error response %s has no message", b)
			}
			if tc.wantSuccess && string(resp.Body) != tc.wantBody {
				t.Errorf("body %s, want %s", resp.Body, tc.wantBody)
			}
		})
	}
}

func TestUnknownEventIsKept(t *testing.T) {
	ctx := testenv.Context(t)
	server, client := net.Pipe()
	c := dapclient.New(client)
	t.Cleanup(func() { c.Close(); server.Close() })
	if d, ok := ctx.Deadline(); ok {
		server.SetDeadline(d)
	}
	for _, m := range []string{
		`{"seq":1,"type":"event","event":"livepatch/patched","body":{"functions":["main.f"]}}`,
		`{"seq":2,"type":"event","event":"output","body":{"category":"stdout","output":"a\n"}}`,
		`{"seq":3,"type":"event","event":"livepatch/patched","body":{"functions":["main.g"]}}`,
	} {
		if err := godap.WriteBaseMessage(server, []byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []string{`{"functions":["main.f"]}`, `{"functions":["main.g"]}`} {
		e, err := c.WaitEvent(ctx, "livepatch/patched")
		if err != nil {
			t.Fatal(err)
		}
		raw, ok := e.(*dapclient.RawEvent)
		if !ok {
			t.Fatalf("custom event decoded as %T, want *dapclient.RawEvent", e)
		}
		if string(raw.Body) != want {
			t.Errorf("custom event body %s, want %s", raw.Body, want)
		}
	}
	e, err := c.WaitEvent(ctx, "output")
	if err != nil {
		t.Fatal(err)
	}
	if o, ok := e.(*godap.OutputEvent); !ok || o.Body.Output != "a\n" {
		t.Errorf("output event %#v", e)
	}
	if n := len(c.Transcript()); n != 3 {
		t.Errorf("transcript has %d messages, want 3", n)
	}
}

func TestPollEvent(t *testing.T) {
	ctx := testenv.Context(t)
	server, client := net.Pipe()
	c := dapclient.New(client)
	t.Cleanup(func() { c.Close(); server.Close() })
	if d, ok := ctx.Deadline(); ok {
		server.SetDeadline(d)
	}
	isStopped := func(e godap.EventMessage) bool { return e.GetEvent().Event == "stopped" }
	if e, ok := c.PollEvent(isStopped); ok {
		t.Fatalf("PollEvent on an empty queue returned %v", e)
	}
	for _, m := range []string{
		`{"seq":1,"type":"event","event":"stopped","body":{"reason":"pause","threadId":1}}`,
		`{"seq":2,"type":"event","event":"initialized"}`,
	} {
		if err := godap.WriteBaseMessage(server, []byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	// Once initialized is consumed, the stopped event before it is queued.
	if _, err := c.WaitEvent(ctx, "initialized"); err != nil {
		t.Fatal(err)
	}
	e, ok := c.PollEvent(isStopped)
	if !ok || e.GetSeq() != 1 {
		t.Fatalf("PollEvent = %v, %v; want the stopped event", e, ok)
	}
	if _, ok := c.PollEvent(isStopped); ok {
		t.Error("PollEvent returned the same event twice")
	}
}
