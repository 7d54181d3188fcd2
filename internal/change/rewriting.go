package change

import (
	"errors"
	"go/ast"
	"go/token"
	"go/types"

	"github.com/livepatch/livepatch/internal/change/diag"
	"github.com/livepatch/livepatch/internal/rewrite"
)

// Rewrite rewrites checked code for the agent (package rewrite). in
// holds what the check knows of the code, a declaration of a saved file
// (declInput) or an input of the Go prompt (package change/frame); Rewrite
// sets the build's side of it, the same for both: the linked packages, the
// user's, their import specs and the instantiation symbols. prompt adds
// the depth guard of functions declared at the prompt. A construct the
// rewriting cannot express is a Diagnostic of kind RefusedInterpreter.
func (p *Program) Rewrite(in *rewrite.Input, prompt bool) (*rewrite.Output, error) {
	in.Packages, in.User, in.Spec, in.InstanceNames, in.Side = p.pkgs, p.user, p.spec, p.instanceNames, p.sideField
	do := rewrite.Rewrite
	if prompt {
		do = rewrite.Prompt
	}
	out, err := do(in)
	var re *rewrite.Error
	if errors.As(err, &re) {
		return nil, diag.Diagnostics{{Pos: token.Position{Line: re.Line, Column: re.Col}, Kind: diag.RefusedInterpreter, Msg: re.Msg, Reason: re.Reason}}
	}
	return out, err
}

// CodeOffset returns the Offset of a rewriter's input for code that is
// the size bytes at offset start of tok: the offset in the code of a
// position, or -1 when the position is not in the code.
func CodeOffset(tok *token.File, start, size int) func(token.Pos) int {
	return func(p token.Pos) int {
		if !p.IsValid() || int(p) < tok.Base() || int(p) > tok.Base()+tok.Size() {
			return -1
		}
		off := tok.Offset(p) - start
		if off < 0 || off > size {
			return -1
		}
		return off
	}
}

// NewInfo returns a types.Info with the maps the rewriter reads, for a
// check whose code goes to Rewrite.
func NewInfo() *types.Info {
	return &types.Info{
		Types:      map[ast.Expr]types.TypeAndValue{},
		Defs:       map[*ast.Ident]types.Object{},
		Uses:       map[*ast.Ident]types.Object{},
		Selections: map[*ast.SelectorExpr]*types.Selection{},
		Instances:  map[*ast.Ident]types.Instance{}, // the rewriter's generic.go
	}
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
