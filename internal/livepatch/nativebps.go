package livepatch

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/google/go-dap"

	"github.com/livepatch/livepatch/internal/change"
	"github.com/livepatch/livepatch/internal/dapproxy"
)

// Breakpoints in native patches are Delve function breakpoints at a line
// of the plugin's function ("path/lp_native_1_2.LpNative0:2", counted from
// the function's first line): the plugin's lines are the saved file's (its
// //line directives), and the function names the plugin's code alone,
// where a file:line breakpoint would also match the compiled code at that
// line number. Delve holds one list of function breakpoints, so the
// client's own (setFunctionBreakpoints) and these are sent together, the
// client's first. Function breakpoints have no log message: livepatch
// says a log point's message itself (nativelog.go).

// nativeBreakpoints are a session's breakpoints in native patches.
type nativeBreakpoints struct {
	client []dap.FunctionBreakpoint    // the client's own function breakpoints
	sent   []dap.FunctionBreakpoint    // and as Delve last got them (funcbps.go)
	told   []int                       // the ids the client was told of them
	shown  []dap.Breakpoint            // and what it was told of them
	bySrc  map[string][]nativeBP       // by the client's path
	answer map[string][]dap.Breakpoint // Delve's answer for bySrc's
	ids    map[int]string              // Delve's ids of bySrc's: their patches' keys
	logs   map[int]logPoint            // the log points among them, by Delve's id
}

// nativeBP is a breakpoint in a native patch: the function breakpoint
// Delve holds, and the log point it is when log.parts is not nil.
type nativeBP struct {
	fb  dap.FunctionBreakpoint
	key string // the live patch's
	log logPoint
}

// nativeBreakpoint returns the breakpoint at line b.Line of path, whose
// text is cur (nil: as last seen), in the plugin's code of p, or the
// reason there is none. The caller holds mu.
func (st *session) nativeBreakpoint(path string, cur []byte, b dap.SourceBreakpoint, p *Patch) (nativeBP, string) {
	if p.Tier != TierNative || p.nativeFunc == "" {
		return nativeBP{}, st.patchedReason(path, b.Line, p)
	}
	log, err := parseLogPoint(path, b.Line, b.LogMessage)
	if err != nil {
		return nativeBP{}, fmt.Sprintf("%s:%d: %v", filepath.Base(path), b.Line, err)
	}
	// The plugin has the lines of the file as saved when the patch was
	// made (pluginlines.go).
	at := st.currentToPlugin(p, cur, b.Line)
	if at == 0 {
		return nativeBP{}, changedSincePatch(path, b.Line, p)
	}
	// Delve counts the line from the function's first (its //line
	// directive's, the declaration's line in the saved file).
	fb := dap.FunctionBreakpoint{Name: p.nativeFunc + ":" + strconv.Itoa(at-p.Line), Condition: b.Condition, HitCondition: b.HitCondition}
	return nativeBP{fb: fb, key: p.Key, log: log}, ""
}

// changedSincePatch says why a breakpoint at line n of path, in the
// function of native patch p, is not set: the line changed since.
func changedSincePatch(path string, n int, p *Patch) string {
	return fmt.Sprintf("%s:%d: this line of %s changed since its live patch and the change is not live (the console says why); restart to debug the new code", filepath.Base(path), n, p.Name)
}

