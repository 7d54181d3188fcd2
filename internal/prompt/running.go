package prompt

import (
	"fmt"
	"strings"
	"time"

	"github.com/livepatch/livepatch/internal/dapproxy"
	"github.com/livepatch/livepatch/target/agent/wire"
)

// Inputs still running after their time limit, blocked in compiled code
// that cannot be interrupted (target/agent/running.go). The answer says so
// plainly; the session remembers each such input, and the console tells
// when it ends, with the answer to the next input.

// runningInput is an input the agent answered as still running.
type runningInput struct {
	text string
	in   wire.RunningInput
}

// runningError answers an input still running after the time limit and
// remembers it.
func (st *session) runningError(text string, in wire.RunningInput, limit time.Duration, where string) error {
	st.mu.Lock()
	if st.running == nil {
		st.running = map[int]runningInput{}
	}
	st.running[in.ID] = runningInput{text: text, in: in}
	st.mu.Unlock()
	blocked := "compiled code"
	if in.BlockedIn != "" {
		blocked = in.BlockedIn
	}
	if in.Called != "" {
		blocked += ", called through " + in.Called
	}
	head := fmt.Sprintf("input %d (%s) is still running after the time limit of %v: blocked in %s, compiled code that cannot be interrupted. ",
		in.ID, short(text), limit, blocked)
	if where == runningWhere {
		// Package scope while the program runs: no frame to lose.
		return &dapproxy.Error{ID: dapproxy.ErrPromptTimeout, ShowUser: true, Summary: head +
			"The program runs on, and so does that call, which keeps whatever it takes (a lock it acquires stays locked). " +
			"Later inputs and saves do not wait for it."}
	}
	return &dapproxy.Error{ID: dapproxy.ErrPromptTimeout, ShowUser: true, Summary: head + upper(where) +
		". When the program continues, that call goes on and keeps whatever it takes " +
		"(a lock it acquires stays locked), and the input runs on from there without this frame's variables, which are gone " +
		"once the function returns: its first use of one stops it with a nil pointer dereference. " +
		"Later inputs and saves do not wait for it."}
}

// reportEnded writes a console line for each running input that ended.
func (st *session) reportEnded(s *dapproxy.Session, ended []wire.EndedInput) {
	for _, e := range ended {
		st.mu.Lock()
		r, ok := st.running[e.ID]
		delete(st.running, e.ID)
		st.mu.Unlock()
		if !ok {
			continue
		}
		what := ""
		if r.in.BlockedIn != "" {
			what = " (" + r.in.BlockedIn + " returned)"
		}
		if e.Error != "" {
			what = ": " + e.Error
		}
		s.Output("console", fmt.Sprintf("input %d (%s) finished%s\n", e.ID, short(r.text), what))
	}
}

// upper returns s with its first letter in upper case.
func upper(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// short returns an input's first line, cut to a length that reads in a
// message.
func short(text string) string {
	text = strings.TrimSpace(text)
	more := false
	if i := strings.IndexByte(text, '\n'); i >= 0 {
		text, more = text[:i], true
	}
	if len(text) > 40 {
		text, more = text[:40], true
	}
	if more {
		text += " ..."
	}
	return text
}
