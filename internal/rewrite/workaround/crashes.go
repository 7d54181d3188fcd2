package workaround

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"strconv"

	"github.com/livepatch/livepatch/internal/patcher/naming"
)

// This file works around yaegi v0.16.1 compiler crashes on constructs it
// does support, by writing them in an equivalent form it compiles, on the
// same lines (package rewrite's loops.go, composite.go and builtins.go
// lower the constructs it lacks).

// crashes rewrites or refuses node n of the input where yaegi would fail
// on it.
func (w *Rewriting) crashes(n ast.Node) {
	switch n := n.(type) {
	case *ast.SendStmt:
		w.lowerSend(n)
	case *ast.UnaryExpr:
		w.lowerAddrIndex(n)
	case *ast.ReturnStmt:
		w.parenReceives(n.Results)
	case *ast.AssignStmt:
		if n.Tok == token.ASSIGN && len(n.Lhs) == len(n.Rhs) && hasReceive(n.Rhs) && !w.isComm(n) {
			w.parenReceives(n.Rhs)
		}
		if len(n.Lhs) == 2 && len(n.Rhs) == 1 {
			w.lowerAssertOK(n.Rhs[0])
		}
	case *ast.ValueSpec:
		if len(n.Names) == 2 && len(n.Values) == 1 {
			w.lowerAssertOK(n.Values[0])
		}
	case *ast.StructType:
		w.refuseEmbedding(n)
	case *ast.TypeAssertExpr:
		w.lowerAssertAny(n)
		w.assertConcrete(n)
	case *ast.BasicLit:
		w.typeBigConstant(n)
	case *ast.BinaryExpr:
		w.foldFloatConstant(n)
	}
}

// foldFloatConstant writes a constant operation that uses an untyped
// float constant of another package, and to which its context gives a
// numeric type, as that type's conversion of its value, 1.5*math.Pi as
// float64(4.71238898038469), which is what compiled code has folded in.
// yaegi v0.16.1 fails to compile an operation on a float literal and
// such a constant, which its symbol tables hold as constant.Value
// ("invalid operation: mismatched types untyped float and untyped
// float64": dustin/go-humanize's FormatFloat tests
// n < (0.0 - math.MaxFloat64)). An operation that stays untyped (a
// constant declaration's value) keeps its form.
func (w *Rewriting) foldFloatConstant(n *ast.BinaryExpr) {
	tv, ok := w.info.Types[n]
	if !ok || tv.Value == nil || tv.Type == nil || !Nameable(tv.Type, w.pkg) {
		return
	}
	b, ok := tv.Type.Underlying().(*types.Basic)
	if !ok || b.Info()&types.IsUntyped != 0 || b.Info()&(types.IsInteger|types.IsFloat) == 0 {
		return
	}
	lit := ""
	switch v := constant.ToFloat(tv.Value); {
	case b.Info()&types.IsInteger != 0:
		if tv.Value.Kind() == constant.Int {
			lit = tv.Value.ExactString()
		}
	case b.Kind() == types.Float32:
		f, _ := constant.Float32Val(v)
		lit = strconv.FormatFloat(float64(f), 'g', -1, 32)
	default:
		f, _ := constant.Float64Val(v)
		lit = strconv.FormatFloat(f, 'g', -1, 64)
	}
	if lit == "" || !w.usesForeignFloat(n) {
		return
	}
	t := tv.Type
	w.h.Add(n, func() string { return w.h.TypeText(t) + "(" + lit + ")" })
}

// usesForeignFloat reports whether e names an untyped float constant of
// another package than the input's.
func (w *Rewriting) usesForeignFloat(e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok || found {
			return !found
		}
		k, ok := w.info.Uses[sel.Sel].(*types.Const)
		if ok && k.Pkg() != w.pkg {
			b, ok := k.Type().(*types.Basic)
			found = ok && b.Kind() == types.UntypedFloat
		}
		return true
	})
	return found
}

