package lower

import (
	"go/ast"
	"go/token"
	"go/types"
	"strconv"
	"strings"
)

// This file lowers a range over a function (Go 1.23), which yaegi v0.16.1
// lacks, into a call of the function with a yield closure, on the same
// lines:
//
//	for k, v := range seq { body }
//
// becomes
//
//	{ var lpS12 int; seq(func(k K, v V) bool { <state check>; lpS12 = 3; body; lpS12 = 0; return true }); <checks> }
//
// where lpS12 (12 being the offset of the loop's "for") is the state of
// the loop that Go's runtime keeps: 0 ready, 3 running the body, 1 the
// body said stop, 2 the iterator returned. As in Go, the closure panics
// when the iterator calls it after it returned false, after the loop
// ended, or after the body panicked, and the loop panics when the
// iterator returns having recovered a panic of the body ("runtime error:
// range function continued iteration after function for loop body
// returned false", ...; the value is that string, not a runtime.Error).
//
// A break of the loop becomes `return false`, a continue `return true`.
// What leaves the body further (a return, a break or continue of an
// enclosing statement, a goto out) sets lpBr, the branch it takes, and
// returns false; after the call, the loop at the level of the target
// takes the branch (`return lpR0, lpR1` with the result values the body
// stored, `continue outer`, `goto done`), and a loop nested in another
// range over a function passes it on by returning false in turn. Defers
// in the body run when the function returns, as in Go (defer.go).

// rfFunc is the function around a range over a function: a function
// literal or the declaration whose body is the input, or the statements
// of a prompt input (body nil).
type rfFunc struct {
	roots  []ast.Stmt
	body   *ast.BlockStmt
	sig    *types.Signature
	loops  []*ast.RangeStmt // its ranges over functions (not those of function literals in it)
	labels map[*types.Label]*ast.LabeledStmt
}

// rfBranch is a return or branch statement in the body of a range over a
// function.
type rfBranch struct {
	stmt    ast.Stmt
	code    string         // the branch as lpBr names it: "r", "rb" (a bare return), "b:L", "c:L", "g:L"
	handled int            // the level (see rfFunc.level) whose code takes it
	loop    *ast.RangeStmt // for a break or continue of a range over a function: that loop
	inner   *ast.RangeStmt // the innermost range over a function around it
	label   string
	tok     token.Token
}

// pathTo returns the nodes of the input from a statement of it down to
// target, target excluded, or nil.
func (l *Lowering) pathTo(target ast.Node) []ast.Node {
	var stack, found []ast.Node
	for _, s := range l.stmts {
		ast.Inspect(s, func(n ast.Node) bool {
			switch {
			case found != nil:
				return false
			case n == nil:
				stack = stack[:len(stack)-1]
				return false
			case n == target:
				found = append([]ast.Node{}, stack...)
				return false
			}
			stack = append(stack, n)
			return true
		})
		if found != nil {
			break
		}
	}
	return found
}

// funcAround returns the function whose body holds the last node of path
// (the innermost function literal, else the declaration) with its ranges
// over functions and labels.
func (l *Lowering) funcAround(path []ast.Node) *rfFunc {
	f := &rfFunc{labels: map[*types.Label]*ast.LabeledStmt{}}
	for i := len(path) - 1; i >= 0 && f.body == nil; i-- {
		if lit, ok := path[i].(*ast.FuncLit); ok {
			f.body = lit.Body
			f.sig, _ = l.info.Types[lit].Type.(*types.Signature)
		}
	}
	if f.body == nil {
		if fd := l.h.FuncDecl(); fd != nil {
			f.body = fd.Body
			if fn, ok := l.info.Defs[fd.Name].(*types.Func); ok {
				f.sig, _ = fn.Type().(*types.Signature)
			}
		}
	}
	f.roots = l.stmts
	if f.body != nil {
		f.roots = []ast.Stmt{f.body}
	}
	for _, s := range f.roots {
		ast.Inspect(s, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.RangeStmt:
				if l.rangeYield(n) != nil {
					f.loops = append(f.loops, n)
				}
			case *ast.LabeledStmt:
				if lb, ok := l.info.Defs[n.Label].(*types.Label); ok {
					f.labels[lb] = n
				}
			}
			return true
		})
	}
	return f
}

