package repatch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/livepatch/livepatch/internal/agentclient"
	"github.com/livepatch/livepatch/target/agent/wire"
)

// holdLimit is how long a test binary waits, held, for the patches.
const holdLimit = 10 * time.Minute

// defaultTestTimeout is go test's default -timeout.
const defaultTestTimeout = "10m0s"

// heldRun is one run of a patchable test binary.
type heldRun struct {
	bin, dir, pkg string
	env           []string
	args          []string // test binary flags
	patches       []wire.Patch
	log           *slog.Logger
	faults        *faults // when not nil, gathers the agent's interpreter faults
	// native, when not nil, holds the functions compiled natively, to
	// which the agent switches the replaced ones before the release; the
	// outcome goes into tiers.
	native []*nativePlugin
	tiers  *nativeOutcome
}

// runHeld starts the test binary held, applies the patches over its
// agent's socket (dropping the functions the agent refuses until the rest
// applies), releases it and returns the results of its tests, read from
// its -test.v=test2json output through `go tool test2json`, with the keys
// of the functions that ran interpreted and the refused ones.
func runHeld(ctx context.Context, r heldRun) (res Results, replaced []string, refused []Refusal, err error) {
	ep, err := agentclient.NewEndpoint()
	if err != nil {
		return res, nil, nil, err
	}
	defer ep.Remove()
	if r.faults != nil {
		ep.FollowLog(r.faults.note)
	}
	h := &heldProcs{pkg: r.pkg}
	defer h.stop()
	if err := h.startBinary(ctx, r, ep); err != nil {
		return res, nil, nil, err
	}
	if err := h.startTest2json(ctx, r); err != nil {
		return res, nil, nil, err
	}
	h.copyOutput()
	if err := h.awaitHold(ctx); err != nil {
		return res, nil, nil, err
	}
	replaced, refused, err = patchAndRelease(ctx, ep, r)
	if err != nil {
		return res, replaced, refused, err
	}
	res, err = h.collect()
	return res, replaced, refused, err
}

// patchAndRelease dials the held binary's agent, applies r.patches as
// applyAll does and releases the binary.
func patchAndRelease(ctx context.Context, ep *agentclient.Endpoint, r heldRun) (replaced []string, refused []Refusal, err error) {
	// Compiling every function of a package can take the agent longer than
	// the client's default deadline for one request on a loaded machine;
	// the binary waits for as long as it is held.
	pctx, cancel := context.WithTimeout(ctx, holdLimit)
	defer cancel()
	c, err := ep.Dial(pctx)
	if err != nil {
		return nil, nil, err
	}
	replaced, refused, aerr := applyAll(pctx, c, r.patches, r.log)
	if aerr == nil && r.tiers != nil {
		*r.tiers = switchNative(pctx, c, r.native, r.patches, replaced) // native.go
	}
	if aerr == nil {
		aerr = c.Release(pctx)
	}
	c.Close()
	if aerr != nil {
		return replaced, refused, fmt.Errorf("patch the test binary: %w", aerr)
	}
	return replaced, refused, nil
}

// applyAll applies patches as one set; while the agent refuses some of
// them, it drops those and applies the rest. It returns the keys applied,
// sorted, and the refusals.
func applyAll(ctx context.Context, c *agentclient.SocketClient, patches []wire.Patch, log *slog.Logger) ([]string, []Refusal, error) {
	var refused []Refusal
	for len(patches) > 0 {
		start := time.Now()
		err := c.Apply(ctx, patches)
		log.Debug("apply", "patches", len(patches), "took", time.Since(start), "err", err != nil)
		if err == nil {
			break
		}
		var ae *agentclient.AgentError
		if !errors.As(err, &ae) || len(ae.Failures) == 0 {
			return nil, refused, err
		}
		bad := map[string]wire.Error{}
		for _, f := range ae.Failures {
			bad[f.Func] = f
		}
		var rest []wire.Patch
		for _, p := range patches {
			if f, ok := bad[p.Key]; ok {
				refused = append(refused, Refusal{Key: p.Key, Stage: StageAgent, Group: agentGroup(f), Message: f.Error()})
			} else {
				rest = append(rest, p)
			}
		}
		if len(rest) == len(patches) {
			return nil, refused, err // refusals of functions not in the set
		}
		patches = rest
	}
	keys := make([]string, len(patches))
	for i, p := range patches {
		keys[i] = p.Key
	}
	sort.Strings(keys)
	return keys, refused, nil
}
