package livepatch

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/go-delve/delve/pkg/proc"
	"github.com/go-delve/delve/service/debugger"
	"github.com/livepatch/livepatch/internal/dapproxy"
)

// Package paths of the machinery that runs patched code: a call from
// patched code to a compiled function goes through the interpreter,
// reflect and the agent's wrappers.
const (
	agentPath = "github.com/livepatch/livepatch/target/"
	yaegiPath = "github.com/traefik/yaegi/"
)

// stackSlack is how many frames beyond the client's last one the
// stackTrace handler asks Delve for, to make up for hidden frames.
const stackSlack = 64

// machineryFunc reports whether the function named name (as the binary
// names it) is the agent's or the interpreter's.
func machineryFunc(name string) bool {
	return strings.HasPrefix(name, agentPath) || strings.HasPrefix(name, yaegiPath)
}

// glueFunc reports whether name is a function of reflect's calls, or of
// the runtime's under them, which lie between the machinery and the
// compiled functions it calls.
func glueFunc(name string) bool {
	return strings.HasPrefix(name, "reflect.") || name == "runtime.reflectcall" ||
		strings.HasPrefix(name, "runtime.call") && strings.Trim(name[len("runtime.call"):], "0123456789") == ""
}

// stackTrace answers a stackTrace request as Delve does, less the frames
// of the machinery that runs patched code: the interpreter's and the
// agent's, and the reflect frames next to them. The frames are counted as
// the client sees them (startFrame, levels and totalFrames), and each
// frame id stands for Delve's frame, whose index the proxy records.
func (m *Manager) stackTrace(ctx context.Context, s *dapproxy.Session, raw json.RawMessage) (any, error) {
	var args map[string]any
	if err := json.Unmarshal(raw, &args); err != nil {
		return s.CallDelve(ctx, "stackTrace", raw)
	}
	start, _ := args["startFrame"].(float64)
	levels, _ := args["levels"].(float64)
	thread, _ := args["threadId"].(float64)
	d := s.Debugger()
	if d == nil || d.IsRunning() {
		return s.CallDelve(ctx, "stackTrace", raw)
	}
	whole := map[string]any{}
	for k, v := range args {
		whole[k] = v
	}
	whole["startFrame"] = 0
	if levels > 0 {
		whole["levels"] = int(start+levels) + stackSlack
	}
	r, err := s.CallDelve(ctx, "stackTrace", whole)
	if err != nil || !r.Success() {
		return r, err
	}
	var body struct {
		StackFrames []map[string]any `json:"stackFrames"`
		TotalFrames int              `json:"totalFrames"`
	}
	dec := json.NewDecoder(bytes.NewReader(r.Body()))
	dec.UseNumber() // numbers go back as Delve wrote them
	if err := dec.Decode(&body); err != nil {
		return r, nil
	}
	hidden, names, plugin := hiddenFrames(d, body.StackFrames)
	hideStdOnTop(names, hidden)
	st := m.existing(s)
	placed := make([]bool, len(body.StackFrames))
	if st != nil {
		st.foldNative(body.StackFrames, names, plugin, hidden)
		placed = st.interpretedLines(d, int64(thread), body.StackFrames, names, hidden) // interplines.go
	}
	var shown []map[string]any
	for i, f := range body.StackFrames {
		if hidden[i] {
			continue
		}
		if st != nil && !plugin[i] && !placed[i] {
			st.frameToCurrent(f)
		}
		if id, err := f["id"].(json.Number).Int64(); err == nil {
			s.NoteFrame(int(id), dapproxy.Frame{GoroutineID: int64(thread), Index: i})
		}
		shown = append(shown, f)
	}
	total := len(shown) + max(body.TotalFrames-len(body.StackFrames), 0)
	lo := min(int(start), len(shown))
	hi := len(shown)
	if levels > 0 {
		hi = min(lo+int(levels), hi)
	}
	return map[string]any{"stackFrames": shown[lo:hi], "totalFrames": total}, nil
}

// hideStdOnTop hides the standard library's frames on top of a stack
// that the machinery called (an allocation of the interpreter's, a
// lookup of reflect's, where a pause while interpreted code runs often
// lands): the user's code on top is the interpreted code, whose frame is
// the patched function's (interplines.go).
func hideStdOnTop(names []string, hidden []bool) {
	k := 0
	for k < len(names) && stdFunc(names[k]) {
		k++
	}
	if k == 0 || k == len(names) || !hidden[k] || !machineryFunc(names[k]) {
		return
	}
	for i := range k {
		hidden[i] = true
	}
}

