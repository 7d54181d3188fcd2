package integration

import (
	"errors"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/livepatch/livepatch/internal/terminal"
	"github.com/livepatch/livepatch/internal/testenv"
)

// pidRE matches the prompt's answer to fmt.Sprint("pid=", os.Getpid()).
var pidRE = regexp.MustCompile(`"pid=(\d+)"`)

// exitedRE matches the terminal's report of the program's end.
var exitedRE = regexp.MustCompile(`Process (\d+) (?:has exited with status -?\d+|was killed by signal \d+)`)

// TestRunOnPTY runs `livepatch run -restart` on the shell fixture on a
// pseudo-terminal (issue 16): the program runs without a debugger from
// its start; Go typed at the prompt runs in package scope while it runs
// (a write of a package variable shows in its output, and so does a
// method redefined there); a save goes live;
// a save that cannot go live is refused with its reason, and the program
// is rebuilt and restarted with it; the prompt reaches the new process;
// Ctrl-C stops the program, and livepatch exits with its status (killed
// by SIGINT: 130), leaving no process behind.
func TestRunOnPTY(t *testing.T) {
	ctx := testenv.Context(t)
	dir := copyFixture(t, "shell")
	cmd := exec.Command(livepatchBinary(t), "run", "-restart", "-history", "-")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "TERM=xterm")
	p := testenv.StartPTY(t, ctx, cmd)

	p.Wait("Type Go to run it in the program", terminal.Prompt)
	p.Wait("tick 2 a 2")
	p.Type(`label = "b"` + "\r")
	p.Wait(" b ")
	p.Type("ticks > 2 && label == \"b\"\r")
	p.Wait("true")
	// No debugger: nothing traces the program.
	p.Type(`fmt.Sprint("pid=", os.Getpid())` + "\r")
	p.Wait(`fmt.Sprint("pid=", os.Getpid())`, `"pid=`, `"`)
	if m := pidRE.FindAllStringSubmatch(p.Text(), -1); len(m) == 0 {
		t.Errorf("no pid from os.Getpid() at the prompt")
	} else if pid, _ := strconv.Atoi(m[len(m)-1][1]); pid == 0 {
		t.Errorf("no pid from os.Getpid() at the prompt")
	} else if tracer := tracerPid(t, pid); tracer != 0 {
		t.Errorf("the program (pid %d) is traced by %d; want no debugger", pid, tracer)
	}
	p.Type("func (c *Counter) Inc() int { c.n = -1; return c.n }\r")
	p.Wait("(*Counter).Inc", " b -1\n")

	editFile(t, dir, "main.go", `"tick %d %s %d"`, `"tick %d %s %d live"`)
	p.Wait("patched main.tick (main.go:", "b", " live")

	// A retyped field of a compiled struct cannot go live.
	editFile(t, dir, "main.go", "struct{ n int }", "struct{ n int64 }", "return c.n\n", "return int(c.n)\n", `"tick %d %s %d live"`, `"tock %d %s %d"`)
	p.Wait("Counter", "restart", "nothing of this save was applied",
		"livepatch: rebuilding and restarting the program to apply main.go", "livepatch: restarted the program", "tock 1 a 1")
	p.Type("label + label\r")
	p.Wait(`"aa"`)

	p.Type("\x03")
	if code := p.WaitExitCode(); code != 130 {
		t.Errorf("livepatch run ended with status %d after Ctrl-C; want 130 (the program's SIGINT)", code)
	}
	m := exitedRE.FindAllStringSubmatch(p.Text(), -1)
	if len(m) == 0 {
		t.Fatal("no report of the program's end")
	}
	if last := m[len(m)-1][0]; !strings.HasSuffix(last, "was killed by signal 2") {
		t.Errorf("the program's end after Ctrl-C reported as %q; want its signal", last)
	}
	last := m[len(m)-1]
	if pid, _ := strconv.Atoi(last[1]); processAlive(pid) {
		t.Errorf("the program (pid %d) outlived livepatch run", pid)
	}
}

// TestRunWithoutTerminal runs `livepatch run` with standard input not a
// terminal: there is no prompt; saves are applied and reported, a save
// that cannot go live is refused with its reason and, without -restart,
// nothing restarts; the program's exit (os.Exit(3), which a live save
// makes it call) ends livepatch with the same status.
func TestRunWithoutTerminal(t *testing.T) {
	ctx := testenv.Context(t)
	dir := copyFixture(t, "shell")
	cmd := testenv.Command(ctx, livepatchBinary(t), "run")
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader("")
	out := testenv.NewOutput()
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-waited
		if t.Failed() {
			t.Logf("output:\n%s", out.String())
		}
	})
	wait := func(want string) {
		t.Helper()
		if err := out.Wait(ctx, want); err != nil {
			t.Fatal(err)
		}
	}

	wait("tick 2 a 2")
	editFile(t, dir, "main.go", `"tick %d %s %d"`, `"tick %d %s %d live"`)
	wait("patched main.tick (main.go:")
	wait(" live\n")

	editFile(t, dir, "main.go", "struct{ n int }", "struct{ n int64 }", "return c.n\n", "return int(c.n)\n")
	wait("nothing of this save was applied")

	editFile(t, dir, "main.go", "struct{ n int64 }", "struct{ n int }", "return int(c.n)\n", "return c.n\n", "\t\"time\"\n", "\t\"os\"\n\t\"time\"\n",
		"\tticks++\n", "\tticks++\n\tos.Exit(3)\n")
	var code int
	select {
	case err := <-waited:
		waited <- err // for the cleanup
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatal(err)
		}
		code = cmd.ProcessState.ExitCode()
	case <-ctx.Done():
		t.Fatal("livepatch run did not end with its program")
	}
	if code != 3 {
		t.Errorf("livepatch run ended with status %d; want the program's, 3", code)
	}
	text := out.String()
	if !strings.Contains(text, "Process ") || !strings.Contains(text, "has exited with status 3") {
		t.Errorf("no report of the program's exit with status 3")
	}
	if strings.Contains(text, "restart") && strings.Contains(text, "rebuilding") {
		t.Errorf("the program was restarted without -restart")
	}
	if strings.Contains(text, terminal.Prompt) {
		t.Errorf("a prompt without a terminal")
	}
}

// tracerPid returns the TracerPid of process pid: 0 when nothing traces it.
func tracerPid(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatalf("status of the program: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "TracerPid:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	t.Fatalf("no TracerPid in the program's status")
	return 0
}
