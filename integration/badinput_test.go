package integration

import (
	"encoding/json"
	"fmt"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-dap"
	"github.com/livepatch/livepatch/internal/dapproxy"
)

// frame wraps content in DAP's base protocol.
func frame(content string) []byte {
	return []byte(fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(content), content))
}

// errorID returns the id of an error response's body.
func errorID(t *testing.T, raw json.RawMessage) int {
	t.Helper()
	var r struct {
		Success bool
		Body    struct {
			Error struct{ ID int } `json:"error"`
		} `json:"body"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	if r.Success {
		t.Fatalf("got success, want an error response: %s", raw)
	}
	return r.Body.Error.ID
}

// waitClosed fails the test unless the server closes the connection.
func (e *Env) waitClosed() {
	e.T.Helper()
	select {
	case <-e.Client.Done():
	case <-e.Ctx.Done():
		e.T.Fatal("the server kept the connection open")
	}
}

func TestBadInput(t *testing.T) {
	t.Run("invalid JSON gets an error response and the session goes on", func(t *testing.T) {
		RunProxy(t, func(t *testing.T, env *Env) {
			if err := env.Client.SendRaw(frame(`{"seq":1,"type":"request","command":`)); err != nil {
				t.Fatal(err)
			}
			r, err := env.Client.WaitResponse(env.Ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			if id := errorID(t, r.Raw); id != dapproxy.ErrInvalidMessage {
				t.Errorf("error id %d, want %d (invalid message)", id, dapproxy.ErrInvalidMessage)
			}
			env.Initialize() // still serving
		})
	})
	t.Run("a message of unknown type gets an error response", func(t *testing.T) {
		RunProxy(t, func(t *testing.T, env *Env) {
			if err := env.Client.SendRaw(frame(`{"seq":7,"type":"gossip"}`)); err != nil {
				t.Fatal(err)
			}
			r, err := env.Client.WaitResponse(env.Ctx, 7)
			if err != nil {
				t.Fatal(err)
			}
			if id := errorID(t, r.Raw); id != dapproxy.ErrInvalidMessage {
				t.Errorf("error id %d, want %d", id, dapproxy.ErrInvalidMessage)
			}
			env.Initialize()
		})
	})
	t.Run("a request before initialize gets an error response", func(t *testing.T) {
		RunProxy(t, func(t *testing.T, env *Env) {
			r := env.CallRaw("threads", nil)
			if id := errorID(t, r.Raw); id != dapproxy.ErrNotInitialized {
				t.Errorf("error id %d, want %d (not initialized)", id, dapproxy.ErrNotInitialized)
			}
			env.Initialize()
		})
	})
	t.Run("an unknown command gets an error response", func(t *testing.T) {
		RunProxy(t, func(t *testing.T, env *Env) {
			env.Initialize()
			r := env.CallRaw("frobnicate", map[string]int{"x": 1})
			if r.Success || !strings.Contains(string(r.Raw), "frobnicate") {
				t.Errorf("got %s, want an error response naming the command", r.Raw)
			}
			env.Initialize()
		})
	})
	t.Run("a wrong Content-Length closes the session cleanly", func(t *testing.T) {
		RunProxy(t, func(t *testing.T, env *Env) {
			env.Initialize()
			if err := env.Client.SendRaw([]byte("Content-Length: banana\r\n\r\n{}")); err != nil {
				t.Fatal(err)
			}
			env.waitClosed()
		})
	})
	t.Run("a body shorter than its Content-Length, then EOF, closes cleanly", func(t *testing.T) {
		RunProxy(t, func(t *testing.T, env *Env) {
			env.Initialize()
			if err := env.Client.SendRaw([]byte("Content-Length: 500\r\n\r\n{\"seq\":3,")); err != nil {
				t.Fatal(err)
			}
			env.Client.Close()
			env.waitClosed()
		})
	})
	t.Run("a header without CRLF CRLF closes cleanly", func(t *testing.T) {
		RunProxy(t, func(t *testing.T, env *Env) {
			if err := env.Client.SendRaw([]byte("Content-Length: 2\r\nX: y\r\n\r\n{}")); err != nil {
				t.Fatal(err)
			}
			env.waitClosed()
		})
	})
}

// TestClientGoneMidSession checks that a client vanishing while the program
// is stopped ends the session and kills the debuggee.
func TestClientGoneMidSession(t *testing.T) {
	var pid int
	RunProxy(t, func(t *testing.T, env *Env) {
		env.Client.OnEvent(func(e dap.EventMessage) {
			if p, ok := e.(*dap.ProcessEvent); ok {
				pid = p.Body.SystemProcessId
			}
		})
		env.StartAtBreakpoint("hello", "v := c.Inc()", nil)
		if pid == 0 || !processAlive(pid) {
			t.Fatalf("debuggee pid %d is not running", pid)
		}
		// Close in the middle of a request.
		if err := env.Client.SendRaw(frame(`{"seq":99,"type":"request","command":"stackTrace","arguments":{"threadId":1}}`)); err != nil {
			t.Fatal(err)
		}
		env.Client.Close()
		env.AfterStop(func() {
			if processAlive(pid) {
				t.Errorf("debuggee %d still running after the client went away", pid)
			}
		})
	})
}

// TestClientGoneDuringBuild checks that closing the connection while the
// proxy builds the program cancels the launch without leaving anything behind.
func TestClientGoneDuringBuild(t *testing.T) {
	RunProxy(t, func(t *testing.T, env *Env) {
		env.Initialize()
		msg := fmt.Sprintf(`{"seq":2,"type":"request","command":"launch","arguments":{"mode":"debug","program":%q}}`, fixture(t, "hello"))
		if err := env.Client.SendRaw(frame(msg)); err != nil {
			t.Fatal(err)
		}
		if _, err := env.Client.WaitEventFunc(env.Ctx, func(e dap.EventMessage) bool {
			o, ok := e.(*dap.OutputEvent)
			return ok && strings.HasPrefix(o.Body.Output, "Building")
		}); err != nil {
			t.Fatal(err)
		}
		env.Client.Close()
	})
}

// TestDebuggeeExits checks the events of a program that ends normally and
// of one that crashes.
func TestDebuggeeExits(t *testing.T) {
	t.Run("normal exit", func(t *testing.T) {
		RunProxy(t, func(t *testing.T, env *Env) {
			env.Initialize()
			env.Launch(map[string]any{"mode": "debug", "program": fixture(t, "hello"), "outputMode": "remote"})
			env.WaitEvent("initialized")
			env.Call(&dap.ConfigurationDoneRequest{Request: dap.Request{Command: "configurationDone"}})
			ex := env.WaitEvent("exited").(*dap.ExitedEvent)
			if ex.Body.ExitCode != 0 {
				t.Errorf("exit code %d, want 0", ex.Body.ExitCode)
			}
			env.WaitEvent("terminated")
			env.Disconnect()
		})
	})
	t.Run("crash", func(t *testing.T) {
		RunProxy(t, func(t *testing.T, env *Env) {
			env.Initialize()
			env.Launch(map[string]any{"mode": "debug", "program": fixture(t, "crash"), "outputMode": "remote"})
			env.WaitEvent("initialized")
			env.Call(&dap.ConfigurationDoneRequest{Request: dap.Request{Command: "configurationDone"}})
			st := env.WaitStopped("exception")
			env.Call(&dap.ContinueRequest{Request: dap.Request{Command: "continue"}, Arguments: dap.ContinueArguments{ThreadId: st.Body.ThreadId}})
			ex := env.WaitEvent("exited").(*dap.ExitedEvent)
			if ex.Body.ExitCode != 2 {
				t.Errorf("exit code %d, want 2 (a Go panic)", ex.Body.ExitCode)
			}
			env.WaitEvent("terminated")
			env.Disconnect()
		})
	})
	t.Run("killed while paused", func(t *testing.T) {
		RunProxy(t, func(t *testing.T, env *Env) {
			env.StartAtBreakpoint("hello", "v := c.Inc()", nil)
			pid := env.WaitEvent("process").(*dap.ProcessEvent).Body.SystemProcessId
			if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			// No request: the proxy must notice by itself.
			if code := env.WaitEvent("exited").(*dap.ExitedEvent).Body.ExitCode; code != -int(syscall.SIGKILL) {
				t.Errorf("exit code %d, want %d (killed, as Delve reports it)", code, -int(syscall.SIGKILL))
			}
			env.WaitEvent("terminated")
			// Delve cannot detach from a process that died while paused
			// ("process must be stopped in order to kill it"): the
			// disconnect may fail, but the session must end.
			env.CallRaw("disconnect", map[string]any{"terminateDebuggee": true})
			if e, ok := env.Client.PollEvent(func(e dap.EventMessage) bool {
				return e.GetEvent().Event == "exited" || e.GetEvent().Event == "stopped"
			}); ok {
				t.Errorf("unexpected %s event after the end", e.GetEvent().Event)
			}
		})
	})
	t.Run("build error", func(t *testing.T) {
		RunProxy(t, func(t *testing.T, env *Env) {
			env.Initialize()
			r := env.CallRaw("launch", map[string]any{"mode": "debug", "program": fixture(t, "doesnotexist")})
			if r.Success {
				t.Fatalf("launch of a missing package succeeded")
			}
			if _, err := env.Client.WaitEventFunc(env.Ctx, func(e dap.EventMessage) bool {
				o, ok := e.(*dap.OutputEvent)
				return ok && o.Body.Category == "stderr" && strings.HasPrefix(o.Body.Output, "Build Error: ")
			}); err != nil {
				t.Fatalf("no build error in the console: %v", err)
			}
		})
	})
}
