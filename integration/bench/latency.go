package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/google/go-dap"
	"github.com/livepatch/livepatch/integration/bench/internal/session"
)

// latencyOptions configures the proxy latency benchmark.
type latencyOptions struct {
	root   string // repository root
	n      int    // timed round trips per request type and server
	warmup int    // untimed round trips before them
}

// latencyRequest is one request type the benchmark times, bound to a
// session stopped at the fixture's breakpoint.
type latencyRequest struct {
	name string
	make func(st *stoppedAt) dap.RequestMessage
}

// stoppedAt is what a request needs of a stopped session.
type stoppedAt struct {
	thread, frame, locals int
}

var latencyRequests = []latencyRequest{
	{"threads", func(st *stoppedAt) dap.RequestMessage {
		return &dap.ThreadsRequest{Request: dap.Request{Command: "threads"}}
	}},
	{"stackTrace", func(st *stoppedAt) dap.RequestMessage {
		return &dap.StackTraceRequest{Request: dap.Request{Command: "stackTrace"},
			Arguments: dap.StackTraceArguments{ThreadId: st.thread, Levels: 20}}
	}},
	{"scopes", func(st *stoppedAt) dap.RequestMessage {
		return &dap.ScopesRequest{Request: dap.Request{Command: "scopes"},
			Arguments: dap.ScopesArguments{FrameId: st.frame}}
	}},
	{"variables", func(st *stoppedAt) dap.RequestMessage {
		return &dap.VariablesRequest{Request: dap.Request{Command: "variables"},
			Arguments: dap.VariablesArguments{VariablesReference: st.locals}}
	}},
	{"evaluate c.n + steps", func(st *stoppedAt) dap.RequestMessage {
		return &dap.EvaluateRequest{Request: dap.Request{Command: "evaluate"},
			Arguments: dap.EvaluateArguments{Expression: "c.n + steps", FrameId: st.frame, Context: "repl"}}
	}},
}

// benchLatency debugs the hello fixture twice at the same time, once with
// Delve's DAP server and once through the proxy, both in this process and
// over TCP loopback, stops both at the same breakpoint, and times round
// trips of each request type, alternating between the servers so that
// machine noise hits both alike.
func benchLatency(ctx context.Context, o latencyOptions, logf logFunc) (rows []LatencyRow, err error) {
	dir := filepath.Join(o.root, "integration", "testdata", "hello")
	main := filepath.Join(dir, "main.go")
	line, err := lineOf(main, "v := c.Inc()")
	if err != nil {
		return nil, err
	}
	sessions := map[session.Server]*session.Session{}
	stops := map[session.Server]*stoppedAt{}
	var cleanups []func()
	defer func() { // end the sessions first, then remove their binaries
		for _, s := range sessions {
			if cerr := s.Close(); cerr != nil && err == nil {
				err = fmt.Errorf("latency: %w", cerr)
			}
		}
		for _, c := range cleanups {
			c()
		}
	}()
	for _, kind := range []session.Server{session.Direct, session.Proxied} {
		out, cleanup, err := session.TempOutput("hello")
		if err != nil {
			return nil, err
		}
		cleanups = append(cleanups, cleanup)
		s, err := session.Start(ctx, kind, nil, nil)
		if err != nil {
			return nil, fmt.Errorf("latency: %w", err)
		}
		sessions[kind] = s
		logf("latency: starting the hello fixture under %s", kind)
		thread, err := s.RunToBreakpoint(session.LaunchSpec{Dir: dir, Pkg: dir, File: main, Line: line, Output: out, Args: []string{"5"}})
		if err != nil {
			return nil, fmt.Errorf("latency: %s: %w", kind, err)
		}
		st, err := whereStopped(s, thread)
		if err != nil {
			return nil, fmt.Errorf("latency: %s: %w", kind, err)
		}
		stops[kind] = st
	}

	order := [2]session.Server{session.Direct, session.Proxied}
	for _, rq := range latencyRequests {
		logf("latency: %d+%d round trips of %s on each server", o.warmup, o.n, rq.name)
		samples := map[session.Server][]float64{}
		for i := 0; i < o.warmup+o.n; i++ {
			order[0], order[1] = order[1], order[0]
			for _, kind := range order {
				req := rq.make(stops[kind])
				start := time.Now()
				_, err := sessions[kind].Call(req)
				took := time.Since(start)
				if err != nil {
					return nil, fmt.Errorf("latency: %s: %w", kind, err)
				}
				if i >= o.warmup {
					samples[kind] = append(samples[kind], ms(took))
				}
			}
		}
		d, p := samples[session.Direct], samples[session.Proxied]
		rows = append(rows, LatencyRow{
			Request: rq.name, N: o.n,
			DirectMedianMs: median(d), DirectP95Ms: quantile(d, 0.95),
			ProxyMedianMs: median(p), ProxyP95Ms: quantile(p, 0.95),
			AddedMedianMs: median(p) - median(d),
			TargetMs:      0.1,
		})
	}
	return rows, nil
}

// whereStopped finds the top frame of thread and the variables reference of
// its locals.
func whereStopped(s *session.Session, thread int) (*stoppedAt, error) {
	r, err := s.Call(&dap.StackTraceRequest{Request: dap.Request{Command: "stackTrace"},
		Arguments: dap.StackTraceArguments{ThreadId: thread, Levels: 20}})
	if err != nil {
		return nil, err
	}
	frames := r.(*dap.StackTraceResponse).Body.StackFrames
	if len(frames) == 0 {
		return nil, errors.New("empty stack trace")
	}
	r, err = s.Call(&dap.ScopesRequest{Request: dap.Request{Command: "scopes"},
		Arguments: dap.ScopesArguments{FrameId: frames[0].Id}})
	if err != nil {
		return nil, err
	}
	scopes := r.(*dap.ScopesResponse).Body.Scopes
	if len(scopes) == 0 {
		return nil, errors.New("no scopes")
	}
	return &stoppedAt{thread: thread, frame: frames[0].Id, locals: scopes[0].VariablesReference}, nil
}
