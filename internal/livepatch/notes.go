package livepatch

import (
	"context"
	"fmt"
	"strings"

	"github.com/go-delve/delve/pkg/proc"
	"github.com/go-delve/delve/service/api"

	"github.com/livepatch/livepatch/internal/agentclient"
	"github.com/livepatch/livepatch/internal/change"
	"github.com/livepatch/livepatch/target/agent/wire"
)

// A patch takes effect at its function's next call. Two kinds of patched
// function will not show it where the user may look: one running now (a
// loop: that call keeps the body it started with), and one that ran at
// start-up and may never be called again (change.Build.StartupOnly says
// which functions only run once; the agent says which have run). After a
// change applies, the console says so once per function.
//
// Which goroutines are inside a call of a function comes from the debugger
// while the program is paused (the user goroutines' stacks, read from
// memory, with their ids) and from the agent while it runs (the goroutine
// profile, which the runtime gathers while the program runs; it counts
// the goroutines but does not name them): the debugger cannot read a
// running program without stopping it, and the agent, reached through call
// injection while the program is paused, cannot have the world stopped
// while the debugger holds goroutines stopped. See docs/design-notes/changes.md.

// funcCalls is what is known of the calls of a patched function: whether
// it ran, and the goroutines inside a call of it now, by id (from the
// debugger) or by number (from the agent).
type funcCalls struct {
	ran     bool
	ids     []int64
	running int
}

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
	var calls map[string]funcCalls
	var startup map[string]bool
	_, err := st.roundTrip(ctx, func(ctx context.Context, c agentclient.Client) error {
		var err error
		calls, startup, err = st.readCalls(ctx, c, ps)
		return err
	})
	if err != nil {
		st.m.log.Debug("calls of patched functions", "err", err)
		return nil
	}
	return notesOf(ps, calls, startup)
}

// readCalls returns what is known of the calls of the functions of ps, by
// key, and which of those on no stack are start-up functions. Over the
// socket, the agent answers with the goroutines' stacks; through call
// injection, the goroutines come from the debugger, and whether a start-up
// function on no stack ran from the agent. The rule for start-up
// functions is applied only to functions on no stack.
func (st *session) readCalls(ctx context.Context, c agentclient.Client, ps []pendingPatch) (map[string]funcCalls, map[string]bool, error) {
	out := map[string]funcCalls{}
	idle := func(ran bool) []string { // the keys on no stack
		var keys []string
		for _, p := range ps {
			if fc := out[p.Key]; fc.running == 0 && (fc.ran || !ran) {
				keys = append(keys, p.Key)
			}
		}
		return keys
	}
	b := st.m.changes.Build()
	if _, sock := c.(*agentclient.SocketClient); sock {
		refs := make([]wire.Ref, len(ps))
		for i, p := range ps {
			refs[i] = wire.Ref{Key: p.Key}
		}
		fcs, err := c.Calls(ctx, refs, true)
		for _, fc := range fcs {
			out[fc.Key] = funcCalls{ran: fc.Ran, running: fc.Running}
		}
		if err != nil {
			return nil, nil, err
		}
		return out, b.StartupOnly(ctx, idle(true)), nil
	}
	st.pausedGoroutines(ps, out)
	startup := b.StartupOnly(ctx, idle(false))
	if len(startup) == 0 {
		return out, startup, nil
	}
	var ask []wire.Ref
	for k := range startup {
		ask = append(ask, wire.Ref{Key: k})
	}
	fcs, err := c.Calls(ctx, ask, false)
	for _, fc := range fcs {
		out[fc.Key] = funcCalls{ran: fc.Ran}
	}
	return out, startup, err
}

// pausedGoroutines adds to out the goroutines of the paused program inside
// a call of a function of ps, from the debugger; the runtime's own
// goroutines run none. The target is stopped.
func (st *session) pausedGoroutines(ps []pendingPatch, out map[string]funcCalls) {
	d := st.t.Debugger()
	if d == nil {
		return
	}
	gs, _, err := d.Goroutines(0, 0)
	if err != nil {
		return
	}
	gs = d.FilterGoroutines(gs, []api.ListGoroutinesFilter{{Kind: api.GoroutineUser}})
	b := st.m.changes.Build()
	for _, g := range gs {
		frames, err := d.Stacktrace(g.ID, pausedStackDepth, api.StacktraceOptions(0))
		if err != nil {
			continue
		}
		for _, p := range ps {
			for i, f := range frames {
				if i == 0 && beforePrologue(b, p.Key, f) {
					break // stopped at its entry: this call dispatches to the patch
				}
				if f.Call.Fn != nil && (f.Call.Fn.Name == p.Name || f.Call.Fn.Name == p.Key) {
					fc := out[p.Key]
					fc.ran, fc.running = true, fc.running+1
					fc.ids = append(fc.ids, g.ID)
					out[p.Key] = fc
					break
				}
			}
		}
	}
}

// beforePrologue reports whether f, the innermost frame of a paused
// goroutine, is a call of the function key stopped on the line of its
// declaration (a breakpoint on the function): its dispatch prologue, the
// body's first statement, has not run, so the call takes the patch.
func beforePrologue(b *change.Build, key string, f proc.Stackframe) bool {
	fn, ok := b.Func(key)
	return ok && f.Call.Fn != nil && f.Call.Line == fn.Line && f.Call.File == fn.File
}

// notesOf returns the notes for the functions of ps: those running now,
// and the start-up functions that ran and are on no stack.
func notesOf(ps []pendingPatch, calls map[string]funcCalls, startup map[string]bool) []string {
	var lines []string
	for _, p := range ps {
		fc, known := calls[p.Key]
		switch {
		case !known:
		case fc.running > 0:
			lines = append(lines, fmt.Sprintf("note: %s is running now (%s): that call keeps its old body; the patch takes effect from its next call",
				p.Name, goroutineList(fc.ids, fc.running)))
		case fc.ran && startup[p.Key]:
			lines = append(lines, fmt.Sprintf("note: %s ran at start-up and is not running now: the patch takes effect only if it is called again", p.Name))
		}
	}
	return lines
}

// goroutineList names the goroutines running a call: by id when the
// debugger gave them, "goroutine 7", "goroutines 7, 9", at most
// maxNotedGoroutines of them and how many more; else by number, "in 3
// goroutines".
func goroutineList(ids []int64, n int) string {
	if len(ids) == 0 {
		if n == 1 {
			return "in 1 goroutine"
		}
		return fmt.Sprintf("in %d goroutines", n)
	}
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
