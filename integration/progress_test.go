package integration

import (
	"strings"
	"sync"
	"testing"

	"github.com/google/go-dap"
)

// TestBuildProgress launches with a client that supports progress
// reporting, as VS Code does: the launch's build is shown as a progress
// (progressStart, updates, progressEnd before the launch's answer) and not
// as console lines; a client that does not gets the lines in the console,
// none of them blank. Issue 18.
func TestBuildProgress(t *testing.T) {
	for _, supports := range []bool{true, false} {
		name := "progress events"
		if !supports {
			name = "console lines"
		}
		t.Run(name, func(t *testing.T) {
			RunLive(t, func(t *testing.T, env *Env) {
				var mu sync.Mutex
				var events []string
				var console strings.Builder
				env.Client.OnEvent(func(e dap.EventMessage) {
					mu.Lock()
					defer mu.Unlock()
					switch e := e.(type) {
					case *dap.ProgressStartEvent:
						events = append(events, "start:"+e.Body.Title)
					case *dap.ProgressUpdateEvent:
						events = append(events, "update:"+e.Body.Message)
					case *dap.ProgressEndEvent:
						events = append(events, "end")
					case *dap.OutputEvent:
						if e.Body.Category == "console" {
							console.WriteString(e.Body.Output)
						}
					}
				})
				env.Call(&dap.InitializeRequest{Request: dap.Request{Command: "initialize"},
					Arguments: dap.InitializeRequestArguments{ClientID: "livepatch-test", AdapterID: "go", PathFormat: "path",
						LinesStartAt1: true, ColumnsStartAt1: true, SupportsProgressReporting: supports}})
				env.Launch(map[string]any{"mode": "debug", "program": fixture(t, "hello")})
				mu.Lock()
				got, out := strings.Join(events, "\n"), console.String()
				mu.Unlock()
				if supports {
					if !strings.HasPrefix(got, "start:Building") || !strings.Contains(got, "update:loading packages") || !strings.HasSuffix(got, "end") {
						t.Errorf("progress events before the launch's answer:\n%s", got)
					}
					if strings.Contains(out, "loading packages") {
						t.Errorf("progress shown in the console too:\n%s", out)
					}
				} else {
					if got != "" {
						t.Errorf("progress events to a client that does not support them:\n%s", got)
					}
					if !strings.Contains(out, "loading packages\n") || strings.Contains(out, "\n\n") || strings.HasPrefix(out, "\n") {
						t.Errorf("console progress lines:\n%q", out)
					}
				}
				env.Disconnect()
			})
		})
	}
}
