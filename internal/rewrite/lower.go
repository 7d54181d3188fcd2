package rewrite

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"
)

// This file lowers constructs that yaegi gets wrong or lacks into ones it
// runs as Go would, on the same lines (the rewriting never adds a line).

// lowerComposite lowers a composite literal of a compiled user struct type
// that sets unexported fields. yaegi builds such a literal through reflect,
// which refuses to set unexported fields ("reflect.Value.Set using value
// obtained using unexported field"), so T{n: 1, Name: x} becomes
// func() T { var lpV T; *lpField_T_n(&lpV) = 1; lpV.Name = x; return lpV }(),
// and &T{...} the same with lpV := new(T): the elements are evaluated in
// the same order, and each unexported field is set through the builder's
// accessor. addr is the & expression around lit, or nil.
func (r *rewriter) lowerComposite(lit *ast.CompositeLit, addr *ast.UnaryExpr) bool {
	tv, ok := r.in.Info.Types[lit]
	if !ok || lit.Type == nil {
		return false // an elided type: left as is
	}
	t := tv.Type
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
		if r.fieldAccessor(named, st.Field(idx)) {
			private = true
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
		if addr != nil {
			b.WriteString("func() *" + typ + " { lpV := new(" + typ + "); ")
		} else {
			b.WriteString("func() " + typ + " { var lpV " + typ + "; ")
			recvType = t
		}
		for _, e := range elems {
			lhs, _ := r.walkFields(recv, recvType, []int{e.field})
			b.WriteString(lhs + " = (" + r.renderNode(e.value) + "); ") // parenthesized: see parenValues
		}
		b.WriteString("return lpV }()")
		return b.String()
	})
	return true
}

// unparen returns e without parentheses.
func unparen(e ast.Expr) ast.Expr {
	for {
		p, ok := e.(*ast.ParenExpr)
		if !ok {
			return e
		}
		e = p.X
	}
}

// lowerUnary lowers the & expressions lowerComposite handles.
func (r *rewriter) lowerUnary(n *ast.UnaryExpr) {
	if n.Op != token.AND {
		return
	}
	if lit, ok := unparen(n.X).(*ast.CompositeLit); ok {
		if r.lowered == nil {
			r.lowered = map[*ast.CompositeLit]bool{}
		}
		r.lowered[lit] = r.lowerComposite(lit, n)
	}
}

// userConst reports whether k is a package-level constant of a user
// package, which the rewriting writes as its value. The symbol tables hold
// untyped constants as constant.Value, which yaegi v0.16.1 mixes up with
// the value's Go type in some operations ("mismatched types string and
// *constant.stringVal" comparing a string field with one); a literal is
// what compiled code has folded in anyway.
func (r *rewriter) userConst(k *types.Const) bool {
	return k.Pkg() != nil && k.Parent() == k.Pkg().Scope() && r.isUser(k.Pkg())
}

// lowerBuiltin lowers calls of the builtins yaegi v0.16.1 lacks (Go 1.21):
// min and max become a call of a function literal over the call's type
// (a NaN wins, as in Go), clear a loop that deletes a map's keys or zeroes
// a slice's elements. A constant min or max becomes its value.
func (r *rewriter) lowerBuiltin(call *ast.CallExpr) {
	id, ok := unparen(call.Fun).(*ast.Ident)
	if !ok {
		return
	}
	b, ok := r.in.Info.Uses[id].(*types.Builtin)
	if !ok {
		return
	}
	tv := r.in.Info.Types[call]
	switch b.Name() {
	case "min", "max":
		if tv.Value != nil {
			r.add(call, func() string {
				return "(" + constLiteral(tv.Value, tv.Type) + ")"
			})
			return
		}
		op := "<"
		if b.Name() == "max" {
			op = ">"
		}
		r.add(call, func() string {
			t := types.TypeString(tv.Type, r.qualifier)
			nan := ""
			if bt, ok := tv.Type.Underlying().(*types.Basic); ok && bt.Info()&types.IsFloat != 0 {
				nan = "if lpA != lpA { break }; if lpX != lpX { lpA = lpX; continue }; "
			}
			return "func(lpA " + t + ", lpB ..." + t + ") " + t + " { for _, lpX := range lpB { " + nan +
				"if lpX " + op + " lpA { lpA = lpX } }; return lpA }(" + r.renderArgs(call) + ")"
		})
	case "clear":
		if len(call.Args) != 1 {
			return
		}
		at := r.in.Info.Types[call.Args[0]].Type
		r.add(call, func() string {
			t := types.TypeString(at, r.qualifier)
			arg := r.renderNode(call.Args[0])
			if _, isMap := at.Underlying().(*types.Map); isMap {
				return "func(lpM " + t + ") { for lpK := range lpM { delete(lpM, lpK) } }(" + arg + ")"
			}
			return "func(lpS " + t + ") { for lpI := range lpS { var lpZ " + types.TypeString(at.Underlying().(*types.Slice).Elem(), r.qualifier) +
				"; lpS[lpI] = lpZ } }(" + arg + ")"
		})
	}
}

