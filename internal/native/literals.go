package native

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"github.com/livepatch/livepatch/internal/patcher"
)

// A composite literal of a compiled struct type that names an unexported
// field cannot be written outside the type's package: the plugin builds
// the value in a function of a pointer to it instead, one assignment per
// element in the literal's order (the order Go evaluates them in), the
// unexported fields set through their native accessors:
//
//	T{a: x, B: y}   becomes  LpLitValue(func(lpV *T) { *lp_p.LpNField_T_a(lpV) = x; lpV.B = y })
//	&T{a: x, B: y}  becomes  LpLitNew(func(lpV *T) { ... })
//
// and so does an unkeyed literal of a struct type with an unexported
// field, its elements set in the fields' order.
//
// Every edit keeps the literal's line breaks, so lines stay those of the
// saved file.

// litHelpers declares the generic functions the rewritten literals call,
// and LpCopy, which gives the field accessors the address of a copy of a
// value that has none (a call's result, a literal: x.f only reads it).
const litHelpers = `
func LpLitValue[T any](set func(*T)) T { var v T; set(&v); return v }

func LpLitNew[T any](set func(*T)) *T { v := new(T); set(v); return v }

func LpCopy[T any](v T) *T { return &v }
`

// compiledStructLit reports whether lit is a literal of a struct type of
// the compiled package (not one the change declares anew) that names an
// unexported field as a key.
func (w *funcWriter) compiledStructLit(lit *ast.CompositeLit) bool {
	t := w.c.Info.TypeOf(lit)
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
	}
	return false
}

// structLit rewrites lit, a literal compiledStructLit reports, as the
// comment above says; amp is the & that takes its address, or nil.
func (w *funcWriter) structLit(lit *ast.CompositeLit, amp *ast.UnaryExpr) {
	named := types.Unalias(w.c.Info.TypeOf(lit)).(*types.Named)
	tname := named.Obj().Name()
	if lit.Type == nil {
		w.fail(notCovered("a literal of %s that names unexported fields with its type elided", tname))
		return
	}
	if named.TypeParams().Len() > 0 {
		w.fail(notCovered("a literal of generic type %s that names unexported fields", tname))
		return
	}
	w.nd.lits = true
	w.imports[pkgName] = w.c.Compiled.Path()
	if amp != nil {
		w.edits = append(w.edits, edit{w.off(amp.OpPos), w.off(amp.OpPos) + 1, "LpLitNew(func(lpV *", false})
	} else {
		// After what encloses the literal inserts here (x.f's accessor).
		w.edits = append(w.edits, edit{off: w.off(lit.Pos()), end: w.off(lit.Pos()), text: "LpLitValue(func(lpV *", inner: true})
	}
	w.edits = append(w.edits, edit{w.off(lit.Type.End()), w.off(lit.Lbrace) + 1, ") {", false})
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
		if field == nil || !w.compiledMember(tname, field) {
			w.fail(notCovered("a literal of %s sets a field the compiled %s lacks", tname, tname))
			return
		}
		set := "lpV." + field.Name() + " = "
		if !field.Exported() {
			set = "*" + pkgName + "." + patcher.NativeFieldPrefix + tname + "_" + field.Name() + "(lpV) = "
		}
		if keyed {
			w.edits = append(w.edits, edit{w.off(kv.Key.Pos()), w.off(kv.Value.Pos()), set + w.breaks(kv.Key.Pos(), kv.Value.Pos()), false})
		} else {
			w.insert(e.Pos(), set)
		}
		if i+1 < len(lit.Elts) {
			w.edits = append(w.edits, edit{w.off(e.End()), w.off(lit.Elts[i+1].Pos()), ";" + w.between(e.End(), lit.Elts[i+1].Pos()), false})
		} else {
			w.edits = append(w.edits, edit{w.off(e.End()), w.off(lit.Rbrace) + 1, w.between(e.End(), lit.Rbrace) + "})", false})
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
