package livepatch

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-delve/delve/pkg/proc"

	"github.com/livepatch/livepatch/internal/dapproxy"
	"github.com/livepatch/livepatch/internal/patcher"
)

// stepIn answers stepIn. Stepping into an interpreted patch would leave
// the user in reflect and interpreter frames, so a stepIn on a line that
// calls a function with an interpreted live patch (found by name: F( or
// .M() steps over the line, as next does, and stops in the function once
// it is native when its native build is under way (stepinto.go). A
// stepIn on a line that calls native patches only goes to Delve, and
// lands in the compiled function, whose dispatch prologue the stop that
// follows steps through into the plugin's code (followStep). Other
// stepIns go to Delve unchanged.
func (m *Manager) stepIn(ctx context.Context, s *dapproxy.Session, raw json.RawMessage) (any, error) {
	var args struct {
		ThreadID int64 `json:"threadId"`
	}
	_ = json.Unmarshal(raw, &args)
	release := m.afterRoundTrips(s) // resume.go
	var interpreted []Patch
	for _, p := range m.callsPatched(ctx, s, args.ThreadID) {
		if p.Tier != TierNative {
			interpreted = append(interpreted, p)
		}
	}
	st := m.session(ctx, s)
	if len(interpreted) > 0 {
		release() // holding the calls may take a round trip
		return st.stepInInterpreted(ctx, args.ThreadID, interpreted, raw)
	}
	defer release()
	st.mu.Lock()
	st.steppingIn = true // through a native patch's prologue, step in (followStep)
	st.mu.Unlock()
	return s.CallDelve(ctx, "stepIn", raw)
}

// callsPatched returns the live patches of the functions that the current
// line of goroutine goid names, as the user saved it.
func (m *Manager) callsPatched(ctx context.Context, s *dapproxy.Session, goid int64) []Patch {
	st := m.session(ctx, s)
	st.mu.Lock()
	live := st.patches()
	st.mu.Unlock()
	d := st.t.Debugger()
	if len(live) == 0 || d == nil || d != s.Debugger() || d.IsRunning() {
		return nil
	}
	frames, err := d.Stacktrace(goid, 1, 0)
	if err != nil || len(frames) == 0 {
		return nil
	}
	file, fn := frames[0].Call.File, ""
	if frames[0].Call.Fn != nil {
		fn = frames[0].Call.Fn.Name
	}
	st.mu.Lock()
	line := st.frameLine(fn, file, frames[0].Call.Line) // pluginlines.go
	src, ok := st.seen[filepath.Clean(file)]
	st.mu.Unlock()
	if !ok {
		if src, err = os.ReadFile(file); err != nil {
			return nil
		}
	}
	lines := bytes.Split(src, []byte("\n"))
	if line < 1 || line > len(lines) {
		return nil
	}
	text := string(lines[line-1])
	var called []Patch
	for _, p := range live {
		if callsName(text, p.Key[strings.LastIndex(p.Key, ".")+1:]) {
			called = append(called, p)
		}
	}
	return called
}

// callsName reports whether line calls name: name( not preceded by a
// letter, digit or underscore.
func callsName(line, name string) bool {
	for i := 0; ; {
		j := strings.Index(line[i:], name+"(")
		if j < 0 {
			return false
		}
		at := i + j
		if at == 0 || !isIdentByte(line[at-1]) {
			return true
		}
		i = at + 1
	}
}

func isIdentByte(b byte) bool {
	return b == '_' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
}

// maxFollows bounds the steps taken through the compiled functions of
// native patches, through the accessors their plugins call, and out of
// the frames of a gate that held the call (about eight), for one step of
// the client's.
const maxFollows = 16

// machineryDepth is how many frames under the top followStep reads, to
// tell the machinery's frames from the user's.
const machineryDepth = 16

// inMachinery reports whether the top of frames is a frame that the
// client never sees: the agent's or the interpreter's, or reflect's or
// the runtime's next to them (hideMachinery).
func inMachinery(frames []proc.Stackframe) bool {
	names := make([]string, len(frames))
	for i, f := range frames {
		if f.Current.Fn != nil {
			names[i] = f.Current.Fn.Name
		}
	}
	return hideMachinery(names, glueFunc)[0]
}

// holdStep reports whether the stop raw (a stopped event's body) is a
// step's, while native patches are live: followStep then looks where it
// stopped and sends the event itself, or steps on. It runs on the
// goroutine that reads Delve, and so does not wait for Delve.
func (st *session) holdStep(raw json.RawMessage) bool {
	var body map[string]any
	_ = json.Unmarshal(raw, &body)
	st.mu.Lock()
	native := false
	for _, p := range st.live {
		native = native || p.nativeFunc != ""
	}
	hold := native && body["reason"] == "step"
	if !hold {
		st.steppingIn, st.follows, st.reenter = false, 0, false
	}
	st.mu.Unlock()
	if hold {
		go st.followStep(body)
	}
	return hold
}

// followStep sends the client the stop of a step, body, unless it stopped
// in the compiled function of a native patch, whose body no longer runs:
// there it is the dispatch prologue's line, on the way into the plugin's
// code (a stepIn: step in again) or out of it (step out to the caller).
func (st *session) followStep(body map[string]any) {
	goid, _ := body["threadId"].(float64)
	st.mu.Lock()
	in := st.steppingIn
	compiled := map[string]bool{} // by the name the binary gives the function
	for _, p := range st.live {
		if p.nativeFunc != "" {
			compiled[p.Name], compiled[p.Key] = true, true // main.F; its key names main by its import path
		}
	}
	st.follows++
	follow := st.follows <= maxFollows
	st.mu.Unlock()
	if d := st.s.Debugger(); follow && d != nil && !d.IsRunning() {
		frames, err := d.Stacktrace(int64(goid), machineryDepth, 0)
		cmd := ""
		switch {
		case err != nil || len(frames) == 0:
		case frames[0].Current.Fn != nil && compiled[frames[0].Current.Fn.Name]:
			cmd = "stepOut"
			if in {
				cmd = "stepIn"
			}
		case inMachinery(frames):
			// Out of a call that the agent's gate held (gates.go):
			// its frames and reflect's, which the client never sees,
			// lie between the plugin's code and the compiled function.
			cmd = "stepOut"
		case filepath.Base(frames[0].Current.File) == patcher.NativeFileName:
			// An accessor of the package's native exports, which the
			// plugin's code calls for an unexported name: out of it,
			// and on a stepIn in again, to the line's next call.
			cmd = "stepOut"
			st.mu.Lock()
			st.reenter = in
			st.mu.Unlock()
		case in && st.takeReenter():
			cmd = "stepIn" // back from an accessor, mid-line
		}
		if cmd != "" {
			r, err := st.s.CallDelve(st.ctx, cmd, map[string]any{"threadId": int64(goid)})
			if err == nil && r.Success() {
				return // its stop comes here again
			}
		}
	}
	st.mu.Lock()
	st.steppingIn, st.follows, st.reenter = false, 0, false
	st.mu.Unlock()
	st.s.SendEvent("stopped", body)
}

// takeReenter reports whether the stop that came is a step out of a
// native export's accessor during a stepIn (followStep), and clears it.
func (st *session) takeReenter() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	r := st.reenter
	st.reenter = false
	return r
}
