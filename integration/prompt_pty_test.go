package integration

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/livepatch/livepatch/internal/terminal"
)

// ptyScreen collects what a pseudo-terminal shows, without escape
// sequences and carriage returns, and lets a test wait for text. It is safe
// for concurrent use.
type ptyScreen struct {
	mu      sync.Mutex
	raw     bytes.Buffer
	changed chan struct{}
}

var ptyEscapes = regexp.MustCompile("\x1b\\[[0-9;?]*[A-Za-z]|\r")

func (s *ptyScreen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.raw.Write(p)
	close(s.changed)
	s.changed = make(chan struct{})
	return len(p), nil
}

func (s *ptyScreen) text() (string, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return ptyEscapes.ReplaceAllString(s.raw.String(), ""), s.changed
}

// TestLivepatchDebugCompletionOnPTY runs `livepatch debug` on a
// pseudo-terminal, stops in the prompt fixture, and presses Tab: the
// completions come from the Go prompt through the proxy's `completions`
// (a local's name, a field and a method after a dot, a package member),
// and a completed line evaluates. A function declared over several lines
// at the continuation prompt is then called.
func TestLivepatchDebugCompletionOnPTY(t *testing.T) {
	ctx := testContext(t)
	dir := fixture(t, "prompt")
	cmd := exec.Command(livepatchBinary(t), "debug")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "TERM=xterm")
	cmd.WaitDelay = 5 * time.Second
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 160})
	if err != nil {
		t.Fatal(err)
	}
	scr := &ptyScreen{changed: make(chan struct{})}
	copied := make(chan struct{})
	go func() {
		io.Copy(scr, tty)
		close(copied)
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			t.Error("livepatch debug did not end after kill")
		}
		tty.Close()
		<-copied
		if t.Failed() {
			text, _ := scr.text()
			t.Logf("screen:\n%s", text)
		}
	})

	mark := 0
	// wait waits until the screen shows the strings of want in order, after
	// what earlier waits consumed, and consumes up to the last of them.
	wait := func(want ...string) {
		t.Helper()
		for {
			text, changed := scr.text()
			rest := text[min(mark, len(text)):]
			if containsAll(rest, want) {
				end := 0
				for _, w := range want {
					end += strings.Index(rest[end:], w) + len(w)
				}
				mark += end
				return
			}
			select {
			case <-changed:
			case <-copied:
				if text2, _ := scr.text(); text2 == text {
					t.Fatalf("livepatch debug ended while waiting for %q; screen after mark:\n%s", want, rest)
				}
			case <-ctx.Done():
				t.Fatalf("timed out waiting for %q; screen after mark:\n%s", want, rest)
			}
		}
	}
	typ := func(keys string) {
		t.Helper()
		if _, err := tty.WriteString(keys); err != nil {
			t.Fatal(err)
		}
	}

	// The first build of a patchable binary compiles yaegi's symbols.
	wait("Type 'help' for list of commands.", terminal.Prompt)
	typ(fmt.Sprintf("break main.go:%d\r", lineOf(t, filepath.Join(dir, "main.go"), "// stop here")))
	wait("Breakpoint 1 set", terminal.Prompt)
	typ("continue\r")
	wait("> main.work()", "=>  39:", terminal.Prompt)

	// One completion fills the line in; Enter evaluates it.
	typ("ite\t")
	wait("items")
	typ("\r")
	wait(`"p","q"`, terminal.Prompt)
	typ("cfg.Na\t")
	wait("cfg.Name")
	typ("\r")
	wait(`"cfg"`, terminal.Prompt)
	typ("strings.ToU\t")
	wait("strings.ToUpper")
	typ("(cfg.Name)\r")
	wait(`"CFG"`, terminal.Prompt)

	// Several completions: a second Tab lists them (a method and the
	// unexported field of *Counter); Ctrl-C drops the line.
	typ("c.\t\t")
	wait("Inc", terminal.Prompt+"c.")
	typ("\x03")
	wait("^C", terminal.Prompt)

	// A function declared over lines at the continuation prompt, then
	// called.
	typ("func thrice(n int) int {\r")
	wait(terminal.ContinuationPrompt)
	typ("return n * 3\r")
	wait(terminal.ContinuationPrompt)
	typ("}\r")
	wait(terminal.Prompt)
	typ("thrice(x) + 100\r")
	wait("109\n", terminal.Prompt)

	typ("exit\r")
	select {
	case err := <-exited:
		exited <- err
		if err != nil {
			t.Errorf("livepatch debug ended with %v", err)
		}
	case <-ctx.Done():
		t.Fatal("livepatch debug did not end after exit")
	}
}