// typeBigConstant writes an integer literal whose value does not fit an
// int64, and to which its context gives an integer type (return
// 0xFFFFFFFFFFFFFFFF from a function returning uint64), as a conversion to
// that type, uint64(0xFFFFFFFFFFFFFFFF), the same value. yaegi v0.16.1
// gives an untyped integer constant the type int64 before it converts it:
// "constant 18446744073709551615 overflows int64" (shopspring/decimal's
// (*decimal).RoundedInteger).
func (w *Rewriting) typeBigConstant(n *ast.BasicLit) {
	tv, ok := w.info.Types[n]
	if !ok || tv.Value == nil || tv.Value.Kind() != constant.Int || tv.Type == nil {
		return
	}
	if _, exact := constant.Int64Val(tv.Value); exact {
		return
	}
	b, ok := tv.Type.Underlying().(*types.Basic)
	if !ok || b.Info()&types.IsUntyped != 0 || b.Info()&types.IsInteger == 0 || !Nameable(tv.Type, w.pkg) {
		return
	}
	w.h.Add(n, func() string { return w.h.TypeText(tv.Type) + "(" + w.h.Render(n) + ")" })
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
func (w *Rewriting) parenReceives(values []ast.Expr) {
	for _, v := range values {
		if u, ok := v.(*ast.UnaryExpr); ok && u.Op == token.ARROW {
			w.h.Add(u, func() string { return "(" + w.h.Render(u) + ")" })
		}
	}
}

// lowerAssertOK writes the comma-ok type assertion x.(I) to an interface
// type I with methods, v, ok := x.(I), as a call of a function literal
// that asks it only of a non-nil operand:
// func() (I, bool) { lpX := x; if lpX == nil { return nil, false }; lpV, lpOK := lpX.(I); return lpV, lpOK }().
// yaegi v0.16.1 panics at run time when x is a nil interface ("reflect:
// call of reflect.Value.Type on zero Value") instead of giving nil, false.
// (Its type switch, which handles nil, never matches a compiled value to
// error: go-cmp's cmpopts.EquateErrors compared no errors; see
// lowerTypeSwitch.) x is evaluated once, as before.
func (w *Rewriting) lowerAssertOK(e ast.Expr) {
	ta, ok := ast.Unparen(e).(*ast.TypeAssertExpr)
	if !ok || ta.Type == nil {
		return
	}
	tv, ok := w.info.Types[ta.Type]
	if !ok || tv.Type == nil {
		return
	}
	if isTypeParam(tv.Type) {
		return // an interface type only as its constraint
	}
	it, ok := tv.Type.Underlying().(*types.Interface)
	if ok && it.Empty() {
		w.h.Add(ta, func() string {
			return "func() (" + w.h.Render(ta.Type) + ", bool) { lpX := " + w.h.Render(ta.X) + "; if lpX == nil { return nil, false }; return lpX, true }()"
		})
		return
	}
	if !ok || it.NumMethods() == 0 {
		return
	}
	// An interface literal is asserted to the compiled type of the
	// builder's table (package rewrite's crossings.go), for which yaegi
	// has no wrapper to convert nil with ("reflect: call of
	// reflect.Value.Type on zero Value"): its zero value instead.
	_, literal := naming.IfaceLiteral(tv.Type)
	w.h.Add(ta, func() string {
		t := w.h.Render(ta.Type)
		zero := "return nil, false"
		if literal {
			zero = "var lpZ " + t + "; return lpZ, false"
		}
		return "func() (" + t + ", bool) { lpX := " + w.h.Render(ta.X) + "; if lpX == nil { " + zero + " }; lpV, lpOK := lpX.(" + t + "); return lpV, lpOK }()"
	})
}

// lowerAssertAny writes a type assertion to the empty interface, x.(any),
// as a call of a function literal that gives x, or, for a nil x, makes
// the assertion that panics: func() any { lpX := x; if lpX == nil {
// return lpX.(any) }; return lpX }(). yaegi v0.16.1 asserts no value of a
// compiled type to the empty interface: x.(any) panics ("interface
// conversion: nil is not any") and its comma-ok form (lowerAssertOK) is
// false, where Go gives every non-nil x (spf13/cast's ToStringSliceE
// ends with a type switch's `case any:`, see caseCond). Its conversion of
// x to the interface is right. The comma-ok form's candidate, added
// first, wins over this one.
func (w *Rewriting) lowerAssertAny(ta *ast.TypeAssertExpr) {
	if ta.Type == nil || !w.emptyInterface(ta.Type) {
		return
	}
	w.h.Add(ta, func() string {
		t := w.h.Render(ta.Type)
		return "func() " + t + " { lpX := " + w.h.Render(ta.X) + "; if lpX == nil { return lpX.(" + t + ") }; return lpX }()"
	})
}

// assertConcrete writes a type assertion to a type that is not an
// interface, x.(T), of an operand of an interface type with methods of
// the input's package that a struct type without fields of the package
// implements, as one of
// the operand returned as an empty interface by a function literal,
// func() interface{} { return x }().(T). yaegi v0.16.1 panics asserting a
// value of a compiled interface type that holds a struct without fields
// ("reflect: Field index out of bounds": it looks at the first field for
// its own wrapper): expr-lang/expr's rtype.Equal asserts t.(rtype) of a
// Type that can be anyType{}. From the empty interface it asserts right.
// The operand is evaluated once, as before. Only for the package's own
// interfaces with such an implementation: rewritten everywhere
// (err.(*strconv.NumError) too, toml having empty error structs),
// BurntSushi/toml's TestDecodeParallel failed now and then, its parsers
// mixing items of other goroutines, though no rewritten assertion ran
// (not understood; a compiled conversion function did not help).
func (w *Rewriting) assertConcrete(ta *ast.TypeAssertExpr) {
	if ta.Type == nil || !w.methodsInterface(w.info.TypeOf(ta.X)) {
		return
	}
	if tv, ok := w.info.Types[ta.Type]; !ok || tv.Type == nil || types.IsInterface(tv.Type) {
		return // a type parameter included
	}
	if !w.emptyStructImplements(w.info.TypeOf(ta.X)) {
		return
	}
	w.h.Add(ta.X, func() string { return "func() interface{} { return " + w.h.Render(ta.X) + " }()" })
}

// emptyStructImplements reports whether t is an interface type with
// methods, declared in the input's package, that a struct type without
// fields of the package, or a pointer to one, implements.
func (w *Rewriting) emptyStructImplements(t types.Type) bool {
	if !w.methodsInterface(t) || w.pkg == nil {
		return false
	}
	if named, ok := types.Unalias(t).(*types.Named); !ok || named.Obj().Pkg() == nil || named.Obj().Pkg().Path() != w.pkg.Path() {
		return false
	}
	it := t.Underlying().(*types.Interface)
	scope := w.pkg.Scope()
	for _, name := range scope.Names() {
		tn, ok := scope.Lookup(name).(*types.TypeName)
		if !ok || tn.IsAlias() {
			continue
		}
		if st, ok := tn.Type().Underlying().(*types.Struct); !ok || st.NumFields() > 0 {
			continue
		}
		if types.Implements(tn.Type(), it) || types.Implements(types.NewPointer(tn.Type()), it) {
			return true
		}
	}
	return false
}

// methodsInterface reports whether t is an interface type with methods
// (not a type parameter).
func (w *Rewriting) methodsInterface(t types.Type) bool {
	if t == nil || isTypeParam(t) {
		return false
	}
	it, ok := t.Underlying().(*types.Interface)
	return ok && !it.Empty()
}

// emptyInterface reports whether type expression e denotes an interface
// type without methods (any, interface{}); a type parameter constrained
// by any does not.
func (w *Rewriting) emptyInterface(e ast.Expr) bool {
	tv, ok := w.info.Types[e]
	if !ok || tv.Type == nil || !tv.IsType() || isTypeParam(tv.Type) {
		return false
	}
	it, ok := tv.Type.Underlying().(*types.Interface)
	return ok && it.Empty()
}

// isTypeParam reports whether t is a type parameter, whose underlying
// type go/types gives as its constraint's interface.
func isTypeParam(t types.Type) bool {
	_, ok := types.Unalias(t).(*types.TypeParam)
	return ok
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
func (w *Rewriting) isComm(s ast.Stmt) bool {
	found := false
	for _, st := range w.stmts {
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
func (w *Rewriting) lowerSend(n *ast.SendStmt) {
	tv, ok := w.info.Types[n.Chan]
	if !ok || tv.Type == nil {
		return
	}
	ch, ok := tv.Type.Underlying().(*types.Chan)
	if !ok || !Nameable(ch.Elem(), w.pkg) {
		return
	}
	chanEnd, arrowEnd := w.h.Offset(n.Chan.End()), w.h.Offset(n.Arrow+token.Pos(len(token.ARROW.String())))
	if chanEnd < 0 || arrowEnd < 0 {
		return
	}
	// The candidate spans the channel and the arrow, so that it is longer
	// than a candidate for the channel expression itself, which it renders.
	w.h.Add(span{n.Chan.Pos(), n.Arrow + token.Pos(len(token.ARROW.String()))}, func() string {
		t := w.h.TypeText(types.NewChan(types.SendOnly, ch.Elem()))
		return "(" + t + ")(" + w.h.Render(n.Chan) + ")" + w.src[chanEnd:arrowEnd]
	})
}

// Nameable reports whether t can be written in the scope of package pkg:
// it names no type local to a function (which another declaration could
// shadow where t is written) and no unexported type of another package.
func Nameable(t types.Type, pkg *types.Package) bool {
	ok := true
	other := func(p *types.Package) bool { return p != nil && p.Path() != pkg.Path() }
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

// refuseEmbedding refuses, in a saved function, a struct type that embeds
// a field among other fields. yaegi v0.16.1 builds interpreted struct
// types with reflect.StructOf and marks an embedded field as embedded only
// when it is the struct's one field, so reflect-based code sees a plain
// field instead: encoding/json does not decode into or encode the promoted
// fields (json.Unmarshal into struct{ Header; Body string } leaves the
// Header's fields zero). Selectors of interpreted code work, so prompt
// inputs keep such types; a replacement must behave as the compiled code
// did, so the function stays compiled.
func (w *Rewriting) refuseEmbedding(n *ast.StructType) {
	if !w.saved || n.Fields == nil {
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
		w.h.Fail(embedded, "", "a struct type with an embedded field among others: the interpreter (yaegi v0.16.1) does not embed it under reflect, where encoding/json would miss the promoted fields")
	}
}

// lowerAddrIndex writes &p[i], for p a pointer to an array, as &(*p)[i]:
// yaegi v0.16.1 indexes through the pointer but refuses to take the
// element's address ("cannot take address of uint8 [kind: indexExpr]").
// In Go p[i] is (*p)[i]; the two are the same element, and a nil p panics
// in both.
func (w *Rewriting) lowerAddrIndex(n *ast.UnaryExpr) {
	if n.Op != token.AND {
		return
	}
	ix, ok := ast.Unparen(n.X).(*ast.IndexExpr)
	if !ok {
		return
	}
	tv, ok := w.info.Types[ix.X]
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
	xEnd, brack := w.h.Offset(ix.X.End()), w.h.Offset(ix.Lbrack+1)
	if xEnd < 0 || brack < 0 {
		return
	}
	// Spanning the bracket, the candidate is longer than one for p itself,
	// which it renders.
	w.h.Add(span{ix.X.Pos(), ix.Lbrack + 1}, func() string {
		return "(*" + w.h.Render(ix.X) + ")" + w.src[xEnd:brack]
	})
}
