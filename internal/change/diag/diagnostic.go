// Package diag holds the diagnostics of checking a change or a prompt
// input (packages change, change/classify and change/frame): where, of
// which kind, and the message, kept as values until they reach a person.
package diag

import (
	"fmt"
	"go/token"
	"go/types"
	"strings"
)

// Kind says what a diagnostic is about: an input that does not compile, or
// a change that compiles and is refused.
type Kind int

const (
	// Syntax is an input or file that does not parse.
	Syntax Kind = iota
	// Type is a type error.
	Type
	// RefusedRestart is a change that only a restart can apply.
	RefusedRestart
	// RefusedUnpatched is a change that compiled code would contradict
	// unless the functions named are patched with it.
	RefusedUnpatched
	// RefusedInterpreter is code the interpreter cannot run as compiled
	// code would, or that the rewriter cannot write for it.
	RefusedInterpreter
	// Note is what the user should know of a change that applies.
	Note
)

// Diagnostic is one message about a change or an input, kept as a value
// until it reaches a person (the console, a DAP error, the repatch
// report), as go/types.Error and go/scanner.Error are.
type Diagnostic struct {
	// Pos is where: Filename is the file's base name, as users see it, or
	// empty for a position in a prompt input; Line is 0 when the
	// diagnostic has no line.
	Pos token.Position
	// Func is the key of the function the diagnostic is in, when known.
	Func string
	Kind Kind
	// Msg is the message, without position or the advice its kind adds.
	Msg string
	// Reason names a refused construct in a few words, the same for every
	// refusal of it (rewrite.Error.Reason), or is empty.
	Reason string

	// Undefined is the name of a type error "undefined: NAME", or empty.
	Undefined string
	// Edits is, for a RefusedUnpatched diagnostic, the import path of
	// the package of every compiled function left unpatched that it names
	// (editing them too makes the change go live), when they are of one
	// package; else empty.
	Edits string
	// Unpatched is, for a RefusedUnpatched diagnostic of a declaration
	// that compiled code uses (a constant, a variable, a field, a type),
	// the keys of the compiled functions left unpatched that it names,
	// separated by spaces (a Diagnostic stays comparable); else empty.
	Unpatched string
}

// String returns the diagnostic as users see it: file:line:col: msg,
// line:col: msg in a prompt input, and the advice of a refusal.
func (d Diagnostic) String() string {
	var b strings.Builder
	switch {
	case d.Pos.Filename != "" && d.Pos.Line > 0:
		fmt.Fprintf(&b, "%s:%d:%d: ", d.Pos.Filename, d.Pos.Line, d.Pos.Column)
	case d.Pos.Filename != "":
		b.WriteString(d.Pos.Filename + ": ")
	case d.Pos.Line > 0:
		fmt.Fprintf(&b, "%d:%d: ", d.Pos.Line, d.Pos.Column)
	}
	b.WriteString(d.Msg)
	switch d.Kind {
	case RefusedRestart:
		b.WriteString(": restart to apply")
	case RefusedUnpatched:
		b.WriteString(": edit those functions too, or restart to apply")
	}
	return b.String()
}

// Diagnostics is a list of diagnostics. As an error it is an input that
// does not compile, or a change refused: one diagnostic a line.
type Diagnostics []Diagnostic

func (l Diagnostics) Error() string { return strings.Join(l.Strings(), "\n") }

// Strings returns the diagnostics as users see them.
func (l Diagnostics) Strings() []string {
	out := make([]string, len(l))
	for i, d := range l {
		out[i] = d.String()
	}
	return out
}

// TypeDiagnostic returns the diagnostic of a type error at pos (whose
// Filename the caller sets), noting the name of an undefined identifier.
func TypeDiagnostic(te types.Error, pos token.Position) Diagnostic {
	d := Diagnostic{Pos: pos, Kind: Type, Msg: te.Msg}
	if name, ok := strings.CutPrefix(te.Msg, "undefined: "); ok {
		d.Undefined = name
	}
	return d
}
