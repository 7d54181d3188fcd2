package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-delve/delve/service/debugger"
	"github.com/google/go-dap"

	"github.com/livepatch/livepatch/integration/bench/internal/session"
	"github.com/livepatch/livepatch/internal/cli"
)

// stateFree is the state of the save rows of `livepatch run`: the program
// runs with no debugger.
const stateFree = "running, no debugger"

// freeSession launches p as `livepatch run` does (the proxy of the
// commands, a noDebug launch: a patchable build run with no debugger,
// with the default quiet period) and times saves while it runs, as
// saveSession does for a debugged program. *next numbers the edits.
func freeSession(ctx context.Context, p *saveProgram, o saveOptions, next *int) (samples []float64, err error) {
	if err := p.edit.restore(); err != nil {
		return nil, err
	}
	out, cleanup, err := session.TempOutput(p.name)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	px := cli.NewProxy(cli.ProxyConfig{Debugger: debugger.Config{CheckGoVersion: true}})
	s, err := session.ConnectProxy(ctx, px, session.KeepSaveEvents)
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := s.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	spec := p.launchSpec(out)
	spec.RemoteOutput = true
	if err := s.LaunchNoDebug(spec); err != nil {
		return nil, session.WithConsole(s, err)
	}
	// The first saves (untimed) may find the agent not listening yet:
	// live patching retries them until it is.
	for i := 0; i < o.warmup+o.saves; i++ {
		d, err := saveOnce(s, p.edit, *next)
		*next++
		if err != nil {
			return nil, fmt.Errorf("save %d: %w", i+1, err)
		}
		if i >= o.warmup {
			samples = append(samples, ms(d))
		}
	}
	if p.verify != nil {
		if err := p.verify(s, *next-1); err != nil {
			return nil, fmt.Errorf("after the saves: %w", err)
		}
	}
	if _, ok := s.Client.PollEvent(func(e dap.EventMessage) bool { return e.GetEvent().Event == "terminated" }); ok {
		return nil, errors.New("the program ended while the saves ran")
	}
	return samples, nil
}
