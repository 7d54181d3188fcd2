package rewrite

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"strconv"
	"strings"
)

// Composite literals: yaegi builds them through reflect, which cannot set
// unexported fields, and types their unkeyed elements by a pass that fails
// on some dereferences. A literal is lowered to a function that builds its
// value (lowerComposite), or given keys (keyElements); one rewriting
// applies to each literal.

// lowerComposite lowers a composite literal of a compiled user struct type
// that sets unexported fields. yaegi builds such a literal through reflect,
// which refuses to set unexported fields ("reflect.Value.Set using value
// obtained using unexported field"), so T{n: 1, Name: x} becomes
// func() T { var lpV T; *lpField_T_n(&lpV) = 1; lpV.Name = x; return lpV }(),
// and &T{...} the same with lpV := new(T): the elements are evaluated in
// the same order, and each unexported field is set through the builder's
// accessor. addr is the & expression around lit, or nil. A literal whose
// type is elided (an element, key or value of a slice, array or map
// literal: []T{{n: 1}}) is lowered the same, the function written in its
// place; elided in a literal of *T ([]*T{{n: 1}}), it stands for &T{...}.
func (r *rewriter) lowerComposite(lit *ast.CompositeLit, addr *ast.UnaryExpr) bool {
	tv, ok := r.in.Info.Types[lit]
	if !ok {
		return false
	}
	t, ptr := tv.Type, addr != nil
	if p, isPtr := types.Unalias(t).(*types.Pointer); isPtr && lit.Type == nil {
		t, ptr = p.Elem(), true // &T elided
	}
	named, _ := types.Unalias(t).(*types.Named)
	if named == nil || !r.isUser(named.Obj().Pkg()) || !r.compiled(named) {
		return false
	}
	st, ok := named.Underlying().(*types.Struct)
	if !ok {
		return false
	}
	type elem struct {
		field int
		value ast.Expr
	}
	var elems []elem
	private := false
	for i, e := range lit.Elts {
		idx, val := i, e
		if kv, ok := e.(*ast.KeyValueExpr); ok {
			key, _ := kv.Key.(*ast.Ident)
			if key == nil {
				return false
			}
			idx = -1
			for j := 0; j < st.NumFields(); j++ {
				if st.Field(j).Name() == key.Name {
					idx = j
				}
			}
			if idx < 0 {
				return false
			}
			val = kv.Value
		}
		if idx >= st.NumFields() {
			return false
		}
		if r.fieldAccessor(named, st.Field(idx)) || r.sideField(named, st.Field(idx)) {
			private = true // sidefields.go: a side field is set through the side table
		}
		elems = append(elems, elem{idx, val})
	}
	if !private {
		return false
	}
	node := ast.Node(lit)
	if addr != nil {
		node = addr
	}
	r.add(node, func() string {
		typ := r.typeText(t) // generic.go: an instantiation as its symbol
		var b strings.Builder
		recv, recvType := "lpV", types.Type(types.NewPointer(t))
		if ptr {
			b.WriteString("func() *" + typ + " { lpV := new(" + typ + "); ")
		} else {
			b.WriteString("func() " + typ + " { var lpV " + typ + "; ")
			recvType = t
		}
		for _, e := range elems {
			lhs, _ := r.walkFields(recv, recvType, []int{e.field})
			b.WriteString(lhs + " = (" + r.renderNode(e.value) + "); ") // parenthesized: see package workaround's parenValues
		}
		b.WriteString("return lpV }()")
		return b.String()
	})
	return true
}

// lowerUnary lowers the & expressions lowerComposite handles.
func (r *rewriter) lowerUnary(n *ast.UnaryExpr) {
	if n.Op != token.AND {
		return
	}
	if lit, ok := ast.Unparen(n.X).(*ast.CompositeLit); ok {
		if r.lowered == nil {
			r.lowered = map[*ast.CompositeLit]bool{}
		}
		r.lowered[lit] = r.lowerComposite(lit, n)
	}
}

