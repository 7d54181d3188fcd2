package livepatch

import (
	"context"
	"fmt"
	"strings"

	"github.com/go-delve/delve/service/api"

	"github.com/livepatch/livepatch/internal/agentclient"
	"github.com/livepatch/livepatch/target/agent"
)

// A patch takes effect at its function's next call. Two kinds of patched
// function will not show it where the user may look: one running now (a
// loop: that call keeps the body it started with), and one that ran at
// start-up and may never be called again (change.Build.StartupOnly says
// which functions only run once; the agent says which have run). After a
// change applies, the console says so once per function.
//
// Which goroutines are inside a call of a function comes from the debugger
// while the program is paused (every goroutine's stack, read from memory)
// and from the agent while it runs (runtime.Stack inside the program,
// which stops it for the time the runtime takes to write the stacks): the
// debugger cannot read a running program without stopping it, and the
// agent, reached through call injection while the program is paused,
// cannot stop the world while the debugger holds goroutines stopped.

// maxNotedGoroutines bounds the goroutines a note names.
const maxNotedGoroutines = 4

// pausedStackDepth bounds the frames read of each goroutine's stack while
// the program is paused.
const pausedStackDepth = 64

// callNotes returns the notes of the functions of ps, just patched, that
// are running now or ran only at start-up: none when the agent cannot
// answer (the patches are live either way). The caller has the turn and
// does not hold mu.
func (st *session) callNotes(ctx context.Context, ps []pendingPatch) []string {
	if len(ps) == 0 {
		return nil
	}
	keys := make([]string, len(ps))
	refs := make([]agent.Ref, len(ps))
	for i, p := range ps {
		keys[i], refs[i] = p.Key, agent.Ref{Key: p.Key}
	}
	startup := st.m.changes.Build().StartupOnly(ctx, keys)
	var calls map[string]agent.FuncCalls
	_, err := st.roundTrip(ctx, func(ctx context.Context, c agentclient.Client) error {
		var err error
		calls, err = st.readCalls(ctx, c, ps, refs, startup)
		return err
	})
	if err != nil {
		st.m.log.Debug("calls of patched functions", "err", err)
		return nil
	}
	return notesOf(ps, calls, startup)
}

// readCalls returns what is known of the calls of the functions of ps, by
// key: over the socket, the agent's answer with the goroutines' stacks;
// through call injection, the goroutines from the debugger and, when a
// start-up function is on no stack, whether it ran from the agent.
func (st *session) readCalls(ctx context.Context, c agentclient.Client, ps []pendingPatch, refs []agent.Ref, startup map[string]bool) (map[string]agent.FuncCalls, error) {
	out := map[string]agent.FuncCalls{}
	if _, sock := c.(*agentclient.SocketClient); sock {
		fcs, err := c.Calls(ctx, refs, true)
		for _, fc := range fcs {
			out[fc.Key] = fc
		}
		return out, err
	}
	st.pausedGoroutines(ps, out)
	var ask []agent.Ref
	for _, p := range ps {
		if startup[p.Key] && len(out[p.Key].Goroutines) == 0 {
			ask = append(ask, agent.Ref{Key: p.Key})
		}
	}
	if len(ask) == 0 {
		return out, nil
	}
	fcs, err := c.Calls(ctx, ask, false)
	for _, fc := range fcs {
		fc.Goroutines = out[fc.Key].Goroutines
		out[fc.Key] = fc
	}
	return out, err
}

// pausedGoroutines adds to out the goroutines of the paused program inside
// a call of a function of ps, from the debugger. The target is stopped.
func (st *session) pausedGoroutines(ps []pendingPatch, out map[string]agent.FuncCalls) {
	d := st.t.Debugger()
	if d == nil {
		return
	}
	gs, _, err := d.Goroutines(0, 0)
	if err != nil {
		return
	}
	for _, g := range gs {
		frames, err := d.Stacktrace(g.ID, pausedStackDepth, api.StacktraceOptions(0))
		if err != nil {
			continue
		}
		for _, p := range ps {
			for _, f := range frames {
				if f.Call.Fn != nil && (f.Call.Fn.Name == p.Name || f.Call.Fn.Name == p.Key) {
					fc := out[p.Key]
					fc.Key, fc.Ran = p.Key, true
					fc.Goroutines = append(fc.Goroutines, g.ID)
					out[p.Key] = fc
					break
				}
			}
		}
	}
}

// notesOf returns the notes for the functions of ps: those running now,
// and the start-up functions that ran and are on no stack.
func notesOf(ps []pendingPatch, calls map[string]agent.FuncCalls, startup map[string]bool) []string {
	var lines []string
	for _, p := range ps {
		fc, known := calls[p.Key]
		switch {
		case !known:
		case len(fc.Goroutines) > 0:
			lines = append(lines, fmt.Sprintf("note: %s is running now (%s): that call keeps its old body; the patch takes effect from its next call",
				p.Name, goroutineList(fc.Goroutines)))
		case fc.Ran && startup[p.Key]:
			lines = append(lines, fmt.Sprintf("note: %s ran at start-up and is not running now: the patch takes effect only if it is called again", p.Name))
		}
	}
	return lines
}

// goroutineList names goroutines: "goroutine 7", "goroutines 7, 9", at
// most maxNotedGoroutines of them and how many more.
func goroutineList(ids []int64) string {
	s := "goroutine "
	if len(ids) > 1 {
		s = "goroutines "
	}
	var names []string
	for _, id := range ids[:min(len(ids), maxNotedGoroutines)] {
		names = append(names, fmt.Sprint(id))
	}
	s += strings.Join(names, ", ")
	if more := len(ids) - maxNotedGoroutines; more > 0 {
		s += fmt.Sprintf(" and %d more", more)
	}
	return s
}
