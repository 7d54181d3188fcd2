package terminal_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-delve/delve/service/debugger"

	"github.com/livepatch/livepatch/internal/terminal"
	"github.com/livepatch/livepatch/internal/testenv"
)

// childEnv makes the test binary run terminal.Run on its own standard
// input and output (a pseudo-terminal) instead of the tests; its value is
// the launch program, and the count is in childCountEnv.
const (
	childEnv      = "LIVEPATCH_TERMINAL_TEST_CHILD"
	childCountEnv = "LIVEPATCH_TERMINAL_TEST_COUNT"
)

// runChild runs the terminal debugger on the fixture, as `livepatch debug`
// would, against Delve's DAP server in process.
func runChild() int {
	d, stop, err := testenv.ServeDelve(debugger.Config{Backend: "default"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer stop()
	err = terminal.Run(context.Background(), terminal.Config{
		Conn:   d.Conn,
		Launch: map[string]any{"mode": "exec", "program": os.Getenv(childEnv), "args": []string{os.Getenv(childCountEnv)}},
		Stdin:  os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "terminal:", err)
		return 1
	}
	return 0
}

// startPTY starts cmd on a new pseudo-terminal, with budget for the test's
// waits; it is killed when the test ends.
func startPTY(t *testing.T, budget time.Duration, cmd *exec.Cmd) *testenv.PTY {
	t.Helper()
	ctx, cancel := context.WithTimeout(testenv.Context(t), budget)
	t.Cleanup(cancel)
	return testenv.StartPTY(t, ctx, cmd)
}

// TestTerminalOnPTY drives terminal.Run on a real pseudo-terminal: line
// editing (liner), tab completion, Ctrl-C at the prompt, at a
// continuation line and while the program runs, Ctrl-D, and the history
// file.
func TestTerminalOnPTY(t *testing.T) {
	home := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+counterBin, childCountEnv+"=0", "HOME="+home, "TERM=xterm")
	p := startPTY(t, time.Minute, cmd)
	p.Wait("Type 'help' for list of commands.", terminal.Prompt)

	// Tab completes a command name; the line is then edited: Ctrl-A moves
	// to its start, Ctrl-K kills it.
	p.Type("clearal\t")
	p.Wait("clearall ")
	p.Type("\x01\x0b")
	p.Type("b main.go:15\r")
	p.Wait("Breakpoint 1 set at ./testdata/counter/main.go:15", terminal.Prompt)
	p.Type("c\r")
	p.Wait("> main.(*Counter).Inc() ./testdata/counter/main.go:15 (hits goroutine(1):1 total:1)", "=>  15:", terminal.Prompt)

	// Ctrl-C at the prompt drops the half-typed line.
	p.Type("print garbage")
	// Wait for liner's echo: until liner reads keys the terminal is in
	// signal mode, where Ctrl-C would raise SIGINT and flush the typed keys.
	p.Wait("print garbage")
	p.Type("\x03")
	p.Wait("^C", terminal.Prompt)
	p.Type("p c.n + 10\r")
	p.Wait("10\n", terminal.Prompt)

	// Go left open continues on the next line; Ctrl-C there drops the
	// whole input.
	p.Type("c.n +\r")
	p.Wait(terminal.ContinuationPrompt)
	// liner prints the prompt before it takes the terminal out of signal
	// mode: wait for the echo of a key, which liner itself writes, so the
	// Ctrl-C reaches liner rather than the kernel.
	p.Type("1")
	p.Wait("1")
	p.Type("\x03")
	p.Wait("^C", terminal.Prompt)
	p.Type("c.n +\r")
	p.Wait(terminal.ContinuationPrompt)
	p.Type("20 + 1\r")
	p.Wait("20 + 1", "21\n", terminal.Prompt)

	// Ctrl-C while the program runs pauses it.
	p.Type("clear 1\r")
	p.Wait("Breakpoint 1 cleared", terminal.Prompt)
	p.Type("c\r")
	p.Wait("count 3\n")
	p.Type("\x03")
	p.Wait("received SIGINT, stopping process", "> ", terminal.Prompt)

	// Ctrl-D quits and saves the history.
	p.Type("\x04")
	p.WaitExit()
	hist, err := os.ReadFile(filepath.Join(home, ".livepatch_history"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(hist), "p c.n + 10\n") || strings.Contains(string(hist), "garbage") {
		t.Errorf("history file:\n%s\nwant the commands run, without the aborted line", hist)
	}
}

// TestLivepatchDebugOnPTY runs the real `livepatch debug` binary on a
// pseudo-terminal with the script break, continue, print, exit.
func TestLivepatchDebugOnPTY(t *testing.T) {
	if testing.Short() {
		t.Skip("builds cmd/livepatch: slow in -short mode")
	}
	if _, err := os.Stat("../../cmd/livepatch"); err != nil {
		t.Skip("cmd/livepatch does not exist yet")
	}
	bin := filepath.Join(t.TempDir(), "livepatch")
	build := exec.Command("go", "build", "-o", bin, "github.com/livepatch/livepatch/cmd/livepatch")
	if out, err := build.CombinedOutput(); err != nil {
		t.Skipf("cmd/livepatch does not build yet: %v\n%s", err, out)
	}
	dir, err := filepath.Abs("testdata/counter")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "debug")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "TERM=xterm")
	// The first build of a patchable binary compiles yaegi: give it time.
	p := startPTY(t, 4*time.Minute, cmd)
	p.Wait(terminal.Prompt)
	p.Type("break main.go:15\r")
	p.Wait("Breakpoint 1 set at ./main.go:15", terminal.Prompt)
	p.Type("continue\r")
	p.Wait("> main.(*Counter).Inc() ./main.go:15 (hits goroutine(1):1 total:1)", terminal.Prompt)
	p.Type("print c.n\r")
	p.Wait("0\n", terminal.Prompt)
	p.Type("exit\r")
	p.WaitExit()
}
