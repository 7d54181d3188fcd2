package integration

import (
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-dap"
	"github.com/livepatch/livepatch/internal/dapproxy"
)

// tickRE matches a status line of examples/counter's background loop.
var tickRE = regexp.MustCompile(`tick (\d+): count=(\d+)`)

// startCounter launches examples/counter with a fast ticker and stops at
// the breakpoint inside Counter.Tick, which holds c.mu there. It returns
// the stopped goroutine's thread and the breakpoint's file and line.
func startCounter(env *Env) (threadID int, file string, line int) {
	env.T.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "examples", "counter"))
	if err != nil {
		env.T.Fatal(err)
	}
	env.Initialize()
	env.Launch(map[string]any{"mode": "debug", "program": dir, "outputMode": "remote",
		"args": []string{"-addr", "127.0.0.1:0", "-tick", "20ms"}})
	env.WaitEvent("initialized")
	file = filepath.Join(dir, "counter.go")
	line = lineOf(env.T, file, "c.ticks++")
	env.SetBreakpoints(file, line)
	env.Call(&dap.ConfigurationDoneRequest{Request: dap.Request{Command: "configurationDone"}})
	return env.WaitStopped("breakpoint").Body.ThreadId, file, line
}

// continueTo continues the program and waits for an output event that
// matches: it proves that the program runs on.
func (e *Env) continueTo(threadID int, match func(string) bool) string {
	e.T.Helper()
	e.Call(&dap.ContinueRequest{Request: dap.Request{Command: "continue"}, Arguments: dap.ContinueArguments{ThreadId: threadID}})
	return e.waitOutputMatch("the program's output", func(_, text string) bool { return match(text) })
}

// tickAbove matches a tick line whose count is above n.
func tickAbove(n int) func(string) bool {
	return func(s string) bool {
		m := tickRE.FindStringSubmatch(s)
		if m == nil {
			return false
		}
		c, _ := strconv.Atoi(m[2])
		return c > n
	}
}

// TestPromptRunawayInputs gives the prompt inputs that go wrong at a
// breakpoint of examples/counter inside Counter.Tick (which holds c.mu):
// each gets an answer in terms of what the user typed, and the program
// survives them all and runs on.
func TestPromptRunawayInputs(t *testing.T) {
	RunPrompt(t, time.Second, func(t *testing.T, env *Env) {
		thread, file, _ := startCounter(env)
		top := env.TopFrame(thread).Id

		t.Run("nil dereference", func(t *testing.T) {
			env.mustFail(top, "var p *Counter\np.n", dapproxy.ErrPromptPanic, "runtime error: invalid memory address or nil pointer dereference")
			env.mustFail(top, "var q *int\n*q + 1", dapproxy.ErrPromptPanic, "runtime error: invalid memory address or nil pointer dereference")
			env.mustFail(top, "var q *int\n*q = 1", dapproxy.ErrPromptPanic, "runtime error: invalid memory address or nil pointer dereference")
		})

		t.Run("syntax error", func(t *testing.T) {
			got := env.eval(top, "this is not go")
			if got.ok || got.id != dapproxy.ErrPromptInput {
				t.Fatalf("this is not go: got %+v, want an input error", got)
			}
			if strings.Contains(got.err, "}") || !strings.HasPrefix(got.err, "1:6: ") {
				t.Errorf("this is not go: error %q, want one at 1:6 about what was typed", got.err)
			}
		})

		t.Run("deep recursion", func(t *testing.T) {
			env.mustEval(top, "func r(n int) int { return r(n+1) + 1 }", "")
			env.mustFail(top, "r(0)", dapproxy.ErrPromptPanic, "stack overflow: r called itself more than")
			// Recursion that ends is not limited, and r can be declared anew.
			env.mustEval(top, "func r(n int) int { if n == 0 { return 0 }; return r(n-1) + 1 }", "")
			env.mustEval(top, "r(500)", "500")
			env.mustEval(top, "c.n", env.eval(top, "?c.n").result) // the session goes on
		})

		// The program runs on: its loop prints further ticks.
		n, _ := strconv.Atoi(env.eval(top, "?c.n").result)
		env.SetBreakpoints(file)
		env.continueTo(thread, tickAbove(n+2))
		env.Disconnect()
	})
}

// TestPromptInputBlockedInCompiledCode stops inside Counter.Tick, which
// holds c.mu, and gives the prompt inputs that block in compiled code,
// which cannot be interrupted: the answer says that the input still runs,
// where it waits and what follows, and later inputs do not wait for it.
func TestPromptInputBlockedInCompiledCode(t *testing.T) {
	RunPrompt(t, time.Second, func(t *testing.T, env *Env) {
		thread, _, _ := startCounter(env)
		top := env.TopFrame(thread).Id
		env.mustFail(top, "time.Sleep(3 * time.Second)", dapproxy.ErrPromptTimeout,
			"input 1 (time.Sleep(3 * time.Second)) is still running", "blocked in time.Sleep", "When the program continues")
		env.mustEval(top, "c.ticks", env.eval(top, "?c.ticks").result) // later inputs do not wait for it

		// The lock Tick holds: the input would take it when the program
		// continues, and keep it.
		env.mustFail(top, "c.mu.Lock()", dapproxy.ErrPromptTimeout,
			"input 2 (c.mu.Lock()) is still running", "blocked in sync.(*Mutex).Lock", "keeps whatever it takes")
		env.Disconnect()
	})
}

// TestPromptAbandonedInputLeavesTheFrame gives the prompt an input that
// blocks in compiled code past its time limit and then writes through a
// variable of the paused frame. The input goes on when the program
// continues, after Tick has returned: its write must not reach the dead
// frame's memory (which another call of Tick reuses), and the program runs
// on unharmed.
func TestPromptAbandonedInputLeavesTheFrame(t *testing.T) {
	RunPrompt(t, time.Second, func(t *testing.T, env *Env) {
		thread, file, _ := startCounter(env)
		top := env.TopFrame(thread).Id
		env.mustFail(top, "time.Sleep(2 * time.Second)\nc.ticks += 1000000", dapproxy.ErrPromptTimeout,
			"is still running", "without this frame's variables")
		n, _ := strconv.Atoi(env.eval(top, "?c.ticks").result)
		env.SetBreakpoints(file)
		// Ticks come every 20 ms or more: 150 ticks later, the input has
		// woken up from its two seconds.
		got := env.continueTo(thread, func(s string) bool {
			m := tickRE.FindStringSubmatch(s)
			k := 0
			if m != nil {
				k, _ = strconv.Atoi(m[1])
			}
			return k > n+150
		})
		if k, _ := strconv.Atoi(tickRE.FindStringSubmatch(got)[1]); k >= 1000000 {
			t.Errorf("tick line %q: the abandoned input wrote through the paused frame after it was gone", got)
		}
		env.Disconnect()
	})
}