// level returns how many bodies of the function's ranges over functions
// hold pos: 0 is the function's own code.
func (f *rfFunc) level(pos token.Pos) int {
	n := 0
	for _, l := range f.loops {
		if l.Body.Lbrace < pos && pos < l.Body.Rbrace {
			n++
		}
	}
	return n
}

// around returns the innermost range over a function whose body holds
// pos, or nil.
func (f *rfFunc) around(pos token.Pos) *ast.RangeStmt {
	var in *ast.RangeStmt
	for _, l := range f.loops {
		if l.Body.Lbrace < pos && pos < l.Body.Rbrace && (in == nil || l.Body.Lbrace > in.Body.Lbrace) {
			in = l
		}
	}
	return in
}

// isLoop reports whether n is one of the function's ranges over functions.
func (f *rfFunc) isLoop(n ast.Node) bool {
	for _, l := range f.loops {
		if ast.Node(l) == n {
			return true
		}
	}
	return false
}

// rangeYield returns the signature of the yield function of a range over
// a function, or nil when n ranges over something else.
func (l *Lowering) rangeYield(n *ast.RangeStmt) *types.Signature {
	tv, ok := l.info.Types[n.X]
	if !ok || tv.Type == nil {
		return nil
	}
	sig, ok := tv.Type.Underlying().(*types.Signature)
	if !ok || sig.Params().Len() != 1 {
		return nil
	}
	yield, _ := sig.Params().At(0).Type().Underlying().(*types.Signature)
	return yield
}

// branches returns the return and branch statements in the body of loop
// (not in function literals) with where they go.
func (l *Lowering) branches(f *rfFunc, loop *ast.RangeStmt) []rfBranch {
	var out []rfBranch
	var stack []ast.Node
	ast.Inspect(loop.Body, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return false
		}
		if _, ok := n.(*ast.FuncLit); ok {
			return false
		}
		stack = append(stack, n)
		b := rfBranch{inner: f.around(n.Pos())}
		switch n := n.(type) {
		case *ast.ReturnStmt:
			b.stmt, b.code, b.handled = n, "r", 0
			if len(n.Results) == 0 && f.sig != nil && f.sig.Results().Len() > 0 {
				b.code = "rb"
			}
		case *ast.BranchStmt:
			var target ast.Node
			b.stmt, b.tok = n, n.Tok
			switch {
			case n.Tok == token.FALLTHROUGH:
				return true
			case n.Label != nil:
				lb, _ := l.info.Uses[n.Label].(*types.Label)
				ls := f.labels[lb]
				if ls == nil {
					return true
				}
				b.label = n.Label.Name
				target = ls.Stmt
				if n.Tok == token.GOTO {
					target = ls
				}
			default:
				for i := len(stack) - 2; i >= 0 && target == nil; i-- {
					switch stack[i].(type) {
					case *ast.ForStmt, *ast.RangeStmt:
						target = stack[i]
					case *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
						if n.Tok == token.BREAK {
							target = stack[i]
						}
					}
				}
				if target == nil {
					target = loop // the statements above are in its body
				}
			}
			b.code = map[token.Token]string{token.BREAK: "b:", token.CONTINUE: "c:", token.GOTO: "g:"}[n.Tok] + b.label
			if rs, ok := target.(*ast.RangeStmt); ok && n.Tok != token.GOTO && f.isLoop(rs) {
				b.loop, b.handled = rs, f.level(rs.Pos())+1
			} else {
				b.handled = f.level(target.Pos())
			}
		default:
			return true
		}
		out = append(out, b)
		return true
	})
	return out
}

