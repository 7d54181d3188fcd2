package prompt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"

	"github.com/livepatch/livepatch/dapproxy"
)

// Evaluate answers an evaluate request as the handler that Register
// installs does. It lets a handler that intercepts some inputs (live
// patching) pass the others on to the prompt.
func (p *Prompt) Evaluate(ctx context.Context, s *dapproxy.Session, args json.RawMessage) (any, error) {
	return p.evaluate(ctx, s, args)
}

// Replacement is a function or method declaration rewritten for the agent:
// package variables and unexported fields of compiled types are reached
// through the builder's generated accessors, as the prompt's inputs are.
type Replacement struct {
	// Source is the declaration, with the same lines as the one given.
	Source string
	// Imports are the import specs the source needs in the interpreter.
	Imports []string
}

// RewriteFunc type-checks src, one function or method declaration, in the
// package scope of file (a file of the latest build's user packages, whose
// imports it sees) extended by helpers, declarations of functions the
// program does not have, and rewrites its body for the agent. A type error
// is an *InputError whose positions are line:col of src. It waits for the
// build's type information when it is loaded in the background, and is
// safe for concurrent use.
func (p *Prompt) RewriteFunc(ctx context.Context, file, src string, helpers ...string) (*Replacement, error) {
	prog := p.program(ctx)
	if prog == nil {
		return nil, errors.New("rewrite: no type information for this build")
	}
	ref, ok := prog.file(file)
	if !ok {
		return nil, fmt.Errorf("rewrite: %s is not in the packages of this build", file)
	}
	in, err := funcInput(src)
	if err != nil {
		return nil, err
	}
	var history []*input
	for _, h := range helpers {
		hin, err := parseDecls(h)
		if err != nil {
			return nil, fmt.Errorf("rewrite: helper: %w", err)
		}
		history = append(history, hin)
	}
	sc := &scope{ref: ref, pos: token.NoPos}
	c, err := prog.checkOnce(sc, history, in)
	if err != nil {
		return nil, err
	}
	// The input is the function literal of `_ =\nfunc(recv, params) ...`:
	// rewrite its body.
	c.stmts = nil
	first := -1
	for e := range c.info.Types {
		lit, ok := e.(*ast.FuncLit)
		if off := c.inputOffset(e.Pos()); ok && off >= 0 && (first < 0 || off < first) {
			first, c.stmts = off, []ast.Stmt{lit.Body}
		}
	}
	if c.stmts == nil {
		return nil, errors.New("rewrite: function literal not found")
	}
	rw, err := rewrite(c)
	if err != nil {
		return nil, err
	}
	return &Replacement{Source: rw.src, Imports: rw.imports}, nil
}

// funcInput makes an input of a function or method declaration whose host
// text, with the same layout, is a function literal taking the receiver as
// its first parameter: `func (c *T) M(x int) int {` becomes
// `func (c *T,     x int) int {` after a forward line `_ =`.
func funcInput(src string) (*input, error) {
	const prefix = "package p\n"
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", prefix+src, parser.SkipObjectResolution)
	if err != nil {
		return nil, syntaxError(err, src, 1)
	}
	if len(f.Decls) != 1 {
		return nil, &InputError{Msgs: []string{"1:1: want one function declaration"}}
	}
	fd, ok := f.Decls[0].(*ast.FuncDecl)
	if !ok || fd.Body == nil {
		return nil, &InputError{Msgs: []string{"1:1: want one function declaration with a body"}}
	}
	off := func(p token.Pos) int { return fset.Position(p).Offset - len(prefix) }
	host := []byte(src)
	fill := func(from, to int, with string) {
		copy(host[from:to], with)
		for i := from + len(with); i < to; i++ {
			if host[i] != '\n' {
				host[i] = ' '
			}
		}
	}
	// Everything before the parameters' '(' goes, except the receiver.
	params := off(fd.Type.Params.Opening)
	if fd.Recv == nil {
		fill(off(fd.Type.Func), params, "func")
	} else {
		if len(fd.Recv.List) != 1 || len(fd.Recv.List[0].Names) == 0 && len(fd.Type.Params.List) > 0 && len(fd.Type.Params.List[0].Names) > 0 {
			l, c := lineCol(src, off(fd.Recv.Pos()))
			return nil, &InputError{Msgs: []string{fmt.Sprintf("%d:%d: name the receiver", l, c)}}
		}
		recvOpen, recvClose := off(fd.Recv.Opening), off(fd.Recv.Closing)
		fill(off(fd.Type.Func), recvOpen, "func")
		sep := ","
		if len(fd.Type.Params.List) == 0 {
			sep = ""
		}
		// `) Name(` -> `, ` padded: the receiver and the parameters join.
		fill(recvClose, params+1, sep)
	}
	return &input{src: src, host: string(host), forward: "_ =", decls: true}, nil
}
