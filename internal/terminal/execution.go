package terminal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"syscall"

	"github.com/google/go-dap"
)

// errExited is returned by commands that need a live process.
type errExited struct{ pid, status int }

func (e errExited) Error() string {
	process := "Process"
	if e.pid != 0 { // 0: unknown, Delve reports no new pid after a restart
		process = fmt.Sprintf("Process %d", e.pid)
	}
	if e.status < -1 { // -N: killed by signal N (-1 is an unknown status)
		return fmt.Sprintf("%s was killed by signal %d (%v)", process, -e.status, syscall.Signal(-e.status))
	}
	return fmt.Sprintf("%s has exited with status %d", process, e.status)
}

// requireStopped fails unless the process is stopped.
func (s *session) requireStopped() error {
	if s.state == stateExited {
		return s.exitedError()
	}
	return nil
}

// exitedError describes the exited process.
func (s *session) exitedError() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return errExited{s.pid, s.exitStatus}
}

// resume sends a request that lets the program run (continue or a step) and
// waits until it stops again or exits.
func (s *session) resume(req dap.RequestMessage) error {
	if err := s.requireStopped(); err != nil {
		return err
	}
	s.drainInterrupts()
	s.frames = nil
	s.state = stateRunning
	if _, err := s.call(req); err != nil {
		s.state = stateStopped
		return err
	}
	return s.waitStop()
}

// drainInterrupts forgets Ctrl-C presses made while no program was running.
func (s *session) drainInterrupts() {
	for {
		select {
		case <-s.interrupt:
		default:
			return
		}
	}
}

// waitStop waits for the program to stop or exit, pausing it on each
// interrupt, runs what is typed meanwhile (whileRunning), and reports where
// it stopped. It returns errInputEnded when the input ends meanwhile, and
// the quit of an exit typed meanwhile.
func (s *session) waitStop() error {
	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	s.state = stateRunning
	thread := s.thread
	type event struct {
		e   dap.EventMessage
		err error
	}
	events := make(chan event, 1)
	go func() {
		e, err := s.client.WaitEventFunc(ctx, func(e dap.EventMessage) bool {
			switch e.GetEvent().Event {
			case "stopped", "exited", "terminated":
				return true
			}
			return false
		})
		events <- event{e, err}
	}()
	var ev event
	var inputs <-chan inputResult // none before the session started
wait:
	for {
		if s.started {
			inputs = s.nextInput()
		}
		select {
		case <-s.interrupt:
			if s.cfg.Run && s.interruptRun(ctx) {
				return errInputEnded
			}
			if !s.cfg.Run {
				s.pause(ctx, thread)
			}
		case r := <-inputs:
			s.gotInput()
			quit, err := runningInput(s, ctx, r, thread)
			if quit && err == nil {
				return errInputEnded // exit: the session ends as at the end of the input
			}
			if quit {
				return err
			}
		case ev = <-events:
			break wait
		}
	}
	e, err := ev.e, ev.err
	if err != nil {
		return fmt.Errorf("wait for the program to stop: %w", err)
	}
	// The report goes above the prompt at once when the user is at it.
	s.con.hold(func() {
		switch e := e.(type) {
		case *dap.StoppedEvent:
			s.state = stateStopped
			s.stopped(&e.Body)
		case *dap.ExitedEvent:
			s.exited(e.Body.ExitCode)
		default: // terminated without exited: the debug session ended
			s.exited(-1)
		}
	})
	return nil
}

// exited records and reports the end of the process.
func (s *session) exited(status int) {
	s.state = stateExited
	s.frames = nil
	s.mu.Lock()
	s.exitStatus = status
	s.mu.Unlock()
	if s.cfg.Run && status == 0 {
		return // as go run: an exit in success goes unsaid
	}
	s.con.printf("%v\n", s.exitedError())
}

// stopped selects the goroutine that stopped, and prints where and why.
func (s *session) stopped(body *dap.StoppedEventBody) {
	if body.ThreadId != 0 {
		s.thread = body.ThreadId
	} else {
		s.keepLiveThread()
	}
	s.frame = 0
	if body.Reason == "entry" {
		return
	}
	hits := ""
	switch body.Reason {
	case "breakpoint", "function breakpoint":
		if bp := s.bps.hit(body.HitBreakpointIds, s.thread); bp != nil {
			hits = fmt.Sprintf(" (hits goroutine(%d):%d total:%d)", s.thread, bp.perG[s.thread], bp.total)
		}
	case "exception":
		what := body.Description
		if body.Text != "" {
			what += ": " + body.Text
		}
		s.con.printf("%s\n", what)
	case "pause":
		s.con.printf("received SIGINT, stopping process\n")
	}
	if err := s.loadFrames(); err != nil {
		s.con.errorf("%v", err)
		return
	}
	s.printLocation(hits)
}

