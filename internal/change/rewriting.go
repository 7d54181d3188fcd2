package change

import (
	"errors"
	"go/ast"
	"go/token"
	"go/types"

	"github.com/livepatch/livepatch/internal/rewrite"
)

// rewriteInput is the rewriting's input for c.
func (c *checked) rewriteInput() *rewrite.Input {
	imports := make([]string, len(c.in.imports))
	for i, s := range c.in.imports {
		imports[i] = s.String()
	}
	in := &rewrite.Input{
		Src: c.in.src, Decls: c.in.decls, ImportRanges: c.in.importRanges, Imports: imports,
		Info: c.info, Stmts: c.stmts, Decl: c.decl, Offset: c.inputOffset, Results: c.results(),
		Locals: c.locals, Pkg: c.pkg, Names: c.names,
		Packages: c.prog.pkgs, User: c.user, Spec: c.prog.spec, InstanceNames: c.prog.instanceNames,
		Change: c.change, Side: c.prog.sideField,
	}
	if c.sc != nil {
		in.File, in.LoadedFile = c.sc.ref.file, c.sc.ref.pkg != nil
	}
	return in
}

// rewriteChecked rewrites c for the agent (package rewrite); prompt adds
// the depth guard of functions declared at the prompt. A construct the
// rewriting cannot express is a Diagnostic of kind RefusedInterpreter.
func rewriteChecked(c *checked, prompt bool) (*rewrite.Output, error) {
	do := rewrite.Rewrite
	if prompt {
		do = rewrite.Prompt
	}
	out, err := do(c.rewriteInput())
	var re *rewrite.Error
	if errors.As(err, &re) {
		return nil, Diagnostics{{Pos: token.Position{Line: re.Line, Column: re.Col}, Kind: RefusedInterpreter, Msg: re.Msg, Reason: re.Reason}}
	}
	return out, err
}

// signatureImports returns the import specs of the packages that the
// receiver, parameters and results of fd name: the rewriting visits bodies
// only, and without a spec the agent picks a package by its name, which
// fails when two linked packages share it (github.com/google/go-dap and
// Delve's service/dap are both "dap").
func signatureImports(prog *Program, info *types.Info, fd *ast.FuncDecl) []string {
	var specs []string
	seen := map[string]bool{}
	visit := func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok {
			return true
		}
		pn, ok := info.Uses[id].(*types.PkgName)
		if !ok {
			return true
		}
		if s := prog.spec(pn.Imported().Path(), id.Name); !seen[s] {
			seen[s] = true
			specs = append(specs, s)
		}
		return true
	}
	if fd.Recv != nil {
		ast.Inspect(fd.Recv, visit)
	}
	ast.Inspect(fd.Type, visit)
	return specs
}
