package integration

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/livepatch/livepatch/internal/testenv"
)

// TestDebugPipeClosedStopsTheProgram runs `livepatch debug` with its
// output to a pipe that its reader then closes, as when the terminal that
// ran it goes away (issue 18: livepatch died of SIGPIPE and the program
// ran on, orphaned, with its temporary directory left behind): livepatch
// must stop the program and remove the directory before it exits.
func TestDebugPipeClosedStopsTheProgram(t *testing.T) {
	ctx := testenv.Context(t)
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, livepatchBinary(t), "debug", "./examples/counter", "--", "-addr", "127.0.0.1:0", "-tick", "20ms")
	cmd.Dir = root
	cmd.WaitDelay = 5 * time.Second
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &testenv.Output{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		if t.Failed() {
			t.Logf("livepatch debug stderr:\n%s", stderr.String())
		}
	})
	fmt.Fprintln(stdin, "continue")
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && !strings.Contains(sc.Text(), "tick") {
	}
	if sc.Err() != nil {
		t.Fatalf("reading livepatch debug's output: %v", sc.Err())
	}
	pid, exe := debuggeeOf(t, cmd.Process.Pid)
	stdout.Close() // the terminal is gone: the next tick line meets a closed pipe

	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-exited:
	case <-ctx.Done():
		t.Fatalf("livepatch debug still runs after its output pipe closed")
	}
	if processAlive(pid) {
		t.Errorf("the program (pid %d) outlived livepatch debug", pid)
		syscall_kill(pid)
	}
	if _, err := os.Stat(filepath.Dir(exe)); !os.IsNotExist(err) {
		t.Errorf("the program's temporary directory %s is left behind (%v)", filepath.Dir(exe), err)
	}
}

// debuggeeOf returns the pid and executable of the child of parent that
// runs a livepatch build (__debug_bin).
func debuggeeOf(t *testing.T, parent int) (int, string) {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		i := strings.LastIndexByte(string(stat), ')')
		fields := strings.Fields(string(stat)[i+1:])
		if len(fields) < 2 || fields[1] != strconv.Itoa(parent) {
			continue
		}
		exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe"))
		if err == nil && strings.HasSuffix(exe, "__debug_bin") {
			return pid, exe
		}
	}
	t.Fatalf("no child of %d runs __debug_bin", parent)
	return 0, ""
}

func syscall_kill(pid int) {
	if p, err := os.FindProcess(pid); err == nil {
		p.Kill()
	}
}
