package integration

import (
	"context"
	"net"
	"sort"
	"testing"
	"time"

	"github.com/google/go-dap"
	"github.com/livepatch/livepatch/dapclient"
)

// BenchmarkPromptEvaluateRunning measures the round trip of an evaluate
// request while the shell fixture runs, through the agent's socket in
// package scope (goal: at most 2 ms median), for a read of package
// variables and a method call. It reports the median as median-ms.
func BenchmarkPromptEvaluateRunning(b *testing.B) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	b.Cleanup(cancel)
	px := liveProxy(b, 10*time.Second, true)
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
	call := func(command string, args any) {
		b.Helper()
		r, err := c.CallRaw(ctx, command, args)
		if err != nil || !r.Success {
			b.Fatalf("%s: %v %s", command, err, r.Raw)
		}
	}
	dir := fixture(b, "shell")
	call("initialize", dap.InitializeRequestArguments{ClientID: "bench", AdapterID: "go", PathFormat: "path", LinesStartAt1: true, ColumnsStartAt1: true})
	call("launch", map[string]any{"mode": "debug", "program": ".", "dlvCwd": dir, "outputMode": "remote"})
	if _, err := c.WaitEvent(ctx, "initialized"); err != nil {
		b.Fatal(err)
	}
	call("configurationDone", nil)
	for _, bc := range []struct{ name, expr string }{{"read", "ticks + len(label)"}, {"call", "counter.Inc()"}} {
		b.Run(bc.name, func(b *testing.B) {
			args := map[string]any{"expression": bc.expr, "context": "repl"}
			call("evaluate", args) // warm up (the socket, the interpreter, type information)
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
