package livepatch

import (
	"context"
	"encoding/json"

	"github.com/livepatch/livepatch/internal/dapproxy"
)

// A save applied while the program is paused reaches the agent by call
// injection and reads the paused goroutines from the debugger; a continue
// the client sends in the middle (an editor's F5 right after Ctrl-S) ran
// the program under it, and the debugger's reads then waited for the
// target to stop, which the held calls of a patch with a breakpoint in it
// (gates.go) never let happen. The client's resume requests wait for such
// a round trip to end (session.stopped), milliseconds, and then go on.

// resume returns the handler of a resume request (continue, next,
// stepOut): Delve gets it once no round trip needs the target stopped.
func (m *Manager) resume(command string) func(ctx context.Context, s *dapproxy.Session, raw json.RawMessage) (any, error) {
	return func(ctx context.Context, s *dapproxy.Session, raw json.RawMessage) (any, error) {
		defer m.afterRoundTrips(s)()
		return s.CallDelve(ctx, command, raw)
	}
}

// afterRoundTrips waits until no round trip of s's live patching needs
// the target stopped, and returns the function that lets the next one
// start; the caller resumes the program in between.
func (m *Manager) afterRoundTrips(s *dapproxy.Session) (release func()) {
	st := m.existing(s)
	if st == nil {
		return func() {}
	}
	st.stopped.Lock()
	return st.stopped.Unlock
}