// exits returns the branches of loop's body that leave it for a place out
// of it (the loop itself continued or broken excepted): those the code
// after the loop's call takes or passes on.
func (l *Lowering) exits(f *rfFunc, loop *ast.RangeStmt) []rfBranch {
	lv := f.level(loop.Pos())
	var out []rfBranch
	for _, b := range l.branches(f, loop) {
		if b.handled <= lv && b.loop != loop {
			out = append(out, b)
		}
	}
	return out
}

// RangeFunc lowers n when it ranges over a function, as this file's
// comment says; the rewriter calls it for every range statement.
func (l *Lowering) RangeFunc(n *ast.RangeStmt) {
	if yield := l.rangeYield(n); yield != nil {
		l.lowerRangeFunc(n, yield)
	}
}

// lowerRangeFunc lowers n, a range over a function, as this file's
// comment says.
func (l *Lowering) lowerRangeFunc(n *ast.RangeStmt, yield *types.Signature) {
	path := l.pathTo(n)
	f := l.funcAround(path)
	id := strconv.Itoa(l.h.Offset(n.For))
	state := "lpS" + id
	lv := f.level(n.Pos())
	parent := f.around(n.Pos())
	parentState := ""
	if parent != nil {
		parentState = "lpS" + strconv.Itoa(l.h.Offset(parent.For))
	}
	l.loopLabel(f, path)
	l.bodyBranches(f, n, state, lv)
	exits := l.exits(f, n)
	decls := l.exitDecls(f, n, parent, exits)
	head := span{n.For, n.Body.Lbrace + 1}
	l.h.Add(head, func() string { return l.rangeHead(n, yield, state, decls) })
	l.h.Add(span{n.Body.Rbrace, n.Body.Rbrace + 1}, func() string {
		s := "; " + state + " = 0; return true }); if " + state + " == 3 { panic(\"runtime error: range function recovered a loop body panic and did not resume panicking\") }; " + state + " = 2; "
		if len(exits) > 0 {
			s += "if lpBr != \"\" { switch lpBr { " + l.exitCases(f, exits, lv, parent, parentState) + "} }; "
		}
		return s + "}"
	})
}

// loopLabel drops the label of the loop whose path from its function's
// roots is path, unless a goto jumps to it (the label then labels the block
// the loop becomes).
func (l *Lowering) loopLabel(f *rfFunc, path []ast.Node) {
	var labeled *ast.LabeledStmt
	if len(path) > 0 {
		labeled, _ = path[len(path)-1].(*ast.LabeledStmt)
	}
	keepLabel := false
	if labeled != nil {
		label := l.info.Defs[labeled.Label]
		for _, s := range f.roots {
			ast.Inspect(s, func(x ast.Node) bool {
				if br, ok := x.(*ast.BranchStmt); ok && br.Tok == token.GOTO && l.info.Uses[br.Label] == label {
					keepLabel = true
				}
				return !keepLabel
			})
		}
		if !keepLabel {
			l.h.Add(span{labeled.Label.Pos(), labeled.Colon + 1}, func() string { return "" })
		}
	}
}

// bodyBranches writes the statements of the body of n, the range over a
// function whose state variable is state and whose level in f is lv, that
// leave the closure.
func (l *Lowering) bodyBranches(f *rfFunc, n *ast.RangeStmt, state string, lv int) {
	for _, b := range l.branches(f, n) {
		if b.inner != n {
			continue // the lowering of the inner loop writes it
		}
		switch {
		case b.loop == n && b.tok == token.BREAK:
			l.h.Add(b.stmt, func() string { return "{ " + state + " = 1; return false }" })
		case b.loop == n && b.tok == token.CONTINUE:
			l.h.Add(b.stmt, func() string { return "{ " + state + " = 0; return true }" })
		case b.handled > lv:
			// A branch to a statement of the body: the closure's own.
		default:
			l.exitStmt(f, b, state)
		}
	}
}

