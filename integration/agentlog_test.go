package integration

import (
	"strings"
	"testing"

	"github.com/google/go-dap"
)

// TestAgentLogIsLivepatchs makes the interpreter fail inside a patched
// function (a method value of a pointer taken with &s[0] still trips
// yaegi), which the agent reports in its log, and checks that the report
// reaches the console as livepatch's message, not the program's stderr,
// where it showed as `level=WARN msg=... component=livepatch-agent`
// (issue 18).
func TestAgentLogIsLivepatchs(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		stderr := env.collectOutput("stderr")
		thread := env.startLive(copyFixture(t, "livepatch"))
		frame := env.TopFrame(thread).Id
		env.mustEval(frame, `func greet(name string) string {
	s := []Counter{{}}
	p := &s[0]
	mv := p.Inc
	return name + fmt.Sprint(mv())
}`, "patched main.greet (main.go:22)")
		env.Call(&dap.ContinueRequest{Request: dap.Request{Command: "continue"}, Arguments: dap.ContinueArguments{ThreadId: thread}})
		got := env.waitConsole("livepatch: interpreter fault: ")
		if !strings.Contains(got, "func: main.greet") || !strings.Contains(got, "panic: reflect") {
			t.Errorf("the report does not name the function and give the interpreter's message: %q", got)
		}
		env.WaitStopped("exception")
		if s := stderr.String(); strings.Contains(s, "livepatch-agent") || strings.Contains(s, "interpreter fault") {
			t.Errorf("the agent's log reached the program's stderr:\n%s", s)
		}
		env.Disconnect()
	})
}
