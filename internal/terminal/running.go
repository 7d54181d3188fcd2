package terminal

import (
	"context"
	"errors"
	"io"
	"strings"

	"github.com/google/go-dap"
)

// Input while the program runs. One goroutine reads the inputs (readInput)
// for the whole session, one at a time when asked (nextInput), so that the
// prompt is there both while the program is stopped and while it runs: a
// read asked for while the program ran and not answered when it stopped is
// the next input of the stopped program. While the program runs, Go input
// and the server's colon commands (`:pkg`, `:patches`) are sent to the
// server, which runs them in package scope; Ctrl-C at the prompt pauses the
// program; a command that needs a stopped program says so.

// errInputEnded reports the end of the input while the program ran: the
// session ends.
var errInputEnded = errors.New("end of input")

// inputResult is one input read, or the error that ended the read.
type inputResult struct {
	line string
	err  error
}

// startInput starts the goroutine that reads inputs when asked, until ctx
// ends.
func (s *session) startInput(ctx context.Context) {
	// One ask can be pending (reading); buffered, so that asking never
	// blocks once the goroutine has ended with ctx.
	s.want = make(chan struct{}, 1)
	s.inputs = make(chan inputResult)
	go func() {
		for {
			select {
			case <-s.want:
			case <-ctx.Done():
				return
			}
			line, err := s.readInput(ctx)
			select {
			case s.inputs <- inputResult{line, err}:
			case <-ctx.Done():
				return
			}
		}
	}()
}

// nextInput asks for the next input, unless a read is already pending,
// and returns the channel it comes on; the receiver calls gotInput.
func (s *session) nextInput() <-chan inputResult {
	if !s.reading {
		s.reading = true
		s.want <- struct{}{}
	}
	return s.inputs
}

// gotInput notes that the pending input was received.
func (s *session) gotInput() { s.reading = false }

// runningInput is whileRunning, which waitStop reaches through this
// variable: the command table refers to waitStop (continue), and
// whileRunning to the table.
var runningInput func(s *session, ctx context.Context, r inputResult, thread int) (bool, error)

func init() { runningInput = (*session).whileRunning }

// whileRunning runs an input typed while the program runs. It returns
// errInputEnded at the end of the input, and quit true for exit.
func (s *session) whileRunning(ctx context.Context, r inputResult, thread int) (quit bool, err error) {
	switch {
	case errors.Is(r.err, errAborted) && s.cfg.Run:
		if s.interruptRun(ctx) {
			return true, errInputEnded
		}
		return false, nil
	case errors.Is(r.err, errAborted):
		s.pause(ctx, thread)
		return false, nil
	case errors.Is(r.err, io.EOF):
		return true, errInputEnded
	case r.err != nil:
		return true, r.err
	}
	line := strings.TrimSpace(r.line)
	if line == "" {
		return false, nil
	}
	if s.cfg.Run {
		return s.whileRunFree(line), nil
	}
	if isGoInput(line) {
		if err := s.cmdEvaluate(line); err != nil {
			s.con.errorf("%v", err)
		}
		return false, nil
	}
	name, args, _ := strings.Cut(line, " ")
	switch lookup(name).names[0] {
	case "exit":
		return true, nil
	case "help":
		if err := s.cmdHelp(strings.TrimSpace(args)); err != nil {
			s.con.errorf("%v", err)
		}
		return false, nil
	case "break", "breakpoints", "clear", "clearall", "condition":
		// Breakpoints can be set and cleared in a running program, as
		// an editor does: Delve halts it for that by itself.
		if err := lookup(name).run(s, strings.TrimSpace(args)); err != nil {
			s.con.errorf("%v", err)
		}
		return false, nil
	}
	s.con.errorf("the program is running: press Ctrl-C to pause it first, or type Go to run it in package scope")
	return false, nil
}

// pause asks the server to pause the program; the stopped event answers.
// An error (the program already stopped) needs no report.
func (s *session) pause(ctx context.Context, thread int) {
	s.client.Call(ctx, &dap.PauseRequest{Request: request("pause"), Arguments: dap.PauseArguments{ThreadId: thread}})
}
