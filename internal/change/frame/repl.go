package frame

import (
	"go/ast"
	"go/types"

	"github.com/livepatch/livepatch/internal/change/diag"
	"github.com/livepatch/livepatch/target/agent/wire"
)

// Input is an input of the Go prompt checked in a frame's scope, after the
// declaring inputs of a history, and rewritten for the agent.
type Input struct {
	// Source is what the agent runs.
	Source string
	// Package is the import path of the frame's package.
	Package string
	// Imports are the import specs the source needs.
	Imports []string
	// Frame binds the frame locals the source uses; Arg indexes Locals.
	Frame []wire.FrameVar
	// Locals are the frame locals the source uses, by Arg.
	Locals []*types.Var
	// Results is the number of values of the last expression (0: none).
	Results int
	// Decls says the input is a list of declarations (the interpreter's
	// declaration mode).
	Decls bool
	// Declares says the input declares names later inputs may use: the
	// session remembers it (History.Remember).
	Declares bool

	in     *input
	c      *checked
	sc     *Scope
	writes []*types.Var // frame locals the source may write
}

// Input parses text, checks it in the scope after the inputs of h and
// rewrites it for the agent. An input that does not compile is a
// diag.Diagnostics, each at its line:col of text.
func (sc *Scope) Input(h *History, text string) (*Input, error) {
	in, err := parseInput(text)
	if err != nil {
		return nil, err
	}
	c, err := sc.check(h.inputs, in)
	if err != nil {
		return nil, err
	}
	rw, err := sc.prog.Rewrite(c.rewriteInput(), true)
	if err != nil {
		return nil, err
	}
	return &Input{Source: rw.Src, Package: sc.pkg.PkgPath, Imports: rw.Imports, Frame: rw.Vars, Locals: rw.Locals,
		Results: rw.Results, Decls: in.decls, Declares: in.declares, in: in, c: c, sc: sc, writes: rw.Writes}, nil
}

// Notes returns, for each frame local the input may write, a note when the
// compiler may have folded it (fold.go); "" when there is none.
func (in *Input) Notes() string { return foldingNotes(in.sc, in.writes) }

// Operand returns what expr, typed in the scope after the inputs of h,
// names: a package (the import of the scope's file or of an earlier input
// bound to that name, unless a local hides it), or the type of a value.
// Both are nil when it is neither or does not check.
func (sc *Scope) Operand(h *History, expr string) (*types.Package, types.Type) {
	if sc.local(expr) == nil {
		specs := sc.fileImports()
		for _, in := range h.inputs {
			specs = append(specs, in.imports...)
		}
		for _, is := range specs {
			ip := sc.prog.Package(is.Path)
			if ip == nil || (is.Name != expr && (is.Name != "" || ip.Name() != expr)) {
				continue
			}
			return ip, nil
		}
		// A package the input would import by name (check).
		if sc.pkg.Types.Scope().Lookup(expr) == nil && !h.Declared(expr) {
			for _, path := range sc.prog.MissingImports(diag.Diagnostics{{Undefined: expr}}) {
				return sc.prog.Package(path), nil
			}
		}
	}
	in, err := parseInput("_ = " + expr)
	if err != nil {
		return nil, nil
	}
	c, err := sc.check(h.inputs, in)
	if err != nil || len(c.stmts) != 1 {
		return nil, nil
	}
	as, ok := c.stmts[0].(*ast.AssignStmt)
	if !ok || len(as.Rhs) != 1 {
		return nil, nil
	}
	e := as.Rhs[0]
	if id, ok := e.(*ast.Ident); ok {
		if pn, ok := c.info.Uses[id].(*types.PkgName); ok {
			return pn.Imported(), nil
		}
	}
	tv, ok := c.info.Types[e]
	if !ok || tv.Type == nil {
		return nil, nil
	}
	return nil, tv.Type
}

// Import is an import of a file: Name is the name it binds there.
type Import struct{ Name, Path string }

// Imports returns the imports of the scope's file, as written; an import
// without a name binds the package's own ("" when the build did not load
// it). Blank and dot imports are left out.
func (sc *Scope) Imports() []Import {
	var out []Import
	for _, is := range sc.fileImports() {
		name := is.Name
		if name == "" {
			if ip := sc.prog.Package(is.Path); ip != nil {
				name = ip.Name()
			}
		}
		out = append(out, Import{Name: name, Path: is.Path})
	}
	return out
}
