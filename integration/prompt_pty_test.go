package integration

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/livepatch/livepatch/internal/terminal"
	"github.com/livepatch/livepatch/internal/testenv"
)

// TestLivepatchDebugCompletionOnPTY runs `livepatch debug` on a
// pseudo-terminal, stops in the prompt fixture, and presses Tab: the
// completions come from the Go prompt through the proxy's `completions`
// (a local's name, a field and a method after a dot, a package member),
// and a completed line evaluates. A function declared over several lines
// at the continuation prompt is then called.
func TestLivepatchDebugCompletionOnPTY(t *testing.T) {
	ctx := testenv.Context(t)
	dir := fixture(t, "prompt")
	cmd := exec.Command(livepatchBinary(t), "debug")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "TERM=xterm")
	p := testenv.StartPTY(t, ctx, cmd)

	// The first build of a patchable binary compiles yaegi's symbols.
	p.Wait("Type 'help' for list of commands.", terminal.Prompt)
	p.Type(fmt.Sprintf("break main.go:%d\r", lineOf(t, filepath.Join(dir, "main.go"), "// stop here")))
	p.Wait("Breakpoint 1 set", terminal.Prompt)
	p.Type("continue\r")
	p.Wait("> main.work()", "=>  39:", terminal.Prompt)

	// One completion fills the line in; Enter evaluates it.
	p.Type("ite\t")
	p.Wait("items")
	p.Type("\r")
	p.Wait(`"p","q"`, terminal.Prompt)
	p.Type("cfg.Na\t")
	p.Wait("cfg.Name")
	p.Type("\r")
	p.Wait(`"cfg"`, terminal.Prompt)
	p.Type("strings.ToU\t")
	p.Wait("strings.ToUpper")
	p.Type("(cfg.Name)\r")
	p.Wait(`"CFG"`, terminal.Prompt)

	// Several completions: a second Tab lists them (a method and the
	// unexported field of *Counter); Ctrl-C drops the line.
	p.Type("c.\t\t")
	p.Wait("Inc", terminal.Prompt+"c.")
	p.Type("\x03")
	p.Wait("^C", terminal.Prompt)

	// A function declared over lines at the continuation prompt, then
	// called.
	p.Type("func thrice(n int) int {\r")
	p.Wait(terminal.ContinuationPrompt)
	p.Type("return n * 3\r")
	p.Wait(terminal.ContinuationPrompt)
	p.Type("}\r")
	p.Wait(terminal.Prompt)
	p.Type("thrice(x) + 100\r")
	p.Wait("109\n", terminal.Prompt)

	p.Type("exit\r")
	p.WaitExit()
}
