package agent

import (
	"context"
	"errors"
	"regexp"
	"strconv"

	"github.com/livepatch/livepatch/target/agent/wire"
)

// wireError returns err as it goes on the wire: err itself when it is an
// *wire.Error, else an Error of err's kind whose message is err's text.
func wireError(err error) *wire.Error {
	if e, ok := err.(*wire.Error); ok {
		return e
	}
	return &wire.Error{Kind: kindOf(err), Msg: err.Error()}
}

// failure returns err as the failure of the function named by ref.
func failure(ref wire.Ref, err error) wire.Error {
	e := *wireError(err)
	e.Func = ref.String()
	return e
}

// kindOf returns the kind of err: that of the *wire.Error it wraps, or the one
// its type or cause says.
func kindOf(err error) wire.ErrorKind {
	var (
		e  *wire.Error
		pe *PanicError
		re *RunningError
		ae *ApplyError
	)
	switch {
	case errors.As(err, &e):
		return e.Kind
	case errors.As(err, &pe):
		return wire.ErrPanic
	case errors.As(err, &re):
		return wire.ErrRunning
	case errors.As(err, &ae):
		return wire.ErrRefused
	case errors.Is(err, context.DeadlineExceeded):
		return wire.ErrTimeout
	}
	return wire.ErrFailed
}

// positionRE matches a message that starts with an optional file name and a
// line:col position, as yaegi and go/parser write them.
var positionRE = regexp.MustCompile(`^(?:[^\s:]*:)?(\d+):(\d+): ((?s).*)$`)

// interpreterError returns msg, a message of yaegi about generated source,
// as an Error of kind, with the position at its start taken apart: yaegi's
// errors carry their position only as text.
func interpreterError(kind wire.ErrorKind, msg string) *wire.Error {
	m := positionRE.FindStringSubmatch(msg)
	if m == nil {
		return &wire.Error{Kind: kind, Msg: msg}
	}
	line, _ := strconv.Atoi(m[1])
	col, _ := strconv.Atoi(m[2])
	return &wire.Error{Kind: kind, Line: line, Col: col, Msg: m[3]}
}
