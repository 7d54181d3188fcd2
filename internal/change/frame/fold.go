package frame

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"
)

// foldingNotes explains, for each frame local the input wrote, when the
// compiler may have folded it: a local that its function never assigns
// after a constant initializer can be replaced by the constant where it is
// converted to an interface, even under -N -l, so the program may go on
// seeing the old value there.
func foldingNotes(sc *Scope, writes []*types.Var) string {
	if sc.fn == nil || len(writes) == 0 {
		return ""
	}
	var notes []string
	seen := map[*types.Var]bool{}
	for _, v := range writes {
		if seen[v] {
			continue
		}
		seen[v] = true
		if constantLocal(sc, v) {
			notes = append(notes, fmt.Sprintf("note: %s has a constant initializer and is never assigned in its function: "+
				"the compiler may have folded it, and where the program converts %s to an interface it may still use the old value", v.Name(), v.Name()))
		}
	}
	return strings.Join(notes, "\n")
}

// constantLocal reports whether v is declared with a constant initializer
// and never assigned or addressed afterwards in the function sc.fn.
func constantLocal(sc *Scope, v *types.Var) bool {
	info := sc.pkg.TypesInfo
	if sc.info != nil {
		info = sc.info
	}
	if info == nil {
		return false
	}
	isV := func(e ast.Expr) bool {
		for {
			p, ok := e.(*ast.ParenExpr)
			if !ok {
				break
			}
			e = p.X
		}
		id, ok := e.(*ast.Ident)
		return ok && (info.Uses[id] == v || info.Defs[id] == v)
	}
	constInit, written := false, false
	ast.Inspect(sc.fn, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for i, l := range n.Lhs {
				id, ok := l.(*ast.Ident)
				if !ok {
					continue
				}
				if info.Defs[id] == v {
					if len(n.Rhs) == len(n.Lhs) && info.Types[n.Rhs[i]].Value != nil {
						constInit = true
					}
					continue
				}
				if isV(l) {
					written = true
				}
			}
		case *ast.ValueSpec:
			for i, id := range n.Names {
				if info.Defs[id] == v && i < len(n.Values) && info.Types[n.Values[i]].Value != nil {
					constInit = true
				}
			}
		case *ast.IncDecStmt:
			if isV(n.X) {
				written = true
			}
		case *ast.UnaryExpr:
			if n.Op == token.AND && isV(n.X) {
				written = true
			}
		case *ast.RangeStmt:
			if n.Key != nil && isV(n.Key) || n.Value != nil && isV(n.Value) {
				written = true
			}
		}
		return true
	})
	return constInit && !written
}
