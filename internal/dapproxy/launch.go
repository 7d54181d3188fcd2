package dapproxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/go-delve/delve/pkg/proc"
	"github.com/go-delve/delve/service"
	delvedap "github.com/go-delve/delve/service/dap"
	"github.com/go-delve/delve/service/debugger"
	"github.com/livepatch/livepatch/internal/tempdir"
)

// launchState is what the proxy keeps of the launch it performed.
type launchState struct {
	raw      json.RawMessage // the client's launch arguments
	mode     string
	build    *BuildRequest      // nil in exec mode
	env      []string           // the debuggee's environment
	envDiff  map[string]*string // the launch's env changes
	binary   string             // built binary, removed when the session ends
	tmpDir   string             // directory of a default output, removed with it
	debugger *debugger.Debugger
	svc      *service.Config
	pumps    []*outputPump
	ctx      context.Context // ends with the launch
	cancel   context.CancelFunc

	noDebug   *noDebugRun // a noDebug launch of the proxy's own (nodebug.go)
	proc      *runProcess // its current process; guarded by Session.mu
	restartMu sync.Mutex  // one restart of it at a time
}

// Debugger returns the debugger of the launched process, or nil before
// launch and in the modes the proxy leaves to Delve.
func (s *Session) Debugger() *debugger.Debugger {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.launch == nil {
		return nil
	}
	return s.launch.debugger
}

func (s *Session) cancelLaunch() {
	s.mu.Lock()
	l := s.launch
	s.mu.Unlock()
	if l != nil && l.cancel != nil {
		l.cancel()
	}
	if l != nil {
		s.mu.Lock()
		p := l.proc
		s.mu.Unlock()
		if p != nil {
			p.signal(syscall.SIGKILL)
		}
	}
}

func (s *Session) removeBinary() {
	s.mu.Lock()
	l := s.launch
	s.mu.Unlock()
	if l == nil {
		return
	}
	if l.binary != "" {
		os.Remove(l.binary)
	}
	if l.tmpDir != "" {
		os.RemoveAll(l.tmpDir)
	}
}

// onLaunch performs a launch in modes debug, test and exec itself and hands
// the debugger to a new Delve session, or, with noDebug, runs the program
// without one (nodebug.go); other launches go to Delve as sent.
func (s *Session) onLaunch(m *message) {
	raw := rawArguments(m.raw)
	var cfg delvedap.LaunchConfig
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &cfg); err != nil {
			s.launchFailed(m, fmt.Errorf("invalid debug configuration - %v", err))
			return
		}
	}
	if cfg.Mode == "" {
		cfg.Mode = "debug"
	}
	switch {
	case cfg.Mode != "debug" && cfg.Mode != "test" && cfg.Mode != "exec":
		s.toDelve(m, 0, &pending{clientSeq: m.Seq})
		return
	}
	s.mu.Lock()
	if s.launch != nil {
		s.mu.Unlock()
		s.launchFailed(m, errors.New("debug session already in progress"))
		return
	}
	ctx, cancel := context.WithCancel(s.ctx)
	l := &launchState{raw: raw, mode: cfg.Mode, ctx: ctx, cancel: cancel}
	s.launch = l
	s.mu.Unlock()

	if err := s.startLaunch(ctx, m, l, &cfg, raw); err != nil {
		var e *Error
		if !errors.As(err, &e) {
			e = &Error{ID: errFailedToLaunch, Summary: "Failed to launch", Detail: err.Error(), ShowUser: true}
		}
		s.toClient(errorResponse(m.Seq, m.Command, e))
		s.stopOutput()
		s.removeBinary()
		s.mu.Lock()
		s.launch = nil
		s.mu.Unlock()
	}
}

func (s *Session) launchFailed(m *message, err error) {
	s.toClient(errorResponse(m.Seq, m.Command, &Error{ID: errFailedToLaunch, Summary: "Failed to launch", Detail: err.Error(), ShowUser: true}))
}

