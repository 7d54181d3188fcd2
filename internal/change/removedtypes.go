package change

import (
	"context"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"github.com/livepatch/livepatch/internal/change/classify"
	"github.com/livepatch/livepatch/internal/change/diag"
	"golang.org/x/tools/go/packages"
)

// removedTypes decides the compiled types that no file of the changed
// package declares any more (pl.RemovedTypes): like a removed function,
// such a type stays in the program, unused, when no compiled code left
// unpatched uses it. Declarations of the package itself cannot: the
// change type-checked without the type. A function of the build that
// uses it and that the change does not patch (patched: patchedSet), or a
// declaration of another package that does, refuses the change.
func (b *Build) removedTypes(ctx context.Context, ch *Change, pl classify.Plan, patched map[string]bool) (notes, refusals diag.Diagnostics) {
	if len(pl.RemovedTypes) == 0 {
		return nil, nil
	}
	var pkgs []*packages.Package
	var fset *token.FileSet
	if b.res != nil {
		if fs, all, err := b.res.TypeInfo(ctx); err == nil && fs != nil {
			fset, pkgs = fs, all
		}
	}
	for _, rt := range pl.RemovedTypes {
		if ch.fresh.Scope().Lookup(rt.Type) != nil {
			continue // moved to another file of the package
		}
		var target types.Object
		var own, others []*packages.Package
		for _, lp := range pkgs {
			if lp.PkgPath == rt.Pkg && lp.Types != nil {
				target = lp.Types.Scope().Lookup(rt.Type)
				own = append(own, lp)
			} else {
				others = append(others, lp)
			}
		}
		if target == nil {
			refusals = append(refusals, diag.Diagnostic{Pos: rt.Pos, Kind: diag.RefusedRestart, Msg: fmt.Sprintf("type %s removed", rt.Type)})
			continue
		}
		match := func(info *types.Info, n ast.Node) bool {
			id, ok := n.(*ast.Ident)
			return ok && info.Uses[id] == target
		}
		uses, _ := refs(fset, own, match)
		otherUses, elsewhere := refs(fset, others, match)
		unpatched, keys := b.unpatchedUsers(append(uses, otherUses...), patched)
		switch {
		case elsewhere:
			refusals = append(refusals, diag.Diagnostic{Pos: rt.Pos, Kind: diag.RefusedRestart,
				Msg: fmt.Sprintf("type %s removed and a declaration of another package uses it", rt.Type)})
		case len(unpatched) > 0:
			refusals = append(refusals, diag.Diagnostic{Pos: rt.Pos, Kind: diag.RefusedUnpatched, Edits: b.funcsPackage(keys), Unpatched: strings.Join(keys, " "),
				Msg: fmt.Sprintf("type %s removed and compiled code uses it (%s)", rt.Type, strings.Join(unpatched, ", "))})
		default:
			notes = append(notes, diag.Diagnostic{Pos: rt.Pos, Kind: diag.Note,
				Msg: fmt.Sprintf("type %s removed: the compiled code that used it is patched or removed", rt.Type)})
		}
	}
	return notes, refusals
}