// stdFunc reports whether fn, a function as the binary names it, is the
// standard library's: its package path's first element has no dot, and
// it is not main.
func stdFunc(fn string) bool {
	pkg := funcPackage(fn) // pluginlines.go
	first, _, _ := strings.Cut(pkg, "/")
	return pkg != "" && pkg != "main" && !strings.Contains(first, ".")
}

// hiddenFrames marks the frames of the machinery, found by the functions
// of their instruction pointers, the runs of glue frames next to one, and
// the generated method value wrappers next to a plugin's frame;
// names are the frames' functions as the binary names them; plugin marks
// the frames whose code is a plugin's (the native tier's), whose lines are
// already the saved files'.
func hiddenFrames(d *debugger.Debugger, frames []map[string]any) (hidden []bool, names []string, plugin []bool) {
	names = make([]string, len(frames))
	plugin = make([]bool, len(frames))
	tg, unlock := d.LockTargetGroup()
	bi := tg.Selected.BinInfo()
	main := bi.Images[0]
	for i, f := range frames {
		ref, _ := f["instructionPointerReference"].(string)
		pc, err := strconv.ParseUint(strings.TrimPrefix(ref, "0x"), 16, 64)
		if err != nil {
			continue
		}
		if fn := bi.PCToFunc(pc); fn != nil {
			names[i] = fn.Name
		}
		plugin[i] = bi.PCToImage(pc) != main
	}
	unlock()
	hidden = hideMachinery(names, glueFunc)
	for i, n := range names {
		// The method value wrapper a plugin's call of an unexported
		// method goes through (the native exports' accessor returns the
		// method value): generated, with no line of its own.
		near := i > 0 && plugin[i-1] || i+1 < len(plugin) && plugin[i+1]
		if strings.HasSuffix(n, "-fm") && near && frameSource(frames[i]) == "" {
			hidden[i] = true
		}
	}
	return hidden, names, plugin
}

// frameSource returns the path of the source of f, a stack frame of
// Delve's answer, or "" for none (a generated function's).
func frameSource(f map[string]any) string {
	src, _ := f["source"].(map[string]any)
	path, _ := src["path"].(string)
	if path == "<autogenerated>" {
		return ""
	}
	return path
}

// hideMachinery marks the frames of the machinery among frames whose
// functions are names, innermost first, and the runs of frames whose
// functions are glue next to one.
func hideMachinery(names []string, glue func(string) bool) []bool {
	hidden := make([]bool, len(names))
	for i, n := range names {
		hidden[i] = machineryFunc(n)
	}
	for i := 0; i < len(names); {
		j := i
		for j < len(names) && glue(names[j]) {
			j++
		}
		if j > i && (i > 0 && hidden[i-1] || j < len(names) && hidden[j]) {
			for k := i; k < j; k++ {
				hidden[k] = true
			}
		}
		i = max(j, i+1)
	}
	return hidden
}

// threads answers a threads request as Delve does, less the goroutines
// the agent started (its socket server and the watch of livepatch's
// process). A stopped goroutine is always listed.
func (m *Manager) threads(ctx context.Context, s *dapproxy.Session, raw json.RawMessage) (any, error) {
	r, err := s.CallDelve(ctx, "threads", raw)
	d := s.Debugger()
	if err != nil || !r.Success() || d == nil || d.IsRunning() {
		return r, err
	}
	var body struct {
		Threads []map[string]any `json:"threads"`
	}
	dec := json.NewDecoder(bytes.NewReader(r.Body()))
	dec.UseNumber()
	if err := dec.Decode(&body); err != nil {
		return r, nil
	}
	agents := agentGoroutines(d)
	kept := body.Threads[:0]
	for _, th := range body.Threads {
		id, _ := th["id"].(json.Number).Int64()
		name, _ := th["name"].(string)
		if agents[id] && !strings.HasPrefix(name, "* ") {
			continue
		}
		kept = append(kept, th)
	}
	if len(kept) == len(body.Threads) {
		return r, nil
	}
	return map[string]any{"threads": kept}, nil
}

// agentGoroutines returns the ids of the goroutines that the agent
// started, by the function each started in. The function is looked up by
// its start PC alone (G.StartLoc would also read the line table for its
// entry line, which costs most of a threads request); the agent starts
// its goroutines itself, so their go statements' wrappers are its own.
func agentGoroutines(d *debugger.Debugger) map[int64]bool {
	tg, unlock := d.LockTargetGroup()
	defer unlock()
	gs, _, err := proc.GoroutinesInfo(tg.Selected, 0, 0)
	if err != nil {
		return nil
	}
	bi := tg.Selected.BinInfo()
	ids := map[int64]bool{}
	for _, g := range gs {
		if fn := bi.PCToFunc(g.StartPC); fn != nil && strings.HasPrefix(fn.Name, agentPath) {
			ids[g.ID] = true
		}
	}
	return ids
}
