package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-dap"
)

// TestLivePatchSaveDuringInput saves a file while a slow prompt input runs
// in the paused target (issue 11): the save waits for the input, says so,
// and is applied once the input is done, while the target is still paused;
// the input's answer is its own.
func TestLivePatchSaveDuringInput(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir, main, orig := liveFixture(t)
		thread := env.startLive(dir)
		top := env.TopFrame(thread).Id

		type answer struct {
			ok   bool
			body string
		}
		answered := make(chan answer, 1)
		go func() {
			r, err := env.Client.CallRaw(env.Ctx, "evaluate", map[string]any{"frameId": top, "context": "repl",
				"expression": `fmt.Println("slow input started"); time.Sleep(time.Second); fmt.Println("slow input half way"); time.Sleep(time.Second); 6 * 7`})
			if err != nil {
				answered <- answer{body: err.Error()}
				return
			}
			answered <- answer{ok: r.Success, body: string(r.Body)}
		}()
		// Save half way through the input.
		env.waitOutput("stdout", "slow input half way")
		edited := strings.Replace(string(orig), `"hello "`, `"howdy "`, 1)
		if err := os.WriteFile(main, []byte(edited), 0o644); err != nil {
			t.Fatal(err)
		}

		got := <-answered
		var body struct {
			Result string `json:"result"`
		}
		_ = json.Unmarshal([]byte(got.body), &body)
		if !got.ok || body.Result != "42" {
			t.Errorf("slow input: got success %v, %s; want 42", got.ok, got.body)
		}
		// A request that only reads answers at once, whatever the save does.
		ctx, cancel := context.WithTimeout(env.Ctx, 10*time.Second)
		defer cancel()
		if r, err := env.Client.CallRaw(ctx, "evaluate", map[string]any{"frameId": top, "context": "repl", "expression": ":patches"}); err != nil || !r.Success {
			t.Errorf(":patches after the input: %v, %+v", err, r)
		}
		greetLine := lineOf(t, main, "func greet(")
		out := env.waitConsoleAny("patched main.greet", "nothing of this save was applied")
		if want := "patched main.greet (main.go:" + strconv.Itoa(greetLine) + ")"; !strings.Contains(out, want) {
			t.Fatalf("after the input: console %q, want %q", out, want)
		}
		// The save waited, and said so before it was applied.
		if _, ok := env.Client.PollEvent(func(m dap.EventMessage) bool {
			o, ok := m.(*dap.OutputEvent)
			return ok && strings.Contains(o.Body.Output, "save of main.go waits for the running prompt input")
		}); !ok {
			t.Errorf("no console line said that the save waited for the input")
		}
		// Applied while paused: the next report already has it.
		checkLine(t, env.next(thread), "howdy", 1)
		env.Disconnect()
	})
}

// waitOutput waits for an output event of category whose text contains
// want.
func (e *Env) waitOutput(category, want string) {
	e.T.Helper()
	e.waitOutputMatch(fmt.Sprintf("%s output %q", category, want), func(c, text string) bool { return c == category && strings.Contains(text, want) })
}

// waitConsoleAny waits for a console output event whose text contains one
// of wants and returns its text.
func (e *Env) waitConsoleAny(wants ...string) string {
	e.T.Helper()
	return e.waitOutputMatch(fmt.Sprintf("console output with one of %q", wants), func(_, text string) bool {
		for _, w := range wants {
			if strings.Contains(text, w) {
				return true
			}
		}
		return false
	})
}