// renderArgs writes the arguments of call, rewritten, with the text between
// them as it is (a newline stays a newline).
func (r *rewriter) renderArgs(call *ast.CallExpr) string {
	if len(call.Args) == 0 {
		return ""
	}
	return r.render(r.in.Offset(call.Args[0].Pos()), r.in.Offset(call.Args[len(call.Args)-1].End()))
}

// span is a range of the input that a candidate replaces, for insertions.
type span struct{ from, to token.Pos }

func (s span) Pos() token.Pos { return s.from }
func (s span) End() token.Pos { return s.to }

// lowerFor gives a three-clause loop Go 1.22's per-iteration variables:
// yaegi v0.16.1 shares one variable across iterations, so closures and
// goroutines started in the body all see its last value. When the body
// makes a closure or starts a goroutine and does not assign the loop's
// variables, it starts with a copy of each (`lpL_i := i;`, on the brace's
// line) and uses the copy. (Redeclaring i itself in the body makes yaegi's
// post statement step the copy: the loop never ends.)
func (r *rewriter) lowerFor(n *ast.ForStmt) {
	init, ok := n.Init.(*ast.AssignStmt)
	if !ok || init.Tok != token.DEFINE || !captures(n.Body) {
		return
	}
	var vars []*types.Var
	for _, l := range init.Lhs {
		id, ok := l.(*ast.Ident)
		if !ok || id.Name == "_" {
			continue
		}
		v, _ := r.in.Info.Defs[id].(*types.Var)
		if v == nil || r.assigns(n.Body, v) {
			return
		}
		vars = append(vars, v)
	}
	r.copyVars(n.Body, vars)
}

// captures reports whether body makes a function literal or starts a
// goroutine: the only ways a loop variable outlives its iteration.
func captures(body ast.Node) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n.(type) {
		case *ast.FuncLit, *ast.GoStmt:
			found = true
		}
		return !found
	})
	return found
}

// copyVars inserts `lpL_x := x;` for each of vars after the body's opening
// brace and makes the body's uses of x use lpL_x.
func (r *rewriter) copyVars(body *ast.BlockStmt, vars []*types.Var) {
	if len(vars) == 0 {
		return
	}
	copied := map[types.Object]bool{}
	for _, v := range vars {
		copied[v] = true
	}
	ast.Inspect(body, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && copied[r.in.Info.Uses[id]] {
			name := id.Name
			r.add(id, func() string { return "lpL_" + name })
		}
		return true
	})
	brace := span{body.Lbrace, body.Lbrace + 1}
	r.add(brace, func() string {
		var b strings.Builder
		b.WriteString("{")
		for _, v := range vars {
			b.WriteString(" lpL_" + v.Name() + " := " + v.Name() + ";")
		}
		return b.String()
	})
}

