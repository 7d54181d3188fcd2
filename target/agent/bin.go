package agent

import (
	"errors"
	"go/parser"
	"go/scanner"
	"go/token"
	"reflect"

	yaegi "github.com/traefik/yaegi/interp"

	"github.com/livepatch/livepatch/target/agent/bintypes"
	"github.com/livepatch/livepatch/target/agent/wire"
)

// rewriteCompiled rewrites src for the compiled types that sc can name
// (package bintypes), with the interpreter's lp_bin symbols. A construct it
// refuses is an *wire.Error of kind ErrUnsupported, positioned in src. The
// caller holds machine.mu.
func rewriteCompiled(i *yaegi.Interpreter, src string, sc bintypes.Scope) (string, []bintypes.Edit, error) {
	out, edits, err := machine.bin.Rewrite(i, src, sc, registeredTypes{})
	var r *bintypes.Refusal
	if errors.As(err, &r) {
		return src, nil, &wire.Error{Kind: wire.ErrUnsupported, Line: r.Line, Col: r.Col, Msg: r.Msg}
	}
	return out, edits, err
}

// registeredTypes are the compiled types of the registered packages.
type registeredTypes struct{}

func (registeredTypes) HasSymbol(pkg, name string) bool { return hasSymbol(pkg, name) }
func (registeredTypes) Type(pkg, name string) (reflect.Type, bool) {
	return registeredType(pkg, name)
}

// mapColumn moves the column of e, an error about rewritten source, back
// to src, the source as given. e's line minus lineOffset is the snippet's
// line; lines before from are left alone (the generated function header of
// a patch shares the first line of its body). On the snippet's first line,
// prefix bytes of wrapping come before the snippet.
func mapColumn(e *wire.Error, src string, edits []bintypes.Edit, lineOffset, from, prefix int) {
	line := e.Line - lineOffset
	if len(edits) == 0 || e.Line == 0 || line < from || line < 1 {
		return
	}
	if line == 1 {
		if e.Col > prefix {
			e.Col = bintypes.OriginalColumn(src, edits, line, e.Col-prefix) + prefix
		}
		return
	}
	e.Col = bintypes.OriginalColumn(src, edits, line, e.Col)
}

// replPrefix returns the length of the wrapping that yaegi's Eval puts on
// the first line of src (interp.parse in yaegi's ast.go): none for a file,
// "package main;" before declarations, and "package main; func main() {"
// around statements, and around a func token that does not start a
// declaration.
func replPrefix(src string) int {
	const file, decls, stmts = 0, len("package main;"), len("package main; func main() {")
	var s scanner.Scanner
	fset := token.NewFileSet()
	s.Init(fset.AddFile("", fset.Base(), len(src)), []byte(src), nil, 0)
	switch _, tok, _ := s.Scan(); tok {
	case token.PACKAGE:
		return file
	case token.CONST, token.IMPORT, token.TYPE, token.VAR:
		return decls
	case token.FUNC:
		if _, err := parser.ParseFile(token.NewFileSet(), "", "package main;"+src, 0); err != nil {
			return stmts
		}
		return decls
	}
	return stmts
}
