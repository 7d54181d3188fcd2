package workaround

import (
	"go/ast"
	"go/scanner"
	"go/token"
	"go/types"
	"strings"
)

// This file writes statements (and one form of operand) that yaegi
// v0.16.1 compiles without an error and then runs wrongly, as equivalent
// ones it runs right, on the same lines. Each was found running the tests
// of real modules with every function interpreted (docs/FIDELITY.md).

// statements rewrites node n of the input where yaegi would run it
// wrongly.
func (w *Rewriting) statements(n ast.Node) {
	switch n := n.(type) {
	case *ast.AssignStmt:
		if n.Tok == token.ASSIGN && len(n.Lhs) == 1 && len(n.Rhs) == 1 {
			if lit, ok := n.Rhs[0].(*ast.CompositeLit); ok {
				// (*p) = T{...}, as the rewriting writes p's variable, keeps
				// the old value: see parenValues.
				w.h.Add(lit, func() string { return "(" + w.h.Render(lit) + ")" })
			}
		}
		if len(n.Lhs) > 1 && len(n.Lhs) == len(n.Rhs) {
			w.parenValues(n.Rhs)
			var dest []types.Type
			for _, l := range n.Lhs {
				dest = append(dest, w.info.Types[l].Type)
			}
			w.typedNils(dest, n.Rhs)
		}
	case *ast.ValueSpec:
		if len(n.Names) > 1 && len(n.Names) == len(n.Values) {
			w.parenValues(n.Values)
			var dest []types.Type
			for _, id := range n.Names {
				if obj := w.info.Defs[id]; obj != nil {
					dest = append(dest, obj.Type())
				} else {
					dest = append(dest, nil)
				}
			}
			w.typedNils(dest, n.Values)
		}
	case *ast.ReturnStmt:
		if len(n.Results) > 1 {
			w.parenValues(n.Results)
		}
	case *ast.TypeSwitchStmt:
		w.fillClauses(n)
		if !w.labeled[n] {
			w.lowerTypeSwitch(n, nil) // typeswitch.go
		}
	case *ast.LabeledStmt:
		if w.labeled == nil {
			w.labeled = map[ast.Stmt]bool{}
		}
		w.labeled[n.Stmt] = true
		if ts, ok := n.Stmt.(*ast.TypeSwitchStmt); ok {
			w.lowerTypeSwitch(ts, n)
		}
	case *ast.ForStmt:
		w.loopCondition(n)
	case *ast.SwitchStmt:
		if n.Tag == nil {
			w.joinCases(n)
		} else {
			w.splitCases(n)
		}
		w.refuseEarlyDefault(n)
		w.blockInit(n)
	case *ast.BlockStmt:
		if sig := w.declaredBody(n); sig != nil {
			w.returnValues(n, sig)
		}
	case *ast.FuncLit:
		if sig, ok := w.info.Types[n].Type.(*types.Signature); ok {
			w.returnValues(n.Body, sig)
		}
	case *ast.CaseClause:
		w.blockLabels(n.Body)
	case *ast.CommClause:
		w.blockLabels(n.Body)
	case *ast.BinaryExpr:
		w.typedShift(n)
		if n.Op == token.LAND || n.Op == token.LOR {
			w.unparenLeaves(n.X)
		}
	}
}

// typedShift writes the untyped constant shifted by a shift that is not
// constant, 1 << n, as a value of the type the shift takes from its
// context, T(1) << n, which is what Go does with it. yaegi v0.16.1 gives
// it its default type when the shift is an operand of another operation:
// v & ((1 << n) - 1) with v a uint32 panics ("reflect: call of
// reflect.Value.Uint on int Value").
func (w *Rewriting) typedShift(n *ast.BinaryExpr) {
	if n.Op != token.SHL && n.Op != token.SHR {
		return
	}
	tv, ok := w.info.Types[n]
	if !ok || tv.Value != nil || tv.Type == nil {
		return
	}
	t, ok := tv.Type.Underlying().(*types.Basic)
	if !ok || t.Info()&types.IsUntyped != 0 || t.Info()&types.IsInteger == 0 {
		return
	}
	if !w.untypedConst(n.X) || !Nameable(tv.Type, w.pkg) {
		return
	}
	st := tv.Type
	w.h.Add(n.X, func() string { return w.h.TypeText(st) + "(" + w.h.Render(n.X) + ")" })
}

