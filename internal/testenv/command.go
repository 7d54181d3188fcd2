package testenv

import (
	"bufio"
	"context"
	"io"
	"os/exec"
	"testing"
	"time"
)

// WaitDelay is how long Wait waits for a killed command's output to end
// before it closes the pipes itself (exec.Cmd.WaitDelay).
const WaitDelay = 5 * time.Second

// Command returns a command that is killed when ctx ends, whose Wait
// returns at most WaitDelay after that even if a child process of its own
// holds its output open.
func Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.WaitDelay = WaitDelay
	return cmd
}

// Start starts cmd and kills it when the test ends, waiting for it so that
// nothing outlives the test.
func Start(t testing.TB, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
}

// Lines sends the lines of r on the returned channel and closes it when r
// ends. Sends block once the channel's buffer is full.
func Lines(r io.Reader) <-chan string {
	ch := make(chan string, 100)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			ch <- sc.Text()
		}
	}()
	return ch
}

// BuildUnoptimized builds the main package in dir to out with
// optimizations and inlining off, as a debugger wants it, and returns what
// the go command printed.
func BuildUnoptimized(ctx context.Context, dir, out string) ([]byte, error) {
	cmd := Command(ctx, "go", "build", "-gcflags=all=-N -l", "-o", out, ".")
	cmd.Dir = dir
	return cmd.CombinedOutput()
}
