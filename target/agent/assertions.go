package agent

import (
	"go/ast"
	"go/parser"
	"go/token"

	"github.com/livepatch/livepatch/target/agent/wire"
)

// A type assertion x.(I), or a type switch case I, to a compiled interface
// that has no generated wrapper (only ifacewrap's stand-in) compiles, and
// panics when it runs with a value of an interpreted type that has I's
// methods: yaegi converts the value through the wrapper, which the
// stand-in refuses. A conversion to such an interface is refused when the
// code compiles (ifacewrap's refusingWrapper); an assertion is refused
// here, before anything is applied, when the patch set's helpers declare
// a type with methods (the interpreted types that could have I's
// methods): refusedAssertion.

// refusedAssertion returns the refusal of the first type assertion or
// type switch case of src (a patch's source) to an interface with only a
// stand-in wrapper, when helpers declare methods; nil otherwise. pkgPath
// is the patch's package (dot-imported), bound the package names of its
// imports. The caller holds machine.mu.
func refusedAssertion(src string, helpers []string, pkgPath string, bound map[string]string) *wire.Error {
	if !declaresMethods(helpers) {
		return nil
	}
	const prefix = "package p\n"
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", prefix+src, 0)
	if err != nil {
		return nil // parseFuncSource reports it
	}
	var refusal *wire.Error
	check := func(t ast.Expr) {
		if refusal != nil || t == nil {
			return
		}
		path, name := pkgPath, ""
		switch x := ast.Unparen(t).(type) {
		case *ast.Ident:
			name = x.Name
		case *ast.SelectorExpr:
			id, ok := x.X.(*ast.Ident)
			if !ok || bound[id.Name] == "" {
				return
			}
			path, name = bound[id.Name], x.Sel.Name
		default:
			return
		}
		given, ok := machine.wrappers[path+"/"+registeredName(path)]["_"+name]
		if !ok || given {
			return
		}
		p := fset.Position(t.Pos())
		refusal = &wire.Error{Kind: wire.ErrCompile, Line: p.Line - 1, Col: p.Column,
			Msg: "type assertion to " + path + "." + name + ", a compiled interface without an interface wrapper in this build: " +
				"a value of a type this change declares with its methods would panic there (only compiled values and nil convert to it)"}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.TypeAssertExpr:
			check(n.Type)
		case *ast.TypeSwitchStmt:
			for _, c := range n.Body.List {
				for _, t := range c.(*ast.CaseClause).List {
					check(t)
				}
			}
		}
		return refusal == nil
	})
	return refusal
}

// declaresMethods reports whether one of the declarations declares a
// method.
func declaresMethods(decls []string) bool {
	for _, d := range decls {
		f, err := parser.ParseFile(token.NewFileSet(), "", "package p\n"+d, 0)
		if err != nil {
			continue
		}
		for _, fd := range f.Decls {
			if fd, ok := fd.(*ast.FuncDecl); ok && fd.Recv != nil {
				return true
			}
		}
	}
	return false
}