// startLaunch builds the program (modes debug and test), creates its
// debugger and hands the session over to it.
func (s *Session) startLaunch(ctx context.Context, m *message, l *launchState, cfg *delvedap.LaunchConfig, raw json.RawMessage) error {
	base, err := launchBase(cfg)
	if err != nil {
		return err
	}
	l.env, l.envDiff = mergeEnv(os.Environ(), cfg.Env), cfg.Env
	if cfg.Program == "" {
		return errors.New("The program attribute is missing in debug configuration.")
	}
	var flagsOnly struct {
		BuildFlags any `json:"buildFlags"`
	}
	_ = json.Unmarshal(raw, &flagsOnly)
	flags, err := splitBuildFlags(flagsOnly.BuildFlags)
	if err != nil {
		return fmt.Errorf("invalid debug configuration - %v", err)
	}

	binary := absFrom(base, cfg.Program)
	what := " " + cfg.Program
	if cfg.Mode != "exec" {
		if binary, what, err = s.buildForLaunch(ctx, l, cfg, base, flags); err != nil {
			return err
		}
	}
	s.addTargetEnv(ctx, l, cfg)
	if cfg.NoDebug {
		return s.startNoDebug(m, l, cfg, base, binary)
	}
	dcfg, err := s.debuggerConfig(l, cfg, base)
	if err != nil {
		return err
	}

	svc := &service.Config{Debugger: dcfg, ProcessArgs: append([]string{binary}, cfg.Args...)}
	var d *debugger.Debugger
	withEnv(l.envDiff, func() { d, err = debugger.New(&svc.Debugger, svc.ProcessArgs) })
	if err != nil {
		return &Error{ID: errFailedToLaunch, Summary: "Failed to launch" + what, Detail: err.Error(), ShowUser: true}
	}
	l.debugger, l.svc = d, svc
	if started := s.proxy.cfg.Started; started != nil {
		started(s, d)
	}

	tgrp, unlock := d.LockTargetGroup()
	cmdline := tgrp.Selected.CmdLine
	unlock()
	s.toClient(eventMessage("process", map[string]any{
		"name": cmdline, "systemProcessId": d.ProcessPid(), "isLocalProcess": true, "startMethod": "launch",
	}))
	if cfg.FollowExec {
		if err := d.FollowExec(true, cfg.FollowExecRegex); err != nil {
			s.output("important", fmt.Sprintf("Failed to enable follow exec: %v\n", err))
		}
	}
	return s.handOver(ctx, m, d, svc, cfg.LaunchAttachCommonConfig)
}

// launchBase returns the directory a launch's relative paths are relative
// to: dlvCwd, or the proxy's own working directory.
func launchBase(cfg *delvedap.LaunchConfig) (string, error) {
	base, err := os.Getwd()
	if err != nil {
		return "", err
	}
	if cfg.DlvCwd != "" {
		dir := absFrom(base, cfg.DlvCwd)
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return "", fmt.Errorf("failed to chdir to %q - %v", cfg.DlvCwd, notDir(dir, err))
		}
		base = dir
	}
	return base, nil
}

// buildForLaunch builds the program of a launch in mode debug or test with
// the proxy's builder, and returns the binary and what the program is
// called in messages (" PROGRAM", " tests of PROGRAM").
func (s *Session) buildForLaunch(ctx context.Context, l *launchState, cfg *delvedap.LaunchConfig, base string, flags []string) (binary, what string, err error) {
	what = " " + cfg.Program
	if cfg.Output != "" {
		binary = absFrom(base, cfg.Output)
	} else {
		dir, err := tempdir.New("build")
		if err != nil {
			return "", "", err
		}
		l.tmpDir = dir
		binary = filepath.Join(dir, "__debug_bin")
	}
	l.binary = binary
	l.build = &BuildRequest{Dir: base, Env: l.env, Packages: []string{cfg.Program}, Output: binary, Test: cfg.Mode == "test", Flags: flags}
	building := "Building " + cfg.Program + "\n"
	if cfg.Mode == "test" {
		building = "Building tests of " + cfg.Program + "\n"
		what = " tests of " + cfg.Program
	}
	s.output("stdout", building)
	progress, endProgress := s.buildProgress(strings.TrimSpace(building))
	err = s.proxy.cfg.Builder.Build(ctx, *l.build, progress)
	endProgress()
	if err != nil {
		if ctx.Err() != nil {
			return "", "", &Error{ID: errFailedToLaunch, Summary: "Failed to launch", Detail: "canceled"}
		}
		s.output("stderr", "Build Error: "+err.Error()+"\n")
		return "", "", &Error{ID: errFailedToLaunch, Summary: "Failed to launch", Detail: "Build error: Check the debug console for details."}
	}
	return binary, what, nil
}

// addTargetEnv adds the entries of Config.TargetEnv to the environment the
// debuggee gets on top of the launch's.
func (s *Session) addTargetEnv(ctx context.Context, l *launchState, cfg *delvedap.LaunchConfig) {
	te := s.proxy.cfg.TargetEnv
	if te == nil {
		return
	}
	extra := te(ctx, s)
	if len(extra) == 0 {
		return
	}
	diff := make(map[string]*string, len(cfg.Env)+len(extra))
	for k, v := range cfg.Env {
		diff[k] = v
	}
	for _, kv := range extra {
		k, v, _ := strings.Cut(kv, "=")
		diff[k] = &v
	}
	l.envDiff = diff
}

