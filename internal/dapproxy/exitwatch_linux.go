package dapproxy

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"
)

// awaitExit returns a channel that receives the wait status of process pid
// once it has exited (zero when it was reaped already), or nil when the
// process cannot be watched. The watch ends with ctx.
//
// A pidfd does not do: a debuggee killed while paused stays a zombie whose
// traced threads the debugger has not reaped, and its pidfd is not readable
// until they are. The debugger, as the tracer, gets SIGCHLD for each of
// those exits, so the process is looked at on each SIGCHLD.
func awaitExit(ctx context.Context, pid int) <-chan syscall.WaitStatus {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGCHLD)
	exited := make(chan syscall.WaitStatus, 1)
	go func() {
		defer signal.Stop(sig)
		for {
			if status, gone := processGone(pid); gone {
				exited <- status
				return
			}
			select {
			case <-sig:
			case <-ctx.Done():
				return
			}
		}
	}()
	return exited
}

// processGone reports whether process pid has exited: its main thread is a
// zombie, whose wait status it returns, or it has been reaped.
func processGone(pid int) (syscall.WaitStatus, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, true
	}
	// The state follows the command name in parentheses; the wait status
	// is the last field (proc(5): exit_code, field 52).
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, true
	}
	fields := bytes.Fields(b[i+1:])
	if len(fields) == 0 || fields[0][0] != 'Z' && fields[0][0] != 'X' {
		return 0, false
	}
	ws, _ := strconv.Atoi(string(fields[len(fields)-1]))
	return syscall.WaitStatus(ws), true
}
