package integration

import (
	"testing"

	"github.com/google/go-dap"
)

// TestEvaluateWhileRunning sends Go to the debug console while the program
// runs, with no breakpoint (issue 11, failure 6: no response to it or to
// anything after). Every request must be answered: the input in package
// scope (issue 16), and threads, pause and disconnect as usual.
func TestEvaluateWhileRunning(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir := copyFixture(t, "livepatch")
		env.runLive(dir)

		for _, frame := range []int{0, 1000} {
			r, err := env.Client.Call(env.Ctx, &dap.EvaluateRequest{Request: dap.Request{Command: "evaluate"},
				Arguments: dap.EvaluateArguments{Expression: "1 + 2", FrameId: frame, Context: "repl"}})
			if err != nil {
				t.Fatalf("evaluate while running, frame %d: %v", frame, err)
			}
			if ev, ok := r.(*dap.EvaluateResponse); !ok || !ev.Success || ev.Body.Result != "3" {
				t.Errorf("evaluate while running, frame %d: %s; want 3, in package scope", frame, describe(r))
			}
		}
		env.Call(&dap.ThreadsRequest{Request: dap.Request{Command: "threads"}})
		env.Call(&dap.PauseRequest{Request: dap.Request{Command: "pause"}, Arguments: dap.PauseArguments{ThreadId: 1}})
		env.WaitStopped("pause")
		env.Disconnect()
	})
}
