package frame

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/packages"

	"github.com/livepatch/livepatch/internal/change"
)

// Scope is what an input sees at a paused line of a user file.
type Scope struct {
	prog *change.Program
	pkg  *packages.Package // the file's package, as built
	file *ast.File         // the file, as built (as saved: InSaved)
	pos  token.Pos         // the paused position
	fn   ast.Node          // innermost *ast.FuncDecl or *ast.FuncLit around pos
	vars []*types.Var      // locals and parameters visible at pos, innermost first
	// info is the type information of fn when it is not the file's as
	// built (a saved function that runs natively: InSaved).
	info *types.Info
}

// At returns the scope at line of file, a user file of the build prog.
func At(prog *change.Program, file string, line int) (*Scope, error) {
	pkg, f, ok := prog.UserFile(file)
	if !ok {
		return nil, fmt.Errorf("%s is not in the packages of this build", file)
	}
	tok := prog.Fset().File(f.Pos())
	if line < 1 || line > tok.LineCount() {
		return nil, fmt.Errorf("%s has no line %d", file, line)
	}
	sc := &Scope{prog: prog, pkg: pkg, file: f, pos: tok.LineStart(line)}
	// The innermost function around the line; a function whose body opens
	// on the line (a stop at its entry) counts as around it.
	ast.Inspect(f, func(n ast.Node) bool {
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
		if tok.Line(body.Lbrace) == line && sc.pos <= body.Lbrace {
			sc.fn, sc.pos = n, body.Lbrace+1
			return true
		}
		if body.Lbrace < sc.pos && sc.pos < body.Rbrace {
			sc.fn = n
		}
		return true
	})
	pkgScope := pkg.Types.Scope()
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

// InPackage returns the package scope of path, a user package of the build
// prog: its objects, unexported included, and no locals or file imports.
// The prompt uses it while the program runs, and when the selected frame
// is not in a user package.
func InPackage(prog *change.Program, path string) (*Scope, error) {
	pkg := prog.UserPackageSyntax(path)
	if pkg == nil {
		return nil, fmt.Errorf("%s is not one of the program's packages", path)
	}
	return &Scope{prog: prog, pkg: pkg}, nil
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

// fileImports returns the import specs of the scope's file, as written,
// but its blank and dot imports.
func (sc *Scope) fileImports() []change.ImportSpec {
	if sc.file == nil {
		return nil // package scope
	}
	return change.FileImports(sc.file)
}

// Vars returns the arguments and locals visible in the scope, innermost
// first.
func (sc *Scope) Vars() []*types.Var { return sc.vars }

// Package returns the scope's package, as built.
func (sc *Scope) Package() *types.Package { return sc.pkg.Types }
