package main

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/go-delve/delve/service/debugger"
	"github.com/google/go-dap"

	"github.com/livepatch/livepatch/internal/cli"
)

// replaySession runs the program of the module tree in work under
// livepatch (the proxy of `livepatch dap`, file watcher on), waits until
// it serves, probes it, writes others at once and then each of saves in
// turn, collecting what the console says of each, and judges the pair.
// When it applied, the program is probed again, for compareFresh.
func replaySession(ctx context.Context, m replayModule, work, toDir string, saves, others []fileChange, o replayOptions) (st ReplayStep, err error) {
	port, err := freePort()
	if err != nil {
		return st, err
	}
	out, cleanup, err := tempOutput(m.name)
	if err != nil {
		return st, err
	}
	defer cleanup()
	px := cli.NewProxy(cli.ProxyConfig{Debugger: debugger.Config{Foreground: true, CheckGoVersion: true}})
	s, err := connectProxy(ctx, px, keepSaveEvents)
	if err != nil {
		return st, err
	}
	defer func() {
		if cerr := s.close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	exited := s.exited()
	spec := launchSpec{dir: work, pkg: filepath.Join(work, filepath.FromSlash(m.pkg)), args: m.args(port), output: out, remoteOutput: true}
	if err := s.run(spec); err != nil {
		return st, withConsole(s, err)
	}
	if err := waitServing(ctx, port, exited); err != nil {
		return st, withConsole(s, err)
	}
	before, err := m.probe(ctx, port)
	if err != nil {
		return st, fmt.Errorf("probe before the saves: %w", err)
	}
	s.drainConsole() // the build's and the start's
	st.Files, err = s.saveAll(toDir, work, saves, others, o.settle)
	if err != nil {
		return st, err
	}
	st.judge()
	select {
	case <-exited:
		return st, errors.New("the program exited during the saves")
	default:
	}
	if st.Outcome != outcomeApplied {
		return st, nil
	}
	probes := &probed{before: before}
	if probes.after, err = m.probe(ctx, port); err != nil {
		return st, fmt.Errorf("probe after the saves: %w", err)
	}
	st.probes = probes
	return st, nil
}

// probed is what the probe got from the patched program: before the saves
// (the older version) and after them.
type probed struct {
	before, after []exchange
}

// saveAll writes others, then each of saves, waiting after each for
// what the console says of it (see consoleOutputs).
func (s *session) saveAll(toDir, work string, saves, others []fileChange, settle time.Duration) ([]ReplayFile, error) {
	for _, c := range others {
		if err := writeChange(c, toDir, work); err != nil {
			return nil, err
		}
	}
	var files []ReplayFile
	for _, c := range saves {
		if err := writeChange(c, toDir, work); err != nil {
			return files, err
		}
		files = append(files, ReplayFile{Path: c.rel, Change: string(c.kind), Console: s.consoleOutputs(settle, replayGrace)})
	}
	return files, nil
}

// exited returns a channel closed when the program terminates.
func (s *session) exited() <-chan struct{} {
	ch := make(chan struct{})
	var once sync.Once
	s.client.OnEvent(func(e dap.EventMessage) {
		if ev := e.GetEvent().Event; ev == "terminated" || ev == "exited" {
			once.Do(func() { close(ch) })
		}
	})
	return ch
}

// drainConsole discards the console output received so far.
func (s *session) drainConsole() {
	for {
		if _, ok := s.client.PollEvent(isConsole); !ok {
			return
		}
	}
}

// consoleOutputs returns the console's outputs that arrive until none has
// for grace since the last one, waiting at most first for the first one:
// livepatch reports a save in one output, but may report nothing (a
// change with nothing to apply, or one that waits for another file).
func (s *session) consoleOutputs(first, grace time.Duration) []string {
	var outs []string
	wait := first
	for {
		ctx, cancel := context.WithTimeout(s.ctx, wait)
		e, err := s.client.WaitEventFunc(ctx, isConsole)
		cancel()
		if err != nil {
			return outs
		}
		outs = append(outs, e.(*dap.OutputEvent).Body.Output)
		wait = grace
	}
}

// compareFresh builds the module tree in work (now the newer version) as
// a fresh program, runs it on another port, probes it twice (requests
// whose answers differ between the two depend on time or chance and are
// left out), and records in st whether the patched program answered as
// the fresh build does, and whether the older version answered otherwise:
// that the probe can see the change at all. It runs after the livepatch
// session has ended: while Delve debugs a program it reaps every child of
// this process, and exec.Cmd.Wait fails.
func compareFresh(ctx context.Context, m replayModule, work string, st *ReplayStep) error {
	before, after := st.probes.before, st.probes.after
	out, cleanup, err := tempOutput(m.name)
	if err != nil {
		return err
	}
	defer cleanup()
	build := exec.CommandContext(ctx, "go", "build", "-o", out, m.pkg)
	build.Dir = work
	if _, err := build.Output(); err != nil {
		return fmt.Errorf("go build: %w", withStderr(err))
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, out, m.args(port)...)
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	defer func() { cmd.Process.Kill(); <-exited }()
	if err := waitServing(ctx, port, exited); err != nil {
		return err
	}
	fresh, err := m.probe(ctx, port)
	if err != nil {
		return err
	}
	again, err := m.probe(ctx, port)
	if err != nil {
		return err
	}
	stable := stableExchanges(fresh, again)
	st.Unlike = differing(after, fresh, stable)
	for _, i := range stable {
		if after[i] != fresh[i] && len(st.UnlikeDetail) < 3 {
			st.UnlikeDetail = append(st.UnlikeDetail, fmt.Sprintf("%s: patched %q, fresh %q", fresh[i].Request, clip(after[i].Response), clip(fresh[i].Response)))
		}
	}
	like := len(st.Unlike) == 0
	st.LikeFresh = &like
	st.ProbeSeesChange = len(differing(before, fresh, stable)) > 0
	st.Probed = len(stable)
	for i, e := range fresh {
		if !slices.Contains(stable, i) {
			st.Unstable = append(st.Unstable, e.Request)
		}
	}
	return nil
}

// clip shortens a response for the report.
func clip(s string) string {
	if len(s) > 400 {
		return s[:400] + "..."
	}
	return s
}