// setNative sets the breakpoints in native patches of one source, and
// returns Delve's answer for them. The caller does not hold mu.
func (st *session) setNative(ctx context.Context, path string, fbs []nativeBP) ([]dap.Breakpoint, *dapproxy.DelveResponse, error) {
	st.mu.Lock()
	nb := &st.bps.native
	if reflect.DeepEqual(nb.bySrc[path], fbs) {
		defer st.mu.Unlock()
		return nb.answer[path], nil, nil
	}
	if nb.bySrc == nil {
		nb.bySrc, nb.answer = map[string][]nativeBP{}, map[string][]dap.Breakpoint{}
	}
	if len(fbs) == 0 {
		delete(nb.bySrc, path)
	} else {
		nb.bySrc[path] = fbs
	}
	st.mu.Unlock()
	_, r, err := st.syncFunctionBreakpoints(ctx)
	if r != nil || err != nil {
		return nil, r, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	return nb.answer[path], nil, nil
}

// syncFunctionBreakpoints sends Delve the client's function breakpoints
// and those in native patches, and returns its answer for the client's.
// A response that is not a success is returned as it is.
func (st *session) syncFunctionBreakpoints(ctx context.Context) ([]dap.Breakpoint, *dapproxy.DelveResponse, error) {
	st.mu.Lock()
	nb := &st.bps.native
	places := st.placeFuncs() // funcbps.go
	nb.sent = delveFuncs(places)
	all := slices.Clone(nb.sent)
	paths := slices.Sorted(func(yield func(string) bool) {
		for p := range nb.bySrc {
			if !yield(p) {
				return
			}
		}
	})
	for _, p := range paths {
		for _, b := range nb.bySrc[p] {
			all = append(all, b.fb)
		}
	}
	nClient := len(nb.sent)
	st.into.sent = st.stepFuncs() // stepinto.go: a step's own, last
	all = append(all, st.into.sent...)
	st.mu.Unlock()
	if all == nil {
		all = []dap.FunctionBreakpoint{}
	}
	r, err := st.s.CallDelve(ctx, "setFunctionBreakpoints", dap.SetFunctionBreakpointsArguments{Breakpoints: all})
	if err != nil || !r.Success() {
		return nil, r, err
	}
	var body dap.SetFunctionBreakpointsResponseBody
	if err := json.Unmarshal(r.Body(), &body); err != nil || len(body.Breakpoints) != len(all) {
		return nil, nil, fmt.Errorf("setFunctionBreakpoints: Delve answered %d breakpoints of %d: %v", len(body.Breakpoints), len(all), err)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	nb.ids, nb.logs = map[int]string{}, map[int]logPoint{}
	k := nClient
	for _, p := range paths {
		n := len(nb.bySrc[p])
		nb.answer[p] = body.Breakpoints[k : k+n]
		for i, b := range nb.answer[p] {
			nb.ids[b.Id] = nb.bySrc[p][i].key
			if log := nb.bySrc[p][i].log; log.parts != nil && b.Verified {
				nb.logs[b.Id] = log
			}
		}
		k += n
	}
	for _, b := range body.Breakpoints[k:] {
		if st.into.ids == nil {
			st.into.ids = map[int]bool{}
		}
		st.into.ids[b.Id] = true
	}
	return st.clientAnswer(places, body.Breakpoints[:nClient]), nil, nil
}

// setFunctionBreakpoints answers the client's setFunctionBreakpoints,
// which Delve gets with the breakpoints in native patches.
func (m *Manager) setFunctionBreakpoints(ctx context.Context, s *dapproxy.Session, raw json.RawMessage) (any, error) {
	var args dap.SetFunctionBreakpointsArguments
	if err := json.Unmarshal(raw, &args); err != nil || s.Debugger() == nil {
		return s.CallDelve(ctx, "setFunctionBreakpoints", raw)
	}
	st := m.session(ctx, s)
	st.mu.Lock()
	st.bps.native.client, st.bps.native.told = args.Breakpoints, nil
	st.mu.Unlock()
	bps, r, err := st.syncFunctionBreakpoints(ctx)
	if r != nil || err != nil {
		return r, err
	}
	st.syncGatesLater() // gates.go: a breakpoint on a function whose patch goes native
	return map[string]any{"breakpoints": bps}, nil
}

// foldNative shows the frames of native patches as the user's functions:
// a plugin function of a live patch gets the patched function's name and
// its line in the file as last seen (pluginlines.go), and the compiled
// function under it, whose dispatch prologue called it, is hidden.
func (st *session) foldNative(frames []map[string]any, names []string, plugin, hidden []bool) {
	for i, p := range st.foldPatches(names, plugin, hidden) {
		if p == nil {
			if plugin[i] {
				st.pluginFrame(frames[i], names[i])
			}
			continue
		}
		name := p.Name + literalSuffix(p, names[i])
		frames[i]["name"] = name[strings.LastIndex(p.Name, "/")+1:] // as Delve shortens names
		if n, ok := frames[i]["line"].(json.Number); ok {
			line, _ := n.Int64()
			st.mu.Lock()
			cur := st.pluginToCurrent(p, int(line))
			st.mu.Unlock()
			frames[i]["line"] = json.Number(strconv.Itoa(cur))
		}
	}
}

// pluginFrame gives a frame of plugin code that is not a live patch's
// function, one its save declared anew, its name in the program and its
// line in the file as last seen (pluginlines.go).
func (st *session) pluginFrame(f map[string]any, fn string) {
	src, _ := f["source"].(map[string]any)
	path, _ := src["path"].(string)
	st.mu.Lock()
	defer st.mu.Unlock()
	p := st.pluginPatch(fn, path)
	if p == nil {
		return
	}
	f["name"] = pluginFrameName(p, fn)
	if n, ok := f["line"].(json.Number); ok {
		if line, err := n.Int64(); err == nil {
			f["line"] = json.Number(strconv.Itoa(st.pluginToCurrent(p, int(line))))
		}
	}
}

// foldPatches returns the live patch whose plugin function, or one of
// its function literals, each frame runs (nil for the others), given the
// frames' functions as the binary names them and which frames are plugin
// code, and hides the compiled function under each patch's function,
// whose dispatch prologue called it.
func (st *session) foldPatches(names []string, plugin, hidden []bool) []*Patch {
	st.mu.Lock()
	byFunc := map[string]*Patch{}
	for _, p := range st.live {
		if p.nativeFunc != "" {
			byFunc[p.nativeFunc] = p
		}
	}
	st.mu.Unlock()
	ps := make([]*Patch, len(names))
	if len(byFunc) == 0 {
		return ps
	}
	for i, name := range names {
		if !plugin[i] {
			continue
		}
		p := byFunc[name]
		if p == nil {
			ps[i] = byFunc[outerFunc(name)] // a function literal's frame
			continue
		}
		ps[i] = p
		// The compiled function as the binary names it: its key, but
		// main's functions are main.F there, as in the patch's name.
		// Between them may be hidden frames: the agent's gate, which
		// held the call for the native code (gates.go).
		j := i + 1
		for j < len(names) && hidden[j] {
			j++
		}
		if j < len(names) && (names[j] == p.Key || names[j] == p.Name) {
			hidden[j] = true
		}
	}
	return ps
}

// savedFunc returns the saved function whose native code is fn, a
// function as the binary names it, or nil: the Go prompt checks inputs in
// a native patch's frame in the saved function's scope
// (prompt.Prompt.SavedFrames).
func (m *Manager) savedFunc(s *dapproxy.Session, fn string) *change.Checked {
	st := m.existing(s)
	if st == nil {
		return nil
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	outer := outerFunc(fn) // a function literal's frame: the saved function around it
	for _, p := range st.live {
		if p.Tier == TierNative && (p.nativeFunc == fn || p.nativeFunc == outer) {
			return p.checked
		}
	}
	return nil
}

// outerFunc returns the function declared at top level that fn, a
// function as the binary names it, is a function literal of (the
// compiler names them F.func1, F.func1.2, F.gowrap1, F.deferwrap1), or
// "" when fn is not one.
func outerFunc(fn string) string {
	pkgEnd := strings.LastIndex(fn, "/") + 1
	i := strings.Index(fn[pkgEnd:], ".") // after the package name
	if i < 0 {
		return ""
	}
	rest := fn[pkgEnd+i+1:]
	if strings.HasPrefix(rest, "(") { // a method: (*T).M or (T).M
		j := strings.Index(rest, ").")
		if j < 0 {
			return ""
		}
		rest = rest[j+2:]
	}
	j := strings.Index(rest, ".")
	if j < 0 {
		return ""
	}
	return fn[:len(fn)-len(rest)+j]
}

// literalSuffix returns what fn, the name of a frame's function that p's
// plugin code or one of its literals runs, adds to p's function: "" or
// ".func1" and the like.
func literalSuffix(p *Patch, fn string) string {
	return strings.TrimPrefix(fn, p.nativeFunc)
}
