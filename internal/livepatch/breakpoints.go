package livepatch

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"

	"github.com/google/go-dap"

	"github.com/livepatch/livepatch/internal/dapproxy"
)

// firstOwnID numbers the breakpoints that Delve does not hold (those it
// cannot have, unverified with the reason): far above Delve's own ids.
const firstOwnID = 1 << 20

// breakpointState is what a session keeps of the client's source
// breakpoints, to translate their lines between the file the user sees
// and the compiled one, and to re-verify them after each save.
type breakpointState struct {
	sources map[string]*sourceBreakpoints // by the client's path
	alias   map[int]int                   // Delve's id -> the id the client knows, where they differ
	nextID  int
	native  nativeBreakpoints // those in native patches (nativebps.go)
	fatal   fatalState        // the plugins' fatal breakpoints (nativepanic.go)
}

// sourceBreakpoints are the breakpoints of one source as the client last
// set them and was told about them.
type sourceBreakpoints struct {
	args    dap.SetBreakpointsArguments // lines as the client sees them now
	told    []dap.Breakpoint            // in the order of args.Breakpoints
	anchors []int                       // the compiled line of each, 0 for none
	text    []byte                      // the file's text the lines are of
	fwd     []dap.SourceBreakpoint      // what Delve was last asked to set
	delve   []dap.Breakpoint            // and its answer
}

// setBreakpoints answers setBreakpoints: the lines of the client's
// breakpoints are lines of the file as last saved, which Delve gets as
// the compiled file's lines; lines that the running code does not have
// (changed since the build, or in a patched function) are answered
// unverified with the reason.
func (m *Manager) setBreakpoints(ctx context.Context, s *dapproxy.Session, raw json.RawMessage) (any, error) {
	var args dap.SetBreakpointsArguments
	if err := json.Unmarshal(raw, &args); err != nil || args.Source.Path == "" || s.Debugger() == nil {
		return s.CallDelve(ctx, "setBreakpoints", raw)
	}
	st := m.session(ctx, s)
	sb, failed, err := st.setSource(ctx, args, st.knownIDs(args))
	if failed != nil || err != nil {
		return failed, err
	}
	st.syncGatesLater() // gates.go
	return map[string]any{"breakpoints": sb.told}, nil
}

// setSource sets the breakpoints of args (lines of the current file) in
// Delve, at their compiled lines, and records what the client is told.
// ids are the ids the client knows of args' breakpoints, when it has been
// told of them, else nil. A response of Delve's that is not a success is
// returned as it is.
func (st *session) setSource(ctx context.Context, args dap.SetBreakpointsArguments, ids []int) (*sourceBreakpoints, *dapproxy.DelveResponse, error) {
	pl := st.planSource(args)
	native, failed, err := st.setNative(ctx, args.Source.Path, pl.natives)
	if failed != nil || err != nil {
		return nil, failed, err
	}
	delve, failed, err := st.setCompiled(ctx, args, pl)
	if failed != nil || err != nil {
		return nil, failed, err
	}
	return st.recordSource(args, pl, delve, native, ids), nil, nil
}

// sourcePlan is where the breakpoints of one setBreakpoints go.
type sourcePlan struct {
	fp      *filePositions
	places  []placement            // by breakpoint of the request
	fwd     []dap.SourceBreakpoint // Delve's, at compiled lines
	natives []nativeBP             // in native patches
	prev    *sourceBreakpoints     // the source's before
	text    []byte                 // the file's text the lines are of
}

