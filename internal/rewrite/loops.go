package rewrite

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"
)

// Loops: for and range statements that yaegi v0.16.1 runs unlike Go 1.22
// or lacks, lowered into loops it runs as Go would, on the same lines (the
// rewriting never adds a line). Ranges over functions are package lower's.

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
		id, ok := ast.Unparen(e).(*ast.Ident)
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
		r.lower.RangeFunc(n) // package lower
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
		id, ok := ast.Unparen(n.X).(*ast.Ident)
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

// lowerRangeAssign writes a range loop that assigns its variables,
// for k, v = range x { ... }, as one that declares new ones and assigns
// them at the start of each iteration,
// for lpK, lpV := range x { k, v = lpK, lpV; ... }. yaegi v0.16.1 declares
// new variables either way, so the variables the loop should assign keep
// their old values, in the body's closures and after the loop. Ranges over
// integers and functions are lowered by lowerRange.
func (r *rewriter) lowerRangeAssign(n *ast.RangeStmt) {
	if n.Tok != token.ASSIGN {
		return
	}
	tv, ok := r.in.Info.Types[n.X]
	if !ok || tv.Type == nil {
		return
	}
	switch u := tv.Type.Underlying().(type) {
	case *types.Signature:
		return
	case *types.Basic:
		if u.Info()&types.IsInteger != 0 {
			return
		}
	}
	blank := func(e ast.Expr) bool {
		id, ok := e.(*ast.Ident)
		return e == nil || ok && id.Name == "_"
	}
	if blank(n.Key) && blank(n.Value) {
		return // nothing is assigned
	}
	r.add(span{n.Key.Pos(), n.TokPos + token.Pos(len(token.ASSIGN.String()))}, func() string {
		switch {
		case n.Value == nil:
			return "lpK :="
		case blank(n.Key):
			return "_, lpV :="
		case blank(n.Value):
			return "lpK, _ :="
		}
		return "lpK, lpV :="
	})
	r.add(span{n.Body.Lbrace, n.Body.Lbrace + 1}, func() string {
		var lhs, rhs []string
		if !blank(n.Key) {
			lhs, rhs = append(lhs, r.renderNode(n.Key)), append(rhs, "lpK")
		}
		if !blank(n.Value) {
			lhs, rhs = append(lhs, r.renderNode(n.Value)), append(rhs, "lpV")
		}
		s := "{ "
		for i := range lhs {
			if i > 0 {
				s += ", "
			}
			s += lhs[i]
		}
		s += " = "
		for i := range rhs {
			if i > 0 {
				s += ", "
			}
			s += rhs[i]
		}
		return s + ";"
	})
}
