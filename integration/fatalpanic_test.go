package integration

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-dap"

	"github.com/livepatch/livepatch/target/agent/wire"
)

// TestRevertAtFatalPanic saves an edit that makes a patched function panic
// with nothing to recover it, so that the debugger stops at the unrecovered
// panic, then asks to revert: the answer says why nothing can run in the
// program any more, not the runtime's "call from within the Go runtime"
// (issue 11). The program's stderr names the patched function at its line
// in the saved file, not a generated name; exceptionInfo's stack shows it
// with none of the machinery that runs it.
func TestRevertAtFatalPanic(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir, main, orig := liveFixture(t)
		stderr := env.collectOutput("stderr")
		env.runLive(dir)
		edited := strings.Replace(string(orig), `return "hello " + name`, `panic("boom " + name)`, 1)
		if err := os.WriteFile(main, []byte(edited), 0o644); err != nil {
			t.Fatal(err)
		}
		env.waitConsole("patched main.greet")
		st := env.WaitStopped("exception")
		info := env.Call(&dap.ExceptionInfoRequest{Request: dap.Request{Command: "exceptionInfo"},
			Arguments: dap.ExceptionInfoArguments{ThreadId: st.Body.ThreadId}}).(*dap.ExceptionInfoResponse).Body
		if info.Details == nil || !strings.Contains(info.Details.StackTrace, "in main.greet\n") ||
			strings.Contains(info.Details.StackTrace, "yaegi") || strings.Contains(info.Details.StackTrace, "livepatch/target") {
			t.Errorf("exceptionInfo's stack: %+v\nwant main.greet and none of the interpreter's or the agent's frames", info.Details)
		}

		r := env.CallRaw("livepatch/revert", map[string]any{"all": true})
		if r.Success {
			t.Fatalf("revert at a fatal panic succeeded: %s", r.Raw)
		}
		msg := string(r.Raw)
		if strings.Contains(msg, "within the Go runtime") || !strings.Contains(msg, "unrecovered panic") {
			t.Errorf("revert at a fatal panic: %s\nwant it to say the program is stopped at an unrecovered panic", msg)
		}
		line := lineOf(t, main, "func greet(")
		if want := "main.go:" + strconv.Itoa(line) + ": panic: main.greet(...) " + wire.InterpretedAtDecl; !strings.Contains(stderr.String(), want) {
			t.Errorf("program stderr:\n%s\nwant the panic reported as %q", stderr.String(), want)
		}
		if strings.Contains(stderr.String(), "lp_patch") {
			t.Errorf("program stderr shows generated names:\n%s", stderr.String())
		}
		env.Disconnect()
	})
}
