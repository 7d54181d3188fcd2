package rewrite

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/livepatch/livepatch/internal/patcher/naming"
)

// This file works around yaegi v0.16.1 compiler crashes on constructs it
// does support, by writing them in an equivalent form it compiles, on the
// same lines (loops.go, composite.go and builtins.go lower the constructs
// it lacks).

// workaround rewrites or refuses node n of the input where yaegi would
// fail on it; keyElements (composite.go), for composite literals, is
// called by visit.
func (r *rewriter) workaround(n ast.Node) {
	switch n := n.(type) {
	case *ast.SendStmt:
		r.lowerSend(n)
	case *ast.UnaryExpr:
		r.lowerAddrIndex(n)
	case *ast.ReturnStmt:
		r.parenReceives(n.Results)
	case *ast.AssignStmt:
		if n.Tok == token.ASSIGN && len(n.Lhs) == len(n.Rhs) && hasReceive(n.Rhs) && !r.isComm(n) {
			r.parenReceives(n.Rhs)
		}
		if len(n.Lhs) == 2 && len(n.Rhs) == 1 {
			r.lowerAssertOK(n.Rhs[0])
		}
	case *ast.ValueSpec:
		if len(n.Names) == 2 && len(n.Values) == 1 {
			r.lowerAssertOK(n.Values[0])
		}
	case *ast.StructType:
		r.refuseEmbedding(n)
	}
}

// parenReceives parenthesizes the receive operations <-ch among values, the
// results of a return statement or the values of an assignment with as
// many values as operands (not v, ok = <-ch). yaegi v0.16.1 compiles a
// receive that is such a value to store into its destination directly,
// and gets it wrong: `return <-ch` panics at run time ("reflect.Value.Set
// using unaddressable value"), `p.f = <-ch`, `*p = <-ch`, `s[i] = <-ch`, a
// named result or a captured variable assigned `= <-ch` keep their old
// value. A parenthesized receive is computed first, then stored; it is the
// same value.
func (r *rewriter) parenReceives(values []ast.Expr) {
	for _, v := range values {
		if u, ok := v.(*ast.UnaryExpr); ok && u.Op == token.ARROW {
			r.add(u, func() string { return "(" + r.renderNode(u) + ")" })
		}
	}
}

// lowerAssertOK writes the comma-ok type assertion x.(I) to an interface
// type I with methods, v, ok := x.(I), as a call of a function literal
// that asks the same in a type switch:
// func() (I, bool) { switch lpV := x.(type) { case I: return lpV, true }; return nil, false }().
// yaegi v0.16.1 panics at run time when x is a nil interface ("reflect:
// call of reflect.Value.Type on zero Value") instead of giving nil, false;
// its type switch handles nil. x is evaluated once, as before.
func (r *rewriter) lowerAssertOK(e ast.Expr) {
	ta, ok := unparen(e).(*ast.TypeAssertExpr)
	if !ok || ta.Type == nil {
		return
	}
	tv, ok := r.in.Info.Types[ta.Type]
	if !ok || tv.Type == nil {
		return
	}
	it, ok := tv.Type.Underlying().(*types.Interface)
	if !ok || it.NumMethods() == 0 {
		return
	}
	r.add(ta, func() string {
		t := r.renderNode(ta.Type)
		return "func() (" + t + ", bool) { switch lpV := " + r.renderNode(ta.X) + ".(type) { case " + t + ": return lpV, true }; return nil, false }()"
	})
}

// hasReceive reports whether one of values is a receive operation.
func hasReceive(values []ast.Expr) bool {
	for _, v := range values {
		if u, ok := v.(*ast.UnaryExpr); ok && u.Op == token.ARROW {
			return true
		}
	}
	return false
}

// isComm reports whether s is the communication of a select clause, which
// yaegi compiles as the clause's receive and must be left as it is.
func (r *rewriter) isComm(s ast.Stmt) bool {
	found := false
	for _, st := range r.in.Stmts {
		ast.Inspect(st, func(n ast.Node) bool {
			if cc, ok := n.(*ast.CommClause); ok && cc.Comm == s {
				found = true
			}
			return !found
		})
	}
	return found
}

