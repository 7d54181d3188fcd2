package change

import (
	"context"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"
)

// removedField is a field that a change removes from a struct type of
// package pkg, declared at pos.
type removedField struct {
	pkg, typ, name string
	pos            token.Position
}

// fieldUsers refuses the fields that the change removes and that compiled
// code uses in a function the change does not patch (nor a save before
// it, live): that code would go on reading and writing a field the source
// no longer has. A use is a selection of the field, a key of a composite
// literal, or a composite literal of the type without keys; a function the
// change removes is no user (its compiled body stays, unused, or the
// removal is refused on its own). The compiled layout keeps the field
// either way. fcs are the files of the change.
func (b *Build) fieldUsers(ctx context.Context, fcs []fileChange, pl plan, live map[string]Live) Diagnostics {
	if len(pl.removedFields) == 0 || b.res == nil {
		return nil
	}
	fset, pkgs, err := b.res.TypeInfo(ctx)
	if err != nil || fset == nil {
		return nil
	}
	patched := map[string]bool{}
	for _, fn := range pl.apply {
		patched[fn.Key] = true
	}
	for key, l := range live {
		patched[key] = patched[key] || !l.Prompt
	}
	for _, fc := range fcs {
		for key := range fc.old.Funcs {
			declared := false
			for _, other := range fcs {
				declared = declared || other.cur.Funcs[key] != nil
			}
			patched[key] = patched[key] || !declared
		}
	}
	var refusals Diagnostics
	for _, rf := range pl.removedFields {
		var named *types.Named
		for _, lp := range pkgs {
			if lp.PkgPath == rf.pkg && lp.Types != nil {
				if tn, ok := lp.Types.Scope().Lookup(rf.typ).(*types.TypeName); ok {
					named, _ = types.Unalias(tn.Type()).(*types.Named)
				}
			}
		}
		if named == nil {
			continue
		}
		var fv *types.Var
		if st, ok := named.Underlying().(*types.Struct); ok {
			fv = structFieldOf(st, rf.name)
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
		var unpatched []string
		for _, u := range uses {
			if !patched[u.key] {
				unpatched = append(unpatched, b.Display(u.key))
			}
		}
		switch {
		case elsewhere:
			refusals = append(refusals, Diagnostic{Pos: rf.pos, Kind: RefusedRestart,
				Msg: fmt.Sprintf("field %s removed from %s and a declaration outside any function uses it", rf.name, rf.typ)})
		case len(unpatched) > 0:
			refusals = append(refusals, Diagnostic{Pos: rf.pos, Kind: RefusedUnpatched,
				Msg: fmt.Sprintf("field %s removed from %s and compiled code uses it (%s)", rf.name, rf.typ, strings.Join(unpatched, ", "))})
		}
	}
	return refusals
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
