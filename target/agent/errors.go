package agent

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
)

// ErrorKind says what failed, so that the host branches and groups on it
// rather than on the message.
type ErrorKind string

// The kinds of Error.
const (
	// ErrCompile is source the interpreter refused: it does not parse or
	// does not compile. The position, when the interpreter gave one, is in
	// the terms of the source as sent.
	ErrCompile ErrorKind = "compile"
	// ErrUnsupported is a construct the agent refuses before compiling it,
	// because the interpreter would run it otherwise than Go (package bintypes).
	ErrUnsupported ErrorKind = "unsupported"
	// ErrNotFound is a function or package the program does not have.
	ErrNotFound ErrorKind = "not found"
	// ErrDuplicate is a function patched twice in one set.
	ErrDuplicate ErrorKind = "duplicate"
	// ErrMismatch is a replacement whose type does not fit the compiled
	// function's.
	ErrMismatch ErrorKind = "mismatch"
	// ErrRefused is a patch set of which some functions failed: the
	// response's Failures say which and why.
	ErrRefused ErrorKind = "refused"
	// ErrInterpreter is a failure of the interpreter itself (a panic
	// inside yaegi).
	ErrInterpreter ErrorKind = "interpreter"
	// ErrPanic is evaluated code that panicked; Response.Stack holds the
	// interpreted stack.
	ErrPanic ErrorKind = "panic"
	// ErrTimeout is an evaluation stopped after its time limit.
	ErrTimeout ErrorKind = "timeout"
	// ErrRunning is an evaluation still running after its time limit;
	// Response.Running says where it waits.
	ErrRunning ErrorKind = "running"
	// ErrBusy is a request refused because another operation, or another
	// socket client, has the agent.
	ErrBusy ErrorKind = "busy"
	// ErrRequest is a request the agent does not take: malformed, of an
	// unknown operation, or not preceded by a hello with the right token.
	ErrRequest ErrorKind = "request"
	// ErrFailed is any other failure.
	ErrFailed ErrorKind = "failed"
)

// Error is a failure as it crosses the wire: the failure of a request
// (Response.Error), or of one function of a patch set (Response.Failures,
// ApplyError). It stays a value until it reaches a person, as
// go/scanner.Error does: the host branches on Kind and formats it only
// where it shows it.
type Error struct {
	Kind ErrorKind `json:"kind"`
	// Func is the key of the function a failure of a patch set is about
	// (Ref.String of the function as named), empty otherwise.
	Func string `json:"func,omitempty"`
	// File, Line and Col (from 1) place the error in the source the host
	// sent: File is the patch's file when it gave one; Line is 0 when the
	// error has no position.
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	Col  int    `json:"col,omitempty"`
	// Msg is the message, without position or function.
	Msg string `json:"msg"`
}

// Error returns the error as users read it: file:line:col: msg, line:col:
// msg without a file, or msg without a position. Func is not part of it.
func (e *Error) Error() string {
	switch {
	case e.Line > 0 && e.File != "":
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg)
	}
	return e.Msg
}

// newError returns an error of kind without position.
func newError(kind ErrorKind, format string, args ...any) *Error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// wireError returns err as it goes on the wire: err itself when it is an
// *Error, else an Error of err's kind whose message is err's text.
func wireError(err error) *Error {
	if e, ok := err.(*Error); ok {
		return e
	}
	return &Error{Kind: kindOf(err), Msg: err.Error()}
}

// failure returns err as the failure of the function named by ref.
func failure(ref Ref, err error) Error {
	e := *wireError(err)
	e.Func = ref.String()
	return e
}

// kindOf returns the kind of err: that of the *Error it wraps, or the one
// its type or cause says.
func kindOf(err error) ErrorKind {
	var (
		e  *Error
		pe *PanicError
		re *RunningError
		ae *ApplyError
	)
	switch {
	case errors.As(err, &e):
		return e.Kind
	case errors.As(err, &pe):
		return ErrPanic
	case errors.As(err, &re):
		return ErrRunning
	case errors.As(err, &ae):
		return ErrRefused
	case errors.Is(err, context.DeadlineExceeded):
		return ErrTimeout
	}
	return ErrFailed
}

// positionRE matches a message that starts with an optional file name and a
// line:col position, as yaegi and go/parser write them.
var positionRE = regexp.MustCompile(`^(?:[^\s:]*:)?(\d+):(\d+): ((?s).*)$`)

// interpreterError returns msg, a message of yaegi about generated source,
// as an Error of kind, with the position at its start taken apart: yaegi's
// errors carry their position only as text.
func interpreterError(kind ErrorKind, msg string) *Error {
	m := positionRE.FindStringSubmatch(msg)
	if m == nil {
		return &Error{Kind: kind, Msg: msg}
	}
	line, _ := strconv.Atoi(m[1])
	col, _ := strconv.Atoi(m[2])
	return &Error{Kind: kind, Line: line, Col: col, Msg: m[3]}
}

// place moves the position of an error about generated source into the
// user's terms: lineOffset is subtracted from the generated line, and file
// and baseLine (the line of the snippet's first line in file) give the
// user's position when known. An error without position stays as it is.
func (e *Error) place(lineOffset int, file string, baseLine int) {
	if e.Line == 0 {
		return
	}
	e.Line = max(e.Line-lineOffset, 1)
	if file != "" && baseLine > 0 {
		e.Line += baseLine - 1
	}
	e.File = file
}