// lowerSend writes a send statement ch <- v as (chan<- T)(ch) <- v. yaegi
// takes the element type of a send from the channel's interpreted type,
// which a channel whose type comes from compiled code (a field, a result, a
// map element of a compiled value) does not have: its compiler dereferences
// nil ("runtime error: invalid memory address or nil pointer dereference").
// The conversion gives the channel an interpreted type; it is the same
// channel, and the send blocks, panics and converts v as before. (A send of
// a select clause compiles either way.) A channel whose element type the
// input's scope cannot name is left alone.
func (r *rewriter) lowerSend(n *ast.SendStmt) {
	tv, ok := r.in.Info.Types[n.Chan]
	if !ok || tv.Type == nil {
		return
	}
	ch, ok := tv.Type.Underlying().(*types.Chan)
	if !ok || !r.nameableHere(ch.Elem()) {
		return
	}
	chanEnd, arrowEnd := r.in.Offset(n.Chan.End()), r.in.Offset(n.Arrow+token.Pos(len(token.ARROW.String())))
	if chanEnd < 0 || arrowEnd < 0 {
		return
	}
	// The candidate spans the channel and the arrow, so that it is longer
	// than a candidate for the channel expression itself, which it renders.
	r.add(span{n.Chan.Pos(), n.Arrow + token.Pos(len(token.ARROW.String()))}, func() string {
		t := types.TypeString(types.NewChan(types.SendOnly, ch.Elem()), r.qualifier)
		return "(" + t + ")(" + r.renderNode(n.Chan) + ")" + r.in.Src[chanEnd:arrowEnd]
	})
}

// nameableHere reports whether t can be written in the input's scope: it
// names no type local to a function (which another declaration could
// shadow where t is written) and no unexported type of another package.
func (r *rewriter) nameableHere(t types.Type) bool {
	ok := true
	other := func(p *types.Package) bool { return p != nil && p.Path() != r.in.Pkg.Path() }
	naming.WalkTypes(t, func(t types.Type) bool {
		switch x := t.(type) {
		case *types.Named:
			o := x.Obj()
			if o.Pkg() != nil && (o.Parent() != o.Pkg().Scope() || !o.Exported() && other(o.Pkg())) || x.TypeArgs().Len() > 0 {
				ok = false
			}
		case *types.Struct:
			for i := 0; i < x.NumFields(); i++ {
				if f := x.Field(i); !f.Exported() && other(f.Pkg()) {
					ok = false
				}
			}
		case *types.Interface:
			for i := 0; i < x.NumMethods(); i++ {
				if m := x.Method(i); !m.Exported() && other(m.Pkg()) {
					ok = false
				}
			}
		}
		return ok
	})
	return ok
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

// refuseEmbedding refuses, in a saved function, a struct type that embeds
// a field among other fields. yaegi v0.16.1 builds interpreted struct
// types with reflect.StructOf and marks an embedded field as embedded only
// when it is the struct's one field, so reflect-based code sees a plain
// field instead: encoding/json does not decode into or encode the promoted
// fields (json.Unmarshal into struct{ Header; Body string } leaves the
// Header's fields zero). Selectors of interpreted code work, so prompt
// inputs keep such types; a replacement must behave as the compiled code
// did, so the function stays compiled.
func (r *rewriter) refuseEmbedding(n *ast.StructType) {
	if r.in.Change == nil || n.Fields == nil {
		return
	}
	fields, embedded := 0, token.NoPos
	for _, f := range n.Fields.List {
		if len(f.Names) == 0 {
			fields++
			if !embedded.IsValid() {
				embedded = f.Type.Pos()
			}
			continue
		}
		fields += len(f.Names)
	}
	if embedded.IsValid() && fields > 1 {
		r.fail(embedded, "a struct type with an embedded field among others: the interpreter (yaegi v0.16.1) does not embed it under reflect, where encoding/json would miss the promoted fields")
	}
}

// lowerAddrIndex writes &p[i], for p a pointer to an array, as &(*p)[i]:
// yaegi v0.16.1 indexes through the pointer but refuses to take the
// element's address ("cannot take address of uint8 [kind: indexExpr]").
// In Go p[i] is (*p)[i]; the two are the same element, and a nil p panics
// in both.
func (r *rewriter) lowerAddrIndex(n *ast.UnaryExpr) {
	if n.Op != token.AND {
		return
	}
	ix, ok := unparen(n.X).(*ast.IndexExpr)
	if !ok {
		return
	}
	tv, ok := r.in.Info.Types[ix.X]
	if !ok || tv.Type == nil {
		return
	}
	p, ok := tv.Type.Underlying().(*types.Pointer)
	if !ok {
		return
	}
	if _, isArray := p.Elem().Underlying().(*types.Array); !isArray {
		return
	}
	xEnd, brack := r.in.Offset(ix.X.End()), r.in.Offset(ix.Lbrack+1)
	if xEnd < 0 || brack < 0 {
		return
	}
	// Spanning the bracket, the candidate is longer than one for p itself,
	// which it renders.
	r.add(span{ix.X.Pos(), ix.Lbrack + 1}, func() string {
		return "(*" + r.renderNode(ix.X) + ")" + r.in.Src[xEnd:brack]
	})
}
