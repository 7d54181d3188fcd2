package integration

import (
	"testing"
)

// TestFollowNativePrompt stops at a breakpoint in a method whose patch is
// native and uses, at the Go prompt (evaluate, context repl), a local
// that the save added: it reads it, assigns it (Delve then reads the new
// value in the frame) and calls a function of the package with it.
func TestFollowNativePrompt(t *testing.T) {
	RunLiveNative(t, func(t *testing.T, env *Env) {
		lib, orig := env.startNative(nil, nil)
		env.waitCount(1)
		saveEdit(t, lib, orig, "c.n += step()", "d := 10 * step()\n\tc.n += d")
		env.waitConsole("native: example.com/native/lib.(*Counter).Inc")
		ret := lineOf(t, lib, "return c.n")
		env.whilePaused(func() { env.SetBreakpoints(lib, ret) })
		top := env.TopFrame(env.WaitStopped("breakpoint").Body.ThreadId)
		if top.Name != "lib.(*Counter).Inc" || top.Line != ret {
			t.Fatalf("stopped in %s at line %d, want lib.(*Counter).Inc at %d", top.Name, top.Line, ret)
		}
		for _, c := range []struct{ in, want string }{
			{"$d", "10"},                    // read, by the Go prompt
			{"d = d + step()", ""},          // assign, calling a compiled function
			{"?d", "11"},                    // Delve reads the frame's d
			{"$c.n - c.n + d*step()", "11"}, // call, with the receiver
		} {
			if got := env.Evaluate(top.Id, c.in, "repl"); got != c.want {
				t.Errorf("%s in the native frame: %q, want %q", c.in, got, c.want)
			}
		}
		env.Disconnect()
	})
}