// exitDecls returns the declarations that open the block n becomes: when n
// owns its exits (it has some, and parent, the loop around it, has none),
// the branch name lpBr and, for a return with results, lpR0, lpR1, ...
func (l *Lowering) exitDecls(f *rfFunc, n, parent *ast.RangeStmt, exits []rfBranch) string {
	owner := len(exits) > 0 && (parent == nil || len(l.exits(f, parent)) == 0)
	returnsValues := false
	for _, b := range exits {
		returnsValues = returnsValues || b.code == "r" && f.sig != nil && f.sig.Results().Len() > 0
	}
	var decls string
	if owner {
		decls = "var lpBr string; "
		if returnsValues {
			for i := 0; i < f.sig.Results().Len(); i++ {
				t, err := l.h.TypeString(f.sig.Results().At(i).Type())
				if err != nil {
					l.h.Fail(n.Pos(), "", "a return inside a range over a function: "+err.Error())
				}
				decls += "var lpR" + strconv.Itoa(i) + " " + t + "; "
			}
		}
	}
	return decls
}

// rangeHead writes the head of the block n becomes, whose state variable is
// state and whose declarations are decls: the call of the function ranged
// over with the loop's body as yield, up to the body's statements.
func (l *Lowering) rangeHead(n *ast.RangeStmt, yield *types.Signature, state, decls string) string {
	vars := []ast.Expr{n.Key, n.Value}
	var params, assign, lhs []string
	for i := 0; i < yield.Params().Len(); i++ {
		t, err := l.h.TypeString(yield.Params().At(i).Type())
		if err != nil {
			l.h.Fail(n.Pos(), "", "a range over a function: "+err.Error())
		}
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
			p := "lpY" + strconv.Itoa(i)
			params = append(params, p+" "+t)
			lhs = append(lhs, l.h.Render(e))
			assign = append(assign, p)
		}
	}
	fn := l.h.Render(n.X)
	if !primary(n.X) {
		fn = "(" + fn + ")"
	}
	s := "{ " + decls + "var " + state + " int; " + fn + "(func(" + strings.Join(params, ", ") + ") bool { " +
		"if " + state + " != 0 { " + rangeStatePanic(state) + " }; " + state + " = 3;"
	for i := range lhs {
		// One at a time: yaegi v0.16.1 mixes up some assignments of
		// several values at once (package workaround's statements.go).
		s += " " + lhs[i] + " = " + assign[i] + ";"
	}
	return s
}

// exitStmt writes b, a statement that leaves the body of the innermost
// range over a function around it, whose state variable is state: it
// stores the results of a return, names the branch in lpBr and stops the
// iteration.
func (l *Lowering) exitStmt(f *rfFunc, b rfBranch, state string) {
	ret, isReturn := b.stmt.(*ast.ReturnStmt)
	if isReturn && (f.sig == nil || f.body == nil) {
		l.h.Fail(b.stmt.Pos(), "", "a return inside a range over a function, outside a function")
		return
	}
	l.h.Add(b.stmt, func() string {
		s := "{ "
		if isReturn && len(ret.Results) > 0 {
			if len(ret.Results) == 1 && f.sig.Results().Len() > 1 {
				names := make([]string, f.sig.Results().Len())
				for i := range names {
					names[i] = "lpR" + strconv.Itoa(i)
				}
				s += strings.Join(names, ", ") + " = " + l.h.Render(ret.Results[0]) + "; "
			} else {
				// One at a time: yaegi v0.16.1 panics on n, err = 1, nil
				// ("reflect: New(nil)").
				for i, e := range ret.Results {
					s += "lpR" + strconv.Itoa(i) + " = " + l.h.Render(e) + "; "
				}
			}
		}
		return s + "lpBr = " + strconv.Quote(b.code) + "; " + state + " = 1; return false }"
	})
}