// unparenLeaves writes the parenthesized names and literals in e, the
// left operand of && or ||, without their parentheses. yaegi v0.16.1
// panics on them there: (m)&1 == 1 && ok and r == (0) || ok fail with
// "reflect: call of reflect.Value.Bool on uint64 Value" (one on the right
// of the operator works). Parentheses around a name or a literal change
// nothing in Go; a space keeps the name apart from a neighboring word
// (return(x)). (A parenthesized leaf in nested operators gets a candidate
// for each: the first one rendered wins, the others are inside it.)
func (w *Rewriting) unparenLeaves(e ast.Expr) {
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ParenExpr:
			switch n.X.(type) {
			case *ast.Ident, *ast.BasicLit:
			default:
				return true
			}
			from, to := w.h.Offset(n.Pos()), w.h.Offset(n.End())
			if from < 0 || to < 0 {
				return true
			}
			src := w.src
			word := func(i int) bool {
				if i < 0 || i >= len(src) {
					return false
				}
				c := src[i]
				return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
			}
			x := n.X
			w.h.Add(n, func() string {
				s := w.h.Render(x)
				if word(from - 1) {
					s = " " + s
				}
				if word(to) {
					s += " "
				}
				return s
			})
		}
		return true
	})
}

// untypedConst reports whether e is an untyped constant expression as
// written: literals and untyped constants, and operations on them (the
// checker records the type an untyped operand takes from its context, not
// that it was untyped).
func (w *Rewriting) untypedConst(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.BasicLit:
		return true
	case *ast.ParenExpr:
		return w.untypedConst(e.X)
	case *ast.UnaryExpr:
		return w.untypedConst(e.X)
	case *ast.BinaryExpr:
		return w.untypedConst(e.X) && w.untypedConst(e.Y)
	case *ast.Ident:
		return w.untypedConstObj(w.info.Uses[e])
	case *ast.SelectorExpr:
		return w.untypedConstObj(w.info.Uses[e.Sel])
	}
	return false
}

// untypedConstObj reports whether obj is a constant of an untyped type.
func (w *Rewriting) untypedConstObj(obj types.Object) bool {
	k, ok := obj.(*types.Const)
	if !ok {
		return false
	}
	b, ok := k.Type().(*types.Basic)
	return ok && b.Info()&types.IsUntyped != 0
}

// parenValues parenthesizes the calls (builtins and conversions included),
// composite literals and their addresses (&T{...}, which the rewriting
// writes as a call when T has unexported fields: nats-server's avl lost
// the second store of ss.root, ss.nodes = &node{...}, 1) among the values
// of an assignment, a variable
// declaration or a return statement of several values. yaegi v0.16.1
// compiles such a value to store itself into its destination, and then
// drops the statement's other stores: after a, b = 1, f() (or :=, or
// var a, b = 1, []string{"x"}) a keeps its old value; return 1,
// append(s, x) stores the slice into the first result and panics
// ("reflect.Set: value of type []string is not assignable to type int").
// A parenthesized value is computed and then stored as the others are; it
// is the same value, computed in the same order. (Receives are
// parenthesized by parenReceives.) The same happens to a composite literal
// assigned alone to a parenthesized dereference, (*p) = T{A: 1}, which is
// how the rewriting writes package variables, frame locals and fields
// reached through accessors: it is parenthesized too.
func (w *Rewriting) parenValues(values []ast.Expr) {
	for _, v := range values {
		switch v := v.(type) {
		case *ast.CallExpr, *ast.CompositeLit:
			w.h.Add(v, func() string { return "(" + w.h.Render(v) + ")" })
		case *ast.UnaryExpr:
			if _, lit := v.X.(*ast.CompositeLit); lit && v.Op == token.AND {
				w.h.Add(v, func() string { return "(" + w.h.Render(v) + ")" })
			}
		}
	}
}

// typedNils writes each nil among the values of an assignment or a
// variable declaration of several values (or of a return statement,
// returnValues) as the nil of its destination's type, T(nil). yaegi v0.16.1 panics on an untyped nil there
// (p, err = nil, e: "reflect: New(nil)"). A destination whose type the
// input's scope cannot name keeps its nil.
func (w *Rewriting) typedNils(dest []types.Type, values []ast.Expr) {
	for i, v := range values {
		id, ok := ast.Unparen(v).(*ast.Ident)
		if !ok || i >= len(dest) || dest[i] == nil {
			continue
		}
		if _, isNil := w.info.Uses[id].(*types.Nil); !isNil || !Nameable(dest[i], w.pkg) {
			continue
		}
		t := dest[i]
		w.h.Add(v, func() string { return "(" + w.h.TypeText(t) + ")(nil)" })
	}
}

