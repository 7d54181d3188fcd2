package frame

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"sort"

	"github.com/livepatch/livepatch/internal/change"
)

// InSaved returns the scope at line of the saved file of c, a function of
// a change that runs natively (the native tier's plugin, whose lines are
// the saved file's): its arguments and locals are those of the saved
// declaration, which the build's file does not have, and the package's
// objects those of the build, which the input reaches in the program.
func InSaved(prog *change.Program, c *change.Checked, line int) (*Scope, error) {
	pkg := prog.UserPackageSyntax(c.Compiled.Path())
	if pkg == nil {
		return nil, fmt.Errorf("%s is not one of the program's packages", c.Compiled.Path())
	}
	tok := c.Fset.File(c.Decl.Pos())
	body := c.Decl.Body
	if tok == nil || body == nil || line < tok.Line(c.Decl.Pos()) || line > tok.Line(body.Rbrace) {
		return nil, fmt.Errorf("%s:%d is not in the saved function %s", filepath.Base(c.File), line, c.Decl.Name.Name)
	}
	sc := &Scope{prog: prog, pkg: pkg, info: c.Info, pos: tok.LineStart(line), fn: c.Decl}
	if tok.Line(body.Lbrace) >= line {
		sc.pos = body.Lbrace + 1 // a stop at its entry: its parameters
	}
	for _, f := range c.Files {
		if filepath.Clean(f.Path) == filepath.Clean(c.File) {
			sc.file = f.Syntax
		}
	}
	// The innermost function literal around the line, if any.
	ast.Inspect(body, func(n ast.Node) bool {
		if fl, ok := n.(*ast.FuncLit); ok && fl.Body.Lbrace < sc.pos && sc.pos < fl.Body.Rbrace {
			sc.fn = fl
		}
		return true
	})
	sc.vars = savedVars(c, sc.pos)
	return sc, nil
}

// savedVars returns the arguments and locals of c's declaration that are
// visible at pos, innermost first. The check records no scopes, but each
// variable knows the scope it is declared in, and its extent.
func savedVars(c *change.Checked, pos token.Pos) []*types.Var {
	var vars []*types.Var
	for id, obj := range c.Info.Defs {
		v, ok := obj.(*types.Var)
		if !ok || v.IsField() || id.Name == "_" || id.Pos() < c.Decl.Pos() || id.Pos() >= c.Decl.End() || v.Pos() >= pos {
			continue
		}
		if s := v.Parent(); s != nil && s.Contains(pos) {
			vars = append(vars, v)
		}
	}
	// Innermost first: an inner scope starts after the scopes around it.
	sort.SliceStable(vars, func(i, j int) bool {
		pi, pj := vars[i].Parent().Pos(), vars[j].Parent().Pos()
		if pi != pj {
			return pi > pj
		}
		return vars[i].Pos() < vars[j].Pos()
	})
	seen := map[string]bool{}
	kept := vars[:0]
	for _, v := range vars {
		if !seen[v.Name()] {
			seen[v.Name()] = true
			kept = append(kept, v)
		}
	}
	return kept
}
