package integration

import (
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-dap"
	"github.com/livepatch/livepatch/internal/cli"
	"github.com/livepatch/livepatch/internal/dapproxy"
	"github.com/livepatch/livepatch/internal/testenv"
)

// patchable is the proxy configuration of livepatch's launch paths.
func patchable(t *testing.T) dapproxy.Config {
	return dapproxy.Config{Builder: cli.PatchBuilder{Log: testenv.Logger(t, "patcher")}}
}

// TestPatchableLinesUnchanged checks that in a patchable build a breakpoint
// set by file and line inside an instrumented function is hit, and that the
// stack shows the user's file and lines.
func TestPatchableLinesUnchanged(t *testing.T) {
	RunProxyWith(t, patchable(t), func(t *testing.T, env *Env) {
		dir := fixture(t, "hello")
		main := filepath.Join(dir, "main.go")
		st := env.StartAtBreakpoint("hello", "c.n++", map[string]any{"outputMode": "remote"})
		r := env.Call(&dap.StackTraceRequest{Request: dap.Request{Command: "stackTrace"},
			Arguments: dap.StackTraceArguments{ThreadId: st.Body.ThreadId, Levels: 2}}).(*dap.StackTraceResponse)
		frames := r.Body.StackFrames
		if len(frames) < 2 {
			t.Fatalf("got %d frames, want 2", len(frames))
		}
		for i, want := range []struct {
			name string
			line int
		}{{"main.(*Counter).Inc", lineOf(t, main, "c.n++")}, {"main.main", lineOf(t, main, "v := c.Inc()")}} {
			f := frames[i]
			if f.Name != want.name || f.Source == nil || f.Source.Path != main || f.Line != want.line {
				path := ""
				if f.Source != nil {
					path = f.Source.Path
				}
				t.Errorf("frame %d: %s at %s:%d, want %s at %s:%d", i, f.Name, path, f.Line, want.name, main, want.line)
			}
		}
		// Stepping over and out stays on the user's lines.
		env.Call(&dap.NextRequest{Request: dap.Request{Command: "next"}, Arguments: dap.NextArguments{ThreadId: st.Body.ThreadId}})
		env.WaitStopped("step")
		if f := env.TopFrame(st.Body.ThreadId); f.Line != lineOf(t, main, "return c.n") {
			t.Errorf("next went to line %d, want %d", f.Line, lineOf(t, main, "return c.n"))
		}
		env.Disconnect()
	})
}

// TestPatchableSameOutput checks that fixture programs print the same in a
// plain and a patchable debug build (code offsets in a crash's stack trace
// aside).
func TestPatchableSameOutput(t *testing.T) {
	hex := regexp.MustCompile(`0x[0-9a-f]+`)
	for _, name := range []string{"hello", "crash"} {
		t.Run(name, func(t *testing.T) {
			var outputs [2]string
			for i, cfg := range []dapproxy.Config{{}, patchable(t)} {
				RunProxyWith(t, cfg, func(t *testing.T, env *Env) {
					var mu sync.Mutex
					var out, errOut strings.Builder
					env.Client.OnEvent(func(e dap.EventMessage) {
						// stdout and stderr are separate pipes: compare each
						// stream on its own, as their interleaving is timing.
						if o, ok := e.(*dap.OutputEvent); ok && (o.Body.Category == "stdout" && !strings.HasPrefix(o.Body.Output, "Building ") || o.Body.Category == "stderr") {
							mu.Lock()
							if o.Body.Category == "stdout" {
								out.WriteString(o.Body.Output)
							} else {
								errOut.WriteString(o.Body.Output)
							}
							mu.Unlock()
						}
					})
					env.Initialize()
					env.Launch(map[string]any{"mode": "debug", "program": fixture(t, name), "outputMode": "remote",
						"args": []string{"4"}})
					env.WaitEvent("initialized")
					env.Call(&dap.SetExceptionBreakpointsRequest{Request: dap.Request{Command: "setExceptionBreakpoints"},
						Arguments: dap.SetExceptionBreakpointsArguments{Filters: []string{}}})
					env.Call(&dap.ConfigurationDoneRequest{Request: dap.Request{Command: "configurationDone"}})
					env.WaitEvent("terminated") // the proxy forwards all output before it
					mu.Lock()
					outputs[i] = hex.ReplaceAllString("stdout:\n"+out.String()+"stderr:\n"+errOut.String(), "0x?")
					mu.Unlock()
				})
			}
			if outputs[0] != outputs[1] || outputs[0] == "" {
				t.Errorf("plain build printed %q, patchable build %q", outputs[0], outputs[1])
			}
		})
	}
}
