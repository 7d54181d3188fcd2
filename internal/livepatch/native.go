package livepatch

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/livepatch/livepatch/internal/agentclient"
	"github.com/livepatch/livepatch/internal/change"
	"github.com/livepatch/livepatch/internal/native"
	"github.com/livepatch/livepatch/target/agent/wire"
)

// Tiers of a live patch (Patch.Tier).
const (
	TierInterpreted = "interpreted"
	TierNative      = "native"
)

// nativeState is a session's native tier: the builder of its plugins,
// the reasons already given, and why the tier is off, once it is known
// that no change of this program can go native.
type nativeState struct {
	builder *native.Builder
	told    map[string]bool // guarded by session.mu
	off     string          // guarded by session.mu
	// stays holds, by key, why a live patch stays interpreted (its native
	// build failed or the tier does not cover it), guarded by session.mu.
	stays map[string]string
	// loaded counts the plugins the current process loaded (of restarts
	// number loadedIn), guarded by session.mu.
	loaded, loadedIn int
	// building holds, by key, the agent source of the live patch whose
	// native build is under way; gated, the keys whose calls the agent
	// holds for a breakpoint (gates.go). Guarded by session.mu.
	building map[string]string
	gated    map[string]bool
}

// maxPlugins bounds the plugins one process loads: a plugin stays mapped
// for the life of the process, 4-6 MB of resident memory each for a
// small change (docs/benchmarks/native.md; docs/design-notes/tiers.md);
// past it, changes stay interpreted until a restart.
const maxPlugins = 32

// errTooManyPlugins is why a change stays interpreted past maxPlugins.
var errTooManyPlugins = fmt.Errorf("the program has loaded %d native plugins, which stay in memory (4-6 MB each): later changes stay interpreted until a restart", maxPlugins)

func newNativeState() nativeState {
	return nativeState{builder: native.NewBuilder(), told: map[string]bool{}}
}

// goNative starts the native build of ps, the functions of one save that
// went live interpreted; when it is built, the agent switches them to it
// in a turn of the queue (nativeBuilt). It does not wait for the build.
func (st *session) goNative(ctx context.Context, ps []pendingPatch) {
	if len(ps) == 0 || st.m.opts.NoNative {
		return
	}
	st.mu.Lock()
	off, restarts := st.nat.off, st.restarts
	if st.nat.loadedIn != restarts {
		st.nat.loaded, st.nat.loadedIn = 0, restarts
	}
	full := st.nat.loaded >= maxPlugins
	st.mu.Unlock()
	if off != "" {
		st.built(ps) // marked by apply
		return
	}
	if full {
		st.nativeFailed(ps, errTooManyPlugins)
		return
	}
	for _, p := range ps {
		if p.checked == nil {
			st.built(ps) // no build: calls held for it go on (gates.go)
			st.syncGatesLater()
			return
		}
	}
	if err := st.startNative(ctx, ps, restarts); err != nil {
		st.nativeFailed(ps, err)
	}
}

// startNative starts the native build of ps in the process of restarts;
// when it is built, the agent switches them to it (nativeBuilt). It
// returns at once: a *native.NotCoveredError when the tier cannot compile
// them.
func (st *session) startNative(ctx context.Context, ps []pendingPatch, restarts int) error {
	st.mu.Lock()
	for _, p := range ps {
		delete(st.nat.stays, p.Key) // a new build: its outcome will say
		st.building(p.Key, p.patch.Source)
	}
	st.mu.Unlock()
	fns := make([]native.Func, len(ps))
	for i, p := range ps {
		if p.checked == nil {
			return &native.NotCoveredError{Reason: "prompt redefinitions"}
		}
		fns[i] = native.Func{Key: p.Key, Checked: p.checked}
	}
	started := time.Now()
	return st.nat.builder.Start(ctx, st.m.changes.Build().Native(), fns, func(pl *native.Plugin, err error) {
		if err != nil {
			st.nativeFailed(ps, err)
			st.followEdits(ctx) // breakpoints in ps say why they stay unverified
			return
		}
		st.nativeBuilt(ctx, ps, restarts, pl, started)
	})
}

// buildFailed begins the reason a patch stays interpreted when its native
// build failed, followed by the build's error.
const buildFailed = "its native build failed"

// nativeFailed says why ps stay interpreted, once per reason; when the
// tier cannot work for this program at all, it turns it off.
func (st *session) nativeFailed(ps []pendingPatch, err error) {
	st.built(ps)
	defer st.syncGatesLater() // gates.go: held calls run interpreted
	var line string
	var ue *native.UnavailableError
	var nc *native.NotCoveredError
	switch {
	case errors.As(err, &ue):
		st.mu.Lock()
		first := st.nat.off == ""
		st.nat.off = ue.Reason
		st.mu.Unlock()
		if first {
			st.report("livepatch: patches stay interpreted: " + err.Error())
		}
		if ps[0].fresh {
			st.freshFailed(ps, err)
		}
		return
	case ps[0].fresh:
		st.freshFailed(ps, err) // nativeonly.go
		return
	case errors.As(err, &nc):
		line = "the native tier does not cover this yet: " + nc.Reason
	case errors.Is(err, errTooManyPlugins):
		line = err.Error()
	default:
		line = buildFailed + ": " + err.Error()
	}
	st.mu.Lock()
	told := st.nat.told[line]
	st.nat.told[line] = true
	if st.nat.stays == nil {
		st.nat.stays = map[string]string{}
	}
	for _, p := range ps {
		st.nat.stays[p.Key] = line
	}
	st.mu.Unlock()
	if !told {
		st.report(fmt.Sprintf("livepatch: %s stays interpreted: %s", patchNames(ps), line))
	}
}

