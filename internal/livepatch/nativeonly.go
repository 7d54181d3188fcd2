package livepatch

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/livepatch/livepatch/internal/agentclient"
	"github.com/livepatch/livepatch/internal/change"
	"github.com/livepatch/livepatch/internal/native"
	"github.com/livepatch/livepatch/target/agent/wire"
)

// TierWaiting is the tier of a change that only the native tier can take
// (change.Plan.NativeOnly), from its save until its plugin is loaded: the
// function runs as before (compiled, or its earlier live patch) meanwhile.
const TierWaiting = "waiting for its native build"

// nativeMode says what the native tier can take of the next save. The
// caller holds mu.
func (st *session) nativeMode() change.NativeMode {
	switch {
	case st.m.opts.NoNative:
		return change.NativeMode{Off: "the native tier, which could build it, is off"}
	case st.nat.off != "":
		return change.NativeMode{Off: "the native tier, which could build it, is unavailable: " + st.nat.off}
	case st.m.changes.Build().Native() == nil:
		return change.NativeMode{Off: "the native tier cannot build for this program: its build recorded no plugin settings (a restart rebuilds it)"}
	}
	return change.NativeMode{On: true}
}

// applyNativeOnly starts the native build of a planned save that only the
// native tier can take, and says that it waits for it; the functions
// switch to the plugin when it is loaded (nativeBuilt), replacing their
// live patches or their compiled code. Until then they are live patches
// of TierWaiting. What the save reverts is reverted at once. It returns
// an *unreachableError when the agent could not be reached for the
// reverts, as applySave says.
func (st *session) applyNativeOnly(ctx context.Context, pl *change.Plan, ps []pendingPatch, unsee func()) error {
	// The waiting patches are recorded before the build starts, so that a
	// build that fails at once finds them to put back.
	st.mu.Lock()
	off, restarts := st.nat.off, st.restarts
	full := st.nat.loadedIn == restarts && st.nat.loaded >= maxPlugins
	for i := range ps {
		ps[i].fresh = true
		prev := st.live[ps[i].Key]
		if prev != nil && prev.Tier == TierWaiting {
			prev = prev.replaced // what runs: the earlier wait's build is cancelled
		}
		ps[i].prev = prev
		lp := ps[i].Patch
		lp.Tier, lp.agentSource, lp.replaced = TierWaiting, ps[i].patch.Source, prev
		st.live[ps[i].Key] = &lp
	}
	st.mu.Unlock()
	var err error
	switch {
	case off != "":
		err = &native.UnavailableError{Reason: off}
	case full:
		err = errTooManyPlugins
	default:
		err = st.startNative(ctx, ps, restarts)
	}
	if err != nil {
		st.dropWaiting(ps)
		st.report(fmt.Sprintf("livepatch: %s: nothing of this save was applied: %s, and %s", patchNames(ps), pl.NativeOnly, nativeWhy(err)))
		return nil
	}
	if err := st.revert(ctx, pl.Revert); err != nil {
		st.nat.builder.Cancel(pendingKeys(ps))
		st.dropWaiting(ps)
		if isUnreachable(err) {
			unsee()
			return err
		}
		st.report("livepatch: revert failed: " + err.Error())
		return nil
	}
	lines := []string{fmt.Sprintf("livepatch: waiting for the native build: %s: %s", patchNames(ps), pl.NativeOnly)}
	lines = append(lines, pl.Notes.Strings()...)
	st.report(lines...)
	return nil
}

// nativeWhy says why a change that only the native tier can take does
// not go live.
func nativeWhy(err error) string {
	var ue *native.UnavailableError
	var nc *native.NotCoveredError
	switch {
	case errors.As(err, &ue):
		return "the native tier is unavailable: " + ue.Reason
	case errors.As(err, &nc):
		return "the native tier does not cover this yet: " + nc.Reason
	case errors.Is(err, errTooManyPlugins):
		return err.Error()
	}
	return "its native build failed: " + err.Error()
}

// freshFailed says that ps, a change that only the native tier can take,
// did not go live, and puts back what their waiting patches replaced.
func (st *session) freshFailed(ps []pendingPatch, err error) {
	st.dropWaiting(ps)
	st.report(fmt.Sprintf("livepatch: %s: not applied: %s", patchNames(ps), nativeWhy(err)))
}

// dropWaiting puts back, for each of ps still waiting for its native
// build, the live patch it replaced, if any.
func (st *session) dropWaiting(ps []pendingPatch) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, p := range ps {
		lp := st.live[p.Key]
		if lp == nil || lp.Tier != TierWaiting || lp.agentSource != p.patch.Source {
			continue
		}
		if p.prev != nil {
			st.live[p.Key] = p.prev
		} else {
			delete(st.live, p.Key)
		}
	}
}

// pendingKeys returns the keys of ps.
func pendingKeys(ps []pendingPatch) []string {
	keys := make([]string, len(ps))
	for i, p := range ps {
		keys[i] = p.Key
	}
	return keys
}

// interpreterCannot returns why the native tier should take ps, a change
// the agent refused, instead: the interpreter refused to compile it (a
// construct it lacks or would run otherwise than Go) and the tier can
// build it; "" when the refusal stands.
func (st *session) interpreterCannot(err error, ps []pendingPatch) string {
	var ae *agentclient.AgentError
	if !errors.As(err, &ae) {
		return ""
	}
	kinds := []wire.ErrorKind{ae.Kind()}
	if len(ae.Failures) > 0 {
		kinds = kinds[:0]
		for _, f := range ae.Failures {
			kinds = append(kinds, f.Kind)
		}
	}
	for _, k := range kinds {
		if k != wire.ErrCompile && k != wire.ErrUnsupported && k != wire.ErrInterpreter {
			return ""
		}
	}
	for _, p := range ps {
		if p.checked == nil {
			return ""
		}
	}
	st.mu.Lock()
	on := st.nativeMode().On
	st.mu.Unlock()
	if !on {
		return ""
	}
	msg, _, _ := strings.Cut(err.Error(), "\n")
	return "the interpreter cannot take it (" + msg + ")"
}
