package wire

import (
	"fmt"
)

// InterpretedAtDecl follows the position of a frame of interpreted code,
// in a panic's report, that is its function's declaration's: the
// interpreter does not tell which line of it ran.
const InterpretedAtDecl = "[interpreted: the line is the declaration's]"

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
	// ErrSuperseded is a native switch of a patch that a later change
	// replaced or reverted since: nothing was switched.
	ErrSuperseded ErrorKind = "superseded"
	// ErrNative is a plugin that could not be loaded or does not fit.
	ErrNative ErrorKind = "native"
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

// Errorf returns an error of kind without position, its message formatted
// as fmt.Sprintf does.
func Errorf(kind ErrorKind, format string, args ...any) *Error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// Place moves the position of an error about generated source into the
// user's terms: lineOffset is subtracted from the generated line, and file
// and baseLine (the line of the snippet's first line in file) give the
// user's position when known. An error without position stays as it is.
func (e *Error) Place(lineOffset int, file string, baseLine int) {
	if e.Line == 0 {
		return
	}
	e.Line = max(e.Line-lineOffset, 1)
	if file != "" && baseLine > 0 {
		e.Line += baseLine - 1
	}
	e.File = file
}
