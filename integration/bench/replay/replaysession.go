package replay

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-delve/delve/service/debugger"
	"github.com/google/go-dap"

	"github.com/livepatch/livepatch/integration/bench/internal/benchkit"
	"github.com/livepatch/livepatch/integration/bench/internal/session"
	"github.com/livepatch/livepatch/internal/cli"
)

// replaySession runs the program of the module tree in work under
// livepatch (the proxy of `livepatch dap`, file watcher on), waits until
// it serves, probes it, writes others at once and then each of saves in
// turn, collecting what the console says of each, and judges the pair.
// When it applied, the program is probed again, for compareFresh.
func replaySession(ctx context.Context, m Module, work, toDir string, saves, others []fileChange, o Options) (st Step, err error) {
	port, err := programPort(ctx, m)
	if err != nil {
		return st, err
	}
	out, cleanup, err := session.TempOutput(m.name)
	if err != nil {
		return st, err
	}
	defer cleanup()
	px := cli.NewProxy(cli.ProxyConfig{Debugger: debugger.Config{Foreground: true, CheckGoVersion: true}})
	s, err := session.ConnectProxy(ctx, px, session.KeepSaveEvents)
	if err != nil {
		return st, err
	}
	defer func() {
		if cerr := s.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	exited := exited(s)
	spec := session.LaunchSpec{Dir: work, Pkg: filepath.Join(work, filepath.FromSlash(m.pkg)), Args: m.args(port), Output: out, RemoteOutput: true}
	if err := s.Run(spec); err != nil {
		return st, session.WithConsole(s, err)
	}
	if err := waitServing(ctx, port, exited); err != nil {
		return st, session.WithConsole(s, err)
	}
	before, err := m.probe(ctx, port)
	if err != nil {
		return st, fmt.Errorf("probe before the saves: %w", err)
	}
	drainConsole(s) // the build's and the start's
	st.Files, err = saveAll(s, toDir, work, saves, others, o.Settle)
	if err != nil {
		return st, err
	}
	waitNative(s, st.Files)
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

// saveAll writes others into work through s, then each of saves, waiting after each for
// what the console says of it (see consoleOutputs).
func saveAll(s *session.Session, toDir, work string, saves, others []fileChange, settle time.Duration) ([]File, error) {
	for _, c := range others {
		if err := writeChange(c, toDir, work); err != nil {
			return nil, err
		}
	}
	var files []File
	for _, c := range saves {
		if err := writeChange(c, toDir, work); err != nil {
			return files, err
		}
		files = append(files, File{Path: c.rel, Change: string(c.kind), Console: consoleOutputs(s, settle, replayGrace)})
	}
	return files, nil
}

// Lines of the native tier's outcomes (internal/livepatch/nativeonly.go).
const (
	nativeWaiting = "livepatch: waiting for the native build: "
	nativeBuilt   = "native: "
	nativeFailed  = ": not applied: "
)

// nativeTimeout bounds the wait for a native build that a save waits for
// (a first build compiles the standard library for plugins: ~10 s cold).
const nativeTimeout = 3 * time.Minute

// waitNative waits until every function that a save left waiting for
// its native build has the build's outcome (the switch, "native: NAMES",
// or why not, "livepatch: NAMES: not applied: ..."), so that the probe
// sees what the saves made of the program; the outcomes' outputs join the
// last file's console. A later save's wait for a function supersedes the
// earlier build, whose outcome is never said.
func waitNative(s *session.Session, files []File) {
	pending := map[string]bool{}
	for _, f := range files {
		for _, out := range f.Console {
			nativeLines(out, pending)
		}
	}
	if len(pending) == 0 || len(files) == 0 {
		return
	}
	last := &files[len(files)-1]
	deadline := time.Now().Add(nativeTimeout)
	for len(pending) > 0 && time.Now().Before(deadline) {
		for _, out := range consoleOutputs(s, time.Until(deadline), replayGrace) {
			last.Console = append(last.Console, out)
			nativeLines(out, pending)
		}
	}
}

// nativeLines records in pending the functions that out says wait for
// their native build, and drops those whose build it says ended.
func nativeLines(out string, pending map[string]bool) {
	for _, l := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(l, nativeWaiting):
			names, _, _ := strings.Cut(strings.TrimPrefix(l, nativeWaiting), "): ")
			for _, n := range splitNames(names + ")") {
				pending[n] = true
			}
		case strings.HasPrefix(l, nativeBuilt):
			names, _, _ := strings.Cut(strings.TrimPrefix(l, nativeBuilt), ") (built in ")
			for _, n := range splitNames(names + ")") {
				delete(pending, n)
			}
		case strings.HasPrefix(l, "livepatch: ") && strings.Contains(l, nativeFailed):
			names, _, _ := strings.Cut(strings.TrimPrefix(l, "livepatch: "), nativeFailed)
			for _, n := range splitNames(names) {
				delete(pending, n)
			}
		}
	}
}

// splitNames splits a console list of functions, each "NAME (file:line)".
func splitNames(list string) []string {
	names := strings.Split(list, "), ")
	for i := range len(names) - 1 {
		names[i] += ")"
	}
	return names
}

// exited returns a channel closed when the program terminates.
func exited(s *session.Session) <-chan struct{} {
	ch := make(chan struct{})
	var once sync.Once
	s.Client.OnEvent(func(e dap.EventMessage) {
		if ev := e.GetEvent().Event; ev == "terminated" || ev == "exited" {
			once.Do(func() { close(ch) })
		}
	})
	return ch
}

// drainConsole discards the console output received so far.
func drainConsole(s *session.Session) {
	for {
		if _, ok := s.Client.PollEvent(session.IsConsole); !ok {
			return
		}
	}
}

// consoleOutputs returns the console's outputs that arrive until none has
// for grace since the last one, waiting at most first for the first one:
// livepatch reports a save in one output, but may report nothing (a
// change with nothing to apply, or one that waits for another file).
func consoleOutputs(s *session.Session, first, grace time.Duration) []string {
	var outs []string
	wait := first
	for {
		ctx, cancel := context.WithTimeout(s.Ctx, wait)
		e, err := s.Client.WaitEventFunc(ctx, session.IsConsole)
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
func compareFresh(ctx context.Context, m Module, work string, st *Step) error {
	before, after := st.probes.before, st.probes.after
	out, cleanup, err := session.TempOutput(m.name)
	if err != nil {
		return err
	}
	defer cleanup()
	build := exec.CommandContext(ctx, "go", "build", "-o", out, m.pkg)
	build.Dir = work
	if _, err := build.Output(); err != nil {
		return fmt.Errorf("go build: %w", benchkit.WithStderr(err))
	}
	port, err := programPort(ctx, m)
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
