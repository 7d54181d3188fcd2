package integration

import (
	"bufio"
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-dap"
	"github.com/livepatch/livepatch/dapclient"
	"github.com/livepatch/livepatch/internal/testenv"
)

// dapProcess is a `livepatch dap` subprocess.
type dapProcess struct {
	cmd    *exec.Cmd
	addr   string
	stderr *testenv.Output
	rest   *testenv.Output // what followed the listening line on its stream
	exited chan error
	copied chan struct{}
}

// startDAP runs `livepatch dap args...` and reads the listening line from
// stdout, or from fd 3 when args ask for --log-dest=3.
func startDAP(t *testing.T, ctx context.Context, args ...string) *dapProcess {
	t.Helper()
	cmd := exec.Command(livepatchBinary(t), append([]string{"dap"}, args...)...)
	p := &dapProcess{cmd: cmd, stderr: testenv.NewOutput(), rest: testenv.NewOutput(), exited: make(chan error, 1), copied: make(chan struct{})}
	cmd.Stderr = p.stderr
	cmd.WaitDelay = 5 * time.Second
	var lines io.Reader
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	lines = stdout
	for _, a := range args {
		if strings.HasPrefix(a, "--log-dest=3") {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			cmd.ExtraFiles = []*os.File{w}
			t.Cleanup(func() { r.Close() })
			defer w.Close()
			lines = r
		}
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.exited
		if t.Failed() {
			t.Logf("livepatch dap stderr:\n%s", p.stderr.String())
		}
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(lines)
		for sc.Scan() {
			if addr, ok := strings.CutPrefix(sc.Text(), "DAP server listening at: "); ok {
				found <- addr
				for sc.Scan() {
					p.rest.Write([]byte(sc.Text() + "\n"))
				}
				close(p.copied)
				return
			}
		}
		close(found)
	}()
	select {
	case addr, ok := <-found:
		if !ok {
			t.Fatalf("livepatch dap ended without printing the listening line")
		}
		p.addr = addr
	case <-ctx.Done():
		t.Fatal("no listening line before the deadline")
	}
	return p
}

// connect dials the subprocess and returns a test Env for it.
func (p *dapProcess) connect(t *testing.T, ctx context.Context) *Env {
	t.Helper()
	network, addr := "tcp", p.addr
	if strings.HasPrefix(addr, "/") {
		network = "unix"
	}
	conn, err := net.Dial(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	env := &Env{T: t, Ctx: ctx, Client: dapclient.New(conn)}
	t.Cleanup(func() { env.Client.Close() })
	return env
}

// waitExit waits for the subprocess to exit and returns its error.
func (p *dapProcess) waitExit(t *testing.T, ctx context.Context) error {
	t.Helper()
	select {
	case err := <-p.exited:
		p.exited <- err // for the cleanup
		return err
	case <-ctx.Done():
		t.Fatal("livepatch dap did not exit")
		return nil
	}
}

// debugSession runs a short session to a breakpoint and returns the pid.
func debugSession(t *testing.T, env *Env) int {
	t.Helper()
	var pid int
	env.Client.OnEvent(func(e dap.EventMessage) {
		if p, ok := e.(*dap.ProcessEvent); ok {
			pid = p.Body.SystemProcessId
		}
	})
	st := env.StartAtBreakpoint("hello", "v := c.Inc()", nil)
	if f := env.TopFrame(st.Body.ThreadId); f.Name != "main.main" {
		t.Errorf("stopped in %s, want main.main", f.Name)
	}
	return pid
}

func TestDAPCommand(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"listen with =", []string{"--listen=127.0.0.1:0"}},
		{"listen separate", []string{"--listen", "127.0.0.1:0"}},
		{"short l", []string{"-l", "127.0.0.1:0"}},
		{"log-dest fd 3 as VS Code", []string{"--listen=127.0.0.1:0", "--log-dest=3"}},
		{"Delve's root flags ignored", []string{"--listen=127.0.0.1:0", "--headless", "--api-version=2", "--accept-multiclient",
			"--check-go-version=false", "--only-same-user=false", "--backend=default", "--build-flags=-race", "--wd", "/"}},
		{"unix socket", []string{"--listen=unix:" + filepath.Join(t.TempDir(), "dap.sock")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testenv.Context(t)
			p := startDAP(t, ctx, tc.args...)
			env := p.connect(t, ctx)
			pid := debugSession(t, env)
			env.Disconnect()
			if err := p.waitExit(t, ctx); err != nil {
				t.Errorf("livepatch dap exited with %v, want success", err)
			}
			if processAlive(pid) {
				t.Errorf("debuggee %d still running after the session", pid)
			}
		})
	}
}

