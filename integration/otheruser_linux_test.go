package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/livepatch/livepatch/internal/testenv"
)

// otherUID is the user the other local user's client runs as; it needs no
// account.
const otherUID = 54321

// TestDAPRefusesOtherUser is issue 11's attack on `livepatch dap` run as
// root: another local user connects, sends a launch of a program of theirs
// without debugging and resets the connection at once (testdata/otheruser).
// Even tries stop the server until that peer is gone, so it accepts a
// connection whose owner is no longer in the kernel's socket table; odd
// tries leave the timing to the scheduler. Every try must be refused, and
// the program must never run.
func TestDAPRefusesOtherUser(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to run a client as another user")
	}
	ctx := testenv.Context(t)
	client := otherUserClient(t)
	dir := t.TempDir()
	ran := filepath.Join(dir, "ran")
	marker := filepath.Join(dir, "marker")
	if err := os.WriteFile(marker, []byte("#!/bin/sh\necho $(id -u) >> "+ran+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for try := range 20 {
		p := startDAP(t, ctx)
		pid := p.cmd.Process.Pid
		paused := try%2 == 0
		if paused {
			stopProcess(t, pid)
		}
		cmd := exec.CommandContext(ctx, client, p.addr, marker)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: otherUID, Gid: otherUID}}
		cmd.WaitDelay = 5 * time.Second
		out, err := cmd.CombinedOutput()
		if paused {
			syscall.Kill(pid, syscall.SIGCONT)
		}
		if err != nil {
			t.Fatalf("try %d: the other user's client: %v\n%s", try, err, out)
		}
		err = p.waitExit(t, ctx)
		if stderr := p.stderr.String(); err == nil || !strings.Contains(stderr, "refused a connection") {
			t.Errorf("try %d (server stopped until the peer left: %v): livepatch dap exited with %v and stderr\n%s\nwant a refused connection", try, paused, err, stderr)
		}
		if b, err := os.ReadFile(ran); err == nil {
			t.Fatalf("try %d (server stopped until the peer left: %v): the other user's program ran as user %s", try, paused, strings.TrimSpace(string(b)))
		}
	}
}

// otherUserClient builds testdata/otheruser where user otherUID can run it.
func otherUserClient(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "livepatch-otheruser-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "otheruser")
	if out, err := exec.Command("go", "build", "-o", bin, "./testdata/otheruser").CombinedOutput(); err != nil {
		t.Fatalf("building testdata/otheruser: %v\n%s", err, out)
	}
	return bin
}

// stopProcess stops the child pid with SIGSTOP and returns once all its
// threads have stopped.
func stopProcess(t *testing.T, pid int) {
	t.Helper()
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	var info unix.Siginfo
	if err := unix.Waitid(unix.P_PID, pid, &info, unix.WSTOPPED|unix.WNOWAIT, nil); err != nil {
		t.Fatalf("waiting for %d to stop: %v", pid, err)
	}
}