// exitCases writes the cases of the switch on lpBr after the call of a
// range over a function at level lv: each branch that leaves its body is
// taken here when its target is at this level, and passed on to the
// enclosing range over a function otherwise (default).
func (l *Lowering) exitCases(f *rfFunc, exits []rfBranch, lv int, parent *ast.RangeStmt, parentState string) string {
	var b strings.Builder
	seen := map[string]bool{}
	passOn := false
	for _, e := range exits {
		if seen[e.code] {
			continue
		}
		seen[e.code] = true
		if e.handled < lv {
			passOn = true
			continue
		}
		b.WriteString("case " + strconv.Quote(e.code) + ": ")
		switch {
		case e.code == "r" && f.sig != nil && f.sig.Results().Len() > 0:
			names := make([]string, f.sig.Results().Len())
			for i := range names {
				names[i] = "lpR" + strconv.Itoa(i)
			}
			b.WriteString("return " + strings.Join(names, ", "))
		case e.code == "r" || e.code == "rb":
			b.WriteString("return")
		case e.loop != nil && e.loop == parent && e.tok == token.BREAK:
			b.WriteString("lpBr = \"\"; " + parentState + " = 1; return false")
		case e.loop != nil && e.loop == parent:
			b.WriteString("lpBr = \"\"; " + parentState + " = 0; return true")
		default:
			b.WriteString("lpBr = \"\"; " + e.tok.String() + " " + labelName(e.label))
		}
		b.WriteString("; ")
	}
	if passOn {
		b.WriteString("default: " + parentState + " = 1; return false; ")
	}
	return b.String()
}

// rangeStatePanic writes the panic of a yield closure called when its
// loop's state (the variable state) says it must not be, with Go's
// messages.
func rangeStatePanic(state string) string {
	const prefix = "runtime error: range function continued iteration after "
	return "switch " + state + " { case 1: panic(\"" + prefix + "function for loop body returned false\"); " +
		"case 2: panic(\"" + prefix + "whole loop exit\"); default: panic(\"" + prefix + "loop body panic\") }"
}

// primary reports whether e can be called as it is written: f(x), not
// (f)(x) (yaegi v0.16.1 fails to call a parenthesized function that the
// interpreted code declares: "reflect: call of reflect.Value.Call on ptr
// Value").
func primary(e ast.Expr) bool {
	switch e.(type) {
	case *ast.Ident, *ast.SelectorExpr, *ast.CallExpr, *ast.IndexExpr, *ast.IndexListExpr,
		*ast.ParenExpr, *ast.FuncLit, *ast.TypeAssertExpr, *ast.SliceExpr:
		return true
	}
	return false
}

// SeqTypes writes the types iter.Seq[V] and iter.Seq2[K, V] (generic,
// which yaegi v0.16.1's iter package does not have) as their func types,
// func(yield func(V) bool) and func(yield func(K, V) bool), in a function
// declaration's body and in its signature where one is the whole type of
// a parameter or result. Values of the one are assignable to the other,
// both ways, which is what the agent's wrapper needs to pass the compiled
// caller's arguments in and the interpreted function's results out
// (reflect assigns them). Inside another type of the signature
// ([]iter.Seq[int], func() iter.Seq[int]) the interpreted function's type
// would not fit the compiled one: that is refused.
func (l *Lowering) SeqTypes() {
	if !l.decls || len(l.stmts) != 1 {
		return
	}
	seqType := func(x ast.Node) (types.Type, bool) {
		switch x.(type) {
		case *ast.IndexExpr, *ast.IndexListExpr:
		default:
			return nil, false
		}
		tv, ok := l.info.Types[x.(ast.Expr)]
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
		l.h.Add(x, func() string {
			s, err := l.h.TypeString(t)
			if err != nil {
				l.h.Fail(x.Pos(), "", err.Error())
			}
			return s
		})
		return false
	}
	ast.Inspect(l.stmts[0], lower)
	fd := l.h.FuncDecl()
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
					l.h.Fail(x.Pos(), ReasonIterInSignature, "a parameter or result of a type holding "+types.TypeString(t, l.h.Qualifier)+
						": the interpreter has no iter types, and the func type it has instead would not fit the compiled function's type")
					return false
				}
				return true
			})
		}
	}
}
