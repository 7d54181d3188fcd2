package integration

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-dap"
	"golang.org/x/sys/unix"
)

// TestDAPKilledStopsTheProgram launches examples/counter through the
// `livepatch dap` binary, kills livepatch with SIGKILL (no cleanup of its
// own runs), and checks that the program ends with it, whether it ran or
// was paused at a breakpoint (a tracer's death only detaches: the program
// ran on, orphaned, or stayed stopped for good; issue 18), and that the
// next livepatch to start removes the temporary directories the killed one
// left: the build's, with the program, and the agent's socket directory.
func TestDAPKilledStopsTheProgram(t *testing.T) {
	for _, paused := range []bool{false, true} {
		t.Run(map[bool]string{false: "running", true: "paused"}[paused], func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			p := startDAP(t, ctx)
			env := p.connect(t, ctx)
			dir, err := filepath.Abs(filepath.Join("..", "examples", "counter"))
			if err != nil {
				t.Fatal(err)
			}
			env.Initialize()
			// The ticks go to /dev/null: on livepatch's stdout, a pipe of
			// this test's that closes when livepatch has exited, they
			// would kill the program with SIGPIPE, as no terminal would.
			env.Launch(map[string]any{"mode": "debug", "program": dir, "args": []string{"-addr", "127.0.0.1:0", "-tick", "20ms"}, "stdoutTo": os.DevNull})
			pid := env.WaitEvent("process").(*dap.ProcessEvent).Body.SystemProcessId
			env.WaitEvent("initialized")
			if paused {
				file := filepath.Join(dir, "counter.go")
				env.SetBreakpoints(file, lineOf(t, file, "c.ticks++"))
			}
			env.Call(&dap.ConfigurationDoneRequest{Request: dap.Request{Command: "configurationDone"}})
			if paused {
				env.WaitStopped("breakpoint")
			} else if err := p.stderr.Wait(ctx, "counter: listening on"); err != nil {
				t.Fatalf("the program's output: %v", err) // outputMode local: livepatch's stderr
			}
			dirs := programDirs(t, pid)
			gone := pidWatch(t, pid)

			p.cmd.Process.Kill()
			p.waitExit(t, ctx)
			select {
			case <-gone:
			case <-time.After(30 * time.Second):
				unix.Kill(pid, unix.SIGKILL)
				t.Fatalf("the program (pid %d) outlived livepatch dap by 30 s", pid)
			}

			startDAP(t, ctx) // its listening line comes after the sweep
			for _, d := range dirs {
				if _, err := os.Stat(d); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("%s left behind after the next start (%v)", d, err)
					os.RemoveAll(d)
				}
			}
		})
	}
}

// programDirs returns the temporary directories of the program pid that
// livepatch made: the one holding its executable and the agent's socket
// directory, from the environment it started with.
func programDirs(t *testing.T, pid int) []string {
	t.Helper()
	exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	if err != nil {
		t.Fatal(err)
	}
	dirs := []string{filepath.Dir(exe)}
	env, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range strings.Split(string(env), "\x00") {
		if sock, ok := strings.CutPrefix(kv, "LIVEPATCH_AGENT_SOCKET="); ok {
			dirs = append(dirs, filepath.Dir(sock))
		}
	}
	if len(dirs) != 2 {
		t.Fatalf("the program's environment has no agent socket")
	}
	return dirs
}

// pidWatch returns a channel closed once the process pid has ended
// (through a pidfd, which becomes readable then).
func pidWatch(t *testing.T, pid int) <-chan struct{} {
	t.Helper()
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		t.Fatalf("pidfd_open %d: %v", pid, err)
	}
	gone := make(chan struct{})
	go func() {
		defer unix.Close(fd)
		defer close(gone)
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		for {
			n, err := unix.Poll(fds, -1)
			if n > 0 || (err != nil && err != unix.EINTR) {
				return
			}
		}
	}()
	return gone
}
