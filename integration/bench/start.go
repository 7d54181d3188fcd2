package main

import (
	"context"
	"fmt"
	"time"

	"github.com/livepatch/livepatch/integration/bench/internal/session"
	"github.com/livepatch/livepatch/internal/dapproxy"
)

// startOnce times one session of kind from its start to the stop at p's
// breakpoint, then ends it (untimed).
func startOnce(ctx context.Context, kind session.Server, p *program) (d time.Duration, err error) {
	out, cleanup, err := session.TempOutput(p.name)
	if err != nil {
		return 0, err
	}
	defer cleanup()
	var builder dapproxy.Builder
	if kind == session.Proxied {
		builder = patchBuilder{}
	}
	start := time.Now()
	s, err := session.Start(ctx, kind, builder, nil)
	if err != nil {
		return 0, err
	}
	defer func() {
		if cerr := s.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	if _, err := s.RunToBreakpoint(p.launchSpec(out)); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// benchStart times `dlv debug` (Delve's DAP server) and `livepatch debug`
// (the proxy with the patchable builder) from initialize to the first
// breakpoint of p, with warm caches: one untimed run of each first, then
// runs alternating between the two.
func benchStart(ctx context.Context, p *program, runs int, logf logFunc) (StartRow, error) {
	row := StartRow{Program: p.name, Runs: runs, TargetRatio: 1.5}
	for _, kind := range []session.Server{session.Direct, session.Proxied} {
		logf("start: %s: warming the caches with %s", p.name, kind)
		if _, err := startOnce(ctx, kind, p); err != nil {
			return row, fmt.Errorf("start: %s under %s: %w", p.name, kind, err)
		}
	}
	order := [2]session.Server{session.Proxied, session.Direct}
	for i := 0; i < runs; i++ {
		order[0], order[1] = order[1], order[0]
		for _, kind := range order {
			d, err := startOnce(ctx, kind, p)
			if err != nil {
				return row, fmt.Errorf("start: %s under %s: %w", p.name, kind, err)
			}
			logf("start: %s: run %d/%d under %s: %.2fs", p.name, i+1, runs, kind, seconds(d))
			if kind == session.Direct {
				row.PlainS = append(row.PlainS, seconds(d))
			} else {
				row.PatchS = append(row.PatchS, seconds(d))
			}
		}
	}
	row.PlainMedianS, row.PatchMedianS = median(row.PlainS), median(row.PatchS)
	row.Ratio = row.PatchMedianS / row.PlainMedianS
	return row, nil
}
