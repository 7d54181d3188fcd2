package change

import (
	"context"
	"fmt"
	"go/ast"
	"go/types"
	"slices"
	"strings"

	"github.com/livepatch/livepatch/internal/change/classify"
	"github.com/livepatch/livepatch/internal/change/diag"
)

// fieldUsers refuses the fields that the change removes and that compiled
// code uses in a function the change does not patch (nor a save before
// it, live): that code would go on reading and writing a field the source
// no longer has. A use is a selection of the field, a key of a composite
// literal, or a composite literal of the type without keys; a function the
// change removes is no user (its compiled body stays, unused, or the
// removal is refused on its own). The compiled layout keeps the field
// either way. fcs are the files of the change.
func (b *Build) fieldUsers(ctx context.Context, fcs []classify.FileChange, pl classify.Plan, live map[string]classify.Live) diag.Diagnostics {
	if len(pl.RemovedFields) == 0 || b.res == nil {
		return nil
	}
	fset, pkgs, err := b.res.TypeInfo(ctx)
	if err != nil || fset == nil {
		return nil
	}
	patched := patchedSet(fcs, pl, live)
	var refusals diag.Diagnostics
	for _, rf := range pl.RemovedFields {
		var named *types.Named
		for _, lp := range pkgs {
			if lp.PkgPath == rf.Pkg && lp.Types != nil {
				if tn, ok := lp.Types.Scope().Lookup(rf.Type).(*types.TypeName); ok {
					named, _ = types.Unalias(tn.Type()).(*types.Named)
				}
			}
		}
		if named == nil {
			continue
		}
		var fv *types.Var
		if st, ok := named.Underlying().(*types.Struct); ok {
			fv = structFieldOf(st, rf.Name)
		}
		uses, elsewhere := refs(fset, pkgs, func(info *types.Info, n ast.Node) bool {
			switch n := n.(type) {
			case *ast.Ident:
				return fv != nil && info.Uses[n] == fv
			case *ast.CompositeLit:
				return unkeyedLiteralOf(info, n, named)
			}
			return false
		})
		unpatched, keys := b.unpatchedUsers(uses, patched)
		switch {
		case elsewhere:
			refusals = append(refusals, diag.Diagnostic{Pos: rf.Pos, Kind: diag.RefusedRestart,
				Msg: fmt.Sprintf("field %s removed from %s and a declaration outside any function uses it", rf.Name, rf.Type)})
		case len(unpatched) > 0:
			refusals = append(refusals, diag.Diagnostic{Pos: rf.Pos, Kind: diag.RefusedUnpatched, Edits: b.funcsPackage(keys), Unpatched: strings.Join(keys, " "),
				Msg: fmt.Sprintf("field %s removed from %s and compiled code uses it (%s)", rf.Name, rf.Type, strings.Join(unpatched, ", "))})
		}
	}
	return refusals
}

// patchedSet returns the keys of the functions whose compiled body no
// longer runs once the change is live: those it patches, those saves made
// live but those it reverts to their compiled body, those it removes, and
// those whose signature it changes (helpers of their callers, all
// patched: classify/resigned.go). fcs are the files of the change.
func patchedSet(fcs []classify.FileChange, pl classify.Plan, live map[string]classify.Live) map[string]bool {
	patched := map[string]bool{}
	for _, fn := range append(slices.Clip(pl.Apply), pl.Helpers...) {
		patched[fn.Key] = true
	}
	for key, l := range live {
		patched[key] = patched[key] || (!l.Prompt && !slices.Contains(pl.Revert, key))
	}
	for _, fc := range fcs {
		for key := range fc.Old.Funcs {
			declared := false
			for _, other := range fcs {
				declared = declared || other.Cur.Funcs[key] != nil
			}
			patched[key] = patched[key] || !declared
		}
	}
	return patched
}

// unkeyedLiteralOf reports whether lit is a composite literal of type
// named (or of a pointer to it, elided) whose elements have no keys: it
// sets every field, the removed one included.
func unkeyedLiteralOf(info *types.Info, lit *ast.CompositeLit, named *types.Named) bool {
	if len(lit.Elts) == 0 {
		return false
	}
	if _, kv := lit.Elts[0].(*ast.KeyValueExpr); kv {
		return false
	}
	tv, ok := info.Types[lit]
	if !ok {
		return false
	}
	t := types.Unalias(tv.Type)
	if p, ok := t.(*types.Pointer); ok {
		t = types.Unalias(p.Elem())
	}
	n, ok := t.(*types.Named)
	return ok && n.Origin() == named.Origin()
}