// declaredBody returns the signature of the function declaration of the
// input's file whose body is b, or nil.
func (w *Rewriting) declaredBody(b *ast.BlockStmt) *types.Signature {
	f := w.file
	if f == nil {
		return nil
	}
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Body == b {
			if fn, ok := w.info.Defs[fd.Name].(*types.Func); ok {
				return fn.Type().(*types.Signature)
			}
		}
	}
	return nil
}

// returnValues rewrites what the return statements of body (not those of
// the function literals in it) give results that yaegi v0.16.1 returns
// wrongly to compiled callers:
//
//   - a nil for a result of a function type is written as that type's
//     nil, T(nil): yaegi panics ("reflect: New(nil)") when the type is a
//     compiled function type (type F = func() of a compiled package,
//     return nil, false);
//   - an operation for a result of an interface type is parenthesized:
//     yaegi returns nil for return Reg(1) + Reg(x) (Reg a compiled
//     integer type) as an Arg, and, for any interface, nil for return -x
//     (expr-lang/expr's builtin Abs) and ^x, and panics on return x > 0
//     and return !ok ("reflect: call of reflect.Value.SetBool on
//     interface Value").
func (w *Rewriting) returnValues(body *ast.BlockStmt, sig *types.Signature) {
	res := sig.Results()
	funcs := make([]types.Type, res.Len())
	ifaces := make([]bool, res.Len())
	any := false
	for i := range funcs {
		switch res.At(i).Type().Underlying().(type) {
		case *types.Signature:
			funcs[i], any = res.At(i).Type(), true
		case *types.Interface:
			ifaces[i] = !isTypeParam(res.At(i).Type())
			any = any || ifaces[i]
		}
	}
	if !any {
		return
	}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			if len(n.Results) != len(funcs) {
				return true
			}
			w.typedNils(funcs, n.Results)
			for i, v := range n.Results {
				if !ifaces[i] {
					continue
				}
				switch v := v.(type) {
				case *ast.BinaryExpr:
					w.h.Add(v, func() string { return "(" + w.h.Render(v) + ")" })
				case *ast.UnaryExpr:
					if v.Op != token.AND && v.Op != token.ARROW { // &x and <-ch are not operations on values
						w.h.Add(v, func() string { return "(" + w.h.Render(v) + ")" })
					}
				}
			}
		}
		return true
	})
}

// fillClauses gives each empty clause of a type switch the body {}. In
// yaegi v0.16.1 an empty clause of a type switch that declares a variable
// (switch y := x.(type) { case int: ... }) ends the function when it is
// taken: the statements after the switch do not run and the function
// returns its zero values. An empty default clause fails to compile
// ("index out of range [-1]", "CFG post-order panic"). An empty block does
// nothing, as the empty clause did.
func (w *Rewriting) fillClauses(n *ast.TypeSwitchStmt) {
	for _, s := range n.Body.List {
		cc, ok := s.(*ast.CaseClause)
		if !ok || len(cc.Body) > 0 {
			continue
		}
		w.h.Add(span{cc.Colon, cc.Colon + 1}, func() string { return ": {}" })
	}
}

// joinCases writes the expressions of a case clause of a switch without a
// tag, case a, b:, as one, case a || b:. yaegi v0.16.1 tests only the
// first expression of the list (case r == 0, r == '|': is not taken for
// '|'). Go evaluates the expressions left to right until one is true,
// which is what || does. The comma between two expressions becomes ||,
// with what surrounds it kept (comments, line breaks).
func (w *Rewriting) joinCases(n *ast.SwitchStmt) {
	for _, s := range n.Body.List {
		cc, ok := s.(*ast.CaseClause)
		if !ok || len(cc.List) < 2 {
			continue
		}
		for i := 1; i < len(cc.List); i++ {
			comma := w.tokenBetween(cc.List[i-1].End(), cc.List[i].Pos(), token.COMMA)
			if !comma.IsValid() {
				continue
			}
			w.h.Add(span{comma, comma + 1}, func() string { return " ||" })
		}
	}
}