// planSource places the breakpoints of args. Their lines are those of the
// file on disk, which the watcher may not have read yet (an editor sends
// its breakpoints as it saves).
func (st *session) planSource(args dap.SetBreakpointsArguments) sourcePlan {
	path := args.Source.Path
	disk, _ := os.ReadFile(path)
	if len(disk) == 0 {
		disk = nil // gone, or being written: as last seen
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	pl := sourcePlan{fp: st.positionsIn(path, disk), places: make([]placement, len(args.Breakpoints)), prev: st.bps.sources[path], text: disk}
	if disk == nil {
		pl.text = st.seen[filepath.Clean(path)]
	}
	for i, b := range args.Breakpoints {
		p := st.place(pl.fp, path, b.Line)
		if p.compiled > 0 {
			b.Line = p.compiled
			pl.fwd = append(pl.fwd, b)
		} else if p.patch != nil {
			var nbp nativeBP
			if nbp, p.reason = st.nativeBreakpoint(path, disk, b, p.patch); p.reason == "" {
				pl.natives = append(pl.natives, nbp)
			}
		}
		pl.places[i] = p
	}
	return pl
}

// setCompiled sets pl's breakpoints at compiled lines in Delve (unless
// Delve holds them already) and returns its answer.
func (st *session) setCompiled(ctx context.Context, args dap.SetBreakpointsArguments, pl sourcePlan) ([]dap.Breakpoint, *dapproxy.DelveResponse, error) {
	if pl.prev != nil && reflect.DeepEqual(pl.prev.fwd, pl.fwd) {
		return pl.prev.delve, nil, nil
	}
	args.Breakpoints, args.Lines = pl.fwd, nil
	if pl.fwd == nil {
		args.Breakpoints = []dap.SourceBreakpoint{}
	}
	r, err := st.s.CallDelve(ctx, "setBreakpoints", args)
	if err != nil || !r.Success() {
		return nil, r, err
	}
	var body dap.SetBreakpointsResponseBody
	if err := json.Unmarshal(r.Body(), &body); err != nil {
		return nil, nil, fmt.Errorf("setBreakpoints: %w", err)
	}
	return body.Breakpoints, nil, nil
}

// recordSource records and returns what the client is told of args'
// breakpoints, in its order: Delve's answers, at current lines, and the
// unverified ones with their reasons.
func (st *session) recordSource(args dap.SetBreakpointsArguments, pl sourcePlan, delve, native []dap.Breakpoint, ids []int) *sourceBreakpoints {
	st.mu.Lock()
	defer st.mu.Unlock()
	n := len(args.Breakpoints)
	sb := &sourceBreakpoints{args: args, fwd: pl.fwd, delve: delve, told: make([]dap.Breakpoint, n), anchors: make([]int, n), text: pl.text}
	k, nk := 0, 0
	for i, b := range args.Breakpoints {
		var out dap.Breakpoint
		switch p := pl.places[i]; {
		case p.compiled > 0 && k < len(delve):
			out = delve[k]
			k++
			sb.anchors[i] = p.compiled
			if out.Line > 0 {
				out.Line = pl.fp.currentLine(out.Line)
			}
		case p.patch != nil && p.reason == "" && nk < len(native):
			out = native[nk] // at the plugin's lines (pluginlines.go)
			nk++
			if out.Line > 0 {
				out.Line = st.pluginToCurrent(p.patch, out.Line)
			}
			sb.anchors[i] = p.asBuilt
		default:
			out = dap.Breakpoint{Message: p.reason}
			if p.patch != nil {
				sb.anchors[i] = p.asBuilt
			}
		}
		if !out.Verified {
			out.Line = b.Line
			src := args.Source
			out.Source = &src
		}
		out.Id = st.bps.clientID(out.Id, ids, i)
		sb.told[i] = out
	}
	if st.bps.sources == nil {
		st.bps.sources = map[string]*sourceBreakpoints{}
	}
	st.bps.sources[args.Source.Path] = sb
	return sb
}

// knownIDs returns the ids the client was told of the breakpoints of
// args that it had at the same lines, 0 for the others, so that a
// breakpoint keeps its id while the client sets the others.
func (st *session) knownIDs(args dap.SetBreakpointsArguments) []int {
	st.mu.Lock()
	defer st.mu.Unlock()
	prev := st.bps.sources[args.Source.Path]
	if prev == nil {
		return nil
	}
	ids := make([]int, len(args.Breakpoints))
	for i, b := range args.Breakpoints {
		for _, t := range prev.told {
			if t.Line == b.Line && !slices.Contains(ids, t.Id) {
				ids[i] = t.Id
				break
			}
		}
	}
	return ids
}

// clientID returns the id the client knows the breakpoint by: the one it
// was told before (ids[i]), which Delve's id delveID then stands for, else
// Delve's, else a new one of livepatch's. The caller holds session.mu.
func (bs *breakpointState) clientID(delveID int, ids []int, i int) int {
	known := 0
	if i < len(ids) {
		known = ids[i]
	}
	switch {
	case known != 0 && delveID != 0 && known != delveID:
		if bs.alias == nil {
			bs.alias = map[int]int{}
		}
		bs.alias[delveID] = known
		return known
	case known != 0:
		return known
	case delveID != 0:
		return delveID
	}
	if bs.nextID == 0 {
		bs.nextID = firstOwnID
	}
	bs.nextID++
	return bs.nextID
}

// patchedReason says why a breakpoint at line n of path, in the function
// of live patch p, is not set. The caller holds mu.
func (st *session) patchedReason(path string, n int, p *Patch) string {
	pos := fmt.Sprintf("%s:%d", filepath.Base(path), n)
	if st.m.opts.NoNative || st.nat.off != "" {
		return fmt.Sprintf("%s: %s runs patched, interpreted, where breakpoints do not stop yet", pos, p.Name)
	}
	if why := st.nat.stays[p.Key]; why != "" {
		return fmt.Sprintf("%s: %s runs patched, interpreted, where breakpoints do not stop yet (it stays interpreted: %s)", pos, p.Name, why)
	}
	return fmt.Sprintf("%s: %s runs patched, interpreted: the breakpoint becomes active when the patch goes native", pos, p.Name)
}

// followEdits re-verifies the client's breakpoints after the files or the
// live patches changed: each keeps its place in the code (its compiled
// line, or its line in the file), and the client gets a breakpoint event
// for each whose line or state changed.
func (st *session) followEdits(ctx context.Context) {
	if st.s.Debugger() == nil {
		return
	}
	st.mu.Lock()
	var all []*sourceBreakpoints
	for _, sb := range st.bps.sources {
		all = append(all, sb)
	}
	st.mu.Unlock()
	for _, old := range all {
		args := old.args
		args.Breakpoints = append([]dap.SourceBreakpoint(nil), old.args.Breakpoints...)
		ids := make([]int, len(old.told))
		st.mu.Lock()
		for i := range args.Breakpoints {
			if a := old.anchors[i]; a > 0 {
				args.Breakpoints[i].Line = st.currentLine(args.Source.Path, a)
			} else {
				args.Breakpoints[i].Line = st.movedLine(args.Source.Path, old.text, args.Breakpoints[i].Line)
			}
			ids[i] = old.told[i].Id
		}
		st.mu.Unlock()
		sb, _, err := st.setSource(ctx, args, ids)
		if err != nil || sb == nil {
			st.m.log.Warn("re-verifying breakpoints", "path", args.Source.Path, "err", err)
			continue
		}
		for i, b := range sb.told {
			if o := old.told[i]; o.Line != b.Line || o.Verified != b.Verified || o.Message != b.Message {
				st.s.SendEvent("breakpoint", dap.BreakpointEventBody{Reason: "changed", Breakpoint: b})
			}
		}
	}
	st.followFuncs(ctx) // funcbps.go
	st.syncGatesLater() // gates.go
}

// breakpointEvent translates a breakpoint event of Delve's: the line to
// the current file's, the id to the one the client knows.
func (m *Manager) breakpointEvent(s *dapproxy.Session, raw json.RawMessage) (json.RawMessage, bool) {
	var body dap.BreakpointEventBody
	if err := json.Unmarshal(raw, &body); err != nil {
		return nil, true
	}
	st := m.existing(s)
	if st == nil {
		return nil, true
	}
	st.mu.Lock()
	if st.into.ids[body.Breakpoint.Id] { // a step's own (stepinto.go)
		st.mu.Unlock()
		return nil, false
	}
	key, native := st.bps.native.ids[body.Breakpoint.Id]
	if id, ok := st.bps.alias[body.Breakpoint.Id]; ok {
		body.Breakpoint.Id = id
	}
	if native && body.Breakpoint.Line > 0 {
		body.Breakpoint.Line = st.pluginToCurrent(st.live[key], body.Breakpoint.Line)
	} else if src := body.Breakpoint.Source; src != nil && body.Breakpoint.Line > 0 {
		body.Breakpoint.Line = st.currentLine(src.Path, body.Breakpoint.Line)
	}
	st.mu.Unlock()
	out, _ := json.Marshal(body)
	return out, true
}

// stoppedEvent gives the ids of the breakpoints hit as the client knows
// them, and holds back a step's stop in the compiled function of a native
// patch, to step on (followStep), a stop at a log point in a native
// patch, to say its message and go on (sayLog), and the stop that ends a
// step into interpreted patches (holdStepInto).
func (m *Manager) stoppedEvent(s *dapproxy.Session, raw json.RawMessage) (json.RawMessage, bool) {
	st := m.existing(s)
	if st == nil {
		return nil, true
	}
	if st.holdPause(raw) || st.holdLog(raw) || st.holdStepInto(raw) {
		return nil, false
	}
	return st.passStop(raw)
}

// passStop is stoppedEvent past the stops of livepatch's own pauses, of
// native log points and of steps into interpreted patches.
func (st *session) passStop(raw json.RawMessage) (json.RawMessage, bool) {
	if st.holdStep(raw) {
		return nil, false
	}
	st.mu.Lock()
	alias := len(st.bps.alias) > 0 || len(st.bps.native.ids) > 0
	st.mu.Unlock()
	if !alias {
		return nil, true
	}
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		return nil, true
	}
	st.clientStop(body)
	out, _ := json.Marshal(body)
	return out, true
}

