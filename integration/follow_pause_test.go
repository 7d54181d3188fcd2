package integration

import (
	"strings"
	"testing"

	"github.com/google/go-dap"
)

// TestFollowPauseInterpreted pauses the program while an interpreted
// patch loops: the top frame is the patched method under its own name, on
// its compiled caller, at the line of the loop its interpreted code runs
// in the file as saved, not at its declaration's (where it always was
// before).
func TestFollowPauseInterpreted(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		lib, orig := env.startNative(nil, nil)
		const short = "lib.(*Counter).Inc"
		env.waitCount(1)
		saveEdit(t, lib, orig, "c.n += step()", "println(\"looping\")\n\tfor i := 0; i < 100000000; i++ {\n\t\tc.n += 0\n\t}\n\tc.n += step()")
		env.waitConsole("patched example.com/native/" + short)
		env.waitOutputMatch("the patch's output", func(_, text string) bool { return strings.Contains(text, "looping") })
		loop, body := lineOf(t, lib, "for i := 0;"), lineOf(t, lib, "c.n += 0")
		// A pause may land in the write of the line above, between two
		// calls, or in a step of the interpreter's that livepatch cannot
		// place (one in ten or so, at the declaration's line then): go on
		// and pause again.
		var frames []dap.StackFrame
		for range 10 {
			env.Call(&dap.PauseRequest{Request: dap.Request{Command: "pause"}, Arguments: dap.PauseArguments{ThreadId: 1}})
			env.WaitStopped("pause")
			frames = env.stackOf(1, 2) // the main goroutine, which calls Inc
			if len(frames) > 0 && frames[0].Name == short && frames[0].Line != lineOf(t, lib, "func (c *Counter) Inc") {
				break
			}
			env.Call(&dap.ContinueRequest{Request: dap.Request{Command: "continue"}, Arguments: dap.ContinueArguments{ThreadId: 1}})
		}
		if len(frames) < 2 || frames[0].Name != short || frames[0].Line != loop && frames[0].Line != body || frames[1].Name != "main.main" {
			t.Fatalf("stack %s, want %s at line %d or %d on main.main", mustJSON(frames), short, loop, body)
		}
		env.Disconnect()
	})
}
