package dapproxy

import (
	"context"
	"errors"
	"syscall"

	"github.com/go-delve/delve/pkg/proc"
	"github.com/go-delve/delve/service/debugger"
)

// watchExit makes sure the client hears of the end of process pid, which
// d controls, even when Delve's session does not report it by itself.
// Delve's session reports an exit only from a command of its own that runs
// the target: a program killed while paused, or one that exits inside a
// call a handler made through the debugger (os.Exit at the Go prompt),
// would be reported at the next request, or (killed while paused: Delve's
// continue then fails with "no such process") never. Once the process is
// gone and no command runs, the proxy sends exited and terminated itself;
// fromDelve drops Delve's own if it sends them later. The watch ends with
// ctx, or when pid is no longer d's process (a restart).
func (s *Session) watchExit(ctx context.Context, d *debugger.Debugger, pid int) {
	exited := awaitExit(ctx, pid)
	if exited == nil {
		return
	}
	go func() {
		var status syscall.WaitStatus
		select {
		case status = <-exited:
		case <-ctx.Done():
			return
		}
		// The lock waits for a command that runs the target to end; Delve's
		// session reports the exit such a command saw.
		tg, unlock := d.LockTargetGroup()
		current := tg.Selected != nil && tg.Selected.Pid() == pid
		_, err := tg.Valid()
		unlock()
		if !current || ctx.Err() != nil {
			return
		}
		code := exitCode(status)
		var pe proc.ErrProcessExited
		if errors.As(err, &pe) { // Delve saw it exit (in a call)
			code = pe.Status
		}
		s.reportExit(code)
	}()
}

// exitCode is the exit code Delve reports for a wait status: the status,
// or minus the signal that killed the process.
func exitCode(ws syscall.WaitStatus) int {
	if ws.Signaled() {
		return -int(ws.Signal())
	}
	return ws.ExitStatus()
}

// reportExit sends exited and terminated events to the client, unless
// they were sent for this process already or the client is disconnecting.
func (s *Session) reportExit(code int) {
	s.mu.Lock()
	reported := s.exitReported["exited"] || s.exitReported["terminated"] || s.disconnecting
	if !reported {
		if s.exitReported == nil {
			s.exitReported = map[string]bool{}
		}
		s.exitReported["exited"], s.exitReported["terminated"] = true, true
		s.exitCode = code
	}
	s.mu.Unlock()
	if reported {
		return
	}
	s.log.Debug("the debuggee is gone while no command runs", "exit code", code)
	s.drainOutput()
	s.toClient(eventMessage("exited", map[string]int{"exitCode": code}))
	s.toClient(eventMessage("terminated", struct{}{}))
}

// Exited reports whether the client was told that the debuggee exited
// (and it was not restarted since), and its exit code as Delve reports it:
// the status, or minus the signal that killed it.
func (s *Session) Exited() (code int, exited bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.exitCode, s.exitReported["exited"]
}