func TestDAPClientAddr(t *testing.T) {
	ctx := testenv.Context(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cmd := exec.Command(livepatchBinary(t), "dap", "--client-addr="+ln.Addr().String())
	stderr := testenv.NewOutput()
	cmd.Stderr = stderr
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			accepted <- c
		}
	}()
	var conn net.Conn
	select {
	case conn = <-accepted:
	case <-ctx.Done():
		t.Fatalf("livepatch never dialed; stderr:\n%s", stderr.String())
	}
	env := &Env{T: t, Ctx: ctx, Client: dapclient.New(conn)}
	debugSession(t, env)
	env.Disconnect()
	select {
	case err := <-exited:
		exited <- err
		if err != nil {
			t.Errorf("exit: %v", err)
		}
	case <-ctx.Done():
		t.Fatal("livepatch dap did not exit after disconnect")
	}
}

// TestDAPSignal checks that SIGTERM and SIGINT end the server and the
// debuggee with it.
func TestDAPSignal(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			ctx := testenv.Context(t)
			p := startDAP(t, ctx, "--listen=127.0.0.1:0")
			env := p.connect(t, ctx)
			pid := debugSession(t, env)
			if err := p.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			p.waitExit(t, ctx)
			if processAlive(pid) {
				t.Errorf("debuggee %d still running after %v", pid, sig)
			}
		})
	}
}

// TestDAPLogging checks that --log-output selects livepatch's and Delve's
// components and that both write to --log-dest.
func TestDAPLogging(t *testing.T) {
	ctx := testenv.Context(t)
	p := startDAP(t, ctx, "--listen=127.0.0.1:0", "--log", "--log-output=dapproxy,dap", "--log-dest=3")
	env := p.connect(t, ctx)
	debugSession(t, env)
	env.Disconnect()
	p.waitExit(t, ctx)
	select {
	case <-p.copied:
	case <-ctx.Done():
		t.Fatal("log stream stayed open after exit")
	}
	logs := p.rest.String()
	for _, want := range []string{"component=dapproxy", "layer=dap"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
}

func TestHelpAndVersion(t *testing.T) {
	bin := livepatchBinary(t)
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"version"}, []string{"livepatch ", "github.com/go-delve/delve v1.27.2", "built with go"}},
		{[]string{"--help"}, []string{"dap", "debug", "version"}},
		{[]string{"help", "dap"}, []string{"usage: livepatch dap", "--listen", "DAP server listening at"}},
		{[]string{"dap", "--help"}, []string{"usage: livepatch dap"}},
		{[]string{"help", "run"}, []string{"usage: livepatch run", "no debugger", "-restart", "exit status"}},
	} {
		out, err := exec.Command(bin, tc.args...).CombinedOutput()
		if err != nil {
			t.Errorf("livepatch %v: %v\n%s", tc.args, err, out)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(string(out), w) {
				t.Errorf("livepatch %v output lacks %q:\n%s", tc.args, w, out)
			}
		}
	}
	out, err := exec.Command(bin, "frobnicate").CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), `unknown command "frobnicate"`) {
		t.Errorf("unknown command: err %v, output %s; want exit 2 naming the command", err, out)
	}
}
