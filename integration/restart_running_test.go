package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-dap"
)

// TestRestartWhileRunning restarts a program that runs, as editors do from
// their restart button (issue 18: the build failed with "waitid: no child
// processes", since Delve waits for any child of the process while its
// target runs and took the go command's): the restart rebuilds and starts
// a new process. A restart whose build fails leaves the old process
// running.
func TestRestartWhileRunning(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir := copyFixture(t, "livepatch")
		env.runLive(dir)

		if r := env.CallRaw("restart", nil); !r.Success {
			t.Fatalf("restart while running: %s", r.Raw)
		}
		env.WaitEvent("initialized")
		env.Call(&dap.ConfigurationDoneRequest{Request: dap.Request{Command: "configurationDone"}})
		env.waitConsole("hello x")

		main := filepath.Join(dir, "main.go")
		src, err := os.ReadFile(main)
		if err != nil {
			t.Fatal(err)
		}
		broken := strings.Replace(string(src), "func greet(name string) string {", "func greet(name string) string { x :=", 1)
		if err := os.WriteFile(main, []byte(broken), 0o644); err != nil {
			t.Fatal(err)
		}
		r := env.CallRaw("restart", nil)
		if r.Success || !strings.Contains(string(r.Raw), "Failed to restart") {
			t.Errorf("restart with a broken build: %s, want Failed to restart", r.Raw)
		}
		env.waitConsole("hello x") // the old process runs on
		env.Disconnect()
	})
}
