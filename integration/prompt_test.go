package integration

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-dap"
	"github.com/livepatch/livepatch/internal/cli"
	"github.com/livepatch/livepatch/internal/dapproxy"
	"github.com/livepatch/livepatch/internal/prompt"
	"github.com/livepatch/livepatch/internal/testenv"
)

// RunPrompt runs f with a client connected to a proxy configured as
// livepatch's launch paths are: patchable builds and the Go prompt, with
// the given time limit for inputs.
func RunPrompt(t *testing.T, timeout time.Duration, f func(t *testing.T, env *Env)) {
	t.Helper()
	pr := prompt.New(prompt.Options{Timeout: timeout, Log: testenv.Logger(t, "prompt")})
	cfg := dapproxy.Config{
		Builder:      cli.PatchBuilder{Log: testenv.Logger(t, "patcher"), Built: pr.UseBuild},
		Log:          testenv.Logger(t, "dapproxy"),
		Capabilities: pr.Capabilities(),
	}
	px := dapproxy.New(cfg)
	pr.Register(px)
	env := serve(t, px)
	f(t, env)
}

// evalResult is the outcome of one evaluate request.
type evalResult struct {
	ok     bool
	result string
	err    string // the error's text, for a failed request
	id     int    // the error's id
}

// eval sends an evaluate request with context repl in frame frameID.
func (e *Env) eval(frameID int, expr string) evalResult {
	e.T.Helper()
	r := e.CallRaw("evaluate", map[string]any{"expression": expr, "frameId": frameID, "context": "repl"})
	if !r.Success {
		var body struct {
			Error struct {
				ID     int    `json:"id"`
				Format string `json:"format"`
			} `json:"error"`
		}
		_ = json.Unmarshal(r.Body, &body)
		return evalResult{err: body.Error.Format, id: body.Error.ID}
	}
	var body struct {
		Result string `json:"result"`
	}
	if err := json.Unmarshal(r.Body, &body); err != nil {
		e.T.Fatalf("evaluate %q: %v", expr, err)
	}
	return evalResult{ok: true, result: body.Result}
}

// mustEval evaluates expr and checks its result.
func (e *Env) mustEval(frameID int, expr, want string) {
	e.T.Helper()
	got := e.eval(frameID, expr)
	if !got.ok {
		e.T.Errorf("%s: failed: %s", expr, got.err)
		return
	}
	if got.result != want {
		e.T.Errorf("%s: got %q, want %q", expr, got.result, want)
	}
}

// mustFail evaluates expr and checks that it fails with error id and a
// message containing each of wants.
func (e *Env) mustFail(frameID int, expr string, id int, wants ...string) {
	e.T.Helper()
	got := e.eval(frameID, expr)
	if got.ok {
		e.T.Errorf("%s: got %q, want an error", expr, got.result)
		return
	}
	if got.id != id {
		e.T.Errorf("%s: error id %d (%s), want %d", expr, got.id, got.err, id)
	}
	for _, w := range wants {
		if !strings.Contains(got.err, w) {
			e.T.Errorf("%s: error %q does not contain %q", expr, got.err, w)
		}
	}
}

// completions returns the labels the server completes text with, the
// cursor at its end.
func (e *Env) completions(frameID int, text string) []string {
	e.T.Helper()
	r := e.Call(&dap.CompletionsRequest{Request: dap.Request{Command: "completions"},
		Arguments: dap.CompletionsArguments{FrameId: frameID, Text: text, Column: len(text) + 1}}).(*dap.CompletionsResponse)
	var labels []string
	for _, t := range r.Body.Targets {
		labels = append(labels, t.Label)
	}
	return labels
}

