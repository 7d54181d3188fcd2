package integration

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-dap"
)

// TestLaunchFileProgram launches a program named by its file, as
// nvim-dap-go's "Debug" configuration does (program = "${file}"): the
// build is patchable, so the Go prompt answers a call. The go command
// builds such a program from the named files alone, and the agent, started
// by a generated file, was left out ("could not find symbol ...Inbox").
func TestLaunchFileProgram(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir := copyFixture(t, "livepatch")
		main := filepath.Join(dir, "main.go")
		env.Initialize()
		env.Launch(map[string]any{"mode": "debug", "program": main, "dlvCwd": dir, "outputMode": "remote"})
		env.WaitEvent("initialized")
		env.SetBreakpoints(main, lineOf(t, main, "// report here"))
		env.Call(&dap.ConfigurationDoneRequest{Request: dap.Request{Command: "configurationDone"}})
		thread := env.WaitStopped("breakpoint").Body.ThreadId
		got := env.eval(env.TopFrame(thread).Id, `greet("a") + "!"`)
		if !got.ok || !strings.Contains(got.result, "hello a!") {
			t.Errorf(`greet("a") + "!" at the prompt: %+v`, got)
		}
		env.Disconnect()
	})
}
