package hostlink

import (
	"log/slog"
	"os"
	"runtime"
	"strconv"
	"syscall"
)

// Watch makes the kernel kill the program when the host whose process
// id is host ends, however it ends (SIGKILL included), and kills it now if
// the host is gone already. The program is traced by the host's debugger,
// and a tracer's death only detaches its tracees: a program paused at a
// breakpoint then takes Delve's pending SIGSTOP and stays stopped, one that
// runs goes on, orphaned, and no code of the program (this agent's
// included) can be counted on to run. The parent-death signal needs no
// code of ours at the time: it is SIGKILL, sent by the kernel.
//
// The parent-death signal is an attribute of one thread of the program
// and fires when the thread of the host that forked the program (Delve's
// ptrace thread, which lives as long as the program is traced) ends. The
// attribute is set on a thread kept for the purpose: its goroutine locks
// it and never returns, so the thread lives as long as the process. The
// host's process id is checked after the attribute is set, which closes
// the window in which the host could have died before.
func Watch(host string, logger *slog.Logger) {
	pid, err := strconv.Atoi(host)
	if err != nil || pid <= 0 {
		logger.Warn("ignoring a bad "+EnvHost, "value", host)
		return
	}
	set := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread carries the attribute
		_, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_PDEATHSIG, uintptr(syscall.SIGKILL), 0)
		if errno != 0 {
			set <- errno
			return
		}
		if os.Getppid() != pid {
			syscall.Kill(os.Getpid(), syscall.SIGKILL) // the host died before the attribute was set
		}
		set <- nil
		select {}
	}()
	if err := <-set; err != nil {
		logger.Warn("the program may outlive livepatch", "err", err)
	}
}
