package change

import (
	"go/ast"
	"go/types"

	"github.com/livepatch/livepatch/target/agent"
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
	Frame []agent.FrameVar
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

// Input parses text, checks it in scope sc after the inputs of h and
// rewrites it for the agent. An input that does not compile is a
// Diagnostics, each at its line:col of text.
func (p *Program) Input(sc *Scope, h *History, text string) (*Input, error) {
	in, err := parseInput(text)
	if err != nil {
		return nil, err
	}
	c, err := p.check(sc, h.inputs, in)
	if err != nil {
		return nil, err
	}
	rw, err := rewriteChecked(c, true)
	if err != nil {
		return nil, err
	}
	return &Input{Source: rw.Src, Package: sc.ref.pkg.PkgPath, Imports: rw.Imports, Frame: rw.Vars, Locals: rw.Locals,
		Results: rw.Results, Decls: in.decls, Declares: in.declares, in: in, c: c, sc: sc, writes: rw.Writes}, nil
}

// Notes returns, for each frame local the input may write, a note when the
// compiler may have folded it (fold.go); "" when there is none.
func (in *Input) Notes() string { return foldingNotes(in.sc, in.writes) }

// Operand returns what expr, typed in scope sc after the inputs of h,
// names: a package (the import of the scope's file or of an earlier input
// bound to that name, unless a local hides it), or the type of a value.
// Both are nil when it is neither or does not check.
func (p *Program) Operand(sc *Scope, h *History, expr string) (*types.Package, types.Type) {
	if sc.local(expr) == nil {
		specs := sc.fileImports()
		for _, in := range h.inputs {
			specs = append(specs, in.imports...)
		}
		for _, is := range specs {
			ip := p.pkgs[is.path]
			if ip == nil || (is.name != expr && (is.name != "" || ip.Name() != expr)) {
				continue
			}
			return ip, nil
		}
	}
	in, err := parseInput("_ = " + expr)
	if err != nil {
		return nil, nil
	}
	c, err := p.check(sc, h.inputs, in)
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
func (p *Program) Imports(sc *Scope) []Import {
	var out []Import
	for _, is := range sc.fileImports() {
		name := is.name
		if name == "" {
			if ip := p.pkgs[is.path]; ip != nil {
				name = ip.Name()
			}
		}
		out = append(out, Import{Name: name, Path: is.path})
	}
	return out
}

// UserPackage reports whether path is a package of the user's, one the
// build instruments.
func (p *Program) UserPackage(path string) bool { return p.user[path] }

// Vars returns the arguments and locals visible in the scope, innermost
// first.
func (sc *Scope) Vars() []*types.Var { return sc.vars }

// Package returns the scope's package, as built.
func (sc *Scope) Package() *types.Package { return sc.ref.pkg.Types }
