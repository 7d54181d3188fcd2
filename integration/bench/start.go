package main

import (
	"context"
	"fmt"
	"time"

	"github.com/livepatch/livepatch/internal/dapproxy"
)

// startOnce times one session of kind from its start to the stop at p's
// breakpoint, then ends it (untimed).
func startOnce(ctx context.Context, kind server, p *program) (d time.Duration, err error) {
	out, cleanup, err := tempOutput(p.name)
	if err != nil {
		return 0, err
	}
	defer cleanup()
	var builder dapproxy.Builder
	if kind == proxied {
		builder = patchBuilder{}
	}
	start := time.Now()
	s, err := startSession(ctx, kind, builder, nil)
	if err != nil {
		return 0, err
	}
	defer func() {
		if cerr := s.close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	if _, err := s.runToBreakpoint(p.launchSpec(out)); err != nil {
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
	for _, kind := range []server{direct, proxied} {
		logf("start: %s: warming the caches with %s", p.name, kind)
		if _, err := startOnce(ctx, kind, p); err != nil {
			return row, fmt.Errorf("start: %s under %s: %w", p.name, kind, err)
		}
	}
	order := [2]server{proxied, direct}
	for i := 0; i < runs; i++ {
		order[0], order[1] = order[1], order[0]
		for _, kind := range order {
			d, err := startOnce(ctx, kind, p)
			if err != nil {
				return row, fmt.Errorf("start: %s under %s: %w", p.name, kind, err)
			}
			logf("start: %s: run %d/%d under %s: %.2fs", p.name, i+1, runs, kind, seconds(d))
			if kind == direct {
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
