//go:build unix

package cli

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"
)

// endWhenStdioBreaks returns a context that ends when livepatch's standard
// output or error becomes a broken pipe: the terminal or the reader it
// wrote to went away. The command then stops the program it launched and
// removes its files, as for SIGHUP, where Go's default for a write to a
// broken stdout would kill livepatch at once and leave the program running,
// orphaned. Asking for SIGPIPE makes every broken pipe, sockets to a dead
// debuggee included, fail its write with EPIPE and signal here: only a
// broken standard stream ends the command.
func endWhenStdioBreaks(ctx context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancel(ctx)
	pipes := make(chan os.Signal, 1)
	signal.Notify(pipes, syscall.SIGPIPE)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-pipes:
				if stdioBroken() {
					cancel()
				}
			case <-done:
				return
			}
		}
	}()
	return ctx, func() {
		signal.Stop(pipes)
		close(done)
		cancel()
	}
}

// stdioBroken reports whether standard output or error is a pipe or
// socket whose reader is gone.
func stdioBroken() bool {
	fds := []unix.PollFd{{Fd: 1, Events: unix.POLLOUT}, {Fd: 2, Events: unix.POLLOUT}}
	if n, err := unix.Poll(fds, 0); err != nil || n == 0 {
		return false
	}
	for _, f := range fds {
		if f.Revents&(unix.POLLERR|unix.POLLHUP) != 0 {
			return true
		}
	}
	return false
}