// assigns reports whether body assigns v or takes its address.
func (r *rewriter) assigns(body ast.Node, v *types.Var) bool {
	found := false
	is := func(e ast.Expr) bool {
		id, ok := unparen(e).(*ast.Ident)
		return ok && r.in.Info.Uses[id] == v
	}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, l := range n.Lhs {
				found = found || n.Tok != token.DEFINE && is(l)
			}
		case *ast.IncDecStmt:
			found = found || is(n.X)
		case *ast.UnaryExpr:
			found = found || n.Op == token.AND && is(n.X)
		case *ast.RangeStmt:
			found = found || n.Tok == token.ASSIGN && (n.Key != nil && is(n.Key) || n.Value != nil && is(n.Value))
		}
		return !found
	})
	return found
}

// lowerRange gives range loops whose body captures their variables
// per-iteration copies, as lowerFor does,
// and lowers a range over an integer, which yaegi v0.16.1 lacks, into a
// counting loop: for i := range n becomes
// for lpN, lpI := n, T(0); lpI < lpN; lpI++ { i := lpI; ... }.
func (r *rewriter) lowerRange(n *ast.RangeStmt) {
	var vars []*types.Var
	if n.Tok == token.DEFINE && captures(n.Body) {
		for _, e := range []ast.Expr{n.Key, n.Value} {
			if id, ok := e.(*ast.Ident); ok && id.Name != "_" {
				if v, _ := r.in.Info.Defs[id].(*types.Var); v != nil && !r.assigns(n.Body, v) {
					vars = append(vars, v)
				}
			}
		}
	}
	tv := r.in.Info.Types[n.X]
	if _, ok := tv.Type.Underlying().(*types.Signature); ok {
		if yield := r.rangeYield(n); yield != nil {
			r.lowerRangeFunc(n, yield) // rangefunc.go
		}
		return
	}
	if id, named := n.Value.(*ast.Ident); n.Value != nil && (!named || id.Name != "_") && (chanElements(tv.Type) || arrayPointer(tv.Type)) {
		r.lowerRangeIndex(n, tv.Type)
		return
	}
	bt, isBasic := tv.Type.Underlying().(*types.Basic)
	if !isBasic || bt.Info()&types.IsInteger == 0 {
		r.copyVars(n.Body, vars)
		return
	}
	head := span{n.For, n.Body.Lbrace + 1}
	r.add(head, func() string {
		t := "int"
		if bt.Info()&types.IsUntyped == 0 {
			t = types.TypeString(tv.Type, r.qualifier)
		}
		s := "for lpN, lpI := " + t + "(" + r.renderNode(n.X) + "), " + t + "(0); lpI < lpN; lpI++ {"
		if n.Key != nil {
			if id, ok := n.Key.(*ast.Ident); !ok || id.Name != "_" {
				s += " " + r.renderNode(n.Key) + " " + n.Tok.String() + " lpI;"
			}
		}
		return s
	})
}

// lowerRangeIndex writes a range with a value, over a collection of
// channels or a pointer to an array, as a loop over the indexes or keys
// that reads each element: yaegi v0.16.1 fails at run time on both forms
// (reflect.Value.Len on int Value; reflect.Value.Int on array Value),
// while indexing works. The collection is evaluated once, before the loop,
// as range does (an array is copied); the loop variables are declared in
// the body, so each iteration has its own. A map must be a variable the
// body does not assign, since its elements are read through it by key.
func (r *rewriter) lowerRangeIndex(n *ast.RangeStmt, t types.Type) {
	key := "_"
	if n.Key != nil {
		key = r.renderNode(n.Key)
	}
	assign := func(i, elem string) string {
		if key == "_" && n.Tok == token.DEFINE {
			return " " + r.renderNode(n.Value) + " := " + elem + ";"
		}
		return " " + key + ", " + r.renderNode(n.Value) + " " + n.Tok.String() + " " + i + ", " + elem + ";"
	}
	head := span{n.For, n.Body.Lbrace + 1}
	if _, isMap := t.Underlying().(*types.Map); isMap {
		id, ok := unparen(n.X).(*ast.Ident)
		v, _ := r.in.Info.Uses[id].(*types.Var)
		if !ok || v == nil || r.assigns(n.Body, v) {
			r.fail(n.Pos(), "a range with a value over a map of channels that is not a variable the loop leaves alone: the interpreter (yaegi v0.16.1) fails at run time on the range, and the rewriter reads the elements through the map")
			return
		}
		r.add(head, func() string {
			return "for lpK := range " + id.Name + " {" + assign("lpK", id.Name+"[lpK]")
		})
		return
	}
	elem := "lpX[lpI]"
	if arrayPointer(t) {
		elem = "(*lpX)[lpI]"
	}
	r.add(head, func() string {
		return "for lpI, lpX := 0, " + r.renderNode(n.X) + "; lpI < len(lpX); lpI++ {" + assign("lpI", elem)
	})
}

