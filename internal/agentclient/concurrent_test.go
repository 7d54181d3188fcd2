package agentclient_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-delve/delve/pkg/proc"
	"github.com/go-delve/delve/service/api"
	"github.com/go-delve/delve/service/debugger"

	"github.com/livepatch/livepatch/internal/agentclient"
	"github.com/livepatch/livepatch/internal/testenv"
	"github.com/livepatch/livepatch/target/agent"
)

// debugCounter starts the counter program in loop mode under Delve with a
// breakpoint in main.emit and returns the debugger and a function that

// debugLoop starts bin, the counter fixture, in its loop mode under a new
// debugger with a breakpoint in main.emit; the process is killed when the
// test ends.
func debugLoop(t *testing.T, bin string) *debugger.Debugger {
	t.Helper()
	d, err := debugger.New(&debugger.Config{
		WorkingDir: filepath.Dir(bin),
		Backend:    "default",
		Stdout:     proc.OutputRedirect{Path: os.DevNull},
		Stderr:     proc.OutputRedirect{Path: os.DevNull},
	}, []string{bin, "loop"})
	if err != nil {
		t.Fatalf("debugger.New: %v", err)
	}
	t.Cleanup(func() { d.Detach(true) })
	if _, err := d.CreateBreakpoint(&api.Breakpoint{FunctionName: "main.emit"}, "", nil, false); err != nil {
		t.Fatalf("CreateBreakpoint: %v", err)
	}
	return d
}

// continues to that breakpoint.
func debugCounter(t *testing.T, ctx context.Context) (*debugger.Debugger, func()) {
	t.Helper()
	bin := counterBinary(t)
	d := debugLoop(t, bin)
	cont := func() {
		t.Helper()
		if err := ctx.Err(); err != nil {
			t.Fatal(err)
		}
		state, err := d.Command(&api.DebuggerCommand{Name: api.Continue}, nil, nil, nil)
		if err != nil {
			t.Fatalf("continue: %v", err)
		}
		if state.Exited || state.CurrentThread == nil || state.CurrentThread.Breakpoint == nil {
			t.Fatalf("continue did not stop at the breakpoint: %+v", state)
		}
		if bp := state.CurrentThread.Breakpoint; bp.Name == proc.UnrecoveredPanic {
			t.Fatalf("the program died of a panic")
		}
		if f := state.CurrentThread.Function; f == nil || f.Name() != "main.emit" {
			t.Fatalf("continue stopped in %v, not in main.emit", f)
		}
	}
	return d, cont
}

// callClient returns the call client of the Target of a session whose
// debugger is d, as the prompt and live patching get it.
func callClient(t *testing.T, d *debugger.Debugger) *agentclient.CallClient {
	t.Helper()
	_, c, _ := agentclient.NewTarget(func() *debugger.Debugger { return d }, nil).Sync()
	if c == nil {
		t.Fatalf("the Target made no call client")
	}
	return c
}

