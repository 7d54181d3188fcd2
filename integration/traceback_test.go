package integration

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-dap"

	"github.com/livepatch/livepatch/target/agent/wire"
)

// TestTracebackOfPatchedPanic saves an edit that adds a line above greet
// and makes greet assign to a nil map, a run-time error raised inside the
// interpreter; after the stop at the unrecovered panic the program goes on
// and dies, and the Go runtime's traceback on its stderr shows the user's
// frames as compiled code would, at the lines of the file as saved (the
// interpreted greet at its declaration's, marked as such), with
// none of the machinery that ran the patch, under the panic's report as
// compiled code prints it (issues 15 and 17).
func TestTracebackOfPatchedPanic(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir, main, orig := liveFixture(t)
		stderr := env.collectOutput("stderr")
		env.runLive(dir)
		edited := strings.Replace(string(orig), "func greet(name string) string {\n\treturn \"hello \" + name\n}",
			"// greet now counts names.\nfunc greet(name string) string {\n\tvar seen map[string]int\n\tseen[name]++\n\treturn \"hello \" + name\n}", 1)
		if edited == string(orig) {
			t.Fatal("the fixture's greet is not as the test expects")
		}
		if err := os.WriteFile(main, []byte(edited), 0o644); err != nil {
			t.Fatal(err)
		}
		env.waitConsole("patched main.greet")
		st := env.WaitStopped("exception")
		env.Call(&dap.ContinueRequest{Request: dap.Request{Command: "continue"}, Arguments: dap.ContinueArguments{ThreadId: st.Body.ThreadId}})
		env.WaitEvent("terminated")

		text := stderr.String()
		if !strings.Contains(text, "\npanic: assignment to entry in nil map\n\ngoroutine ") {
			t.Errorf("program stderr:\n%s\nwant the panic reported as compiled code reports it", text)
		}
		trace := text[strings.Index(text, "\ngoroutine ")+1:]
		for _, want := range []string{
			"main.greet(",
			// The interpreter does not tell the line that ran: the frame
			// is at the declaration's, and says so.
			fmt.Sprintf("\t%s:%d ", main, lineOf(t, main, "func greet(")),
			" " + wire.InterpretedAtDecl + "\nmain.title()",
			fmt.Sprintf("main.title()\n\t%s:%d ", main, lineOf(t, main, `return greet("x")`)),
			fmt.Sprintf("main.line(0x"),
			fmt.Sprintf("main.main()\n\t%s:%d ", main, lineOf(t, main, "report(line(c))")),
		} {
			if !strings.Contains(trace, want) {
				t.Errorf("traceback has no %q:\n%s", want, trace)
			}
		}
		for _, machinery := range []string{"yaegi", "livepatch/target", "reflect.", "\npanic("} {
			if strings.Contains(trace, machinery) {
				t.Errorf("traceback shows the machinery (%q):\n%s", machinery, trace)
			}
		}
	})
}
