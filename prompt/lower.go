package prompt

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
	tv, ok := r.c.info.Types[lit]
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
			b.WriteString(lhs + " = " + r.renderNode(e.value) + "; ")
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

// signatureImports returns the import specs of the packages that the
// receiver, parameters and results of fd name: the rewriting visits bodies
// only, and without a spec the agent picks a package by its name, which
// fails when two linked packages share it (github.com/google/go-dap and
// Delve's service/dap are both "dap").
func signatureImports(prog *program, info *types.Info, fd *ast.FuncDecl) []string {
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

// lowerBuiltin lowers calls of the builtins yaegi v0.16.1 lacks (Go 1.21):
// min and max become a call of a function literal over the call's type
// (a NaN wins, as in Go), clear a loop that deletes a map's keys or zeroes
// a slice's elements. A constant min or max becomes its value.
func (r *rewriter) lowerBuiltin(call *ast.CallExpr) {
	id, ok := unparen(call.Fun).(*ast.Ident)
	if !ok {
		return
	}
	b, ok := r.c.info.Uses[id].(*types.Builtin)
	if !ok {
		return
	}
	tv := r.c.info.Types[call]
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
		at := r.c.info.Types[call.Args[0]].Type
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
	return r.render(r.c.inputOffset(call.Args[0].Pos()), r.c.inputOffset(call.Args[len(call.Args)-1].End()))
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
	r.refuseLoopDefer(n.Body)
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
		v, _ := r.c.info.Defs[id].(*types.Var)
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
		if id, ok := n.(*ast.Ident); ok && copied[r.c.info.Uses[id]] {
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
		return ok && r.c.info.Uses[id] == v
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
	r.refuseLoopDefer(n.Body)
	var vars []*types.Var
	if n.Tok == token.DEFINE && captures(n.Body) {
		for _, e := range []ast.Expr{n.Key, n.Value} {
			if id, ok := e.(*ast.Ident); ok && id.Name != "_" {
				if v, _ := r.c.info.Defs[id].(*types.Var); v != nil && !r.assigns(n.Body, v) {
					vars = append(vars, v)
				}
			}
		}
	}
	tv := r.c.info.Types[n.X]
	if sig, ok := tv.Type.Underlying().(*types.Signature); ok {
		r.lowerRangeFunc(n, sig)
		return
	}
	if id, named := n.Value.(*ast.Ident); n.Value != nil && (!named || id.Name != "_") && chanElements(tv.Type) {
		r.fail(n.Pos(), "a range with a value over a collection of channels: the interpreter (yaegi v0.16.1) fails at run time")
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

// refuseLoopDefer refuses a loop body that defers a function literal:
// yaegi v0.16.1 makes the closure of `defer func() {...}()` when the
// deferred call runs, so every deferred call of the loop would see the
// variables of its last iteration. The function stays compiled.
func (r *rewriter) refuseLoopDefer(body *ast.BlockStmt) {
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.DeferStmt:
			if _, ok := unparen(n.Call.Fun).(*ast.FuncLit); ok {
				r.fail(n.Pos(), "a function literal deferred in a loop: the interpreter would give every deferred call the last iteration's variables")
			}
		}
		return true
	})
}

// lowerRangeFunc lowers a range over a function (Go 1.23), which yaegi
// v0.16.1 lacks, into a call of the function with a yield closure:
// for k, v := range seq { ... } becomes
// (seq)(func(k K, v V) bool { ...; return true }), on the same lines. The
// closure's parameters are the loop's variables, new at each iteration as
// in Go; `for k, v = range seq` assigns them from the parameters. A break
// of the loop becomes `return false`, a continue `return true` (labeled or
// not; the loop's label is dropped). What the closure would change the
// meaning of is refused, and the function stays compiled: a return, a
// defer or a recover in the body, a goto or a labeled break or continue
// that leaves the body, and a goto to the loop's label.
func (r *rewriter) lowerRangeFunc(n *ast.RangeStmt, sig *types.Signature) {
	if sig.Params().Len() != 1 {
		return
	}
	yield, ok := sig.Params().At(0).Type().Underlying().(*types.Signature)
	if !ok {
		return
	}
	const why = ": the range over a function runs its body in a yield closure"
	var label *types.Label
	var labeled *ast.LabeledStmt
	for _, s := range r.c.stmts {
		ast.Inspect(s, func(x ast.Node) bool {
			if ls, ok := x.(*ast.LabeledStmt); ok && ls.Stmt == n {
				labeled = ls
				label, _ = r.c.info.Defs[ls.Label].(*types.Label)
			}
			return labeled == nil
		})
	}
	if label != nil {
		for _, s := range r.c.stmts {
			ast.Inspect(s, func(x ast.Node) bool {
				if br, ok := x.(*ast.BranchStmt); ok && br.Tok == token.GOTO && r.c.info.Uses[br.Label] == label {
					r.fail(br.Pos(), "goto "+label.Name()+", the label of a range over a function"+why)
				}
				return true
			})
		}
	}
	inBody := func(obj types.Object) bool {
		return obj != nil && obj.Pos() > n.Body.Lbrace && obj.Pos() < n.Body.Rbrace
	}
	var walk func(x ast.Node, breaks, continues bool)
	walk = func(x ast.Node, breaks, continues bool) {
		ast.Inspect(x, func(x ast.Node) bool {
			switch x := x.(type) {
			case *ast.FuncLit:
				return false
			case *ast.ForStmt:
				walk(x.Body, false, false)
				for _, s := range []ast.Node{x.Init, x.Cond, x.Post} {
					if s != nil {
						walk(s, breaks, continues)
					}
				}
				return false
			case *ast.RangeStmt:
				walk(x.X, breaks, continues)
				walk(x.Body, false, false)
				return false
			case *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
				ast.Inspect(x, func(y ast.Node) bool {
					if b, ok := y.(*ast.BlockStmt); ok && y != x {
						walk(b, false, continues)
						return false
					}
					return true
				})
				return false
			case *ast.ReturnStmt:
				r.fail(x.Pos(), "a return inside a range over a function"+why)
			case *ast.DeferStmt:
				r.fail(x.Pos(), "a defer inside a range over a function"+why+", where the deferred call would run at the end of the iteration")
			case *ast.CallExpr:
				if id, ok := unparen(x.Fun).(*ast.Ident); ok {
					if b, ok := r.c.info.Uses[id].(*types.Builtin); ok && b.Name() == "recover" {
						r.fail(x.Pos(), "a recover inside a range over a function"+why)
					}
				}
			case *ast.BranchStmt:
				var target types.Object
				if x.Label != nil {
					target = r.c.info.Uses[x.Label]
				}
				switch {
				case x.Tok == token.GOTO:
					if !inBody(target) {
						r.fail(x.Pos(), "a goto out of a range over a function"+why)
					}
				case x.Tok == token.FALLTHROUGH:
				case x.Label != nil && target == label && label != nil,
					x.Label == nil && (x.Tok == token.BREAK && breaks || x.Tok == token.CONTINUE && continues):
					res := "return true"
					if x.Tok == token.BREAK {
						res = "return false"
					}
					r.add(x, func() string { return res })
				case x.Label != nil && !inBody(target):
					r.fail(x.Pos(), "a labeled "+x.Tok.String()+" out of a range over a function"+why)
				}
			}
			return true
		})
	}
	walk(n.Body, true, true)
	if labeled != nil {
		r.add(span{labeled.Label.Pos(), labeled.Colon + 1}, func() string { return "" })
	}
	head := span{n.For, n.Body.Lbrace + 1}
	r.add(head, func() string {
		vars := []ast.Expr{n.Key, n.Value}
		var params, assign []string
		var lhs []string
		for i := 0; i < yield.Params().Len(); i++ {
			t := types.TypeString(yield.Params().At(i).Type(), r.qualifier)
			var e ast.Expr
			if i < len(vars) {
				e = vars[i]
			}
			id, isIdent := e.(*ast.Ident)
			switch {
			case e == nil || isIdent && id.Name == "_":
				params = append(params, "_ "+t)
			case n.Tok == token.DEFINE:
				params = append(params, id.Name+" "+t)
			default:
				p := "lpY" + string(rune('0'+i))
				params = append(params, p+" "+t)
				lhs = append(lhs, r.renderNode(e))
				assign = append(assign, p)
			}
		}
		s := "(" + r.renderNode(n.X) + ")(func(" + strings.Join(params, ", ") + ") bool {"
		if len(lhs) > 0 {
			s += " " + strings.Join(lhs, ", ") + " = " + strings.Join(assign, ", ") + ";"
		}
		return s
	})
	r.add(span{n.Body.Rbrace, n.Body.Rbrace + 1}, func() string { return "; return true })" })
}

// lowerSeqTypes writes the types iter.Seq[V] and iter.Seq2[K, V] (generic,
// which yaegi v0.16.1's iter package does not have) as their func types,
// func(yield func(V) bool) and func(yield func(K, V) bool), in a function
// declaration's parameters and body: values of the one are assignable to
// the other, as the compiled callers and callees pass them. A result of
// such a type is refused, since the compiled function must return exactly
// the iter type.
func (r *rewriter) lowerSeqTypes() {
	if !r.c.in.decls || len(r.c.stmts) != 1 || r.c.sc == nil || r.c.sc.ref.file == nil {
		return
	}
	var fd *ast.FuncDecl
	for _, d := range r.c.sc.ref.file.Decls {
		if f, ok := d.(*ast.FuncDecl); ok && f.Body != nil && ast.Stmt(f.Body) == r.c.stmts[0] {
			fd = f
		}
	}
	visit := func(results bool) func(ast.Node) bool {
		return func(x ast.Node) bool {
			switch x.(type) {
			case *ast.IndexExpr, *ast.IndexListExpr:
			default:
				return true
			}
			tv, ok := r.c.info.Types[x.(ast.Expr)]
			if !ok || !tv.IsType() {
				return true
			}
			named, _ := types.Unalias(tv.Type).(*types.Named)
			if named == nil || named.Obj().Pkg() == nil || named.Obj().Pkg().Path() != "iter" {
				return true
			}
			if results {
				r.fail(x.Pos(), "a result of type "+types.TypeString(tv.Type, r.qualifier)+": the interpreter has no iter types, and the function must return exactly one")
				return false
			}
			r.add(x, func() string { return types.TypeString(named.Underlying(), r.qualifier) })
			return false
		}
	}
	ast.Inspect(r.c.stmts[0], visit(false))
	if fd == nil {
		return
	}
	if fd.Type.Results != nil {
		ast.Inspect(fd.Type.Results, visit(true))
	}
	ast.Inspect(fd.Type.Params, visit(false))
}
