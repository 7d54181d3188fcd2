package integration

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-dap"
)

// TestLivePatchGeneric saves an edit of a generic function and of two
// methods of a generic type under livepatch dap: every instantiation runs
// the new bodies, the two that ran before the save and one that first
// runs after it (largest[float64], which the edited line calls through
// the build's compiled instantiation), and a field of the generic type
// is written through the receiver. Then the generic function is
// redefined at the Go prompt, which every instantiation runs too, a call
// from the prompt itself included.
func TestLivePatchGeneric(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir := copyFixture(t, "generic")
		main := filepath.Join(dir, "main.go")
		orig, err := os.ReadFile(main)
		if err != nil {
			t.Fatal(err)
		}
		env.Initialize()
		env.Launch(map[string]any{"mode": "debug", "program": ".", "dlvCwd": dir, "outputMode": "remote"})
		env.WaitEvent("initialized")
		env.Call(&dap.ConfigurationDoneRequest{Request: dap.Request{Command: "configurationDone"}})
		env.waitOutput("stdout", "report 9 z b 2")
		edited := string(orig)
		for _, r := range [][2]string{
			{"		if x > m {", "		if x < m {"},
			{"	s.pushes++", "	s.pushes += 10"},
			{"	return s.items[len(s.items)-1]", "	return s.items[0]"},
			{`"report %v %v %v %d", largest([]int{3, 9, 4})`, `"report %v %v %v %d %v", largest([]int{3, 9, 4})`},
			{"s.Top(), s.pushes)", "s.Top(), s.pushes, largest([]float64{2.5, 0.5, 1}))"},
		} {
			if !strings.Contains(edited, r[0]) {
				t.Fatalf("the fixture changed: %q is not in it", r[0])
			}
			edited = strings.Replace(edited, r[0], r[1], 1)
		}
		if err := os.WriteFile(main, []byte(edited), 0o644); err != nil {
			t.Fatal(err)
		}
		env.waitOutput("stdout", "report 3 x a 20 0.5")

		env.SetBreakpoints(main, lineOf(t, main, "fmt.Println(line())"))
		thread := env.WaitStopped("breakpoint").Body.ThreadId
		env.mustEval(env.TopFrame(thread).Id, "func largest[T cmp.Ordered](xs []T) T { return xs[1] }",
			"patched main.largest (main.go:"+strconv.Itoa(lineOf(t, main, "func largest["))+")")
		// The prompt's call is the redefinition's first of an
		// instantiation: compiled for it, on the input's goroutine.
		env.mustEval(env.TopFrame(thread).Id, "largest([]float64{7, 8, 9})", "8")
		env.SetBreakpoints(main)
		env.Call(&dap.ContinueRequest{Request: dap.Request{Command: "continue"}, Arguments: dap.ContinueArguments{ThreadId: thread}})
		env.waitOutput("stdout", "report 9 z a 20 0.5")
		env.Disconnect()
	})
}

// TestLivePatchNewTypeCrossings saves edits that give compiled code values
// of types the save declares: one passed to errors.Is, which compiled code
// could not compare (the interpreter's wrapper holds funcs), is refused
// with the reason and nothing is applied; one with a String method,
// printed by fmt, prints through String, as compiled code does.
func TestLivePatchNewTypeCrossings(t *testing.T) {
	RunLive(t, func(t *testing.T, env *Env) {
		dir := copyFixture(t, "generic")
		main := filepath.Join(dir, "main.go")
		orig, err := os.ReadFile(main)
		if err != nil {
			t.Fatal(err)
		}
		env.Initialize()
		env.Launch(map[string]any{"mode": "debug", "program": ".", "dlvCwd": dir, "outputMode": "remote"})
		env.WaitEvent("initialized")
		env.Call(&dap.ConfigurationDoneRequest{Request: dap.Request{Command: "configurationDone"}})
		env.waitOutput("stdout", "report 9 z b 2")
		save := func(imports, decls, extra string) {
			t.Helper()
			from := `"report %v %v %v %d", largest([]int{3, 9, 4})`
			edited := strings.Replace(string(orig), "\t\"cmp\"\n", "\t\"cmp\"\n"+imports, 1)
			edited = strings.Replace(edited, from, `"report %v %v %v %d %v", largest([]int{3, 9, 4})`, 1)
			edited = strings.Replace(edited, "s.Top(), s.pushes)", "s.Top(), s.pushes, "+extra+")", 1)
			if edited == string(orig) || !strings.Contains(edited, extra) {
				t.Fatal("the fixture changed: the edit does not apply")
			}
			if err := os.WriteFile(main, []byte(edited+"\n"+decls+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		save("\t\"errors\"\n", "type code struct{ n int }\n\nfunc (c code) Error() string { return \"code\" }\n", "errors.Is(code{1}, code{1})")
		got := env.waitConsole("which compiled code cannot compare")
		if !strings.Contains(got, "nothing of this save was applied") {
			t.Errorf("refusal %q does not say that nothing was applied", got)
		}
		save("", "type celsius float64\n\nfunc (c celsius) String() string { return fmt.Sprintf(\"%.1f°C\", float64(c)) }\n", "fmt.Sprint(celsius(21.5))")
		env.waitOutput("stdout", "report 9 z b 2 21.5°C")
		env.Disconnect()
	})
}
