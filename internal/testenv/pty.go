package testenv

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"regexp"
	"testing"
	"time"

	"github.com/creack/pty"
)

// PTY is a program running on a pseudo-terminal of 40 rows and 160
// columns. A test types keys and waits for what the screen shows, without
// escape sequences and carriage returns.
type PTY struct {
	t      testing.TB
	ctx    context.Context
	tty    *os.File
	screen *Output
	mark   int // where the next Wait looks from
	copied chan struct{}
	exited chan struct{}
	err    error // cmd.Wait's result, set before exited is closed
}

// escapes matches the terminal's escape sequences and carriage returns.
var escapes = regexp.MustCompile("\x1b\\[[0-9;?]*[A-Za-z]|\r")

// StartPTY starts cmd on a new pseudo-terminal; its waits give up when ctx
// ends. The program is killed when the test ends, and the screen is
// printed if the test failed.
func StartPTY(t testing.TB, ctx context.Context, cmd *exec.Cmd) *PTY {
	t.Helper()
	cmd.WaitDelay = WaitDelay
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 160})
	if err != nil {
		t.Fatal(err)
	}
	p := &PTY{t: t, ctx: ctx, tty: tty, screen: NewOutput(), copied: make(chan struct{}), exited: make(chan struct{})}
	go func() {
		io.Copy(p.screen, tty)
		close(p.copied)
	}()
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		select {
		case <-p.exited:
		case <-time.After(2 * WaitDelay):
			t.Errorf("%s did not end after kill", cmd.Path)
		}
		tty.Close()
		<-p.copied
		if t.Failed() {
			t.Logf("screen:\n%s", p.Text())
		}
	})
	return p
}

// Text returns what the screen has shown so far.
func (p *PTY) Text() string {
	text, _ := p.text()
	return text
}

func (p *PTY) text() (string, <-chan struct{}) {
	raw, changed := p.screen.Since(0)
	return escapes.ReplaceAllString(raw, ""), changed
}

// Wait waits until the screen shows the strings of want in order, after
// what earlier waits consumed, and consumes up to the end of the last of
// them. It fails the test if the program ends or the context ends first.
func (p *PTY) Wait(want ...string) {
	p.t.Helper()
	for {
		text, changed := p.text()
		rest := text[min(p.mark, len(text)):]
		if end, ok := endOf(rest, want); ok {
			p.mark += end
			return
		}
		select {
		case <-changed:
		case <-p.copied:
			if p.Text() == text {
				p.t.Fatalf("program ended while waiting for %q; screen after mark:\n%s", want, rest)
			}
		case <-p.ctx.Done():
			p.t.Fatalf("timed out waiting for %q; screen after mark:\n%s", want, rest)
		}
	}
}

// Type types keys.
func (p *PTY) Type(keys string) {
	p.t.Helper()
	if _, err := p.tty.WriteString(keys); err != nil {
		p.t.Fatal(err)
	}
}

// WaitExit waits for the program to end and checks that it succeeded.
func (p *PTY) WaitExit() {
	p.t.Helper()
	select {
	case <-p.exited:
		if p.err != nil {
			p.t.Errorf("program ended with %v", p.err)
		}
	case <-p.ctx.Done():
		p.t.Fatal("program did not end")
	}
}

// WaitExitCode waits for the program to end and returns its exit status.
func (p *PTY) WaitExitCode() int {
	p.t.Helper()
	select {
	case <-p.exited:
		var ee *exec.ExitError
		if p.err != nil && !errors.As(p.err, &ee) {
			p.t.Fatalf("program ended with %v", p.err)
		}
		if ee != nil {
			return ee.ExitCode()
		}
		return 0
	case <-p.ctx.Done():
		p.t.Fatal("program did not end")
		return 0
	}
}
