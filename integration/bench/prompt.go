package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/go-delve/delve/service/debugger"
	"github.com/google/go-dap"

	"github.com/livepatch/livepatch/integration/bench/internal/session"
	"github.com/livepatch/livepatch/internal/cli"
)

// promptOptions configures the Go prompt benchmark.
type promptOptions struct {
	root   string // repository root
	n      int    // timed evaluates per input
	warmup int    // untimed evaluates before them
}

// promptInput is one input the benchmark evaluates at the breakpoint of the
// prompt fixture, and the path the prompt routes it to.
type promptInput struct {
	expr, path string
	targetMs   float64
	want       string // the result, when it does not change between calls
}

var promptInputs = []promptInput{
	{expr: "x + y", path: "delve", targetMs: 2, want: "9"},
	{expr: "c.Inc() + x", path: "agent", targetMs: 25},
}

// benchPrompt debugs the prompt fixture through the proxy of `livepatch
// debug` and `livepatch dap` (cli.NewProxy: the Go prompt and live
// patching registered for evaluate and completions, the patchable builder
// feeding them the build), stops at its breakpoint, and times the round
// trip of evaluate requests in the repl context: a plain expression, which
// the prompt hands to Delve, and an input with a call, which runs in the
// target's agent. The inputs alternate, so that machine noise hits both
// alike.
func benchPrompt(ctx context.Context, o promptOptions, logf logFunc) (rows []PromptRow, err error) {
	dir := filepath.Join(o.root, "integration", "testdata", "prompt")
	main := filepath.Join(dir, "main.go")
	line, err := lineOf(main, "// stop here")
	if err != nil {
		return nil, err
	}
	out, cleanup, err := session.TempOutput("prompt")
	if err != nil {
		return nil, err
	}
	defer cleanup()
	s, err := startPromptSession(ctx)
	if err != nil {
		return nil, fmt.Errorf("prompt: %w", err)
	}
	defer func() {
		if cerr := s.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("prompt: %w", cerr)
		}
	}()
	logf("prompt: starting the prompt fixture under livepatch (patchable build)")
	thread, err := s.RunToBreakpoint(session.LaunchSpec{Dir: dir, Pkg: dir, File: main, Line: line, Output: out})
	if err != nil {
		return nil, fmt.Errorf("prompt: %w", err)
	}
	st, err := whereStopped(s, thread)
	if err != nil {
		return nil, fmt.Errorf("prompt: %w", err)
	}
	evaluate := func(in promptInput) (time.Duration, error) {
		req := &dap.EvaluateRequest{Request: dap.Request{Command: "evaluate"},
			Arguments: dap.EvaluateArguments{Expression: in.expr, FrameId: st.frame, Context: "repl"}}
		start := time.Now()
		r, err := s.Call(req)
		took := time.Since(start)
		if err != nil {
			return 0, fmt.Errorf("prompt: evaluate %s: %w", in.expr, err)
		}
		if got := r.(*dap.EvaluateResponse).Body.Result; in.want != "" && got != in.want {
			return 0, fmt.Errorf("prompt: evaluate %s: got %q, want %q", in.expr, got, in.want)
		}
		return took, nil
	}

	first := make([]float64, len(promptInputs))
	for i, in := range promptInputs {
		took, err := evaluate(in)
		if err != nil {
			return nil, err
		}
		first[i] = ms(took)
	}
	logf("prompt: %d+%d evaluates of each of %d inputs", o.warmup, o.n, len(promptInputs))
	samples := make([][]float64, len(promptInputs))
	for i := 0; i < o.warmup+o.n; i++ {
		for k := range promptInputs {
			j := k
			if i%2 == 1 { // alternate which input goes first
				j = len(promptInputs) - 1 - k
			}
			took, err := evaluate(promptInputs[j])
			if err != nil {
				return nil, err
			}
			if i >= o.warmup {
				samples[j] = append(samples[j], ms(took))
			}
		}
	}
	for i, in := range promptInputs {
		rows = append(rows, PromptRow{
			Input: in.expr, Path: in.path, N: o.n,
			FirstMs: first[i], MedianMs: median(samples[i]), P95Ms: quantile(samples[i], 0.95),
			TargetMs: in.targetMs,
		})
	}
	return rows, nil
}

// startPromptSession starts, in this process and on TCP loopback, the
// proxy of `livepatch debug` and `livepatch dap` (cli.NewProxy): the Go
// prompt and live patching registered for evaluate and completions and
// advertised in the capabilities, and the patchable builder handing each
// build to both. Delve's configuration is that of startSession's Delve
// server.
func startPromptSession(ctx context.Context) (*session.Session, error) {
	px := cli.NewProxy(cli.ProxyConfig{
		Debugger: debugger.Config{Foreground: true, CheckGoVersion: true},
	})
	return session.ConnectProxy(ctx, px, nil)
}
