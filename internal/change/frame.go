package change

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
)

// Scope is what an input sees at a paused line of a user file.
type Scope struct {
	ref  fileRef
	line int
	pos  token.Pos    // the paused position
	fn   ast.Node     // innermost *ast.FuncDecl or *ast.FuncLit around pos
	vars []*types.Var // locals and parameters visible at pos, innermost first
}

// ScopeAt returns the scope at line of file, a user file of the build.
func (p *Program) ScopeAt(file string, line int) (*Scope, error) {
	ref, ok := p.file(file)
	if !ok {
		return nil, fmt.Errorf("%s is not in the packages of this build", file)
	}
	if line < 1 || line > ref.tok.LineCount() {
		return nil, fmt.Errorf("%s has no line %d", file, line)
	}
	sc := &Scope{ref: ref, line: line, pos: ref.tok.LineStart(line)}
	// The innermost function around the line; a function whose body opens
	// on the line (a stop at its entry) counts as around it.
	ast.Inspect(ref.file, func(n ast.Node) bool {
		var body *ast.BlockStmt
		switch f := n.(type) {
		case *ast.FuncDecl:
			body = f.Body
		case *ast.FuncLit:
			body = f.Body
		}
		if body == nil {
			return true
		}
		if ref.tok.Line(body.Lbrace) == line && sc.pos <= body.Lbrace {
			sc.fn, sc.pos = n, body.Lbrace+1
			return true
		}
		if body.Lbrace < sc.pos && sc.pos < body.Rbrace {
			sc.fn = n
		}
		return true
	})
	pkgScope := ref.pkg.Types.Scope()
	var s *types.Scope
	for i := 0; i < pkgScope.NumChildren(); i++ {
		if s = pkgScope.Child(i).Innermost(sc.pos); s != nil {
			break
		}
	}
	seen := map[string]bool{}
	for ; s != nil && s != pkgScope && s.Parent() != pkgScope; s = s.Parent() {
		for _, name := range s.Names() {
			v, ok := s.Lookup(name).(*types.Var)
			if !ok || name == "_" || seen[name] || v.Pos() >= sc.pos {
				continue
			}
			seen[name] = true
			sc.vars = append(sc.vars, v)
		}
	}
	return sc, nil
}

// local returns the visible local called name, or nil.
func (sc *Scope) local(name string) *types.Var {
	for _, v := range sc.vars {
		if v.Name() == name {
			return v
		}
	}
	return nil
}

// fileImports returns the import specs of the scope's file, as written.
func (sc *Scope) fileImports() []importSpec {
	var out []importSpec
	for _, is := range sc.ref.file.Imports {
		path := is.Path.Value
		name := ""
		if is.Name != nil {
			name = is.Name.Name
		}
		if name == "_" || name == "." {
			continue
		}
		out = append(out, importSpec{name: name, path: unquote(path)})
	}
	return out
}
