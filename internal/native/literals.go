package native

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"github.com/livepatch/livepatch/internal/patcher"
	"github.com/livepatch/livepatch/internal/rewrite"
)

// A composite literal of a compiled struct type that names an unexported
// field, or one the change adds (sidefields.go), cannot be written outside
// the type's package: the plugin builds the value in a function literal
// instead, one assignment per element in the literal's order (the order
// Go evaluates them in), the unexported fields set through their native
// accessors:
//
//	T{a: x, B: y}   becomes  func() (lpV0 T) { lpV := &lpV0; *lp_p.LpNField_T_a(lpV) = x; lpV.B = y; return }()
//	&T{a: x, B: y}  becomes  func() *T { lpV := new(T); ...; return lpV }()
//
// and so does an unkeyed literal of a struct type with an unexported
// field, or whose fields the change reorders (rewrite.FieldsReordered),
// its elements set in the fields' order as saved. No generic helper: a
// plugin's package is in the patched module, whose go.mod may predate
// generics. Every edit keeps the literal's line breaks, so lines stay
// those of the saved file.

// compiledStructLit reports whether lit is a literal of a struct type of
// the compiled package (not one the change declares anew) that names an
// unexported field as a key.
func (w *funcWriter) compiledStructLit(lit *ast.CompositeLit) bool {
	t := w.c.Info.TypeOf(lit)
	if p, ok := t.(*types.Pointer); ok && lit.Type == nil {
		t = p.Elem() // an element of []*T written {...}: &T{...}
	}
	if t == nil || w.nd.declared(t) {
		return false
	}
	named, ok := types.Unalias(t).(*types.Named)
	if !ok || named.Obj().Pkg() != w.c.Pkg {
		return false
	}
	st, ok := named.Underlying().(*types.Struct)
	if !ok {
		return false
	}
	for _, e := range lit.Elts {
		kv, ok := e.(*ast.KeyValueExpr)
		if !ok { // unkeyed: every field is set
			if rewrite.FieldsReordered(named, w.c.Compiled) {
				return true // set by name: the compiled layout has them in another order
			}
			for i := range st.NumFields() {
				if !st.Field(i).Exported() {
					return true
				}
			}
			return false
		}
		if id, ok := kv.Key.(*ast.Ident); ok && !id.IsExported() {
			return true
		}
		if f, ok := w.c.Info.Uses[kv.Key.(*ast.Ident)].(*types.Var); ok && !w.compiledMember(named.Obj().Name(), f) {
			return true // a field the change adds (sidefields.go)
		}
	}
	return false
}

// structLit rewrites lit, a literal compiledStructLit reports, as the
// comment above says; amp is the & that takes its address, or nil.
func (w *funcWriter) structLit(lit *ast.CompositeLit, amp *ast.UnaryExpr) {
	t, ptr := w.c.Info.TypeOf(lit), amp != nil
	if p, ok := t.(*types.Pointer); ok && lit.Type == nil {
		t, ptr = p.Elem(), true // an element of []*T written {...}: &T{...}
	}
	named := types.Unalias(t).(*types.Named)
	tname := named.Obj().Name()
	typ, err := w.typeText(named) // newvars.go
	if err != nil {
		w.fail(err)
		return
	}
	end, start := "; return }()", w.off(lit.Pos()) // lit.Pos is its {, with the type elided: written now
	if amp != nil {
		start = w.off(amp.OpPos)
	}
	if ptr {
		w.edits = append(w.edits, edit{start, w.off(lit.Lbrace) + 1, "func() *" + typ + " { lpV := new(" + typ + ");"})
		end = "; return lpV }()"
	} else {
		w.edits = append(w.edits, edit{start, w.off(lit.Lbrace) + 1, "func() (lpV0 " + typ + ") { lpV := &lpV0;"})
	}
	st := named.Underlying().(*types.Struct)
	for i, e := range lit.Elts {
		var field *types.Var
		kv, keyed := e.(*ast.KeyValueExpr)
		if keyed {
			if key, ok := kv.Key.(*ast.Ident); ok {
				field, _ = w.c.Info.Uses[key].(*types.Var)
				w.handled[key] = true
			}
		} else if i < st.NumFields() {
			field = st.Field(i)
		}
		if field == nil {
			w.fail(notCovered("a literal of %s that the native tier cannot read", tname))
			return
		}
		var set string
		switch {
		case !w.compiledMember(tname, field) && (!keyed || !ptr):
			w.fail(notCovered("a literal of %s sets field %s, which the change adds, and is not taken by address", tname, field.Name()))
			return
		case !w.compiledMember(tname, field): // sidefields.go
			prefix, suffix, ok := w.sideAccess(field)
			if !ok {
				return
			}
			set = prefix + "lpV" + suffix + " = "
		case field.Exported():
			set = "lpV." + field.Name() + " = "
		default:
			set = "*" + pkgName + "." + patcher.NativeFieldPrefix + tname + "_" + field.Name() + "(lpV) = "
		}
		if keyed {
			w.edits = append(w.edits, edit{w.off(kv.Key.Pos()), w.off(kv.Value.Pos()), set + w.breaks(kv.Key.Pos(), kv.Value.Pos())})
		} else {
			w.insert(e.Pos(), set)
		}
		if i+1 < len(lit.Elts) {
			w.edits = append(w.edits, edit{w.off(e.End()), w.off(lit.Elts[i+1].Pos()), ";" + w.between(e.End(), lit.Elts[i+1].Pos())})
		} else {
			w.edits = append(w.edits, edit{w.off(e.End()), w.off(lit.Rbrace) + 1, w.between(e.End(), lit.Rbrace) + end})
		}
	}
}

// between returns the source between two elements, from and to, without
// the comma that separates them.
func (w *funcWriter) between(from, to token.Pos) string {
	return strings.Replace(string(w.src[w.off(from):w.off(to)]), ",", "", 1)
}

// breaks returns the line breaks of the source between from and to.
func (w *funcWriter) breaks(from, to token.Pos) string {
	return strings.Repeat("\n", strings.Count(string(w.src[w.off(from):w.off(to)]), "\n"))
}
