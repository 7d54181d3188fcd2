package livepatch

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/livepatch/livepatch/internal/agentclient"
	"github.com/livepatch/livepatch/target/agent/wire"
)

// A breakpoint in a function whose patch is still interpreted holds: while
// the client has a breakpoint in the function and the patch's native build
// is under way, the agent holds the patch's calls at a gate
// (target/agent/gate.go), and they run once the patch is native and the
// breakpoint set in the plugin's code, where they stop. The gate is set
// with the patch itself (wire.Patch.Hold), so that no call runs the
// interpreted code in between; for a breakpoint set during the build, as
// soon as the agent can take it. It opens when the breakpoints are set in
// the plugin's code after the switch, when the build fails or the switch
// is refused (the calls then run interpreted, and the console says why
// once), when the breakpoint goes, and with a revert or a later patch.
// With no breakpoint in patched code no gate is set, and a patched call
// costs what it did.

// jobGates is the queue job that sets and opens gates.
const jobGates = "hold of patched calls"

// breakpointIn reports whether the client has a source breakpoint in the
// function key of file, in its current text. The caller holds mu.
func (st *session) breakpointIn(key, file string) bool {
	file = filepath.Clean(file)
	for path, sb := range st.bps.sources {
		if filepath.Clean(path) != file {
			continue
		}
		fp := st.positionsOf(path)
		for i, b := range sb.args.Breakpoints {
			line := b.Line
			if i < len(sb.anchors) && sb.anchors[i] > 0 {
				line = fp.currentLine(sb.anchors[i])
			}
			if fn := st.funcIn(fp, path, line); fn != nil && fn.Key == key {
				return true
			}
		}
	}
	return false
}

// holdsOnApply reports whether p, a patch about to go live interpreted,
// goes live held: a breakpoint is in its function and the native tier
// will build it. The caller holds mu.
func (st *session) holdsOnApply(p pendingPatch) bool {
	return st.willBuild(p) && (st.breakpointIn(p.Key, p.File) || st.funcBreakpointOn(&p.Patch))
}

// willBuild reports whether the native tier will build p, a patch about
// to go live interpreted (goNative). The caller holds mu.
func (st *session) willBuild(p pendingPatch) bool {
	return !st.m.opts.NoNative && st.nat.off == "" && p.checked != nil && !p.fresh && st.nat.loaded < maxPlugins
}

// wantsGate reports whether the calls of live patch key should be held
// now: it runs interpreted, its native build is under way and a
// breakpoint is in its function, or a stepIn goes into it (stepinto.go).
// The caller holds mu.
func (st *session) wantsGate(key string) bool {
	lp := st.live[key]
	return lp != nil && lp.Tier == TierInterpreted && st.nat.building[key] == lp.agentSource &&
		!st.m.opts.NoNative && (st.breakpointIn(key, lp.File) || st.funcBreakpointOn(lp) || st.steppingInto(key))
}

// gateChanges returns the live patches whose calls should be held and
// are not, and those held that should not be. The caller holds mu.
func (st *session) gateChanges() (hold, open []string) {
	for k := range st.live {
		if st.wantsGate(k) && !st.nat.gated[k] {
			hold = append(hold, k)
		}
	}
	for k := range st.nat.gated {
		if !st.wantsGate(k) {
			open = append(open, k)
		}
	}
	slices.Sort(hold)
	slices.Sort(open)
	return hold, open
}

// syncGatesLater sets and opens gates as gateChanges says, in a turn of
// the queue of its own, when there is anything to change, and tries
// again while the agent cannot take the request: while the program is
// paused (the held calls wait for it to run), or being paused or resumed.
// It does not wait.
func (st *session) syncGatesLater() {
	ctx := st.ctx
	st.mu.Lock()
	hold, open := st.gateChanges()
	st.mu.Unlock()
	if len(hold) == 0 && len(open) == 0 {
		return
	}
	go func() {
		for delay := gateRetry; ; delay = min(2*delay, gateRetryMax) {
			leave, err := st.q.EnterQuietly(ctx, jobGates)
			if err != nil {
				return
			}
			done := st.syncGates(ctx)
			leave()
			if done {
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(delay):
			}
		}
	}()
}

// Delays before a gate request the agent could not take is made again,
// from the first, doubling, to the last: held calls may wait for it.
const (
	gateRetry    = 20 * time.Millisecond
	gateRetryMax = 250 * time.Millisecond
)

// syncGates sets and opens gates as gateChanges says, and reports whether
// it is done: false when the agent could not take a request now. The
// caller has the turn.
func (st *session) syncGates(ctx context.Context) (done bool) {
	st.mu.Lock()
	hold, open := st.gateChanges()
	names := make([]string, len(hold))
	for i, k := range hold {
		names[i] = st.live[k].Name
	}
	st.mu.Unlock()
	done = true
	for _, step := range []struct {
		keys []string
		open bool
	}{{open, true}, {hold, false}} {
		if len(step.keys) == 0 {
			continue
		}
		sent, err := st.gateRequest(ctx, step.keys, step.open)
		if err != nil {
			st.m.log.Warn("gate of patched calls", "keys", step.keys, "open", step.open, "err", err)
		}
		if !sent {
			done = false
			continue
		}
		st.mu.Lock()
		for _, k := range step.keys {
			st.gated(k, !step.open)
		}
		st.mu.Unlock()
		if !step.open {
			st.report(heldLine(names))
		}
	}
	return done
}

// gateRequest sets or opens the gates of keys over the agent's socket, and
// reports whether the agent took it: not while the program is paused,
// where it would run the program in an injected call the user did not
// ask for (and which would make the client's continue fail), nor when
// the agent cannot answer now. The caller has the turn.
func (st *session) gateRequest(ctx context.Context, keys []string, open bool) (sent bool, err error) {
	refs := keyRefs(keys) // session.go
	sctx, cancel := context.WithTimeout(ctx, socketTimeout)
	defer cancel()
	c, err := st.client(sctx)
	if err != nil {
		return final(err), err // the program is gone: nothing is held
	}
	sock, ok := c.(*agentclient.SocketClient)
	if !ok {
		return false, nil
	}
	err = sock.Gate(sctx, refs, open)
	st.t.SocketDone(sock, err)
	var ae *agentclient.AgentError
	return err == nil || errors.As(err, &ae) && ae.Kind() != wire.ErrBusy, err
}

// gated records whether the agent holds the calls of key. The caller
// holds mu.
func (st *session) gated(key string, held bool) {
	if !held {
		delete(st.nat.gated, key)
		return
	}
	if st.nat.gated == nil {
		st.nat.gated = map[string]bool{}
	}
	st.nat.gated[key] = true
}

// heldLine says that the calls of the functions named wait for their
// native code.
func heldLine(names []string) string {
	return fmt.Sprintf("livepatch: calls of %s wait for the native code, where the breakpoint in it stops", strings.Join(names, ", "))
}