// debuggerConfig returns the configuration of a launch's debugger: the
// proxy's base configuration with the launch's mode, backend, directory,
// input and output.
func (s *Session) debuggerConfig(l *launchState, cfg *delvedap.LaunchConfig, base string) (debugger.Config, error) {
	dcfg := s.proxy.cfg.Debugger
	if cfg.Backend != "" {
		dcfg.Backend = cfg.Backend
	}
	switch cfg.Mode {
	case "debug":
		dcfg.ExecuteKind = debugger.ExecutingGeneratedFile
		dcfg.Packages = []string{cfg.Program}
	case "test":
		dcfg.ExecuteKind = debugger.ExecutingGeneratedTest
		dcfg.Packages = []string{cfg.Program}
	}
	cwd := cfg.Cwd
	if cwd == "" && cfg.Mode == "test" {
		cwd = packageDir(base, l.env, cfg.Program)
	}
	dcfg.WorkingDir = absFrom(base, cwd)
	if cfg.StdinFrom != "" {
		dcfg.Stdin = absFrom(base, cfg.StdinFrom)
	}
	switch cfg.OutputMode {
	case "remote":
		if cfg.StdoutTo != "" || cfg.StderrTo != "" {
			return dcfg, errors.New(`output == "remote" can not be used together with stdoutTo or stderrTo`)
		}
		for i, category := range []string{"stdout", "stderr"} {
			p, redirect, err := s.newOutputPump(category)
			if err != nil {
				return dcfg, err
			}
			l.pumps = append(l.pumps, p)
			if i == 0 {
				dcfg.Stdout = redirect
			} else {
				dcfg.Stderr = redirect
			}
		}
	case "local", "":
		if cfg.StdoutTo != "" {
			dcfg.Stdout = proc.OutputRedirect{Path: absFrom(base, cfg.StdoutTo)}
		}
		if cfg.StderrTo != "" {
			dcfg.Stderr = proc.OutputRedirect{Path: absFrom(base, cfg.StderrTo)}
		}
	default:
		return dcfg, fmt.Errorf("invalid debug configuration - unsupported 'outputMode' attribute %q", cfg.OutputMode)
	}
	return dcfg, nil
}

// handOver starts a Delve session for d, replays the client's initialize to
// it, replaces the session before launch, and attaches in remote mode; the
// attach response answers the client's launch.
func (s *Session) handOver(ctx context.Context, m *message, d *debugger.Debugger, svc *service.Config, common delvedap.LaunchAttachCommonConfig) error {
	b, err := s.newBackend(d, svc)
	if err != nil {
		return err
	}
	var initArgs any
	s.mu.Lock()
	if s.initialize != nil {
		initArgs = s.initialize
	}
	s.mu.Unlock()
	r, err := s.call(ctx, b, "initialize", initArgs)
	if err != nil || !r.Success {
		b.close()
		if err == nil {
			err = errors.New(string(r.raw))
		}
		return fmt.Errorf("initializing the delve session: %w", err)
	}
	s.mu.Lock()
	old := s.backend
	s.backend = b
	s.mu.Unlock()
	old.close()

	common.FollowExec, common.FollowExecRegex = false, "" // done at launch; attach would warn
	attach := struct {
		Mode string `json:"mode"`
		delvedap.LaunchAttachCommonConfig
	}{"remote", common}
	req, _ := parseMessage(mustMarshal(struct {
		Seq       int    `json:"seq"`
		Type      string `json:"type"`
		Command   string `json:"command"`
		Arguments any    `json:"arguments"`
	}{Type: "request", Command: "attach", Arguments: attach}))
	s.toDelve(req, 0, &pending{clientSeq: m.Seq, command: m.Command})
	return nil
}

// output sends an output event to the client.
func (s *Session) output(category, text string) {
	s.toClient(eventMessage("output", map[string]string{"category": category, "output": text}))
}

func absFrom(base, path string) string {
	if path == "" {
		return base
	}
	if filepath.IsAbs(path) {
		return filepath.Clean(path)
	}
	return filepath.Join(base, path)
}

func notDir(dir string, err error) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("%s is not a directory", dir)
}

// packageDir is the directory of the package to test, where `go test` runs
// its binary; on failure the base directory.
func packageDir(base string, env []string, pkg string) string {
	cmd := exec.Command("go", "list", "-f", "{{.Dir}}", pkg)
	cmd.Dir, cmd.Env = base, env
	out, err := cmd.Output()
	if err != nil {
		return base
	}
	return strings.TrimSpace(string(out))
}
