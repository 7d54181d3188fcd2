package terminal

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/go-dap"
)

// Run mode (Config.Run, `livepatch run`): the program is launched with
// noDebug, so the server runs it with no debugger, from its start, and
// reaches it through its agent only. There is nothing to stop at and no
// breakpoint; the prompt, when the input is a terminal, is there for the
// whole run and sends Go and the server's colon commands (`:pkg`,
// `:patches`) to the server, which runs them in package scope. Ctrl-C asks
// the server to terminate the program (SIGINT, as a terminal gives a
// program under `go run`), a second one, or the end of the input, ends
// the session and kills it. The session ends when the program does, with
// its exit status (ExitError).

// ExitError is the end of a program that exited with a status other than
// 0, in run mode: Code is the status, or minus the signal that killed it.
type ExitError struct{ Code int }

func (e *ExitError) Error() string {
	if e.Code < 0 {
		return fmt.Sprintf("the program was killed by signal %d", -e.Code)
	}
	return fmt.Sprintf("the program exited with status %d", e.Code)
}

// runHelp is help in run mode.
const runHelp = `The program runs without a debugger. Type Go to run it in the program's
package scope (the main package; :pkg PATH chooses another, :pkg says which),
while the program runs on. Saves of your files are applied as they happen.
:patches lists the live patches, :diff NAME and :revert NAME act on one.
Ctrl-C stops the program; exit or Ctrl-D stops it and leaves.
`

// launchRun launches the program in run mode: without a debugger, from
// its start.
func (s *session) launchRun(args map[string]any) error {
	args["noDebug"] = true
	delete(args, "stopOnEntry")
	if err := s.launch(args); err != nil {
		return err
	}
	s.state = stateRunning
	return nil
}

// runLoop waits for the program to end, running what is typed meanwhile,
// and returns its exit status as Run does.
func (s *session) runLoop() error {
	if err := s.waitStop(); err != nil {
		if err == errInputEnded {
			return s.quit()
		}
		return err
	}
	s.mu.Lock()
	code := s.exitStatus
	s.mu.Unlock()
	// The server ends the session once its program is gone.
	s.quit()
	if code != 0 {
		return &ExitError{Code: code}
	}
	return nil
}

// whileRunFree runs an input typed in run mode: Go and the server's colon
// commands go to the server, exit and help are the prompt's, and the
// debugger's commands are refused.
func (s *session) whileRunFree(line string) (quit bool) {
	name, args, _ := strings.Cut(line, " ")
	cmd := lookup(name)
	switch {
	case cmd == nil || isGoInput(line):
	case cmd.names[0] == "exit":
		return true
	case cmd.names[0] == "help":
		s.con.printf("%s", runHelp)
		return false
	case cmd.names[0] == "print":
		line = strings.TrimSpace(args)
	default:
		s.con.errorf("%s needs a debugger: livepatch run has none (use livepatch debug); type Go to run it in package scope", name)
		return false
	}
	if err := s.cmdEvaluate(line); err != nil {
		s.con.errorf("%v", err)
	}
	return false
}

// interruptRun answers Ctrl-C in run mode: the first asks the server to
// terminate the program, which ends the session when the program ends; a
// later one ends the session at once, killing the program.
func (s *session) interruptRun(ctx context.Context) (quit bool) {
	s.interrupts++
	if s.interrupts > 1 {
		return true
	}
	s.client.Call(ctx, &dap.TerminateRequest{Request: request("terminate")})
	return false
}

// launch sends the launch request with args, which the session keeps for
// a restart.
func (s *session) launch(args map[string]any) error {
	s.launchArgs = args
	b, err := json.Marshal(args)
	if err != nil {
		return fmt.Errorf("launch: %w", err)
	}
	if _, err := s.call(&dap.LaunchRequest{Request: request("launch"), Arguments: b}); err != nil {
		return fmt.Errorf("launch: %w", err)
	}
	return nil
}