// splitCases writes a case clause of a switch with a tag whose list has
// an expression after the first that is computed when the clause is
// tested (not a constant), case x, *p: body, as clauses that fall through
// to the last one, case x: fallthrough; case *p: body. yaegi v0.16.1 runs
// only the first expression of a list and reads the others from frame
// slots nothing wrote (msgpack's case msgpcode.Str8, msgpcode.Bin8:, as
// the rewriting writes compiled package variables, (*pkg.lpAddr_Str8),
// never matched Bin8, and matched a zero tag). Go tests the expressions
// left to right until one matches and then runs the body, which the
// fallthroughs do. An empty body becomes {}, so that the last clause has
// one to fall into.
func (w *Rewriting) splitCases(n *ast.SwitchStmt) {
	for _, s := range n.Body.List {
		cc, ok := s.(*ast.CaseClause)
		if !ok || !w.computedCase(cc) {
			continue
		}
		for i := 1; i < len(cc.List); i++ {
			comma := w.tokenBetween(cc.List[i-1].End(), cc.List[i].Pos(), token.COMMA)
			if !comma.IsValid() {
				continue
			}
			w.h.Add(span{comma, comma + 1}, func() string { return ": fallthrough; case" })
		}
		if len(cc.Body) == 0 {
			w.h.Add(span{cc.Colon, cc.Colon + 1}, func() string { return ": {}" })
		}
	}
}

// computedCase reports whether s is a case clause with an expression
// after the first that is not a constant (see splitCases).
func (w *Rewriting) computedCase(s ast.Stmt) bool {
	cc, ok := s.(*ast.CaseClause)
	if !ok {
		return false
	}
	for _, e := range cc.List[min(1, len(cc.List)):] {
		if w.info.Types[e].Value == nil {
			return true
		}
	}
	return false
}

// refuseEarlyDefault handles a switch whose default clause is not its
// last and one of whose clauses ends with fallthrough: yaegi v0.16.1 then
// never takes a clause that falls through (switch p { default: ...;
// case 1: fallthrough; case 2: ... } runs default for 1). Where no
// fallthrough leads into or out of the default clause, its place among the
// clauses means nothing in Go (it runs when no case matches), so the
// clause is written last. Its statements then report the lines of the end
// of the switch in the interpreter's messages (a panic's position), which
// is what running this function patched costs over leaving it compiled.
// A fallthrough into or out of the default clause makes its place
// matter: the function stays compiled, with that reason.
func (w *Rewriting) refuseEarlyDefault(n *ast.SwitchStmt) {
	clauses := n.Body.List
	early := -1
	falls := false
	fallsAt := func(i int) bool {
		cc, ok := clauses[i].(*ast.CaseClause)
		if !ok || len(cc.Body) == 0 {
			return false
		}
		b, ok := cc.Body[len(cc.Body)-1].(*ast.BranchStmt)
		return ok && b.Tok == token.FALLTHROUGH
	}
	for i, s := range clauses {
		if cc, ok := s.(*ast.CaseClause); ok && cc.List == nil && i < len(clauses)-1 {
			early = i
		}
		if fallsAt(i) || n.Tag != nil && w.computedCase(clauses[i]) {
			falls = true // splitCases writes a fallthrough
		}
	}
	if early < 0 || !falls {
		return
	}
	if fallsAt(early) || early > 0 && fallsAt(early-1) {
		w.h.Fail(clauses[early].Pos(), "", "a switch whose default clause is not the last, with a fallthrough into or out of it: the interpreter (yaegi v0.16.1) does not take the clauses that fall through, and the default clause cannot be moved")
		return
	}
	w.h.Add(span{clauses[0].Pos(), clauses[len(clauses)-1].End()}, func() string {
		var parts []string
		for i, c := range clauses {
			if i != early {
				parts = append(parts, w.h.Render(c))
			}
		}
		return strings.Join(append(parts, w.h.Render(clauses[early])), "\n")
	})
}