// keepLiveThread keeps the selected goroutine when it still exists, or
// else selects Delve's current goroutine or the first one. Delve names no
// goroutine in a stop when the thread it stopped runs none (a pause of a
// program whose threads are all idle), and the goroutine selected before
// may have ended since.
func (s *session) keepLiveThread() {
	resp, err := s.call(&dap.ThreadsRequest{Request: request("threads")})
	if err != nil {
		return
	}
	threads := resp.(*dap.ThreadsResponse).Body.Threads
	for _, t := range threads {
		if t.Id == s.thread {
			return
		}
	}
	for _, t := range threads {
		if strings.HasPrefix(t.Name, "* ") {
			s.thread = t.Id
			return
		}
	}
	if len(threads) > 0 {
		s.thread = threads[0].Id
	}
}

// printLocation prints the selected frame as dlv does, a line like
// "> main.f() ./main.go:12" followed by the source around it.
func (s *session) printLocation(suffix string) {
	f, ok := s.selectedFrame()
	if !ok {
		return
	}
	path := ""
	if f.Source != nil {
		path = f.Source.Path
	}
	s.con.printf("> %s() %s:%d%s\n", f.Name, s.displayPath(path), f.Line, suffix)
	if path != "" {
		if err := s.printSource(path, f.Line, f.Line); err != nil {
			s.cfg.Logger.Debug("list source", "err", err)
		}
	}
}

// cmdContinue runs the program until it stops.
func (s *session) cmdContinue(args string) error {
	if args != "" {
		return errors.New("continue takes no arguments")
	}
	return s.resume(&dap.ContinueRequest{Request: request("continue"), Arguments: dap.ContinueArguments{ThreadId: s.thread}})
}

// cmdNext steps over one source line.
func (s *session) cmdNext(args string) error {
	return s.resume(&dap.NextRequest{Request: request("next"), Arguments: dap.NextArguments{ThreadId: s.thread}})
}

// cmdStep steps into a call.
func (s *session) cmdStep(args string) error {
	return s.resume(&dap.StepInRequest{Request: request("stepIn"), Arguments: dap.StepInArguments{ThreadId: s.thread}})
}

// cmdStepOut runs until the selected function returns.
func (s *session) cmdStepOut(args string) error {
	return s.resume(&dap.StepOutRequest{Request: request("stepOut"), Arguments: dap.StepOutArguments{ThreadId: s.thread}})
}

// cmdRestart restarts the program; it stops at its entry again, with the
// breakpoints kept and their hit counts reset.
func (s *session) cmdRestart(args string) error {
	if args != "" {
		return errors.New("restart takes no arguments")
	}
	// Forget what the old process reported.
	for {
		if _, ok := s.client.PollEvent(isLifecycle); !ok {
			break
		}
	}
	s.frames = nil
	// Restart with the launch arguments; Delve rebuilds the program unless
	// it was launched prebuilt.
	launch := map[string]any{}
	for k, v := range s.launchArgs {
		launch[k] = v
	}
	launch["request"] = "launch"
	launch["rebuild"] = s.launchArgs["mode"] != "exec" && s.launchArgs["mode"] != "replay" && s.launchArgs["mode"] != "core"
	raw, err := json.Marshal(map[string]any{"arguments": launch})
	if err != nil {
		return fmt.Errorf("restart: %w", err)
	}
	req := &dap.RestartRequest{Request: request("restart"), Arguments: raw}
	if _, err := s.call(req); err != nil {
		return err
	}
	// Delve acknowledges a restart at once and sends a second, error,
	// response when it fails: watch for one while waiting.
	ctx, cancel := context.WithCancelCause(s.ctx)
	defer cancel(nil)
	go func() {
		r, err := s.client.WaitResponse(ctx, req.Seq)
		if err == nil && !r.Success {
			msg := r.Message
			if d, err := r.Decode(); err == nil {
				if er, ok := d.(*dap.ErrorResponse); ok && er.Body.Error != nil && er.Body.Error.Format != "" {
					msg = er.Body.Error.Format
				}
			}
			cancel(&dapError{command: "restart", message: msg})
		}
	}()
	s.mu.Lock()
	s.pid = 0 // a new process event, if any, tells the new one
	s.mu.Unlock()
	s.bps.resetHits()
	if err := s.configure(ctx, true); err != nil {
		return err
	}
	if s.state != stateExited {
		s.con.printf("Process restarted.\n")
	}
	return nil
}
