package rewrite

import (
	"go/ast"
	"go/types"

	"github.com/livepatch/livepatch/internal/rewrite/workaround"
)

// Calls of builtins that yaegi v0.16.1 lacks or runs wrongly.

// lowerBuiltin lowers calls of the builtins yaegi v0.16.1 lacks (Go 1.21):
// min and max become a call of a function literal over the call's type
// (a NaN wins, as in Go), clear a loop that deletes a map's keys or zeroes
// a slice's elements. A constant min or max becomes its value.
func (r *rewriter) lowerBuiltin(call *ast.CallExpr) {
	id, ok := ast.Unparen(call.Fun).(*ast.Ident)
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
			t := r.typeText(tv.Type)
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
			t := r.typeText(at)
			arg := r.renderNode(call.Args[0])
			if _, isMap := at.Underlying().(*types.Map); isMap {
				return "func(lpM " + t + ") { for lpK := range lpM { delete(lpM, lpK) } }(" + arg + ")"
			}
			return "func(lpS " + t + ") { for lpI := range lpS { var lpZ " + r.typeText(at.Underlying().(*types.Slice).Elem()) +
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

// appendValues writes a call of append with several values,
// append(s, a, b), as one with the values in a slice of their own,
// append(s, []T{a, b}...). yaegi v0.16.1 appends the values one by one,
// each evaluated after the one before was stored: when s has room, a value
// read from s's array beyond len(s) (append(s[:1], x, s[1]), or
// append(args[:n-1], mask, args[n-1])) is read after it was overwritten.
// Go evaluates every value before it appends; so does the literal.
func (r *rewriter) appendValues(n *ast.CallExpr) {
	id, ok := ast.Unparen(n.Fun).(*ast.Ident)
	if !ok || len(n.Args) < 3 || n.Ellipsis.IsValid() {
		return
	}
	if b, ok := r.in.Info.Uses[id].(*types.Builtin); !ok || b.Name() != "append" {
		return
	}
	tv, ok := r.in.Info.Types[n]
	if !ok || tv.Type == nil {
		return
	}
	st, ok := tv.Type.Underlying().(*types.Slice)
	if !ok || !workaround.Nameable(st.Elem(), r.in.Pkg) {
		return
	}
	first, last := n.Args[1], n.Args[len(n.Args)-1]
	r.add(span{first.Pos(), last.End()}, func() string {
		return "[]" + r.typeText(st.Elem()) + "{" + r.render(r.in.Offset(first.Pos()), r.in.Offset(last.End())) + "}..."
	})
}