// TestCallClientsOfOneDebuggerSerialize makes the users of one session's
// Target, as the prompt and the live patcher are, send requests by call
// injection at the same time, many times, and checks that every response
// answers its own request: they share the target's one inbox and outbox,
// under the Target's lock.
func TestCallClientsOfOneDebuggerSerialize(t *testing.T) {
	ctx := testenv.Context(t)
	d, cont := debugCounter(t, ctx)
	cont()

	const rounds = 25
	tg := agentclient.NewTarget(func() *debugger.Debugger { return d }, nil)
	_, prompt, _ := tg.Sync()
	_, live, _ := tg.Sync()
	clients := []*agentclient.CallClient{prompt, live}
	var wg sync.WaitGroup
	errs := make(chan error, len(clients)*rounds)
	for k, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				// Requests of both clients have the same length in a
				// round, so that one served in place of the other would
				// parse and show as a wrong value.
				want := strconv.Quote(fmt.Sprintf("client %d round %02d", k, r))
				got, err := c.Eval(ctx, want, "", 0)
				switch {
				case err != nil:
					errs <- fmt.Errorf("client %d round %d: %w", k, r, err)
				case got.Value != want:
					errs <- fmt.Errorf("client %d round %d: got %s, want %s", k, r, got.Value, want)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	// The program goes on unharmed.
	cont()
}

// TestSocketAndCallClientsTogether drives one target through its socket
// and by call injection at the same time: a goroutine sends evaluations over
// the socket while the program runs, and at each stop at the breakpoint the
// test sends one by call injection. Every response must answer its own
// request; the only other outcome allowed is that an injected call finds
// the agent busy with a socket request whose goroutine the debugger stopped.
func TestSocketAndCallClientsTogether(t *testing.T) {
	ctx := testenv.Context(t)
	ep, err := agentclient.NewEndpoint()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ep.Remove() })
	// The target inherits the environment; its agent unsets the variables.
	for _, kv := range ep.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	d, cont := debugCounter(t, ctx)
	cont() // past init: the agent listens

	const socketWant, callWant = 20, 20
	var (
		mu        sync.Mutex
		socketOK  int
		socketErr error
	)
	sockDone := make(chan struct{})
	go func() {
		defer close(sockDone)
		fail := func(err error) {
			mu.Lock()
			socketErr = err
			mu.Unlock()
		}
		c, err := ep.Dial(ctx)
		if err != nil {
			fail(err)
			return
		}
		defer c.Close()
		for r := range socketWant {
			want := strconv.Quote(fmt.Sprintf("socket %02d", r))
			got, err := c.Eval(ctx, want, "", 0)
			if err != nil {
				fail(fmt.Errorf("socket round %d: %w", r, err))
				return
			}
			if got.Value != want {
				fail(fmt.Errorf("socket round %d: got %s, want %s", r, got.Value, want))
				return
			}
			mu.Lock()
			socketOK++
			mu.Unlock()
		}
	}()

	cc := callClient(t, d)
	calls, busy := 0, 0
	for r := 0; ; r++ {
		mu.Lock()
		n, serr := socketOK, socketErr
		mu.Unlock()
		if serr != nil {
			t.Fatalf("socket client: %v", serr)
		}
		if n == socketWant && calls >= callWant {
			break
		}
		if err := ctx.Err(); err != nil {
			t.Fatalf("after %d socket and %d injected requests (%d busy): %v", n, calls, busy, err)
		}
		want := strconv.Quote(fmt.Sprintf("call %04d", r))
		got, err := cc.Eval(ctx, want, "", 0)
		var ae *agentclient.AgentError
		switch {
		case errors.As(err, &ae) && strings.Contains(ae.Error(), "agent busy"):
			busy++
		case err != nil:
			t.Fatalf("injected round %d: %v", r, err)
		case got.Value != want:
			t.Fatalf("injected round %d: got %s, want %s", r, got.Value, want)
		default:
			calls++
		}
		cont()
	}
	select {
	case <-sockDone:
	case <-ctx.Done():
		t.Fatal(ctx.Err())
	}
	t.Logf("%d socket requests, %d injected ones, %d injected ones found the agent busy", socketWant, calls, busy)
}

// TestSocketClientSkipsLateResponses gives up on a request whose response
// comes late (the agent is still evaluating when the client's context
// ends) and checks that the next request gets its own response, not the
// late one. The agent runs in the test process.
func TestSocketClientSkipsLateResponses(t *testing.T) {
	ctx := testenv.Context(t)
	ep, err := agentclient.NewEndpoint()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ep.Remove() })
	s, err := agent.Listen(ep.Path, ep.Token)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	c, err := ep.Dial(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	// The evaluation loops until the agent stops it at its time limit; the
	// client gives up before.
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := c.Eval(short, "for {}", "", 400*time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("blocked Eval: got %v, want the context's deadline", err)
	}
	for k := range 3 {
		want := strconv.Itoa(k)
		got, err := c.Eval(ctx, want+" + 0", "", 0)
		if err != nil || got.Value != want {
			t.Fatalf("Eval %d after a late response: got %+v, %v; want %s", k, got, err, want)
		}
	}
}