// nativeBuilt switches ps to the plugin pl in the agent, in a turn of the
// queue, unless they were replaced or reverted since (the agent checks
// that too, atomically). The switch goes over the socket only: while the
// program is paused it waits for the program to run. It logs the time
// of each step since started, when the build was asked for.
func (st *session) nativeBuilt(ctx context.Context, ps []pendingPatch, restarts int, pl *native.Plugin, started time.Time) {
	built, attempts := time.Now(), 0
	n := &wire.Native{Plugin: pl.Path, Package: pl.Package}
	for i, p := range ps {
		f := wire.NativeFunc{Ref: wire.Ref{Key: p.Key}, Symbol: pl.Symbols[i], Source: p.patch.Source}
		if p.fresh {
			f.Source, f.Fresh, f.NewSource = "", true, p.patch.Source
			if p.prev != nil {
				f.Source = p.prev.agentSource
			}
		}
		n.Funcs = append(n.Funcs, f)
	}
	for delay := retryFirst; ; delay = min(2*delay, retryMax) {
		attempts++
		done, err := st.trySwitch(ctx, ps, restarts, n, pl.Funcs)
		if done {
			st.built(ps)
			defer st.syncGatesLater() // gates.go: after the breakpoints are in the plugin
			if err != nil {
				st.nativeFailed(ps, err)
				st.followEdits(ctx) // breakpoints in ps say why they stay unverified
			} else {
				switched := time.Now()
				st.stopAtNativePanics(ctx) // nativepanic.go
				armed := time.Now()
				st.followEdits(ctx) // breakpoints in ps go to the plugin's code
				st.report(fmt.Sprintf("native: %s (built in %.1fs)", patchNames(ps), pl.Took.Seconds()))
				st.m.log.Debug("native", "funcs", len(ps), "queued", pl.Queued, "main", pl.Main, "go", pl.Go, "built", pl.Took,
					"switch", switched.Sub(built), "attempts", attempts, "arm", armed.Sub(switched), "follow", time.Since(armed),
					"total", time.Since(started))
			}
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
	}
}

// trySwitch makes one attempt at the switch in a turn of the queue: done
// is false when the agent cannot take it over its socket now. funcs name
// the plugin's functions of ps.
func (st *session) trySwitch(ctx context.Context, ps []pendingPatch, restarts int, n *wire.Native, funcs []string) (done bool, err error) {
	leave, err := st.q.Enter(ctx, "native switch")
	if err != nil {
		return true, nil // the session ended
	}
	defer leave()
	if !st.stillLive(ps, restarts) {
		return true, nil
	}
	sctx, cancel := context.WithTimeout(ctx, socketTimeout)
	defer cancel()
	c, err := st.client(sctx)
	if err != nil {
		return final(err), nil
	}
	sock, ok := c.(*agentclient.SocketClient)
	if !ok {
		return false, nil // paused: no plugin loading by call injection
	}
	err = sock.Native(sctx, n)
	st.t.SocketDone(sock, err)
	var ae *agentclient.AgentError
	switch {
	case err == nil:
	case errors.As(err, &ae) && ae.Kind() == wire.ErrBusy:
		return false, nil
	case errors.As(err, &ae) && superseded(ae):
		if ps[0].fresh {
			st.dropWaiting(ps) // the agent's state moved on: the waiting patches cannot go live
		}
		return true, nil
	case errors.As(err, &ae):
		if strings.Contains(ae.Error(), "not implemented") {
			return true, &native.UnavailableError{Reason: "the program cannot load plugins (" + ae.Err.Msg + ")"}
		}
		return true, applyError(err)
	default:
		return false, nil
	}
	st.mu.Lock()
	for i, p := range ps {
		if lp := st.live[p.Key]; lp != nil && lp.agentSource == p.patch.Source {
			lp.Tier = TierNative
			if i < len(funcs) {
				lp.nativeFunc, lp.checked = funcs[i], p.checked
			}
		}
	}
	if st.nat.loadedIn == restarts {
		st.nat.loaded++
	}
	st.mu.Unlock()
	return true, nil
}

// building notes that the native build of the patch of key with agent
// source src is under way. The caller holds mu.
func (st *session) building(key, src string) {
	if st.nat.building == nil {
		st.nat.building = map[string]string{}
	}
	st.nat.building[key] = src
}

// built notes that the native builds of ps are over. It does not hold
// mu.
func (st *session) built(ps []pendingPatch) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, p := range ps {
		if st.nat.building[p.Key] == p.patch.Source {
			delete(st.nat.building, p.Key)
		}
	}
}

// stillLive reports whether every patch of ps is live as applied, in the
// same process.
func (st *session) stillLive(ps []pendingPatch, restarts int) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, err := st.syncProcess(); err != nil || st.restarts != restarts {
		return false
	}
	for _, p := range ps {
		if lp := st.live[p.Key]; lp == nil || lp.agentSource != p.patch.Source {
			return false
		}
	}
	return true
}

// superseded reports whether the agent refused a switch because a patch
// changed or was reverted since.
func superseded(ae *agentclient.AgentError) bool {
	for _, f := range ae.Failures {
		if f.Kind == wire.ErrSuperseded {
			return true
		}
	}
	return ae.Kind() == wire.ErrSuperseded
}

// patchNames names the functions of ps with their positions.
func patchNames(ps []pendingPatch) string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = fmt.Sprintf("%s (%s)", p.Name, change.Position(p.File, p.Line))
	}
	return strings.Join(names, ", ")
}
