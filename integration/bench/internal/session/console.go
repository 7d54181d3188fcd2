package session

import (
	"fmt"
	"strings"

	"github.com/google/go-dap"
)

// WithConsole adds to err what the console has said so far (a build's
// errors, for instance).
func WithConsole(s *Session, err error) error {
	var lines []string
	for {
		e, ok := s.Client.PollEvent(IsConsole)
		if !ok {
			break
		}
		lines = append(lines, strings.TrimRight(e.(*dap.OutputEvent).Body.Output, "\n"))
	}
	if len(lines) == 0 {
		return err
	}
	return fmt.Errorf("%w\nconsole:\n%s", err, strings.Join(lines, "\n"))
}

// KeepSaveEvents queues what the save and replay parts wait for: the
// control events and the console's output, where livepatch reports saves.
func KeepSaveEvents(e dap.EventMessage) bool {
	if o, ok := e.(*dap.OutputEvent); ok {
		return o.Body.Category == "console"
	}
	return KeepControlEvents(e)
}

// IsConsole matches the console's output events.
func IsConsole(e dap.EventMessage) bool {
	o, ok := e.(*dap.OutputEvent)
	return ok && o.Body.Category == "console"
}
