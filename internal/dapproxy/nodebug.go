package dapproxy

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"syscall"

	delvedap "github.com/go-delve/delve/service/dap"
)

// A launch with noDebug in modes debug, test and exec is the proxy's own:
// it builds the program with its builder, as for debugging, and runs it
// with no debugger (no ptrace: it works where the debugger cannot attach,
// and adds no debugger overhead), with Config.TargetEnv's entries in its
// environment, so that the handlers reach its agent over its socket. Like
// Delve's noDebug launch it sends no initialized event; it answers the
// launch, sends a process event, and sends exited and terminated when the
// program ends. Besides evaluate and what the handlers answer, it takes
// terminate (SIGINT to the program, as a terminal's Ctrl-C), restart (a
// rebuild, then the program started again) and disconnect (the program is
// killed).

// runProcess is one process of a noDebug launch.
type runProcess struct {
	cmd      *exec.Cmd
	done     chan struct{} // closed once the process was waited for
	replaced bool          // by a restart: its end is not the session's; guarded by Session.mu
}

// noDebugRun is what a noDebug launch keeps to start its program again.
type noDebugRun struct {
	binary string
	args   []string
	dir    string
	stdin  string // a path, or "" for the proxy's own standard input
	stdout string // paths of redirects, when not output events or the proxy's own
	stderr string
}

// startNoDebug starts the built binary of launch l without a debugger and
// answers the client's launch m.
func (s *Session) startNoDebug(m *message, l *launchState, cfg *delvedap.LaunchConfig, base, binary string) error {
	if cfg.OutputMode != "" && cfg.OutputMode != "local" && cfg.OutputMode != "remote" {
		return fmt.Errorf("invalid debug configuration - unsupported 'outputMode' attribute %q", cfg.OutputMode)
	}
	if cfg.OutputMode == "remote" && (cfg.StdoutTo != "" || cfg.StderrTo != "") {
		return errors.New(`output == "remote" can not be used together with stdoutTo or stderrTo`)
	}
	cwd := cfg.Cwd
	if cwd == "" && cfg.Mode == "test" {
		cwd = packageDir(base, l.env, cfg.Program)
	}
	run := &noDebugRun{binary: binary, args: cfg.Args, dir: absFrom(base, cwd)}
	if cfg.StdinFrom != "" {
		run.stdin = absFrom(base, cfg.StdinFrom)
	}
	if cfg.StdoutTo != "" {
		run.stdout = absFrom(base, cfg.StdoutTo)
	}
	if cfg.StderrTo != "" {
		run.stderr = absFrom(base, cfg.StderrTo)
	}
	if cfg.OutputMode == "remote" {
		for _, category := range []string{"stdout", "stderr"} {
			p, _, err := s.newOutputPump(category)
			if err != nil {
				return err
			}
			l.pumps = append(l.pumps, p)
		}
	}
	l.noDebug = run
	if err := s.startProcess(l); err != nil {
		return &Error{ID: errFailedToLaunch, Summary: "Failed to launch", Detail: err.Error(), ShowUser: true}
	}
	s.toClient(successResponse(m.Seq, m.Command, nil))
	return nil
}

// startProcess starts the program of noDebug launch l and sends the
// process event.
func (s *Session) startProcess(l *launchState) error {
	run := l.noDebug
	cmd := exec.Command(run.binary, run.args...)
	cmd.Dir = run.dir
	cmd.Env = mergeEnv(os.Environ(), l.envDiff)
	// Its own process group: a terminal's Ctrl-C reaches livepatch,
	// which passes it on (terminate), once.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var files []*os.File
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	open := func(path string, create bool) (*os.File, error) {
		if create {
			f, err := os.Create(path)
			files = append(files, f)
			return f, err
		}
		f, err := os.Open(path)
		files = append(files, f)
		return f, err
	}
	var err error
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if run.stdin != "" {
		if cmd.Stdin, err = open(run.stdin, false); err != nil {
			return fmt.Errorf("could not open stdin file: %v", err)
		}
	}
	switch {
	case len(l.pumps) == 2:
		cmd.Stdout, cmd.Stderr = l.pumps[0].w, l.pumps[1].w
	default:
		if run.stdout != "" {
			if cmd.Stdout, err = open(run.stdout, true); err != nil {
				return fmt.Errorf("could not create stdout file: %v", err)
			}
		}
		if run.stderr != "" {
			if cmd.Stderr, err = open(run.stderr, true); err != nil {
				return fmt.Errorf("could not create stderr file: %v", err)
			}
		}
	}
	p := &runProcess{cmd: cmd, done: make(chan struct{})}
	started := make(chan error, 1)
	go s.runLocked(l, p, started)
	if err := <-started; err != nil {
		return err
	}
	s.mu.Lock()
	l.proc = p
	clear(s.exitReported)
	s.mu.Unlock()
	s.toClient(eventMessage("process", map[string]any{
		"name": run.binary, "systemProcessId": cmd.Process.Pid, "isLocalProcess": true, "startMethod": "launch",
	}))
	return nil
}

