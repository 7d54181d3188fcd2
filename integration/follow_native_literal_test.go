package integration

import (
	"testing"
)

// TestFollowNativeLiteral stops at a breakpoint in a function literal of
// a method whose patch is native: the frame is named as the literal of
// the user's method, and the Go prompt sees the saved scope there: the
// literal's parameter and local, and the method's receiver, which it
// captures.
func TestFollowNativeLiteral(t *testing.T) {
	RunLiveNative(t, func(t *testing.T, env *Env) {
		lib, orig := env.startNative(nil, nil)
		env.waitCount(1)
		saveEdit(t, lib, orig, "c.n += step()", "add := func(k int) {\n\t\td := 10 * k\n\t\tc.n += d\n\t}\n\tadd(step())")
		env.waitConsole("native: example.com/native/lib.(*Counter).Inc")
		at := lineOf(t, lib, "c.n += d")
		env.whilePaused(func() { env.SetBreakpoints(lib, at) })
		top := env.TopFrame(env.WaitStopped("breakpoint").Body.ThreadId)
		if want := "lib.(*Counter).Inc.func1"; top.Name != want || top.Line != at {
			t.Errorf("stopped in %s at line %d, want %s at %d", top.Name, top.Line, want, at)
		}
		for _, c := range []struct{ in, want string }{
			{"$d", "10"},         // the literal's local
			{"$k * step()", "1"}, // its parameter, with a call
			{"$c.n - c.n", "0"},  // the method's receiver, captured
		} {
			if got := env.Evaluate(top.Id, c.in, "repl"); got != c.want {
				t.Errorf("%s in the literal's native frame: %q, want %q", c.in, got, c.want)
			}
		}
		env.Disconnect()
	})
}
