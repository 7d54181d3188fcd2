// Package lower lowers the control flow that yaegi v0.16.1 lacks or runs
// otherwise than Go, for package rewrite: ranges over functions and the
// iter.Seq types (rangefunc.go), and defer statements with the control
// flow around them (defer.go). It writes through the rewriter's
// substitution machinery, which it reaches as a Host: it replaces nodes of
// the input with text generated when the rewriter renders them, so the
// lowering and the rewriter's other rewritings nest. It imports nothing
// but the standard library, package rewrite included.
package lower

import (
	"go/ast"
	"go/token"
	"go/types"
)

// Reasons of the refusals of the lowering (see rewrite.Error).
const (
	ReasonDeferInLoop     = "function literal deferred in a loop"
	ReasonIterInSignature = "iter type inside a signature's type"
)

// Host is the rewriter as the lowering uses it.
type Host interface {
	// Add replaces n (a node of the input, or a range of it written as a
	// node) with the text gen returns when the rewriter renders it.
	Add(n ast.Node, gen func() string)
	// Fail records an error of the rewriting at pos, for reason (one of
	// the Reason constants, or empty).
	Fail(pos token.Pos, reason, msg string)
	// Render returns the text of n with the replacements inside it.
	Render(n ast.Node) string
	// Offset returns the offset of pos in the input, or a negative number.
	Offset(pos token.Pos) int
	// TypeString writes t as the interpreter names it.
	TypeString(t types.Type) (string, error)
	// Qualifier names package p in the interpreted source.
	Qualifier(p *types.Package) string
	// Assigns reports whether body assigns v (or takes its address).
	Assigns(body ast.Node, v *types.Var) bool
	// FuncDecl returns the declaration whose body is the input, or nil.
	FuncDecl() *ast.FuncDecl
	// MethodAccessor returns the function that yields the method value of
	// sel when the interpreter cannot call the method directly, or "".
	MethodAccessor(sel *types.Selection) string
}

// Lowering lowers the control flow of one input.
type Lowering struct {
	h     Host
	info  *types.Info
	stmts []ast.Stmt // the input's statements (one function body for a declaration)
	decls bool       // the input is declarations, not statements
}

// New returns the lowering of the input whose syntax is stmts, checked
// into info; decls says the input is a declaration.
func New(h Host, info *types.Info, stmts []ast.Stmt, decls bool) *Lowering {
	return &Lowering{h: h, info: info, stmts: stmts, decls: decls}
}

// span is a range of the input that a replacement covers, for insertions.
type span struct{ from, to token.Pos }

func (s span) Pos() token.Pos { return s.from }
func (s span) End() token.Pos { return s.to }