// keyElements gives keys to the elements of a composite literal that yaegi
// would fail to type: before it compiles a literal, yaegi types each
// element without a key by a pass that takes a dereference *p for the
// pointer type *P, so that a selection on it, (*p).f, (*p).M() or (*p)[i:j],
// fails to compile ("undefined selector f") when p is a compiled pointer to
// a pointer. The rewriting makes such dereferences itself: an unexported
// field x.f of pointer type becomes (*lpField_T_f(x)), a package variable
// v (*lpAddr_v). Elements with keys skip that pass, so the elements of a
// struct literal get their field names (all of them: Go does not mix the
// two forms), those of an array or slice literal their indexes (only the
// ones that need it). The values and their order of evaluation are the
// same. An unkeyed literal of a struct type whose fields the change
// reorders gets its keys too (reorder.go). lit must not be one that
// lowerComposite lowered.
func (r *rewriter) keyElements(lit *ast.CompositeLit) {
	need := false
	for _, e := range lit.Elts {
		if _, kv := e.(*ast.KeyValueExpr); !kv && r.selectsDeref(e) {
			need = true
		}
	}
	tv, ok := r.in.Info.Types[lit]
	if !ok {
		return
	}
	if len(lit.Elts) > 0 && r.in.Change != nil && FieldsReordered(tv.Type, r.in.Change.Compiled) {
		_, kv := lit.Elts[0].(*ast.KeyValueExpr)
		need = need || !kv // reorder.go: the compiled layout has them elsewhere
	}
	if !need {
		return
	}
	u := tv.Type.Underlying()
	if p, isPtr := u.(*types.Pointer); isPtr { // &T elided in a literal of *T
		u = p.Elem().Underlying()
	}
	switch t := u.(type) {
	case *types.Struct:
		if len(lit.Elts) != t.NumFields() {
			return
		}
		for i := 0; i < t.NumFields(); i++ {
			if _, kv := lit.Elts[i].(*ast.KeyValueExpr); kv {
				return
			}
			if t.Field(i).Name() == "_" {
				if r.in.Change != nil && FieldsReordered(tv.Type, r.in.Change.Compiled) {
					r.refuse(lit.Pos(), ReasonReorderedLiteral, "an unkeyed literal of a struct type with a blank field, whose fields the change reorders: the compiled layout has them in another order; give the literal keys")
				}
				return
			}
		}
		for i := range lit.Elts {
			r.keyElement(lit, i, t.Field(i).Name())
		}
	case *types.Slice, *types.Array:
		next := int64(0)
		for i, e := range lit.Elts {
			if kv, ok := e.(*ast.KeyValueExpr); ok {
				k := r.in.Info.Types[kv.Key].Value
				if k == nil {
					return
				}
				idx, exact := constant.Int64Val(constant.ToInt(k))
				if !exact {
					return
				}
				next = idx + 1
				continue
			}
			if r.selectsDeref(e) {
				r.keyElement(lit, i, strconv.FormatInt(next, 10))
			}
			next++
		}
	}
}

// keyElement writes key: before element i of lit. The candidate spans the
// text from the end of the element before (or the literal's brace) to the
// element, where no other candidate starts.
func (r *rewriter) keyElement(lit *ast.CompositeLit, i int, key string) {
	from := lit.Lbrace
	if i > 0 {
		from = lit.Elts[i-1].End()
	}
	to := lit.Elts[i].Pos()
	a, b := r.in.Offset(from), r.in.Offset(to)
	if a < 0 || b < 0 {
		return
	}
	r.add(span{from, to}, func() string { return r.in.Src[a:b] + key + ": " })
}

// selectsDeref reports whether yaegi's typing pass would select on a
// dereference in element e: a selector or a slice expression on the way
// from e down its operands (parentheses, calls, indexes) to a dereference,
// written or made by the rewriting (a frame local, a package variable, an
// unexported field reached through its accessor). The element kinds that
// pass skips are not looked into.
func (r *rewriter) selectsDeref(e ast.Expr) bool {
	switch e.(type) {
	case *ast.BinaryExpr, *ast.UnaryExpr, *ast.CompositeLit, *ast.KeyValueExpr, *ast.TypeAssertExpr, *ast.IndexExpr, *ast.IndexListExpr:
		return false
	}
	selected := false
	for {
		switch x := e.(type) {
		case *ast.ParenExpr:
			e = x.X
		case *ast.CallExpr:
			if tv, ok := r.in.Info.Types[x.Fun]; ok && (tv.IsType() || tv.IsBuiltin()) {
				return false // a conversion or a builtin: typed from its type or its own rules
			}
			e = x.Fun
		case *ast.IndexExpr:
			e = x.X
		case *ast.SliceExpr:
			selected, e = true, x.X
		case *ast.StarExpr:
			return selected
		case *ast.SelectorExpr:
			if r.derefSelector(x) {
				return selected
			}
			if sel := r.in.Info.Selections[x]; sel == nil {
				return false // a qualified identifier
			}
			selected, e = true, x.X
		case *ast.Ident:
			v, ok := r.in.Info.Uses[x].(*types.Var)
			if !ok || v.IsField() {
				return false
			}
			return selected && (r.in.Locals[v] || v.Pkg() != nil && v.Pkg().Path() == r.in.Pkg.Path() && v.Parent() == r.in.Pkg.Scope())
		default:
			return false
		}
	}
}

// derefSelector reports whether the rewriting writes selector x as a
// dereference: a package variable of another user package, or a field
// selection through an accessor.
func (r *rewriter) derefSelector(x *ast.SelectorExpr) bool {
	if id, ok := x.X.(*ast.Ident); ok {
		if _, isPkg := r.in.Info.Uses[id].(*types.PkgName); isPkg {
			v, ok := r.in.Info.Uses[x.Sel].(*types.Var)
			return ok && r.in.LoadedFile && r.isUser(v.Pkg())
		}
	}
	sel := r.in.Info.Selections[x]
	return sel != nil && sel.Kind() == types.FieldVal && r.needsAccessor(sel)
}