// clientStop makes body, a stopped event's, the client's: the breakpoints
// hit by the ids the client knows, a stop at a native patch's breakpoint
// (a function breakpoint to Delve) a breakpoint's.
func (st *session) clientStop(body map[string]any) {
	ids, _ := body["hitBreakpointIds"].([]any)
	st.mu.Lock()
	defer st.mu.Unlock()
	for i, v := range ids {
		f, ok := v.(float64)
		if !ok {
			continue
		}
		if _, ok := st.bps.native.ids[int(f)]; ok {
			body["reason"] = "breakpoint" // not the function breakpoint it is to Delve
		}
		if id, ok := st.bps.alias[int(f)]; ok {
			ids[i] = id
		}
	}
}

// outputEvent gives a log point's output (an output event of Delve's with
// a source and line) the line of the current file.
func (m *Manager) outputEvent(s *dapproxy.Session, raw json.RawMessage) (json.RawMessage, bool) {
	st := m.existing(s)
	if st == nil {
		return nil, true
	}
	st.mu.Lock()
	note := st.stepNote(raw) // stepinto.go
	st.mu.Unlock()
	if note {
		return nil, false
	}
	if !bytes.Contains(raw, []byte(`"line"`)) {
		return nil, true
	}
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		return nil, true
	}
	src, _ := body["source"].(map[string]any)
	path, _ := src["path"].(string)
	line, ok := body["line"].(float64)
	if path == "" || !ok {
		return nil, true
	}
	st.mu.Lock()
	cur := st.currentLine(path, int(line))
	st.mu.Unlock()
	if cur == int(line) {
		return nil, true
	}
	body["line"] = cur
	out, _ := json.Marshal(body)
	return out, true
}