// arrayPointer reports whether t is a pointer to an array.
func arrayPointer(t types.Type) bool {
	if t == nil {
		return false
	}
	p, ok := t.Underlying().(*types.Pointer)
	if !ok {
		return false
	}
	_, ok = p.Elem().Underlying().(*types.Array)
	return ok
}

// chanElements reports whether t is a slice, array, pointer to array or
// map whose elements are channels.
func chanElements(t types.Type) bool {
	if t == nil {
		return false
	}
	u := t.Underlying()
	if p, ok := u.(*types.Pointer); ok {
		u = p.Elem().Underlying()
	}
	var elem types.Type
	switch x := u.(type) {
	case *types.Slice:
		elem = x.Elem()
	case *types.Array:
		elem = x.Elem()
	case *types.Map:
		elem = x.Elem()
	default:
		return false
	}
	_, isChan := elem.Underlying().(*types.Chan)
	return isChan
}

// lowerSeqTypes writes the types iter.Seq[V] and iter.Seq2[K, V] (generic,
// which yaegi v0.16.1's iter package does not have) as their func types,
// func(yield func(V) bool) and func(yield func(K, V) bool), in a function
// declaration's body and in its signature where one is the whole type of
// a parameter or result. Values of the one are assignable to the other,
// both ways, which is what the agent's wrapper needs to pass the compiled
// caller's arguments in and the interpreted function's results out
// (reflect assigns them). Inside another type of the signature
// ([]iter.Seq[int], func() iter.Seq[int]) the interpreted function's type
// would not fit the compiled one: that is refused.
func (r *rewriter) lowerSeqTypes() {
	if !r.in.Decls || len(r.in.Stmts) != 1 {
		return
	}
	seqType := func(x ast.Node) (types.Type, bool) {
		switch x.(type) {
		case *ast.IndexExpr, *ast.IndexListExpr:
		default:
			return nil, false
		}
		tv, ok := r.in.Info.Types[x.(ast.Expr)]
		if !ok || !tv.IsType() {
			return nil, false
		}
		named, _ := types.Unalias(tv.Type).(*types.Named)
		return tv.Type, named != nil && named.Obj().Pkg() != nil && named.Obj().Pkg().Path() == "iter"
	}
	lower := func(x ast.Node) bool {
		t, ok := seqType(x)
		if !ok {
			return true
		}
		r.add(x, func() string {
			s, err := r.typeString(t)
			if err != nil {
				r.fail(x.Pos(), err.Error())
			}
			return s
		})
		return false
	}
	ast.Inspect(r.in.Stmts[0], lower)
	fd := r.funcDecl()
	if fd == nil {
		return
	}
	for _, list := range []*ast.FieldList{fd.Type.Params, fd.Type.Results} {
		if list == nil {
			continue
		}
		for _, field := range list.List {
			if _, whole := seqType(field.Type); whole {
				lower(field.Type)
				continue
			}
			ast.Inspect(field.Type, func(x ast.Node) bool {
				if t, ok := seqType(x); ok {
					r.fail(x.Pos(), "a parameter or result of a type holding "+types.TypeString(t, r.qualifier)+
						": the interpreter has no iter types, and the func type it has instead would not fit the compiled function's type")
					return false
				}
				return true
			})
		}
	}
}