// output collects the debuggee's stdout from output events.
type output struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// TestPrompt drives the Go prompt at a breakpoint of the prompt fixture
// through DAP: routing, reads, completion, declarations, each kind of
// error, the time limit, writes seen by the program after continue, and
// inputs in an outer frame.
func TestPrompt(t *testing.T) {
	RunPrompt(t, 2*time.Second, func(t *testing.T, env *Env) {
		out := &output{}
		env.Client.OnEvent(func(e dap.EventMessage) {
			if o, ok := e.(*dap.OutputEvent); ok && o.Body.Category == "stdout" {
				out.mu.Lock()
				out.buf.WriteString(o.Body.Output)
				out.mu.Unlock()
			}
		})
		init := env.Initialize()
		if !init.Body.SupportsCompletionsRequest {
			t.Errorf("initialize does not advertise completions")
		}
		st := env.StartAtBreakpoint("prompt", "// stop here", map[string]any{"outputMode": "remote"})
		r := env.Call(&dap.StackTraceRequest{Request: dap.Request{Command: "stackTrace"},
			Arguments: dap.StackTraceArguments{ThreadId: st.Body.ThreadId, Levels: 20}}).(*dap.StackTraceResponse)
		if len(r.Body.StackFrames) < 2 || r.Body.StackFrames[1].Name != "main.main" {
			t.Fatalf("unexpected stack: %+v", r.Body.StackFrames)
		}
		top, outer := r.Body.StackFrames[0].Id, r.Body.StackFrames[1].Id

		t.Run("routing", func(t *testing.T) {
			env.mustEval(top, "x", "3")           // Delve
			env.mustEval(top, "?x + y", "9")      // forced Delve
			env.mustEval(top, "$x", "3")          // forced Go
			env.mustEval(top, "c.Inc() + x", "4") // a call: Go
			env.mustEval(top, "shout(cfg.Name)", `"CFG!"`)
			env.mustEval(top, "divmod(17, 5)", "3, 2") // every result of a multi-value call
			env.mustEval(top, "total + len(items)", "102")
			if got := env.eval(top, "dlv help"); !got.ok || !strings.Contains(got.result, "dlv") {
				t.Errorf("dlv help: got %+v", got)
			}
		})

		t.Run("output", func(t *testing.T) {
			before := out.String()
			env.mustEval(top, `fmt.Println("from the prompt", x)`, "18, nil")
			if got := strings.TrimPrefix(out.String(), before); !strings.Contains(got, "from the prompt 3\n") {
				t.Errorf("output before the response: got %q", got)
			}
		})

		t.Run("completion", func(t *testing.T) {
			for _, tc := range []struct {
				text string
				want []string
			}{
				{"c.", []string{"Inc", "n"}},
				{"cf", []string{"cfg"}},
				{"cfg.L", []string{"Limit"}},
				{"strings.ToU", []string{"ToUpper"}},
				{"x + to", []string{"total"}},
				{"sh", []string{"shout"}},
			} {
				got := env.completions(top, tc.text)
				for _, w := range tc.want {
					found := false
					for _, g := range got {
						found = found || g == w
					}
					if !found {
						t.Errorf("completions of %q: got %v, want %s among them", tc.text, got, w)
					}
				}
			}
		})

		t.Run("declarations", func(t *testing.T) {
			env.mustEval(top, "z := y + 1", "")
			env.mustEval(top, "z * 10", "70")
			env.mustEval(top, "func triple(a int) int {\n\treturn a * 3\n}", "")
			env.mustEval(top, "triple(z)", "21")
			env.mustEval(top, "type pair struct{ a, b int }", "")
			env.mustEval(top, "p := pair{a: x, b: z}\np.a + p.b", "10")
			env.mustEval(top, "func (q pair) sum() int { return q.a + q.b }", "")
			env.mustEval(top, "p.sum() * 2", "20")
			env.mustEval(top, `import "strconv"`, "")
			env.mustEval(top, "strconv.Itoa(z) + cfg.Name", `"7cfg"`)
		})

		t.Run("errors", func(t *testing.T) {
			env.mustFail(top, "x +", dapproxy.ErrPromptInput, "1:4: expected operand")
			env.mustFail(top, "a := 1\nb := nosuch + a", dapproxy.ErrPromptInput, "2:6: undefined: nosuch")
			env.mustFail(top, `x = "s"`, dapproxy.ErrPromptInput, "1:5: cannot use")
			env.mustEval(top, "func boom(s string) { panic(\"boom: \" + s) }", "")
			env.mustFail(top, `boom("now")`, dapproxy.ErrPromptPanic, "panic: boom: now", "interpreted stack:\n\tmain.boom(...), line 1")
			// An unexported compiled method, through the builder's accessor;
			// the count is put back for the later subtests.
			env.mustEval(top, "old := c.n\nc.reset()\nafter := c.n\nc.n = old\nafter", "0")
			env.mustFail(top, "(*Counter).reset(c)", dapproxy.ErrPromptInput, "1:12: method expression reset")
			env.mustEval(top, "x", "3") // the session goes on
		})

		t.Run("time limit", func(t *testing.T) {
			start := time.Now()
			env.mustFail(top, "for {}", dapproxy.ErrPromptTimeout, "time limit")
			if d := time.Since(start); d > 15*time.Second {
				t.Errorf("stopping took %v", d)
			}
			env.mustEval(top, "x + 1", "4") // still paused where it was
			// Blocked in compiled code: the agent gives up after a grace.
			env.mustFail(top, "time.Sleep(time.Hour)", dapproxy.ErrPromptTimeout, "time limit")
			env.mustEval(top, "c.Inc()", "2")
		})

		t.Run("writes", func(t *testing.T) {
			env.mustEval(top, "x = 5", "")
			env.mustEval(top, "?x", "5") // Delve sees it
			env.mustEval(top, "c.n++", "")
			env.mustEval(top, "c.n", "3")
			env.mustEval(top, "cfg.Limit = 3", "")
			env.mustEval(top, `m["z"] = 26`, "")
			env.mustEval(top, `items[0] = "P"`, "")
			env.mustEval(top, "total = 7", "")
			got := env.eval(top, "k = 6")
			if !got.ok || !strings.Contains(got.result, "note: k has a constant initializer") {
				t.Errorf("k = 6: got %+v, want a note that k may be folded", got)
			}
		})

		t.Run("outer frame", func(t *testing.T) {
			env.mustEval(outer, "outer", "7")
			env.mustEval(outer, "outer = outer * 10", "")
			env.mustEval(outer, "?outer", "70")
			env.mustFail(outer, "r + 1", dapproxy.ErrPromptInput, "1:1: undefined: r") // declared on the paused line
			env.mustFail(outer, "y + 1", dapproxy.ErrPromptInput, "undefined: y")      // work's local
		})

		env.Call(&dap.ContinueRequest{Request: dap.Request{Command: "continue"}, Arguments: dap.ContinueArguments{ThreadId: st.Body.ThreadId}})
		env.WaitEvent("terminated")
		got := out.String()
		for _, want := range []string{
			"after x=5 c.n=3 limit=3 items=[P q] m=map[k:1 z:26] total=7 k=",
			"main outer=70 r=5\n",
		} {
			if !strings.Contains(got, want) {
				t.Errorf("program output %q does not contain %q", got, want)
			}
		}
	})
}

