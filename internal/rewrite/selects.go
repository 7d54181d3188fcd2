package rewrite

import (
	"fmt"
	"go/ast"
	"go/token"
	"strconv"
	"strings"
)

// This file writes select statements whose channel operands yaegi v0.16.1
// cannot take where they are. A receive from a field's channel with the
// closed check, case v, ok := <-m.c, is never ready (the select takes its
// default or another case), and a receive from a channel the rewriting
// reaches through a generated accessor, <-*lpField_T_c(m), does not
// compile ("receive from non-chan type"). Both run right on a variable.

// A labeled break or continue inside a select that leaves it for an
// enclosing statement (break loop, continue loop) is refused: yaegi
// v0.16.1 runs the loop forever on such a break and skips iterations on
// such a continue.

// SelectOperandPrefix names the variables that hold a select's operands:
// lpSel0_, lpSel1_, ...
const SelectOperandPrefix = "lpSel"

// hoistSelect writes a select statement, n or the labeled statement ls
// that holds it (nil when none does), whose operands are not all names as
// a block that first evaluates every channel operand and every value sent,
// once each and in source order, as Go does on entering a select, into
// variables, and then selects on those variables:
//
//	{ lpSel0_, lpSel1_ := m.held, time.After(d); select { case v := <-lpSel0_: ... case <-lpSel1_: ... } }
//
// on the lines the statement had. An operand that spans lines is left as
// it is: hoisting it would move the lines after it.
func (r *rewriter) hoistSelect(n *ast.SelectStmt, ls *ast.LabeledStmt) {
	if r.hoisted[n] {
		return // as the statement of ls
	}
	if r.hoisted == nil {
		r.hoisted = map[*ast.SelectStmt]bool{}
	}
	r.hoisted[n] = true
	r.refuseBranchOut(n, ls)
	var operands []ast.Expr
	for _, s := range n.Body.List {
		switch comm := s.(*ast.CommClause).Comm.(type) {
		case *ast.SendStmt:
			operands = append(operands, comm.Chan, comm.Value)
		case *ast.ExprStmt:
			operands = append(operands, recvOperand(comm.X))
		case *ast.AssignStmt:
			operands = append(operands, recvOperand(comm.Rhs[0]))
		}
	}
	if !r.needsHoist(operands) {
		return
	}
	var cands []*candidate
	var names []string
	for i, x := range operands {
		name := SelectOperandPrefix + strconv.Itoa(i) + "_"
		r.add(x, func() string { return name })
		cands = append(cands, r.cands[len(r.cands)-1])
		names = append(names, name)
	}
	var stmt ast.Stmt = n
	if ls != nil {
		stmt = ls
	}
	r.add(stmt, func() string {
		values := make([]string, len(operands))
		for i, x := range operands {
			cands[i].active = true // the operand itself, not its variable
			values[i] = r.renderNode(x)
			cands[i].active = false
		}
		return "{ " + strings.Join(names, ", ") + " := " + strings.Join(values, ", ") + "; " + r.renderNode(stmt) + " }"
	})
}

// recvOperand returns the channel of a receive expression, <-c, with its
// parentheses.
func recvOperand(x ast.Expr) ast.Expr {
	return ast.Unparen(x).(*ast.UnaryExpr).X
}

// needsHoist reports whether a select with these operands needs them in
// variables: one is not a name, and none spans lines.
func (r *rewriter) needsHoist(operands []ast.Expr) bool {
	need := false
	for _, x := range operands {
		if _, isName := ast.Unparen(x).(*ast.Ident); !isName {
			need = true
		}
		from, to := r.in.Offset(x.Pos()), r.in.Offset(x.End())
		if from < 0 || to < 0 || strings.Contains(r.in.Src[from:to], "\n") {
			return false
		}
	}
	return need
}

// refuseBranchOut refuses a labeled break or continue in the clauses of n
// that names a statement outside it (ls, the select's own label, is
// fine). Function literals have labels of their own; a label declared
// inside n stays inside.
func (r *rewriter) refuseBranchOut(n *ast.SelectStmt, ls *ast.LabeledStmt) {
	inside := map[string]bool{}
	if ls != nil {
		inside[ls.Label.Name] = true
	}
	ast.Inspect(n.Body, func(x ast.Node) bool {
		if ls, ok := x.(*ast.LabeledStmt); ok {
			inside[ls.Label.Name] = true
		}
		_, lit := x.(*ast.FuncLit)
		return !lit
	})
	ast.Inspect(n.Body, func(x ast.Node) bool {
		switch x := x.(type) {
		case *ast.FuncLit:
			return false
		case *ast.BranchStmt:
			if x.Label != nil && (x.Tok == token.BREAK || x.Tok == token.CONTINUE) && !inside[x.Label.Name] {
				r.refuse(x.Pos(), ReasonBranchOutOfSelect, fmt.Sprintf("%s %s inside a select leaves it for an enclosing statement: the interpreter (yaegi v0.16.1) %s", x.Tok, x.Label.Name,
					map[token.Token]string{token.BREAK: "never leaves the loop", token.CONTINUE: "skips iterations"}[x.Tok]))
			}
		}
		return true
	})
}
