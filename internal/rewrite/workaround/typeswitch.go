package workaround

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"
)

// lowerTypeSwitch writes a type switch with a case naming an interface
// type as a switch without a tag, in a block that evaluates the guard's
// operand once:
//
//	L: switch v := x.(type) { case nil: A; case error: B; case int, T: C; default: D }
//
// becomes
//
//	{ lpTS := x; L: switch { case lpTS == nil: v := lpTS; _ = v; A
//	case (lpTS != nil && func() bool { _, lpOK := lpTS.(error); return lpOK }()): v := lpTS.(error); _ = v; B
//	case (...int...) || (...T...): v := lpTS; _ = v; C
//	default: v := lpTS; _ = v; D }}
//
// yaegi v0.16.1 matches an interface case of a type switch without a bound
// variable by the name of the value's dynamic type, which is never an
// interface type, and the case error of one with a bound variable only to
// values of its own types: a value of a compiled type never matched
// (go-cmp's reporter printed no error as one; the values of compiled
// error types fell through its `case error:`). Its comma-ok type
// assertion asks the right question (the nil check keeps it from the nil
// operand it panics on, see lowerAssertOK). The cases are tried in order
// and break leaves the switch, as before; the clause's variable has the
// type Go gives it (the case's type when the case names one type, the
// operand's otherwise). Each clause's case line and the switch's first
// and last lines stay where they were. The switch's init statement runs
// first in the block, where its variables have the same scope.
func (w *Rewriting) lowerTypeSwitch(n *ast.TypeSwitchStmt, label *ast.LabeledStmt) {
	var x ast.Expr
	bound := ""
	switch a := n.Assign.(type) {
	case *ast.AssignStmt:
		if id, ok := a.Lhs[0].(*ast.Ident); ok && id.Name != "_" {
			bound = id.Name
		}
		x = a.Rhs[0]
	case *ast.ExprStmt:
		x = a.X
	}
	ta, ok := ast.Unparen(x).(*ast.TypeAssertExpr)
	if !ok || !w.hasInterfaceCase(n) {
		return
	}
	methods := w.emptyStructImplements(w.info.TypeOf(ta.X))
	start := n.Switch
	if label != nil {
		start = label.Pos()
	}
	w.h.Add(span{start, n.Body.Lbrace + 1}, func() string {
		var b strings.Builder
		b.WriteString("{ ")
		if n.Init != nil {
			b.WriteString(w.h.Render(n.Init) + "; ")
		}
		b.WriteString("lpTS := " + w.h.Render(ta.X) + "; ")
		if label != nil {
			b.WriteString(w.h.Render(label.Label) + ": ")
		}
		b.WriteString("switch {")
		return padLines(b.String(), w.textOf(start, n.Body.Lbrace+1))
	})
	for _, s := range n.Body.List {
		cc := s.(*ast.CaseClause)
		w.h.Add(span{cc.Case, cc.Colon + 1}, func() string {
			head := "default:"
			if cc.List != nil {
				conds := make([]string, len(cc.List))
				for i, e := range cc.List {
					conds[i] = w.caseCond(e, methods)
				}
				head = "case " + strings.Join(conds, " || ") + ":"
			}
			if bound != "" {
				v := "lpTS"
				switch e := cc.List; {
				case len(e) == 1 && w.emptyInterface(e[0]):
					v = "(" + w.h.Render(e[0]) + ")(lpTS)" // see caseCond
				case len(e) == 1 && !w.isNil(e[0]):
					v = w.assertedTS(e[0], methods) + ".(" + w.h.Render(e[0]) + ")"
				}
				head += " " + bound + " := " + v + "; _ = " + bound + ";"
			}
			return padLines(head, w.textOf(cc.Case, cc.Colon+1))
		})
	}
	w.h.Add(span{n.Body.Rbrace, n.Body.Rbrace + 1}, func() string { return "}}" })
}

// hasInterfaceCase reports whether a case of n names an interface type.
func (w *Rewriting) hasInterfaceCase(n *ast.TypeSwitchStmt) bool {
	for _, s := range n.Body.List {
		for _, e := range s.(*ast.CaseClause).List {
			if t := w.info.TypeOf(e); t != nil && !w.isNil(e) && types.IsInterface(t) {
				return true
			}
		}
	}
	return false
}

// caseCond writes the condition under which lpTS matches case e (methods:
// the switch's operand has an interface type with methods that a struct
// type without fields implements, see assertConcrete). A case
// naming the empty interface matches every non-nil value: yaegi v0.16.1's
// assertion to it is false for the values of compiled types (spf13/cast's
// `case any:`; see lowerAssertAny), so it is not asked, and the clause's
// variable is converted instead.
func (w *Rewriting) caseCond(e ast.Expr, methods bool) string {
	if w.isNil(e) {
		return "lpTS == nil"
	}
	if w.emptyInterface(e) {
		return "lpTS != nil"
	}
	return "(lpTS != nil && func() bool { _, lpOK := " + w.assertedTS(e, methods) + ".(" + w.h.Render(e) + "); return lpOK }())"
}

// assertedTS writes lpTS as the operand of an assertion to case e's type:
// returned as an empty interface when its type has methods that a struct
// without fields implements (methods) and e's type is not an interface
// (see assertConcrete).
func (w *Rewriting) assertedTS(e ast.Expr, methods bool) string {
	if t := w.info.TypeOf(e); methods && t != nil && !types.IsInterface(t) {
		return "func() interface{} { return lpTS }()"
	}
	return "lpTS"
}

// isNil reports whether case e is nil.
func (w *Rewriting) isNil(e ast.Expr) bool {
	tv, ok := w.info.Types[e]
	return ok && tv.IsNil()
}

// textOf returns the input's text between two positions, or "".
func (w *Rewriting) textOf(from, to token.Pos) string {
	a, b := w.h.Offset(from), w.h.Offset(to)
	if a < 0 || b < a {
		return ""
	}
	return w.src[a:b]
}

// padLines returns s followed by as many line breaks as orig has more
// than s, so that the lines after a replacement stay where they were.
func padLines(s, orig string) string {
	if d := strings.Count(orig, "\n") - strings.Count(s, "\n"); d > 0 {
		return s + strings.Repeat("\n", d)
	}
	return s
}