// blockLabels puts each labeled statement of a clause's body in a block
// of its own, case 1: { L: for ... }. yaegi v0.16.1 declares the labels of
// blocks only, not those of clauses: break L fails to compile
// ("undefined: L"). The label means the same inside the block, for the
// break and continue statements in its statement. A goto to it from a
// later statement of the clause would jump into that block, so when a
// goto names one of the labels the clause's whole body goes in one block
// instead (a goto to a label in a clause comes from inside the clause),
// less a fallthrough that ends it, which must stay last (tidwall/gjson's
// validobject: `case '"': key: ... goto key`).
func (w *Rewriting) blockLabels(body []ast.Stmt) {
	for _, s := range body {
		if ls, ok := s.(*ast.LabeledStmt); ok && w.gotoTarget(ls.Label.Name) {
			if b, ok := body[len(body)-1].(*ast.BranchStmt); ok && b.Tok == token.FALLTHROUGH {
				body = body[:len(body)-1]
			}
			all := span{body[0].Pos(), body[len(body)-1].End()}
			w.h.Add(all, func() string { return "{ " + w.h.Render(all) + " }" })
			return
		}
	}
	for _, s := range body {
		if ls, ok := s.(*ast.LabeledStmt); ok {
			w.h.Add(ls, func() string { return "{ " + w.h.Render(ls) + " }" })
		}
	}
}

// gotoTarget reports whether a goto of the input names label.
func (w *Rewriting) gotoTarget(label string) bool {
	found := false
	for _, st := range w.stmts {
		ast.Inspect(st, func(n ast.Node) bool {
			if b, ok := n.(*ast.BranchStmt); ok && b.Tok == token.GOTO && b.Label != nil && b.Label.Name == label {
				found = true
			}
			return !found
		})
	}
	return found
}

// tokenBetween returns the position of the first want token between from
// and to in the input (comments skipped), or NoPos.
func (w *Rewriting) tokenBetween(from, to token.Pos, want token.Token) token.Pos {
	a, b := w.h.Offset(from), w.h.Offset(to)
	if a < 0 || b < a {
		return token.NoPos
	}
	text := w.src[a:b]
	fset := token.NewFileSet()
	f := fset.AddFile("", -1, len(text))
	var s scanner.Scanner
	s.Init(f, []byte(text), nil, scanner.ScanComments)
	for {
		pos, tok, _ := s.Scan()
		switch tok {
		case token.EOF:
			return token.NoPos
		case want:
			return from + token.Pos(f.Offset(pos))
		}
	}
}

// loopCondition gives a loop with an init statement and neither a
// condition nor a post statement, for i := 1; ; { ... i++ }, the condition
// true: for i := 1; true; { ... }, the same loop in Go. yaegi v0.16.1 runs
// the init statement again after each iteration of such a loop (its
// forStmt1 goes back to the loop's start), so the body's steps of i are
// lost and the loop may never end (shopspring/decimal's ExpTaylor, and
// with it Ln and Pow). A continue goes to the body's start either way.
func (w *Rewriting) loopCondition(n *ast.ForStmt) {
	if n.Init == nil || n.Cond != nil || n.Post != nil {
		return
	}
	semi := w.tokenBetween(n.Init.End(), n.Body.Lbrace, token.SEMICOLON)
	if !semi.IsValid() {
		return
	}
	cond := "true"
	if sc := w.info.Scopes[n]; sc != nil {
		if _, obj := sc.LookupParent(cond, n.Body.Lbrace); obj != types.Universe.Lookup(cond) {
			cond = "0 == 0" // true is shadowed
		}
	}
	at := semi + token.Pos(len(";"))
	w.h.Add(span{at, at}, func() string { return " " + cond })
}

// blockInit writes a switch with an init statement and a tag as a block
// that runs the init statement before the switch: switch n := p.top();
// n.Kind { ... } becomes { n := p.top(); switch n.Kind { ... } }, the same
// scope. yaegi v0.16.1 loses the assignments to outer variables in the
// clauses of such a switch when its tag uses the init statement's
// variable (n.Kind, len(*q); x/net/html's inBodyIM: d = d[1:] in case a.Pre kept the
// newline a <pre> drops). A labeled switch is left as it is: break L
// cannot name a block.
func (w *Rewriting) blockInit(n *ast.SwitchStmt) {
	if n.Init == nil || n.Tag == nil || w.labeled[n] {
		return
	}
	w.h.Add(n, func() string {
		return "{ " + w.h.Render(n.Init) + "; switch " + w.h.Render(n.Tag) + " " + w.h.Render(n.Body) + " }"
	})
}
