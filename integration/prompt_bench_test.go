package integration

import (
	"context"
	"encoding/json"
	"net"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/google/go-dap"
	"github.com/livepatch/livepatch/dapclient"
	"github.com/livepatch/livepatch/internal/cli"
	"github.com/livepatch/livepatch/internal/dapproxy"
	"github.com/livepatch/livepatch/internal/prompt"
)

// BenchmarkPromptEvaluate measures the round trip of an evaluate request
// at a breakpoint of the prompt fixture, in one session: a plain expression
// on Delve's path (target: at most 2 ms median) and `c.Inc() + x` through
// the agent (target: at most 25 ms median). It reports the median as
// median-ms.
func BenchmarkPromptEvaluate(b *testing.B) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	b.Cleanup(cancel)
	pr := prompt.New(prompt.Options{})
	px := dapproxy.New(dapproxy.Config{Builder: cli.PatchBuilder{Built: pr.UseBuild}, Capabilities: pr.Capabilities()})
	pr.Register(px)
	clientSide, proxySide := net.Pipe()
	served := make(chan error, 1)
	go func() { served <- px.Serve(ctx, proxySide) }()
	c := dapclient.New(clientSide)
	b.Cleanup(func() {
		c.Close()
		select {
		case <-served:
		case <-ctx.Done():
			b.Error("proxy did not stop")
		}
	})
	call := func(command string, args any) json.RawMessage {
		b.Helper()
		r, err := c.CallRaw(ctx, command, args)
		if err != nil || !r.Success {
			b.Fatalf("%s: %v %s", command, err, r.Raw)
		}
		return r.Body
	}
	dir := fixture(b, "prompt")
	main := filepath.Join(dir, "main.go")
	call("initialize", dap.InitializeRequestArguments{ClientID: "bench", AdapterID: "go", PathFormat: "path", LinesStartAt1: true, ColumnsStartAt1: true})
	call("launch", map[string]any{"mode": "debug", "program": dir})
	if _, err := c.WaitEvent(ctx, "initialized"); err != nil {
		b.Fatal(err)
	}
	call("setBreakpoints", dap.SetBreakpointsArguments{Source: dap.Source{Path: main}, Breakpoints: []dap.SourceBreakpoint{{Line: lineOf(b, main, "// stop here")}}})
	call("configurationDone", nil)
	ev, err := c.WaitEvent(ctx, "stopped")
	if err != nil {
		b.Fatal(err)
	}
	var st struct {
		StackFrames []struct {
			ID int `json:"id"`
		} `json:"stackFrames"`
	}
	if err := json.Unmarshal(call("stackTrace", dap.StackTraceArguments{ThreadId: ev.(*dap.StoppedEvent).Body.ThreadId, Levels: 1}), &st); err != nil || len(st.StackFrames) == 0 {
		b.Fatalf("stackTrace: %v", err)
	}
	frame := st.StackFrames[0].ID
	for _, bc := range []struct{ name, expr string }{{"delve", "x + y"}, {"agent", "c.Inc() + x"}} {
		b.Run(bc.name, func(b *testing.B) {
			args := map[string]any{"expression": bc.expr, "frameId": frame, "context": "repl"}
			call("evaluate", args) // warm up (the agent's interpreter, type information)
			var times []time.Duration
			for b.Loop() {
				start := time.Now()
				r, err := c.CallRaw(context.WithoutCancel(ctx), "evaluate", args)
				if err != nil || !r.Success {
					b.Fatalf("evaluate %s: %v %s", bc.expr, err, r.Raw)
				}
				times = append(times, time.Since(start))
			}
			sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
			b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms")
		})
	}
}
