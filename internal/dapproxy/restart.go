package dapproxy

import (
	"encoding/json"
)

// onRestart rebuilds the program with the proxy's builder, then lets Delve
// restart the process from the new binary without building, so breakpoints
// are kept. A failed build answers the restart with the build's error and
// leaves the process as it was: a running one is paused during the build
// (see pauseForBuild) and continued after it.
func (s *Session) onRestart(m *message) {
	s.mu.Lock()
	l := s.launch
	s.mu.Unlock()
	if l == nil || l.debugger == nil {
		s.toDelve(m, 0, &pending{clientSeq: m.Seq})
		return
	}
	args := restartArguments(rawArguments(m.raw), l.raw)
	if !s.rebuildForRestart(m, l, args) {
		return
	}
	args["rebuild"] = json.RawMessage("false")
	args["request"] = json.RawMessage(`"launch"`)
	req, _ := parseMessage(mustMarshal(struct {
		Seq       int    `json:"seq"`
		Type      string `json:"type"`
		Command   string `json:"command"`
		Arguments any    `json:"arguments"`
	}{Type: "request", Command: "restart", Arguments: map[string]any{"arguments": args}}))
	s.restartInDelve(m, l, req)
}

// rebuildForRestart builds the program for a restart unless the launch has
// no builder or the restart asks for no rebuild, and reports whether the
// restart goes on. A failed build is reported to the client and answers the
// restart m with an error.
func (s *Session) rebuildForRestart(m *message, l *launchState, args map[string]json.RawMessage) bool {
	rebuild := true
	if v, ok := args["rebuild"]; ok {
		_ = json.Unmarshal(v, &rebuild)
	}
	if l.build == nil || !rebuild {
		return true
	}
	if buildArgs, ok := args["buildFlags"]; ok {
		var v any
		_ = json.Unmarshal(buildArgs, &v)
		if flags, err := splitBuildFlags(v); err == nil {
			l.build.Flags = flags
		}
	}
	paused := s.pauseForBuild(l)
	s.output("stdout", "Building "+l.build.Packages[0]+"\n")
	progress, endProgress := s.buildProgress("Building " + l.build.Packages[0])
	err := s.proxy.cfg.Builder.Build(s.ctx, *l.build, progress)
	endProgress()
	if err != nil {
		s.output("stderr", "Build Error: "+err.Error()+"\n")
		if paused {
			s.resumeAfterBuild()
		}
		s.toClient(errorResponse(m.Seq, m.Command, &Error{ID: errFailedToLaunch, Summary: "Failed to restart",
			Detail: "Build error: Check the debug console for details.", ShowUser: true}))
		return false
	}
	return true
}

// restartInDelve sends Delve the restart request req for the client's
// restart m and waits for its outcome, showing a failure Delve reports late.
func (s *Session) restartInDelve(m *message, l *launchState, req *message) {
	// Delve launches the new process inside the request, with the process
	// environment: apply the launch's env until Delve reports the outcome.
	envMu.Lock()
	undo := applyEnv(l.envDiff)
	restore := func() {
		undo()
		envMu.Unlock()
	}
	done := make(chan struct{})
	var failure *message
	s.watch(func(r *message) bool {
		switch {
		case r.Type == "event" && (r.Event == "initialized" || r.Event == "terminated"):
		case r.Type == "response" && r.Command == "restart" && !r.Success:
			failure = r
		default:
			return false
		}
		close(done)
		return true
	})
	s.toDelve(req, 0, &pending{clientSeq: m.Seq})
	restarted := false
	select {
	case <-done:
		restarted = failure == nil
	case <-s.done:
	}
	restore()
	if started := s.proxy.cfg.Started; started != nil && restarted && !l.debugger.IsRunning() {
		started(s, l.debugger)
	}
	if failure != nil {
		// Delve answers a restart at once and reports a later failure as a
		// second response, which clients ignore: show it.
		var r struct {
			Body struct {
				Error struct{ Format string } `json:"error"`
			} `json:"body"`
		}
		_ = json.Unmarshal(failure.raw, &r)
		s.output("stderr", r.Body.Error.Format+"\n")
	}
}

// restartArguments returns the launch configuration a restart uses: the
// client's, or when it sent none, the original launch's.
func restartArguments(restart, launch json.RawMessage) map[string]json.RawMessage {
	var r struct {
		Arguments map[string]json.RawMessage `json:"arguments"`
	}
	_ = json.Unmarshal(restart, &r)
	if len(r.Arguments) > 0 {
		return r.Arguments
	}
	args := map[string]json.RawMessage{}
	_ = json.Unmarshal(launch, &args)
	return args
}

// pauseForBuild pauses a running target before a restart's build and
// reports whether it did. While its target runs, Delve waits for any child
// of this process (wait4 with pid -1, to see every thread of the target),
// and so reaps the go command's processes before os/exec can: the build
// failed with "waitid: no child processes". The client sees the pause as
// a stopped event, and a continued event if the build fails.
func (s *Session) pauseForBuild(l *launchState) bool {
	if !l.debugger.IsRunning() {
		return false
	}
	stopped := make(chan struct{})
	s.watch(func(r *message) bool {
		if r.Type == "event" && r.Event == "stopped" {
			close(stopped)
			return true
		}
		return false
	})
	if r, err := s.CallDelve(s.ctx, "pause", map[string]any{"threadId": 1}); err != nil || !r.Success() {
		s.log.Warn("pause before the restart's build", "err", err)
		return false // the build may fail; it says why
	}
	select {
	case <-stopped:
		return true
	case <-s.done:
		return false
	}
}

// resumeAfterBuild continues a target that pauseForBuild paused.
func (s *Session) resumeAfterBuild() {
	if r, err := s.CallDelve(s.ctx, "continue", map[string]any{"threadId": 1}); err != nil || !r.Success() {
		s.log.Warn("continue after the restart's failed build", "err", err)
	}
}
