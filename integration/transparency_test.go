package integration

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-dap"
)

// transparencyScript drives one debug session through the requests an editor
// sends most, and returns what the client received.
func transparencyScript(t *testing.T, env *Env) []json.RawMessage {
	dir := fixture(t, "hello")
	main := filepath.Join(dir, "main.go")
	env.Initialize()
	env.Launch(map[string]any{"mode": "debug", "program": dir, "outputMode": "remote", "args": []string{"5"}})
	env.WaitEvent("initialized")
	env.SetBreakpoints(main, lineOf(t, main, "v := c.Inc()"))
	env.Call(&dap.SetExceptionBreakpointsRequest{Request: dap.Request{Command: "setExceptionBreakpoints"},
		Arguments: dap.SetExceptionBreakpointsArguments{Filters: []string{}}})
	env.Call(&dap.ConfigurationDoneRequest{Request: dap.Request{Command: "configurationDone"}})
	stop := env.WaitStopped("breakpoint")
	env.Call(&dap.ThreadsRequest{Request: dap.Request{Command: "threads"}})
	frame := env.TopFrame(stop.Body.ThreadId)
	scopes := env.Call(&dap.ScopesRequest{Request: dap.Request{Command: "scopes"},
		Arguments: dap.ScopesArguments{FrameId: frame.Id}}).(*dap.ScopesResponse)
	locals := scopes.Body.Scopes[0].VariablesReference
	env.Call(&dap.VariablesRequest{Request: dap.Request{Command: "variables"},
		Arguments: dap.VariablesArguments{VariablesReference: locals}})
	env.Evaluate(frame.Id, "c.n + steps", "repl")
	env.Evaluate(frame.Id, "c", "watch")
	env.Call(&dap.SetVariableRequest{Request: dap.Request{Command: "setVariable"},
		Arguments: dap.SetVariableArguments{VariablesReference: locals, Name: "steps", Value: "2"}})
	env.Call(&dap.NextRequest{Request: dap.Request{Command: "next"}, Arguments: dap.NextArguments{ThreadId: stop.Body.ThreadId}})
	env.WaitStopped("step")
	env.Call(&dap.StepInRequest{Request: dap.Request{Command: "stepIn"}, Arguments: dap.StepInArguments{ThreadId: stop.Body.ThreadId}})
	env.WaitStopped("step")
	env.TopFrame(stop.Body.ThreadId)
	env.Call(&dap.ContinueRequest{Request: dap.Request{Command: "continue"}, Arguments: dap.ContinueArguments{ThreadId: stop.Body.ThreadId}})
	env.WaitStopped("breakpoint")
	env.Call(&dap.ContinueRequest{Request: dap.Request{Command: "continue"}, Arguments: dap.ContinueArguments{ThreadId: stop.Body.ThreadId}})
	env.WaitEvent("terminated")
	env.Call(&dap.DisconnectRequest{Request: dap.Request{Command: "disconnect"}})
	select { // the server closes the connection after its last message
	case <-env.Client.Done():
	case <-env.Ctx.Done():
		t.Fatal("the connection stayed open after disconnect")
	}
	return env.Client.Transcript()
}

// TestTransparency runs the same session against Delve's own DAP server and
// through the proxy, and checks the client receives the same responses and
// events, apart from sequence numbers and process ids.
func TestTransparency(t *testing.T) {
	var plain, proxied []json.RawMessage
	t.Run("delve", func(t *testing.T) {
		RunDelve(t, func(t *testing.T, env *Env) { plain = transparencyScript(t, env) })
	})
	t.Run("proxy", func(t *testing.T) {
		RunProxy(t, func(t *testing.T, env *Env) { proxied = transparencyScript(t, env) })
	})
	if t.Failed() {
		return
	}
	a, aOut := normalizeTranscript(t, plain)
	b, bOut := normalizeTranscript(t, proxied)
	if aOut != bOut {
		t.Errorf("program output differs:\ndelve: %q\nproxy: %q", aOut, bOut)
	}
	if wantOut := "Hello, world 1 hits=1\nHello, world 2 hits=2\ndone\n"; bOut != wantOut {
		t.Errorf("program output through the proxy = %q, want %q", bOut, wantOut)
	}
	n := max(len(a), len(b))
	for i := 0; i < n; i++ {
		var x, y string
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			t.Errorf("message %d differs:\ndelve: %s\nproxy: %s", i, x, y)
		}
	}
}

// volatile matches what changes from run to run in otherwise equal
// messages: thread and process ids, and where the runtime's own goroutines
// happen to be parked.
var (
	volatileID      = regexp.MustCompile(`(Thread |Process )\d+`)
	volatileParking = regexp.MustCompile(`\] runtime\.\w+`)
)

// normalizeTranscript removes what legitimately differs between two runs:
// sequence numbers, the debuggee's pid and binary path. The program's own
// output is returned apart, concatenated, because how a stream is cut into
// events depends on timing.
func normalizeTranscript(t *testing.T, msgs []json.RawMessage) (norm []string, output string) {
	t.Helper()
	var out strings.Builder
	for _, raw := range msgs {
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("invalid message %s: %v", raw, err)
		}
		delete(m, "seq")
		delete(m, "request_seq")
		body, _ := m["body"].(map[string]any)
		switch m["event"] {
		case "output":
			if c := body["category"]; c == "stdout" && !strings.HasPrefix(body["output"].(string), "Building ") || c == "stderr" {
				out.WriteString(body["output"].(string))
				continue
			}
		case nil:
			if m["command"] == "threads" && body != nil {
				// The runtime's own goroutines come and go with timing.
				var user []any
				threads, _ := body["threads"].([]any)
				for _, th := range threads {
					if name, _ := th.(map[string]any)["name"].(string); !strings.Contains(name, "] runtime.") {
						user = append(user, th)
					}
				}
				body["threads"] = user
			}
		case "process":
			delete(body, "systemProcessId")
			delete(body, "name")
		}
		line := volatileID.ReplaceAllString(mustJSON(m), "${1}N")
		norm = append(norm, volatileParking.ReplaceAllString(line, "] runtime.*"))
	}
	return norm, out.String()
}

func TestTransparencyNormalizeKeepsDifferences(t *testing.T) {
	a, _ := normalizeTranscript(t, []json.RawMessage{json.RawMessage(`{"seq":1,"type":"event","event":"stopped","body":{"reason":"step"}}`)})
	b, _ := normalizeTranscript(t, []json.RawMessage{json.RawMessage(`{"seq":9,"type":"event","event":"stopped","body":{"reason":"breakpoint"}}`)})
	if reflect.DeepEqual(a, b) {
		t.Fatal(fmt.Sprint("normalization hid a real difference: ", a, b))
	}
}