// runLocked starts p and waits for it on a thread of its own: the agent
// ends the program when the thread that started it ends
// (PR_SET_PDEATHSIG, target/agent/hostlink), and this thread lives as long
// as the program. When the process ends and is still the launch's, it
// reports the exit.
func (s *Session) runLocked(l *launchState, p *runProcess, started chan<- error) {
	runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
	err := p.cmd.Start()
	started <- err
	if err != nil {
		return
	}
	p.cmd.Wait()
	close(p.done)
	s.mu.Lock()
	current := l.proc == p && !p.replaced && s.launch == l
	s.mu.Unlock()
	if !current || l.ctx.Err() != nil {
		return
	}
	code := p.cmd.ProcessState.ExitCode()
	if ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus); ok {
		code = exitCode(ws)
	}
	s.drainOutput()
	s.output("console", fmt.Sprintf("Process %d has exited with status %d\n", p.cmd.Process.Pid, code))
	s.reportExit(code)
}

// Process returns the process id of the program of a noDebug launch (the
// current one after a restart, also once it ended), or 0 when the
// session's program has a debugger or none was launched.
func (s *Session) Process() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.launch == nil || s.launch.proc == nil {
		return 0
	}
	return s.launch.proc.cmd.Process.Pid
}

// noDebugLaunch returns the launch when it is a noDebug launch of the
// proxy's own, or nil.
func (s *Session) noDebugLaunch() *launchState {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.launch == nil || s.launch.noDebug == nil {
		return nil
	}
	return s.launch
}

// signal sends sig to the process group of p, unless p was waited for
// (its pid may be another's by now).
func (p *runProcess) signal(sig syscall.Signal) {
	select {
	case <-p.done:
	default:
		syscall.Kill(-p.cmd.Process.Pid, sig)
	}
}

// stopProcess kills the process group of p and waits for p's end.
func stopProcess(p *runProcess) {
	if p == nil {
		return
	}
	p.signal(syscall.SIGKILL)
	<-p.done
}

// onTerminate answers terminate in a noDebug launch: the program gets
// SIGINT, as from a terminal's Ctrl-C, and may end as it chooses; its end
// is reported as exited and terminated.
func (s *Session) onTerminate(m *message, l *launchState) {
	s.mu.Lock()
	p := l.proc
	s.mu.Unlock()
	if p != nil {
		p.signal(syscall.SIGINT)
	}
	s.toClient(successResponse(m.Seq, m.Command, nil))
}

// Restart rebuilds the program of a noDebug launch and starts it again
// in place of the running one, which is killed once the build succeeded;
// a failed build leaves it running and returns the build's error, which
// the console shows. The client sees a process event for the new process
// and no exit of the old one. It is an error in a session whose program
// has a debugger (restart it with DAP's restart) or none.
func (s *Session) Restart(ctx context.Context) error {
	l := s.noDebugLaunch()
	if l == nil {
		return errors.New("restart: the session runs no program without a debugger")
	}
	l.restartMu.Lock()
	defer l.restartMu.Unlock()
	if l.build != nil {
		pkg := l.build.Packages[0]
		s.output("stdout", "Building "+pkg+"\n")
		progress, endProgress := s.buildProgress("Building " + pkg)
		err := s.proxy.cfg.Builder.Build(ctx, *l.build, progress)
		endProgress()
		if err != nil {
			s.output("stderr", "Build Error: "+err.Error()+"\n")
			return fmt.Errorf("restart: build: %w", err)
		}
	}
	s.mu.Lock()
	old := l.proc
	if old != nil {
		old.replaced = true
	}
	s.mu.Unlock()
	stopProcess(old)
	s.drainOutput()
	if err := s.startProcess(l); err != nil {
		s.output("stderr", "livepatch: restart: "+err.Error()+"\n")
		s.reportExit(-1)
		return fmt.Errorf("restart: %w", err)
	}
	return nil
}

// onRestartNoDebug answers a client's restart of a noDebug launch.
func (s *Session) onRestartNoDebug(m *message) {
	if err := s.Restart(s.ctx); err != nil {
		s.toClient(errorResponse(m.Seq, m.Command, &Error{ID: errFailedToLaunch, Summary: "Failed to restart",
			Detail: err.Error(), ShowUser: true}))
		return
	}
	s.toClient(successResponse(m.Seq, m.Command, nil))
}
