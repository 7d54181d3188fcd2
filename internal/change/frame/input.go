package frame

import (
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"strings"

	"github.com/livepatch/livepatch/internal/change"
	"github.com/livepatch/livepatch/internal/change/diag"
	"github.com/livepatch/livepatch/internal/rewrite"
)

// input is one parsed input of the prompt.
type input struct {
	src string // as typed
	// host has the layout of src (same lines and columns) and is what the
	// host type-checks inside a function body: import declarations are
	// blanked and `func f(` becomes `f=func(`.
	host string
	// forward declares, on one line, the functions the input declares, so
	// that they can call each other.
	forward string
	decls   bool // a list of declarations (the interpreter's declaration mode)
	imports []change.ImportSpec
	// importAt are the offsets of the import specs in src, by imports'
	// index; the specs the check adds have none.
	importAt []int
	// importRanges are the offsets of the import declarations in src.
	importRanges [][2]int
	lenient      bool // holds what the host does not check (methods, generic functions)
	declares     bool // declares names later inputs may use
}

// parseInput parses src as a list of declarations or of statements. A
// syntax error is reported as line:col: message of src.
func parseInput(src string) (*input, error) {
	first := rewrite.FirstToken(src)
	in, declErr := parseDecls(src)
	if declErr == nil {
		return in, nil
	}
	in, stmtErr := parseStmts(src)
	if stmtErr == nil {
		return in, nil
	}
	switch first {
	case token.IMPORT, token.TYPE, token.CONST, token.VAR:
		return nil, declErr
	case token.FUNC:
		if strings.Contains(declErr.Error(), "expected '('") || strings.Contains(declErr.Error(), "expected 'IDENT'") {
			return nil, stmtErr
		}
		return nil, declErr
	}
	return nil, stmtErr
}

// syntaxError reports the errors of a parse of src placed after
// prefixLines lines of wrapping, in terms of what the user typed: an error
// past the end of src (at the wrapping's closing brace) is placed at its
// end, as the end of the input, and only when it is the first error (after
// an error in the input, it follows from that one).
func syntaxError(err error, src string, prefixLines int) error {
	if list, ok := err.(scanner.ErrorList); ok && len(list) > 0 {
		lines := strings.Split(src, "\n")
		var ds diag.Diagnostics
		for _, e := range list {
			if len(ds) == 5 {
				break
			}
			line, col, msg := max(e.Pos.Line-prefixLines, 1), e.Pos.Column, e.Msg
			if line > len(lines) {
				if len(ds) > 0 {
					break
				}
				line, col = len(lines), len(lines[len(lines)-1])+1
				msg = strings.Replace(msg, "found '}'", "found end of input", 1)
			}
			ds = append(ds, diag.Diagnostic{Pos: token.Position{Line: line, Column: col}, Kind: diag.Syntax, Msg: msg})
		}
		return ds
	}
	return diag.Diagnostics{{Kind: diag.Syntax, Msg: err.Error()}}
}

// nothingToEvaluate is the error of an empty input.
var nothingToEvaluate = diag.Diagnostics{{Pos: token.Position{Line: 1, Column: 1}, Kind: diag.Syntax, Msg: "nothing to evaluate"}}

// parseDecls parses src as declarations.
func parseDecls(src string) (*input, error) {
	const prefix = "package p\n"
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", prefix+src, parser.SkipObjectResolution)
	if err != nil {
		return nil, syntaxError(err, src, 1)
	}
	if len(f.Decls) == 0 && len(f.Imports) == 0 {
		return nil, nothingToEvaluate
	}
	in := &input{src: src, decls: true, declares: true}
	host := []byte(src)
	off := func(p token.Pos) int { return fset.Position(p).Offset - len(prefix) }
	blank := func(from, to int) {
		for i := from; i < to; i++ {
			if host[i] != '\n' {
				host[i] = ' '
			}
		}
	}
	var forward []string
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.GenDecl:
			if d.Tok == token.IMPORT {
				for _, s := range d.Specs {
					in.imports = append(in.imports, change.SpecOf(s.(*ast.ImportSpec)))
					in.importAt = append(in.importAt, off(s.Pos()))
				}
				blank(off(d.Pos()), off(d.End()))
				in.importRanges = append(in.importRanges, [2]int{off(d.Pos()), off(d.End())})
			}
		case *ast.FuncDecl:
			if d.Recv != nil || d.Type.TypeParams != nil || d.Body == nil {
				in.lenient = true
				blank(off(d.Pos()), off(d.End()))
				continue
			}
			// `func name` -> `name=func`, padded to the same length.
			from, to := off(d.Type.Func), off(d.Name.End())
			repl := d.Name.Name + "=" + strings.Repeat(" ", to-from-len(d.Name.Name)-5) + "func"
			copy(host[from:to], repl)
			sig := src[off(d.Type.Params.Pos()):off(d.Type.End())]
			forward = append(forward, "var "+d.Name.Name+" func"+strings.ReplaceAll(sig, "\n", " ")+";")
		}
	}
	in.host = string(host)
	in.forward = strings.Join(forward, " ")
	return in, nil
}

// parseStmts parses src as statements.
func parseStmts(src string) (*input, error) {
	const prefix = "package p\nfunc _() {\n"
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", prefix+src+"\n}", parser.SkipObjectResolution)
	if err != nil {
		return nil, syntaxError(err, src, 2)
	}
	body := f.Decls[0].(*ast.FuncDecl).Body
	if len(body.List) == 0 {
		return nil, nothingToEvaluate
	}
	in := &input{src: src, host: src}
	for _, s := range body.List {
		switch s := s.(type) {
		case *ast.AssignStmt:
			if s.Tok == token.DEFINE {
				in.declares = true
			}
		case *ast.DeclStmt:
			in.declares = true
		}
	}
	return in, nil
}
