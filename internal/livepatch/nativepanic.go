package livepatch

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"time"

	"github.com/go-delve/delve/pkg/proc"
	"github.com/go-delve/delve/service/debugger"
)

// Panics in native patches. A plugin carries its own copy of the
// runtime's code (its data is the program's), and its code calls that
// copy: a panic in a native patch runs the plugin's runtime.fatalpanic,
// where Delve, which sets its breakpoints of unrecovered panics and fatal
// throws in the program's image only, never stops, and the program died
// of the panic with no stop. So after each native switch livepatch adds
// the plugin's copies of those functions to Delve's two breakpoints
// (armFatal), which Delve then reports as its own: an exception stop,
// exceptionInfo, the exception filters. Breakpoints are set while the
// program is stopped: when it runs, livepatch pauses it, and the pause's
// stop is held back from the client (holdPause) until the breakpoints
// are set and the program goes on; and at every stop while a patch is
// native, images not armed yet are (armNew), should a pause have missed.

// fatalState is what a session keeps of the plugins' fatal breakpoints.
type fatalState struct {
	pause   sync.Mutex          // one pause of livepatch's at a time
	pausing chan map[string]any // takes the stop of livepatch's pause; guarded by session.mu
	images  int                 // the images armFatal last saw; guarded by session.mu
	// pauses counts livepatch's pauses begun, and paused tells that one
	// is in progress (guarded by session.mu): a save applied meanwhile
	// finds the program stopped with no goroutine to inject its call in,
	// and is retried without a word (ownPause).
	pauses int
	paused bool
}

// pauseMark is where livepatch's own pauses stood: the pauses begun and
// whether one was in progress.
type pauseMark struct {
	pauses int
	paused bool
}

// pauseMark returns where livepatch's own pauses stand now. The caller
// holds mu.
func (st *session) pauseMark() pauseMark {
	return pauseMark{st.bps.fatal.pauses, st.bps.fatal.paused}
}

// ownPause reports whether livepatch's own pause was in progress at mark,
// is now, or began since. The caller holds mu.
func (st *session) ownPause(mark pauseMark) bool {
	return mark.paused || st.bps.fatal.paused || st.bps.fatal.pauses != mark.pauses
}

// fatalFuncs are the runtime functions of Delve's breakpoints of
// unrecovered panics and fatal throws, by the breakpoint's name.
var fatalFuncs = map[string][]string{
	proc.UnrecoveredPanic: {"runtime.fatalpanic"},
	proc.FatalThrow:       {"runtime.throw", "runtime.fatal", "runtime.fatalsignal"},
}

// armFatal adds to Delve's breakpoints of unrecovered panics and fatal
// throws their functions in the images of plugins that they do not have
// yet, and returns the number of images. A disabled one (its exception
// filter off) gets the addresses that enabling it sets. The target is
// stopped.
func armFatal(d *debugger.Debugger) int {
	tg, unlock := d.LockTargetGroup()
	defer unlock()
	t := tg.Selected
	bi := t.BinInfo()
	for _, lbp := range t.Breakpoints().Logical {
		for _, name := range fatalFuncs[lbp.Name] {
			fns, _ := bi.FindFunction(name)
			for _, fn := range fns {
				if fn.Entry == 0 || bi.PCToImage(fn.Entry) == bi.Images[0] {
					continue // Delve's own
				}
				pc, err := proc.FirstPCAfterPrologue(t, fn, false)
				at := proc.PidAddr{Pid: t.Pid(), Addr: pc}
				if err != nil || slices.Contains(lbp.Set.PidAddrs, at) {
					continue
				}
				if lbp.Enabled() {
					if _, err := t.SetBreakpoint(lbp.LogicalID, pc, proc.UserBreakpoint, nil); err != nil {
						continue
					}
				}
				lbp.Set.PidAddrs = append(lbp.Set.PidAddrs, at)
			}
		}
	}
	return len(bi.Images)
}

// arm runs armFatal and notes the images it saw.
func (st *session) arm(d *debugger.Debugger) {
	n := armFatal(d)
	st.mu.Lock()
	st.bps.fatal.images = n
	st.mu.Unlock()
}

// armNew arms the images loaded since armFatal last ran, at a stop while
// a patch is native. It waits for the target lock, which a running target
// holds: it runs on a goroutine of its own.
func (st *session) armNew(d *debugger.Debugger) {
	tg, unlock := d.LockTargetGroup()
	n := len(tg.Selected.BinInfo().Images)
	unlock()
	st.mu.Lock()
	armed := st.bps.fatal.images
	st.mu.Unlock()
	if n > armed {
		st.arm(d)
	}
}

// pauseWait bounds the wait for the stop of livepatch's pause.
const pauseWait = 5 * time.Second

// stopAtNativePanics makes Delve stop at unrecovered panics and fatal
// throws in the plugins' code too: at once while the program is paused,
// else in a pause of its own, whose stop holdPause hands over.
func (st *session) stopAtNativePanics(ctx context.Context) {
	d := st.s.Debugger()
	if d == nil {
		return
	}
	st.bps.fatal.pause.Lock()
	defer st.bps.fatal.pause.Unlock()
	if !d.IsRunning() {
		st.arm(d)
		return
	}
	held := make(chan map[string]any, 1)
	st.mu.Lock()
	st.bps.fatal.pausing = held
	st.bps.fatal.pauses++
	st.bps.fatal.paused = true
	st.mu.Unlock()
	defer func() {
		st.mu.Lock()
		st.bps.fatal.paused = false
		st.mu.Unlock()
	}()
	r, err := st.s.CallDelve(ctx, "pause", map[string]any{"threadId": 0})
	if err == nil && r.Success() {
		// Delve answers the pause once its halt is over, so that the
		// debugger runs nothing when the stop is handed over.
		select {
		case body := <-held:
			st.armAndGoOn(d, body)
			return
		case <-ctx.Done():
		case <-time.After(pauseWait):
		}
	}
	st.mu.Lock()
	st.bps.fatal.pausing = nil
	st.mu.Unlock()
	if !d.IsRunning() {
		st.arm(d)
	}
}

// holdPause reports whether the stop raw (a stopped event's body) is the
// pause of stopAtNativePanics, and hands it over; at any stop while a
// patch is native, it has the images not armed yet armed. It runs on the
// goroutine that reads Delve.
func (st *session) holdPause(raw json.RawMessage) bool {
	st.mu.Lock()
	held := st.bps.fatal.pausing
	native := false
	for _, p := range st.live {
		native = native || p.nativeFunc != ""
	}
	st.mu.Unlock()
	if d := st.s.Debugger(); native && d != nil {
		go st.armNew(d)
	}
	if held == nil {
		return false
	}
	var body map[string]any
	if json.Unmarshal(raw, &body) != nil || body["reason"] != "pause" {
		return false
	}
	st.mu.Lock()
	st.bps.fatal.pausing = nil
	st.mu.Unlock()
	held <- body
	return true
}

// armAndGoOn sets the breakpoints at the stop of livepatch's pause, body,
// and continues, unless a goroutine stopped at a breakpoint meanwhile (or
// Delve refuses to continue): the client then gets that stop.
func (st *session) armAndGoOn(d *debugger.Debugger, body map[string]any) {
	st.arm(d)
	if !st.otherStop(d, -1, body) {
		r, err := st.s.CallDelve(st.ctx, "continue", map[string]any{"threadId": body["threadId"]})
		if err == nil && r.Success() {
			return
		}
	}
	st.clientStop(body)
	st.s.SendEvent("stopped", body)
}