var _ = filepath.Join

// TestPromptAtFunctionEntry stops on a function breakpoint, where the
// arguments may still be in registers: an input that needs their address
// gets an error naming the variable instead of touching unrelated memory,
// and after one step it works.
func TestPromptAtFunctionEntry(t *testing.T) {
	RunPrompt(t, 10*time.Second, func(t *testing.T, env *Env) {
		env.Initialize()
		env.Launch(map[string]any{"mode": "debug", "program": fixture(t, "prompt"), "outputMode": "remote"})
		env.WaitEvent("initialized")
		env.Call(&dap.SetFunctionBreakpointsRequest{Request: dap.Request{Command: "setFunctionBreakpoints"},
			Arguments: dap.SetFunctionBreakpointsArguments{Breakpoints: []dap.FunctionBreakpoint{{Name: "main.work"}}}})
		env.Call(&dap.ConfigurationDoneRequest{Request: dap.Request{Command: "configurationDone"}})
		st := env.WaitStopped("function breakpoint")
		frame := env.TopFrame(st.Body.ThreadId)
		got := env.eval(frame.Id, "x = x + 1")
		t.Logf("at entry: ok=%v result=%q err=%q", got.ok, got.result, got.err)
		if !got.ok && !strings.Contains(got.err, "x is in a register") {
			t.Errorf("x = x + 1 at entry: %s; want success or the register explanation", got.err)
		}
		env.Call(&dap.NextRequest{Request: dap.Request{Command: "next"}, Arguments: dap.NextArguments{ThreadId: st.Body.ThreadId}})
		env.WaitStopped("step")
		frame = env.TopFrame(st.Body.ThreadId)
		want := "3"
		if got.ok {
			want = "4"
		}
		env.mustEval(frame.Id, "x + 0*len(shout(\"a\"))", want)
		env.Disconnect()
	})
}

// TestPromptExecOfPlainBinary debugs a binary livepatch did not build: Delve
// still answers, and Go input says that it needs a livepatch build.
func TestPromptExecOfPlainBinary(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "prompt")
	if out, err := exec.Command("go", "build", "-gcflags=all=-N -l", "-o", bin, fixture(t, "prompt")).CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	RunPrompt(t, 10*time.Second, func(t *testing.T, env *Env) {
		main := filepath.Join(fixture(t, "prompt"), "main.go")
		env.Initialize()
		env.Launch(map[string]any{"mode": "exec", "program": bin})
		env.WaitEvent("initialized")
		env.SetBreakpoints(main, lineOf(t, main, "// stop here"))
		env.Call(&dap.ConfigurationDoneRequest{Request: dap.Request{Command: "configurationDone"}})
		st := env.WaitStopped("breakpoint")
		frame := env.TopFrame(st.Body.ThreadId)
		env.mustEval(frame.Id, "y", "6")
		env.mustFail(frame.Id, `shout("a")`, dapproxy.ErrPromptUnavailable, "not built by livepatch")
		env.Disconnect()
	})
}

// TestPromptExit checks that a program ending inside an input (os.Exit at
// the prompt) is answered as such, and that the client hears of the end at
// once, not at its next request.
func TestPromptExit(t *testing.T) {
	RunPrompt(t, 10*time.Second, func(t *testing.T, env *Env) {
		st := env.StartAtBreakpoint("prompt", "// stop here", nil)
		top := env.TopFrame(st.Body.ThreadId).Id
		env.mustFail(top, "os.Exit(1)", dapproxy.ErrPromptFailed, "the program exited with status 1")
		if code := env.WaitEvent("exited").(*dap.ExitedEvent).Body.ExitCode; code != 1 {
			t.Errorf("exit code %d, want 1", code)
		}
		env.WaitEvent("terminated")
	})
}
